/**
 * The connection a listener's handler works with, whatever lies between it
 * and the socket (a PROXY header, TLS): the part of `Deno.Conn` that the
 * servers use. A `Deno.TcpConn` is one as it is.
 *
 * @module
 */

/**
 * A byte stream to one client, as the push and request servers use it.
 *
 * `remoteAddr` is the client's real address: behind a PROXY header, the
 * address that header names, not the proxy's.
 *
 * @example Usage
 * ```ts
 * import type { StreamConn } from "@randport/randport/transport";
 *
 * async function greet(conn: StreamConn): Promise<void> {
 *   await conn.write(new TextEncoder().encode("hello\n"));
 *   conn.close();
 * }
 * ```
 */
export interface StreamConn {
  /** The client's address (behind a proxy, the one its header names). */
  readonly remoteAddr: Deno.Addr;
  /** The address the connection was accepted on. */
  readonly localAddr: Deno.Addr;
  /**
   * Reads up to `p.length` bytes into `p`.
   *
   * @param p Where the bytes go.
   * @returns How many were read, or `null` at the end of the stream.
   */
  read(p: Uint8Array): Promise<number | null>;
  /**
   * Writes some of `p`, waiting for room: the caller writes the rest.
   *
   * @param p The bytes.
   * @returns How many were written (at least one unless `p` is empty).
   */
  write(p: Uint8Array): Promise<number>;
  /**
   * Ends the writing side (TCP FIN, or TLS close_notify then FIN); reading
   * goes on.
   */
  closeWrite(): Promise<void>;
  /** Closes both directions and frees the socket. */
  close(): void;
}
