/**
 * A listening socket for a listener's transport: `Deno.listen`, always;
 * TLS runs over the accepted connections (`TlsTerminator`), not in the
 * socket, because `Deno.listenTls`'s connections cannot be closed before
 * their handshake completes: a client that connects and stays silent
 * would hold its socket for as long as it likes, even after the server
 * closed it or turned it away (denoland/deno#14547 made close wait for
 * the handshake).
 *
 * @module
 */

import type { ResolvedTransport } from "./transport_options.ts";

/** Where and how to listen; see `Deno.listen`. */
export interface TransportListenOptions {
  /** The address. */
  hostname: string;
  /** The port; 0 picks a free one. */
  port: number;
  /**
   * The kernel's accept queue.
   *
   * @default {Deno's default}
   */
  tcpBacklog?: number;
  /**
   * Listens with SO_REUSEPORT (workers sharing the port; needs
   * `--unstable-net`).
   *
   * @default {false}
   */
  reusePort?: boolean;
}

/**
 * Accepts connections for a listener, whose transport (`openConnection`)
 * then reads a PROXY header and runs TLS, as the listener's options say.
 *
 * @example Usage
 * ```ts
 * import { TransportListener } from "@randport/randport/transport";
 *
 * const listener = new TransportListener({ hostname: "127.0.0.1", port: 0 }, undefined);
 * console.log(listener.addr.port > 0); // true
 * listener.close();
 * ```
 */
export class TransportListener {
  /** The address it listens on, with the real port. */
  readonly addr: Deno.NetAddr;
  readonly #socket: Deno.TcpListener;
  readonly #tls: boolean;

  /**
   * Listens.
   *
   * @param options Where and how.
   * @param transport The listener's transport: it runs on the accepted
   * connections, so the socket is the same for every transport.
   * @throws {Deno.errors.AddrInUse} And the other errors of `Deno.listen`.
   */
  constructor(
    options: TransportListenOptions,
    transport: ResolvedTransport | undefined,
  ) {
    this.#tls = transport?.tls !== undefined;
    this.#socket = Deno.listen({
      hostname: options.hostname,
      port: options.port,
      tcpBacklog: options.tcpBacklog,
      // Only when asked: without --unstable-net, Deno exits on it.
      ...(options.reusePort ? { reusePort: true } : {}),
    });
    this.addr = this.#socket.addr;
  }

  /**
   * The next connection.
   *
   * @returns It, as accepted.
   * @throws {Deno.errors.BadResource} Once closed; and what `accept`
   * throws otherwise (out of file descriptors, ...).
   */
  async accept(): Promise<Deno.TcpConn> {
    const conn = await this.#socket.accept();
    // A TLS handshake's small flights would otherwise wait for delayed
    // ACKs (Nagle): about 90 ms before the first byte of the payload.
    if (this.#tls) {
      try {
        conn.setNoDelay(true);
      } catch {
        // A socket that cannot take it is served as it is.
      }
    }
    return conn;
  }

  /** Stops listening. */
  close(): void {
    try {
      this.#socket.close();
    } catch {
      // Closed already.
    }
  }
}
