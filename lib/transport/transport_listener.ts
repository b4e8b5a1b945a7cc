/**
 * A listening socket for a listener's transport: plain TCP (`Deno.listen`),
 * or TLS by rustls (`Deno.listenTls`) where no PROXY header comes first,
 * with its certificate replaced on `TlsTerminator.reload` by opening a new
 * listening socket on the same port before the old one closes.
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

/** Whether Deno runs with `--unstable-net` (SO_REUSEPORT is there). */
function unstableNet(): boolean {
  return typeof (Deno as { listenDatagram?: unknown }).listenDatagram ===
    "function";
}

/**
 * Accepts connections for a listener. With rustls TLS, `accept` returns
 * `Deno.TlsConn`s, whose handshake `openConnection` runs.
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
  #current: Deno.Listener;
  #closed = false;
  readonly #unsubscribe: (() => void) | undefined;

  /**
   * Listens.
   *
   * @param options Where and how.
   * @param transport The listener's transport: rustls TLS when it has TLS
   * and no PROXY header, plain TCP otherwise.
   * @throws {Deno.errors.AddrInUse} And the other errors of `Deno.listen`.
   */
  constructor(
    options: TransportListenOptions,
    transport: ResolvedTransport | undefined,
  ) {
    const tls = transport?.tls && !transport.proxy ? transport.tls : undefined;
    // A TLS socket that may be swapped for another on the same port needs
    // SO_REUSEPORT on both; without --unstable-net, Deno would exit on it.
    const reusePort = options.reusePort || (tls !== undefined && unstableNet());
    const open = (port: number): Deno.Listener => {
      const base = {
        hostname: options.hostname,
        port,
        tcpBacklog: options.tcpBacklog,
        ...(reusePort ? { reusePort: true } : {}),
      };
      return tls
        ? Deno.listenTls({ ...base, ...tls.certificate })
        : Deno.listen(base);
    };
    this.#current = open(options.port);
    this.addr = this.#current.addr as Deno.NetAddr;
    this.#unsubscribe = tls?.onReload(() => {
      if (this.#closed) return;
      const old = this.#current;
      if (reusePort) {
        // The new socket first: the port is never without a listener.
        this.#current = open(this.addr.port);
        old.close();
        return;
      }
      // Without SO_REUSEPORT the port must be free first, and Deno frees
      // it only once the pending accept has seen the close: try again for
      // a while. Connections arriving meanwhile are refused.
      old.close();
      this.#reopening = (async () => {
        for (let waited = 0;; waited += 10) {
          try {
            this.#current = open(this.addr.port);
            return;
          } catch (error) {
            if (!(error instanceof Deno.errors.AddrInUse) || waited > 5000) {
              this.#failure = error;
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
      })().finally(() => this.#reopening = undefined);
    });
  }

  #reopening: Promise<void> | undefined;
  #failure: unknown;

  /**
   * The next connection.
   *
   * @returns It, as accepted (TLS not yet handshaken).
   * @throws {Deno.errors.BadResource} Once closed; and what `accept`
   * throws otherwise (out of file descriptors, ...).
   */
  async accept(): Promise<Deno.Conn> {
    for (;;) {
      if (this.#reopening) await this.#reopening;
      if (this.#failure) throw this.#failure;
      const listener = this.#current;
      try {
        return await listener.accept();
      } catch (error) {
        // The socket was swapped for one with the new certificate.
        const swapped = listener !== this.#current ||
          this.#reopening !== undefined;
        if (!this.#closed && swapped) continue;
        throw error;
      }
    }
  }

  /** Stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    try {
      this.#current.close();
    } catch {
      // Closed already.
    }
  }
}
