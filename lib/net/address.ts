/**
 * How addresses are written and read back: `host:port`, with IPv6 hosts in
 * brackets.
 *
 * @module
 */

/**
 * Formats an address as `host:port`, bracketing IPv6 hosts.
 *
 * @example Usage
 * ```ts
 * import { formatAddress } from "@randport/randport/net";
 *
 * console.log(formatAddress({ transport: "tcp", hostname: "::", port: 27679 })); // "[::]:27679"
 * ```
 *
 * @param addr The address.
 * @returns `host:port`, or `[host]:port` for IPv6.
 */
export function formatAddress(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

/**
 * A host name without the brackets people copy from URLs and log lines
 * (`[::1]` becomes `::1`); other names are returned as they are.
 *
 * @example Usage
 * ```ts
 * import { unbracketHost } from "@randport/randport/net";
 *
 * console.log(unbracketHost("[::1]")); // "::1"
 * ```
 *
 * @param hostname A host name or address, bracketed or not.
 * @returns The host name without surrounding brackets.
 */
export function unbracketHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, "$1");
}
