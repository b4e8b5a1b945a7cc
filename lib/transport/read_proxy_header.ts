/**
 * Reading a PROXY header off a connection just accepted, and handing on a
 * connection whose `remoteAddr` is the client the header names.
 *
 * @module
 */

import {
  checkInteger,
  checkMilliseconds,
  checkSignal,
  OptionError,
} from "../errors/option_error.ts";
import { formatAddress } from "../net/address.ts";
import {
  type ParsedProxyHeader,
  parseProxyHeader,
  type ProxyHeader,
  ProxyHeaderError,
} from "./proxy_header.ts";
import type { StreamConn } from "./stream_conn.ts";
import { TrustedProxies } from "./trusted_proxies.ts";

/** Options for {@linkcode readProxyHeader}. */
export interface ReadProxyHeaderOptions {
  /**
   * How long the whole header may take to arrive, in milliseconds, from
   * the call (the specification asks for at least 3 s, to cover a TCP
   * retransmission). 0 or Infinity waits forever; at most 2^31−1
   * otherwise.
   *
   * @default {3000}
   */
  timeout?: number;
  /**
   * The longest header accepted, in bytes, from 16 to 65551 (v1 lines are
   * at most 107 bytes in any case). Room for a v2 header's addresses and
   * common TLVs; a proxy that sends client certificates in TLVs may need
   * more.
   *
   * @default {4096}
   */
  maxLength?: number;
  /**
   * The proxies allowed to send a header: a peer not in it is refused
   * before anything is read. Left out, the caller has checked already.
   *
   * @default {undefined}
   */
  trusted?: TrustedProxies;
  /**
   * Gives up waiting when aborted (a server shutting down), rejecting with
   * the signal's reason.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

/**
 * A connection past its PROXY header: reads start with the bytes that came
 * after the header, and `remoteAddr` is the client's.
 *
 * `remoteAddr` is the header's `source` for a `proxy` command over TCP,
 * and the proxy's own address otherwise (v1 `UNKNOWN`, v2 `LOCAL`, UDP,
 * UNIX or unspecified addresses). `localAddr` stays the address the
 * connection was accepted on; the header's `destination` is in
 * `proxyHeader`.
 */
export interface ProxiedConn extends StreamConn {
  /** The proxy's address: the underlying connection's `remoteAddr`. */
  readonly proxyAddr: Deno.Addr;
  /** The header as read. */
  readonly proxyHeader: ProxyHeader;
}

const DEFAULT_TIMEOUT = 3000;
const DEFAULT_MAX_LENGTH = 4096;
/** A v2 header's fixed part, which says how long the rest is. */
const V2_FIXED = 16;

/**
 * Reads the PROXY header (v1 or v2) that must start the connection, with a
 * deadline, and returns the connection past it.
 *
 * It reads no more than it needs to know the header's end (the fixed 16
 * bytes of a v2 header, then exactly its length; a v1 line in reads of up
 * to what is left of its 107 bytes); bytes that arrived after the header
 * are kept, and the returned connection's `read` gives them first. A
 * client that starts with anything but a header (`GET /`, a TLS
 * ClientHello) is refused from its first byte. Besides the errors below,
 * it rejects with the signal's reason when `signal` aborts, and with what
 * `conn.read` throws when the connection fails. Whatever it throws, it has
 * closed `conn` first; from a successful return on, the returned
 * connection owns it.
 *
 * @example Usage
 * ```ts
 * import { parseTrustedProxies, readProxyHeader } from "@randport/randport/transport";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({
 *   hostname: "127.0.0.1",
 *   port: listener.addr.port,
 * });
 * await client.write(
 *   new TextEncoder().encode("PROXY TCP4 192.0.2.1 127.0.0.1 56324 27679\r\nhi"),
 * );
 * const conn = await readProxyHeader(await listener.accept(), {
 *   trusted: parseTrustedProxies(["127.0.0.1"]),
 * });
 * console.log(conn.remoteAddr); // { transport: "tcp", hostname: "192.0.2.1", port: 56324 }
 * const buf = new Uint8Array(8);
 * console.log(await conn.read(buf)); // 2: "hi", which came after the header
 * conn.close();
 * client.close();
 * ```
 *
 * @param conn A connection just accepted, nothing read from it yet.
 * @param options Timeout, size limit, trusted proxies, abort signal.
 * @returns The connection past the header.
 * @throws {ProxyHeaderError} When the peer is not trusted, the header is
 * malformed or too long, the connection ends before the header does, or
 * the header is not complete within `timeout`.
 * @throws {OptionError} When an option is out of range.
 */
export async function readProxyHeader(
  conn: StreamConn,
  options: ReadProxyHeaderOptions = {},
): Promise<ProxiedConn> {
  try {
    const timeout = checkMilliseconds(
      "timeout",
      options.timeout ?? DEFAULT_TIMEOUT,
      { infinite: true },
    );
    const maxLength = checkInteger(
      "maxLength",
      options.maxLength ?? DEFAULT_MAX_LENGTH,
      { min: 16, max: V2_FIXED + 0xffff },
    );
    const signal = checkSignal("signal", options.signal);
    const { trusted } = options;
    if (trusted !== undefined && !(trusted instanceof TrustedProxies)) {
      throw new OptionError("trusted", "expected a TrustedProxies");
    }
    if (trusted !== undefined && !trusted.has(conn.remoteAddr)) {
      throw new ProxyHeaderError(
        `connection from ${
          describeAddr(conn.remoteAddr)
        } is not a trusted proxy`,
      );
    }
    signal?.throwIfAborted();
    const progress = { received: 0 };
    const reading = readHeader(conn, maxLength, progress);
    const { header, length, bytes } = await within(
      reading,
      timeout,
      signal,
      progress,
    );
    return new Proxied(conn, header, bytes.slice(length));
  } catch (error) {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
    throw error;
  }
}

function describeAddr(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp"
    ? formatAddress(addr)
    : `${addr.transport}:${"path" in addr ? addr.path : "?"}`;
}

/** Reads until the bytes hold a whole header. */
async function readHeader(
  conn: StreamConn,
  maxLength: number,
  progress: { received: number },
): Promise<ParsedProxyHeader & { bytes: Uint8Array }> {
  let bytes = new Uint8Array(0);
  for (;;) {
    const parsed = parseProxyHeader(bytes, { maxLength });
    if (parsed !== undefined) return { ...parsed, bytes };
    const chunk = new Uint8Array(wanted(bytes, maxLength));
    const n = await conn.read(chunk);
    if (n === null) {
      throw new ProxyHeaderError(
        bytes.length === 0
          ? "the connection ended before a PROXY header"
          : `the connection ended after ${bytes.length} bytes of a PROXY header`,
      );
    }
    const grown = new Uint8Array(bytes.length + n);
    grown.set(bytes);
    grown.set(chunk.subarray(0, n), bytes.length);
    bytes = grown;
    progress.received = bytes.length;
  }
}

/**
 * How many bytes to ask for next: as many as can belong to the header.
 * `parseProxyHeader` returned `undefined` for `bytes`, so their header
 * is incomplete and this is at least 1.
 */
function wanted(bytes: Uint8Array, maxLength: number): number {
  if (bytes.length === 0) return V2_FIXED;
  if (bytes[0] === 0x0d) {
    if (bytes.length < V2_FIXED) return V2_FIXED - bytes.length;
    return V2_FIXED + ((bytes[14] << 8) | bytes[15]) - bytes.length;
  }
  // A v1 line's end is unknown until its CR: read what the line may hold.
  return Math.min(107, maxLength) - bytes.length;
}

/** The work's result, unless the deadline or the signal comes first. */
function within<T>(
  work: Promise<T>,
  timeout: number,
  signal: AbortSignal | undefined,
  progress: { received: number },
): Promise<T> {
  // The caller closes the connection when the deadline wins, which makes
  // the pending read (and so the work) reject: nobody waits for it then.
  work.catch(() => {});
  const forever = timeout === 0 || timeout === Infinity;
  if (forever && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = forever ? undefined : setTimeout(() => {
      settle();
      reject(
        new ProxyHeaderError(
          `the PROXY header did not arrive within ${timeout} ms (${progress.received} bytes came)`,
        ),
      );
    }, timeout);
    const onAbort = () => {
      settle();
      reject(signal!.reason);
    };
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error) => {
        settle();
        reject(error);
      },
    );
  });
}

/** The connection past its header: the bytes after it first. */
class Proxied implements ProxiedConn {
  readonly remoteAddr: Deno.Addr;
  readonly proxyAddr: Deno.Addr;
  readonly proxyHeader: ProxyHeader;
  #conn: StreamConn;
  #leftover: Uint8Array;

  constructor(conn: StreamConn, header: ProxyHeader, leftover: Uint8Array) {
    this.#conn = conn;
    this.#leftover = leftover;
    this.proxyAddr = conn.remoteAddr;
    this.proxyHeader = header;
    this.remoteAddr = header.source ?? conn.remoteAddr;
  }

  get localAddr(): Deno.Addr {
    return this.#conn.localAddr;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#leftover.length === 0) return this.#conn.read(p);
    const n = Math.min(p.length, this.#leftover.length);
    p.set(this.#leftover.subarray(0, n));
    this.#leftover = this.#leftover.subarray(n);
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    this.#leftover = new Uint8Array(0);
    this.#conn.close();
  }
}
