/**
 * The randport TCP server: accepts connections and streams each its payload
 * (see PROTOCOL.md), one chunk at a time, as fast as the client reads.
 *
 * @module
 */

import { DEFAULT_PORT, formatAddress } from "./address.ts";
import { maxPayloadBytes, PayloadEncoder } from "./encoder.ts";
import {
  type PayloadSpec,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "./payload.ts";

/** Severity of a {@linkcode ServerLogger} line. */
export type LogLevel = "error" | "info" | "debug";

/** Where the server writes its log lines. */
export interface ServerLogger {
  /**
   * Writes one line.
   *
   * @param level How severe it is.
   * @param message One line, without a trailing newline.
   */
  log(level: LogLevel, message: string): void;
}

/** Options for {@linkcode serve}. */
export interface ServeOptions {
  /**
   * The address to listen on. Left out, the server listens on every
   * interface, IPv6 and IPv4 alike (`::`, or `0.0.0.0` where IPv6 is
   * unavailable).
   *
   * @default {"::"}
   */
  hostname?: string;
  /**
   * The TCP port; 0 picks a free one (read it from `addr`).
   *
   * @default {27679}
   */
  port?: number;
  /**
   * What every connection receives.
   *
   * @default {resolvePayloadSpec()}
   */
  payload?: PayloadSpecOptions;
  /**
   * The most bytes generated ahead for one client: the size of the one
   * buffer a client holds while its data is being written.
   *
   * @default {16384}
   */
  chunkSize?: number;
  /**
   * How long a fixed payload in flight may take to finish once shutdown has
   * begun, in milliseconds; connections still open then are closed.
   *
   * @default {5000}
   */
  shutdownGrace?: number;
  /**
   * How long to wait, after the payload, for the client to close its side,
   * in milliseconds. Reading what a client sent before closing keeps the
   * kernel from answering it with a reset that could destroy the payload.
   *
   * @default {2000}
   */
  lingerTimeout?: number;
  /**
   * The size of the kernel's queue of connections not yet accepted.
   *
   * @default {4096}
   */
  backlog?: number;
  /**
   * Aborting it starts {@linkcode RandportServer.shutdown}.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Where log lines go.
   *
   * @default {errors to stderr}
   */
  logger?: ServerLogger;
}

/** Counters of a running server. */
export interface ServerStats {
  /** Connections accepted since start. */
  accepted: number;
  /** Connections open now. */
  active: number;
  /** Connections whose payload was sent completely (or whose stream ended cleanly). */
  completed: number;
  /** Connections lost to a network error (a reset, a client gone mid-stream). */
  dropped: number;
  /** Numbers sent. */
  numbers: number;
  /** Payload bytes sent. */
  bytes: number;
}

/** A running server, as returned by {@linkcode serve}. */
export interface RandportServer {
  /** The address it listens on, with the real port. */
  readonly addr: Deno.NetAddr;
  /** The payload every connection receives. */
  readonly payload: PayloadSpec;
  /** Live counters. */
  readonly stats: Readonly<ServerStats>;
  /** Settles once the server has stopped and every connection is closed. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting at once, ends streams at the next number boundary, lets
   * fixed payloads finish within the shutdown grace, then closes the rest.
   *
   * @returns The same promise as `finished`.
   */
  shutdown(): Promise<void>;
}

// Network errors a client can cause; they end its connection quietly.
const CLIENT_ERRORS = [
  Deno.errors.BrokenPipe,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.TimedOut,
  Deno.errors.UnexpectedEof,
  Deno.errors.BadResource,
  Deno.errors.Interrupted,
];

function isClientError(error: unknown): boolean {
  return CLIENT_ERRORS.some((type) => error instanceof type);
}

const defaultLogger: ServerLogger = {
  log(level, message) {
    if (level === "error") console.error(message);
  },
};

// Bytes a client sends are discarded, so every connection shares this buffer.
const discard = new Uint8Array(4096);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listen(options: ServeOptions, port: number): Deno.TcpListener {
  const tcpBacklog = options.backlog ?? 4096;
  if (options.hostname !== undefined) {
    return Deno.listen({ hostname: options.hostname, port, tcpBacklog });
  }
  try {
    return Deno.listen({ hostname: "::", port, tcpBacklog });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) throw error;
    // No IPv6 on this host: fall back to every IPv4 interface.
    return Deno.listen({ hostname: "0.0.0.0", port, tcpBacklog });
  }
}

class Server implements RandportServer {
  readonly addr: Deno.NetAddr;
  readonly payload: PayloadSpec;
  readonly stats: ServerStats = {
    accepted: 0,
    active: 0,
    completed: 0,
    dropped: 0,
    numbers: 0,
    bytes: 0,
  };
  readonly finished: Promise<void>;
  readonly #listener: Deno.TcpListener;
  readonly #connections = new Set<Deno.TcpConn>();
  readonly #bufferBytes: number;
  readonly #shutdownGrace: number;
  readonly #lingerTimeout: number;
  readonly #logger: ServerLogger;
  #stopping = false;
  #idle = Promise.withResolvers<void>();

  constructor(options: ServeOptions) {
    this.payload = resolvePayloadSpec(options.payload);
    this.#bufferBytes = Math.min(
      options.chunkSize ?? 16384,
      maxPayloadBytes(this.payload),
    );
    this.#shutdownGrace = options.shutdownGrace ?? 5000;
    this.#lingerTimeout = options.lingerTimeout ?? 2000;
    this.#logger = options.logger ?? defaultLogger;
    this.#listener = listen(options, options.port ?? DEFAULT_PORT);
    this.addr = this.#listener.addr;
    this.finished = this.#acceptLoop();
    options.signal?.addEventListener("abort", () => this.shutdown(), {
      once: true,
    });
  }

  shutdown(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#listener.close();
    }
    return this.finished;
  }

  async #acceptLoop(): Promise<void> {
    let ordinal = 0;
    while (!this.#stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping) break;
        // Out of file descriptors and the like: the listener is still good.
        this.#logger.log("error", `accept failed: ${error}`);
        await delay(100);
        continue;
      }
      this.stats.accepted++;
      this.#handle(conn, ordinal++);
    }
    await this.#drainConnections();
  }

  async #drainConnections(): Promise<void> {
    if (this.#connections.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#shutdownGrace);
    });
    await Promise.race([this.#idle.promise, graceOver]);
    clearTimeout(timer);
    for (const conn of this.#connections) this.#close(conn);
    await this.#idle.promise;
  }

  #close(conn: Deno.TcpConn): void {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }

  async #handle(conn: Deno.TcpConn, ordinal: number): Promise<void> {
    this.#connections.add(conn);
    this.stats.active++;
    const encoder = new PayloadEncoder(this.payload, { ordinal });
    let sent = 0;
    try {
      const buf = new Uint8Array(
        Math.max(this.#bufferBytes, encoder.minBufferBytes),
      );
      for (;;) {
        if (this.#stopping) encoder.end();
        const length = encoder.encodeInto(buf);
        if (length === 0) break;
        let offset = 0;
        while (offset < length) {
          offset += await conn.write(buf.subarray(offset, length));
        }
        sent += length;
      }
      await conn.closeWrite();
      this.stats.completed++;
      await this.#linger(conn);
    } catch (error) {
      if (isClientError(error)) {
        this.stats.dropped++;
        this.#logger.log(
          "debug",
          `connection #${ordinal} from ${
            formatAddress(conn.remoteAddr)
          } dropped: ${error}`,
        );
      } else {
        this.stats.dropped++;
        this.#logger.log(
          "error",
          `connection #${ordinal} from ${
            formatAddress(conn.remoteAddr)
          } failed: ${error}`,
        );
      }
    } finally {
      this.stats.numbers += encoder.numbersWritten;
      this.stats.bytes += sent;
      this.#close(conn);
      this.#connections.delete(conn);
      this.stats.active--;
      if (this.#stopping && this.#connections.size === 0) {
        this.#idle.resolve();
      }
    }
  }

  /** Reads and discards until the client closes, or the linger time is up. */
  async #linger(conn: Deno.TcpConn): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#lingerTimeout);
    });
    try {
      for (;;) {
        const read = conn.read(discard);
        read.catch(() => {});
        if (await Promise.race([read, timeUp]) === null) return;
      }
    } catch {
      // A reset after the payload was delivered changes nothing.
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Starts a randport server. It listens before `serve` returns, so `addr`
 * holds the real port at once.
 *
 * @example Usage
 * ```ts
 * import { fetchNumbers, serve } from "@randport/randport";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { count: 3 } });
 * const numbers = await fetchNumbers({ hostname: "127.0.0.1", port: server.addr.port });
 * console.log(numbers.length); // 3
 * await server.shutdown();
 * ```
 *
 * @param options Where to listen, what to send, and limits.
 * @returns The running server.
 * @throws {Deno.errors.AddrInUse} And the other `Deno.listen` errors when
 * the address cannot be bound.
 * @throws {PayloadSpecError} When `options.payload` is invalid.
 */
export function serve(options: ServeOptions = {}): RandportServer {
  return new Server(options);
}
