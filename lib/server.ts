/**
 * The randport TCP server: accepts connections and streams each its payload
 * (see PROTOCOL.md), one chunk at a time, as fast as the client reads.
 *
 * @module
 */

import { DEFAULT_PORT, formatAddress } from "./address.ts";
import {
  DEFAULT_CHUNK_SIZE,
  maxPayloadBytes,
  PayloadEncoder,
} from "./encoder.ts";
import {
  type PayloadSpec,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "./payload.ts";

/**
 * Every {@linkcode LogLevel}, most severe first.
 *
 * @example Usage
 * ```ts
 * import { LOG_LEVELS } from "@randport/randport";
 *
 * console.log(LOG_LEVELS.join("|")); // "error|info|debug"
 * ```
 */
export const LOG_LEVELS = ["error", "info", "debug"] as const;

/** Severity of a {@linkcode ServerLogger} line. */
export type LogLevel = typeof LOG_LEVELS[number];

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
   * in milliseconds (checked every quarter of it, at most every second).
   * Reading what a client sent before closing keeps the kernel from
   * answering it with a reset that could destroy the payload.
   * 0 closes at once after the payload (as the classic server does): fewer
   * system calls per connection, and still safe for clients that send
   * nothing.
   *
   * @default {2000}
   */
  lingerTimeout?: number;
  /**
   * The size of the kernel's queue of connections not yet accepted. Linux
   * caps it at `net.core.somaxconn` (4096 on current kernels).
   *
   * @default {4096}
   */
  backlog?: number;
  /**
   * The most connections served at once. A client arriving when this many
   * are open is accepted, sent `ERR busy` (see PROTOCOL.md) and closed.
   *
   * @default {10000}
   */
  maxConnections?: number;
  /**
   * How long a write may wait without the client making any room, in
   * milliseconds; the client is then disconnected and what it held is freed.
   * The kernel reports room only once about a third of the socket's send
   * buffer is free, so a client must read at least that much (up to ~1.3 MiB
   * with Linux's default 4 MiB buffers) within the timeout. 0 waits forever.
   *
   * @default {30000}
   */
  writeTimeout?: number;
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
  /** Connections whose fixed payload was cut short by a network error. */
  dropped: number;
  /** Connections disconnected because they stopped reading (write timeout). */
  timedOut: number;
  /** Connections turned away with `ERR busy` at the connection limit. */
  rejected: number;
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

/**
 * A logger that writes lines at `threshold` and more severe to stderr, each
 * with a timestamp and its level.
 *
 * @example Usage
 * ```ts
 * import { serve, stderrLogger } from "@randport/randport";
 *
 * const server = serve({ port: 0, logger: stderrLogger("info") });
 * await server.shutdown(); // logs "info stopped: ..."
 * ```
 *
 * @param threshold The least severe level written.
 * @returns The logger.
 */
export function stderrLogger(threshold: LogLevel): ServerLogger {
  const rank = LOG_LEVELS.indexOf(threshold);
  return {
    log(level, message) {
      if (LOG_LEVELS.indexOf(level) <= rank) {
        console.error(`${new Date().toISOString()} ${level} ${message}`);
      }
    },
  };
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

const BUSY_REPLY = new TextEncoder().encode(
  "ERR busy server at its connection limit\n",
);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Hands control back to the event loop between two chunks of a stream, so
 * that many streams share the server fairly and accepts are never starved.
 *
 * A write the kernel takes at once resolves without the runtime waiting for
 * I/O, so busy streams could keep the loop running for seconds while new
 * connections wait in the accept queue. Each turn is a MessageChannel
 * message, a task that lets every other ready stream run first (round
 * robin); and once per time slice all streams wait for one timer, which lets
 * the runtime poll its sockets (accepts, writable clients). Microtasks and
 * setImmediate do neither.
 *
 * A turn costs about as much as encoding a chunk, so a stream keeps going
 * until it has run for TURN_MS; then the next stream gets its turn.
 */
class Turns {
  readonly #channel = new MessageChannel();
  readonly #waiting: (() => void)[] = [];
  #sliceStart = performance.now();
  #turnStart = performance.now();
  #poll: Promise<void> | undefined;

  constructor() {
    this.#channel.port1.onmessage = () => {
      this.#turnStart = performance.now();
      this.#waiting.shift()?.();
    };
  }

  /**
   * Resolves when it is this caller's turn again; undefined when the caller
   * may simply go on (its turn is not over).
   */
  next(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.#sliceStart >= SLICE_MS) {
      this.#poll ??= new Promise((resolve) =>
        setTimeout(() => {
          this.#poll = undefined;
          this.#sliceStart = performance.now();
          this.#turnStart = this.#sliceStart;
          resolve();
        }, 0)
      );
      return this.#poll;
    }
    if (now - this.#turnStart < TURN_MS) return undefined;
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#channel.port2.postMessage(null);
    });
  }

  /** Releases the channel, which would otherwise keep the process alive. */
  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}

// How long streams may run before the runtime gets to poll its sockets.
const SLICE_MS = 10;
// How long one stream may run before the others get their turn.
const TURN_MS = 1;

/** One open connection and the moment it is given up on, if any. */
interface Connection {
  conn: Deno.TcpConn;
  ordinal: number;
  /** `performance.now()` after which the sweeper closes it. */
  deadline: number;
  /** Set by the sweeper when it closed the connection for a write timeout. */
  timedOut: boolean;
  /** Set when shutdown closed it at the end of the grace. */
  cutOff: boolean;
  /** Whether the connection is waiting on a write (else lingering). */
  writing: boolean;
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
    timedOut: 0,
    rejected: 0,
    numbers: 0,
    bytes: 0,
  };
  readonly finished: Promise<void>;
  readonly #listener: Deno.TcpListener;
  readonly #connections = new Set<Connection>();
  readonly #bufferBytes: number;
  readonly #shutdownGrace: number;
  readonly #lingerTimeout: number;
  readonly #writeTimeout: number;
  readonly #maxConnections: number;
  readonly #logger: ServerLogger;
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #turns: Turns;
  #stopping = false;
  #idle = Promise.withResolvers<void>();

  constructor(options: ServeOptions) {
    this.payload = resolvePayloadSpec(options.payload);
    this.#bufferBytes = Math.min(
      options.chunkSize ?? DEFAULT_CHUNK_SIZE,
      maxPayloadBytes(this.payload),
    );
    this.#shutdownGrace = options.shutdownGrace ?? 5000;
    // Anything but a positive timeout means no linger.
    this.#lingerTimeout = Math.max(0, options.lingerTimeout ?? 2000) || 0;
    this.#writeTimeout = options.writeTimeout ?? 30000;
    this.#maxConnections = options.maxConnections ?? 10000;
    this.#logger = options.logger ?? defaultLogger;
    this.#listener = listen(options, options.port ?? DEFAULT_PORT);
    this.addr = this.#listener.addr;
    // Only once listening worked: an open channel keeps the process alive.
    this.#turns = new Turns();
    // One timer for every deadline: nothing per connection on the hot path
    // but a timestamp. Its period bounds how late a deadline is enforced.
    const shortest = Math.min(
      this.#lingerTimeout || Infinity,
      this.#writeTimeout || Infinity,
    );
    this.#sweeper = setInterval(
      () => this.#sweep(),
      Math.max(10, Math.min(1000, shortest / 4)),
    );
    this.finished = this.#acceptLoop();
    const signal = options.signal;
    if (signal?.aborted) {
      this.shutdown();
    } else if (signal) {
      const onAbort = () => this.shutdown();
      signal.addEventListener("abort", onAbort, { once: true });
      this.finished.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  shutdown(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#listener.close();
      if (this.#connections.size > 0) {
        this.#logger.log(
          "info",
          `shutting down: ${this.#connections.size} connections in flight`,
        );
      }
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
      if (this.#connections.size >= this.#maxConnections) {
        this.#reject(conn);
      } else {
        this.#handle(conn, ordinal++);
      }
    }
    await this.#drainConnections();
    clearInterval(this.#sweeper);
    this.#turns.close();
    const { accepted, completed, dropped, timedOut, rejected } = this.stats;
    this.#logger.log(
      "info",
      `stopped: ${accepted} accepted, ${completed} completed, ${dropped} dropped, ${timedOut} timed out, ${rejected} rejected as busy`,
    );
  }

  async #drainConnections(): Promise<void> {
    if (this.#connections.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#shutdownGrace);
    });
    await Promise.race([this.#idle.promise, graceOver]);
    clearTimeout(timer);
    if (this.#connections.size > 0) {
      this.#logger.log(
        "info",
        `shutdown grace over: closing ${this.#connections.size} connections`,
      );
    }
    for (const connection of this.#connections) {
      connection.cutOff = true;
      this.#close(connection.conn);
    }
    await this.#idle.promise;
  }

  #sweep(): void {
    const now = performance.now();
    for (const connection of this.#connections) {
      if (now <= connection.deadline) continue;
      connection.deadline = Infinity;
      if (connection.writing) connection.timedOut = true;
      this.#close(connection.conn);
    }
  }

  #close(conn: Deno.TcpConn): void {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }

  /** Turns a client away at the connection limit; the reply is one write. */
  async #reject(conn: Deno.TcpConn): Promise<void> {
    this.stats.rejected++;
    try {
      await conn.write(BUSY_REPLY);
    } catch (error) {
      this.#logger.log("debug", `busy reply not delivered: ${error}`);
    } finally {
      this.#close(conn);
    }
  }

  async #handle(conn: Deno.TcpConn, ordinal: number): Promise<void> {
    const connection: Connection = {
      conn,
      ordinal,
      deadline: Infinity,
      timedOut: false,
      cutOff: false,
      writing: false,
    };
    this.#connections.add(connection);
    this.stats.active++;
    try {
      await this.#send(connection);
      this.stats.completed++;
      if (this.#lingerTimeout > 0) await this.#linger(connection);
    } catch (error) {
      const peer = formatAddress(conn.remoteAddr);
      if (connection.timedOut) {
        this.stats.timedOut++;
        this.#logger.log(
          "debug",
          `connection #${ordinal} from ${peer} stopped reading: disconnected after the write timeout`,
        );
      } else {
        this.stats.dropped++;
        this.#logger.log(
          isClientError(error) ? "debug" : "error",
          `connection #${ordinal} from ${peer} dropped: ${error}`,
        );
      }
    } finally {
      this.#close(conn);
      this.#connections.delete(connection);
      this.stats.active--;
      if (this.#stopping && this.#connections.size === 0) {
        this.#idle.resolve();
      }
    }
  }

  /** Writes the payload, one chunk at a time, each once the last is written. */
  async #send(connection: Connection): Promise<void> {
    const { conn, ordinal } = connection;
    const encoder = new PayloadEncoder(this.payload, { ordinal });
    const buf = new Uint8Array(
      Math.max(this.#bufferBytes, encoder.minBufferBytes),
    );
    const writeTimeout = this.#writeTimeout || Infinity;
    connection.writing = true;
    try {
      for (;;) {
        // Streams end at a number boundary; fixed payloads get to finish.
        if (this.#stopping && this.payload.stream) encoder.end();
        const before = encoder.numbersWritten;
        const length = encoder.encodeInto(buf);
        if (length === 0) return;
        // The deadline runs only while a write waits, and restarts whenever
        // the client makes room: it catches clients that stopped reading,
        // not slow ones.
        for (let offset = 0; offset < length;) {
          connection.deadline = performance.now() + writeTimeout;
          offset += await conn.write(buf.subarray(offset, length));
        }
        connection.deadline = Infinity;
        this.stats.bytes += length;
        this.stats.numbers += encoder.numbersWritten - before;
        if (!encoder.done) {
          const turn = this.#turns.next();
          if (turn) await turn;
        }
      }
    } catch (error) {
      // Disconnecting is how a stream's reader says it has had enough.
      // A stream cut off by the server is not a clean end: it may stop
      // mid-number.
      if (
        this.payload.stream && isClientError(error) &&
        !connection.timedOut && !connection.cutOff
      ) {
        this.#logger.log(
          "debug",
          `connection #${ordinal} ended its stream: ${error}`,
        );
        return;
      }
      throw error;
    } finally {
      connection.writing = false;
      connection.deadline = Infinity;
    }
  }

  /**
   * Half-closes, then reads and discards until the client closes or the
   * linger time is up (the sweeper closes the connection then).
   */
  async #linger(connection: Connection): Promise<void> {
    const { conn } = connection;
    connection.deadline = performance.now() + this.#lingerTimeout;
    try {
      // Half-close and start reading at once: one turn of the event loop
      // less per connection than awaiting the half-close first.
      const halfClosed = conn.closeWrite().catch(() => {});
      while (await conn.read(discard) !== null) {
        // Discard what the client sent.
      }
      await halfClosed;
    } catch {
      // The payload is with the kernel already; a reset now changes nothing.
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
