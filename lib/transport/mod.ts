/**
 * What happens on a listener between `accept()` and the first byte of the
 * service: reading the PROXY header (v1 or v2) that a trusted load balancer
 * puts before the client's bytes, so that the server sees the client's own
 * address (PROTOCOL.md §7), the admission check, then TLS
 * ({@linkcode TlsTerminator}, node:tls over the accepted connection, with
 * a certificate that `reload` replaces). `openConnection` runs them in
 * that order over a {@linkcode StreamConn}, the part of `Deno.Conn` the
 * servers use.
 *
 * ```ts
 * import { parseProxyHeader, parseTrustedProxies } from "@randport/randport/transport";
 *
 * const trusted = parseTrustedProxies(["10.0.0.0/8"]);
 * console.log(trusted.has({ transport: "tcp", hostname: "10.0.0.5", port: 1 })); // true
 * const line = new TextEncoder().encode("PROXY UNKNOWN\r\n");
 * console.log(parseProxyHeader(line)?.header.command); // "proxy"
 * ```
 *
 * @module
 */

export * from "./stream_conn.ts";
export * from "./proxy_header.ts";
export * from "./trusted_proxies.ts";
export * from "./read_proxy_header.ts";
export * from "./tls_terminator.ts";
export * from "./transport_options.ts";
export * from "./transport_listener.ts";
