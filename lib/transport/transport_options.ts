/**
 * What a listener does between accepting a connection and serving it: read
 * a PROXY header (PROTOCOL.md §7), then run a TLS handshake, each when
 * enabled. Both listeners of `serve()` take these options.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import { isClientError } from "../net/client_errors.ts";
import { ProxyHeaderError } from "./proxy_header.ts";
import { readProxyHeader } from "./read_proxy_header.ts";
import type { StreamConn } from "./stream_conn.ts";
import { TlsHandshakeError, TlsTerminator } from "./tls_terminator.ts";
import { parseTrustedProxies, TrustedProxies } from "./trusted_proxies.ts";

/** Reading a PROXY header (PROTOCOL.md §7) before anything else. */
export interface ProxyProtocolOptions {
  /**
   * The proxies whose headers are believed: addresses or CIDR blocks
   * (`127.0.0.1`, `10.0.0.0/8`, `fd00::/8`). A connection from anywhere
   * else is closed unserved. Required: a header is never taken from just
   * anyone, since it decides the address that logs and limits see.
   */
  trusted: readonly string[] | TrustedProxies;
  /**
   * How long the whole header may take to arrive, in milliseconds; the
   * connection is closed unserved then.
   *
   * @default {3000}
   */
  timeout?: number;
}

/** Options of a listener's transport: PROXY header, then TLS. */
export interface TransportOptions {
  /**
   * Serves TLS with this certificate (which its `reload` replaces while
   * the server runs). Left out, the listener speaks plaintext.
   *
   * @default {undefined}
   */
  tls?: TlsTerminator;
  /**
   * Requires a PROXY header (v1 or v2) on every connection, from a trusted
   * proxy, before TLS or the payload. Left out, none is read: a header
   * would be taken as the client's first bytes.
   *
   * @default {undefined}
   */
  proxyProtocol?: ProxyProtocolOptions;
}

/** {@linkcode TransportOptions}, checked; `undefined` when neither is on. */
export interface ResolvedTransport {
  /** The TLS terminator, if any. */
  tls: TlsTerminator | undefined;
  /** The PROXY header's checked options, if one is required. */
  proxy: { trusted: TrustedProxies; timeout: number } | undefined;
}

/**
 * Checks a listener's transport options.
 *
 * @example Usage
 * ```ts
 * import { resolveTransport } from "@randport/randport/transport";
 *
 * const transport = resolveTransport({ proxyProtocol: { trusted: ["127.0.0.1"] } });
 * console.log(transport?.proxy?.timeout); // 3000
 * console.log(resolveTransport({})); // undefined
 * ```
 *
 * @param options The options; their fields are named with `prefix`.
 * @param prefix Put before field names in errors (`requests.`).
 * @returns The checked transport, or `undefined` for plain TCP.
 * @throws {OptionError} Naming `tls`, `proxyProtocol.trusted` or
 * `proxyProtocol.timeout`.
 */
export function resolveTransport(
  options: TransportOptions,
  prefix = "",
): ResolvedTransport | undefined {
  const { tls, proxyProtocol } = options;
  if (tls !== undefined && !(tls instanceof TlsTerminator)) {
    throw new OptionError(`${prefix}tls`, "expected a TlsTerminator");
  }
  let proxy: ResolvedTransport["proxy"];
  if (proxyProtocol !== undefined) {
    if (typeof proxyProtocol !== "object" || proxyProtocol === null) {
      throw new OptionError(
        `${prefix}proxyProtocol`,
        "expected { trusted, timeout? }",
      );
    }
    const field = `${prefix}proxyProtocol.trusted`;
    const given = proxyProtocol.trusted;
    const trusted = given instanceof TrustedProxies
      ? given
      : parseTrustedProxies(checkList(field, given), { field });
    const timeout = proxyProtocol.timeout ?? 3000;
    if (!(Number.isInteger(timeout) && timeout > 0 && timeout < 2 ** 31)) {
      throw new OptionError(
        `${prefix}proxyProtocol.timeout`,
        "expected whole milliseconds from 1 to 2^31−1",
      );
    }
    proxy = { trusted, timeout };
  }
  if (tls === undefined && proxy === undefined) return undefined;
  return { tls, proxy };
}

function checkList(field: string, value: unknown): string[] {
  if (
    !Array.isArray(value) || value.length === 0 ||
    !value.every((entry) => typeof entry === "string")
  ) {
    throw new OptionError(
      field,
      "expected a non-empty list of addresses or CIDR blocks",
    );
  }
  return value;
}

/**
 * A connection that `openConnection`'s `admit` turned away (a client over
 * its share of connections), past its PROXY header and before TLS. It is
 * not closed: on a listener without TLS the caller may answer it in
 * plaintext, and closes it.
 *
 * @example Usage
 * ```ts
 * import { AdmissionRefused } from "@randport/randport/transport";
 *
 * console.log(AdmissionRefused.name); // "AdmissionRefused"
 * ```
 */
export class AdmissionRefused extends Error {
  /** The connection, past its PROXY header; its `remoteAddr` is the client's. */
  readonly conn: StreamConn;

  /**
   * Creates the error.
   *
   * @param conn The connection turned away.
   */
  constructor(conn: StreamConn) {
    super("turned away by the listener's admission check");
    this.name = "AdmissionRefused";
    this.conn = conn;
  }
}

/** Options for {@linkcode openConnection}. */
export interface OpenConnectionOptions {
  /**
   * Asked once the client's real address is known (past the PROXY header)
   * and before the TLS handshake, so that a client over a limit costs no
   * handshake; `false` turns it away with {@linkcode AdmissionRefused}.
   *
   * @default {undefined: every client is admitted}
   */
  admit?: (conn: StreamConn) => boolean;
}

/**
 * Takes a connection just accepted through its transport: the PROXY
 * header first (the header comes before the TLS handshake), then the
 * admission check, then TLS (node:tls over the accepted connection).
 *
 * @example Usage
 * ```ts ignore
 * import { openConnection, resolveTransport } from "@randport/randport/transport";
 *
 * const transport = resolveTransport({ proxyProtocol: { trusted: ["127.0.0.1"] } })!;
 * using listener = Deno.listen({ port: 0 });
 * const conn = await openConnection(await listener.accept(), transport);
 * console.log(conn.remoteAddr); // the address the PROXY header named
 * ```
 *
 * @param conn The accepted connection.
 * @param transport What to run over it.
 * @param options The admission check.
 * @returns The connection to serve; its `remoteAddr` is the real client's.
 * @throws {ProxyHeaderError} When the header is missing, bad, late, or
 * from an untrusted address.
 * @throws {TlsHandshakeError} When the handshake fails; its `remoteAddr`
 * is the client's (past the header).
 * In both cases `conn` is closed.
 * @throws {AdmissionRefused} When `admit` says no; not closed.
 */
export async function openConnection(
  conn: StreamConn,
  transport: ResolvedTransport,
  options: OpenConnectionOptions = {},
): Promise<StreamConn> {
  let opened = conn;
  try {
    if (transport.proxy) {
      opened = await readProxyHeader(conn, transport.proxy);
    }
    if (options.admit && !options.admit(opened)) {
      throw new AdmissionRefused(opened);
    }
    if (transport.tls) opened = await transport.tls.accept(opened);
    return opened;
  } catch (error) {
    if (error instanceof AdmissionRefused) throw error;
    if (error instanceof TlsHandshakeError) {
      error.remoteAddr = opened.remoteAddr;
    }
    try {
      conn.close();
    } catch {
      // Closed already.
    }
    throw error;
  }
}

/** Why {@linkcode openConnection} left a connection unserved. */
export interface Unserved {
  /**
   * `proxy`: its PROXY header was missing, malformed, late or from an
   * untrusted address, or it went away before the header ended; `tls`:
   * its handshake failed.
   */
  kind: "proxy" | "tls";
  /** The log event that tells it. */
  event: "connection.bad_proxy_header" | "connection.tls_failed";
  /** What went wrong, in words. */
  detail: string;
  /** The client's address past its header, when known (TLS failures). */
  remoteAddr: Deno.Addr | undefined;
}

/**
 * Tells a client's failure in `openConnection` (to be counted and logged)
 * from anything else (to be rethrown), the same way for every listener.
 *
 * @example Usage
 * ```ts
 * import { ProxyHeaderError, resolveTransport, unservedReason } from "@randport/randport/transport";
 *
 * const transport = resolveTransport({ proxyProtocol: { trusted: ["127.0.0.1"] } })!;
 * console.log(unservedReason(new ProxyHeaderError("late"), transport)?.kind); // "proxy"
 * console.log(unservedReason(new TypeError("a bug"), transport)); // undefined
 * ```
 *
 * @param error What `openConnection` threw (not `AdmissionRefused`).
 * @param transport The listener's transport.
 * @returns The reason, or `undefined` when the error is not the client's.
 */
export function unservedReason(
  error: unknown,
  transport: ResolvedTransport,
): Unserved | undefined {
  if (error instanceof TlsHandshakeError) {
    return {
      kind: "tls",
      event: "connection.tls_failed",
      detail: error.message,
      remoteAddr: error.remoteAddr,
    };
  }
  // Gone before its header was complete counts against the header.
  if (
    error instanceof ProxyHeaderError ||
    (transport.proxy && isClientError(error))
  ) {
    return {
      kind: "proxy",
      event: "connection.bad_proxy_header",
      detail: (error as Error).message,
      remoteAddr: undefined,
    };
  }
  return undefined;
}
