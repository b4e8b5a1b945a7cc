/**
 * The push port's server: accept, serve, shut down. Each connection is
 * sent its payload (PROTOCOL.md §1) one chunk at a time, as fast as the
 * client reads, then (with a `lingerTimeout`, the default) lingered on until
 * the client closes.
 *
 * @module
 */

import {
  type MetricsRegistry,
  type MetricsServer,
  serveMetrics,
} from "../metrics/mod.ts";
import { formatAddress } from "../net/address.ts";
import { verifyPageRoutes } from "../page/mod.ts";
import type { ConnectionBudget } from "../net/connection_budget.ts";
import {
  type RequestServer,
  serveRequests,
} from "../request/serve_requests.ts";
import { encodeErrReply } from "../wire/err_reply.ts";
import { maxPayloadBytes, PayloadEncoder } from "../wire/encoder.ts";
import type { PayloadSpec } from "../wire/payload_spec.ts";
import { isClientError } from "../net/client_errors.ts";
import { Connection } from "./_connection.ts";
import { type Turn, Turns } from "./_turns.ts";
import type { LogFields, LogLevel } from "../log/logger.ts";
import { ListenError } from "./listen_error.ts";
import {
  AdmissionRefused,
  openConnection,
  type ResolvedTransport,
  unservedReason,
} from "../transport/transport_options.ts";
import { TransportListener } from "../transport/transport_listener.ts";
import type { StreamConn } from "../transport/stream_conn.ts";
import { clientKey } from "../net/client_budget.ts";
import { registerServerMetrics } from "./_server_metrics.ts";
import {
  type ResolvedServeOptions,
  resolveServeOptions,
  type ServeOptions,
} from "./serve_options.ts";
import { describeStopped, type ServerStats } from "./server_stats.ts";

/** A running server, as returned by {@linkcode serve}. */
export interface RandportServer {
  /** The address it listens on, with the real port. */
  readonly addr: Deno.NetAddr;
  /** The payload every connection receives. */
  readonly payload: PayloadSpec;
  /** Live counters. */
  readonly stats: Readonly<ServerStats>;
  /** The request port, when the `requests` option opened one. */
  readonly requests: RequestServer | undefined;
  /** The metrics endpoint, when the `metrics` option opened one. */
  readonly metrics: MetricsServer | undefined;
  /** Settles once the server has stopped and every connection is closed. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting at once, ends streams at the next number boundary, lets
   * fixed payloads (and the request port's replies in progress) finish
   * within the shutdown grace, then closes the rest. The metrics
   * endpoint's `/readyz` answers 503 from now on; it closes last.
   *
   * @returns The same promise as `finished`.
   */
  shutdown(): Promise<void>;
}

// Bytes a client sends are discarded, so every connection shares this buffer.
const discard = new Uint8Array(4096);

const BUSY_REPLY = encodeErrReply({
  code: "busy",
  text: "server at its connection limit",
});

const PER_CLIENT_REPLY = encodeErrReply({
  code: "busy",
  text: "too many connections from your address",
});

function connections(count: number): string {
  return `${count} connection${count === 1 ? "" : "s"}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function listen(options: ResolvedServeOptions): TransportListener {
  try {
    return listenAnywhere(options);
  } catch (error) {
    throw new ListenError("push", {
      hostname: options.hostname,
      port: options.port,
      cause: error,
    });
  }
}

function listenAnywhere(options: ResolvedServeOptions): TransportListener {
  const { hostname, port, backlog: tcpBacklog, reusePort } = options;
  const at = (host: string) =>
    new TransportListener(
      { hostname: host, port, tcpBacklog, reusePort },
      options.transport,
    );
  if (hostname !== undefined) return at(hostname);
  try {
    return at("::");
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) throw error;
    // No IPv6 on this host: fall back to every IPv4 interface.
    return at("0.0.0.0");
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
    proxyFailures: 0,
    tlsFailures: 0,
    numbers: 0,
    bytes: 0,
  };
  readonly requests: RequestServer | undefined;
  readonly metrics: MetricsServer | undefined;
  readonly finished: Promise<void>;
  readonly #options: ResolvedServeOptions;
  readonly #listener: TransportListener;
  readonly #budget: ConnectionBudget;
  readonly #connections = new Set<Connection>();
  readonly #bufferBytes: number;
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly #turns: Turns;
  #stopping = false;
  #idle = Promise.withResolvers<void>();
  /** Whether per-connection lines are written: built only then. */
  readonly #debug: boolean;

  constructor(options: ResolvedServeOptions) {
    this.#options = options;
    this.#debug = options.logger.enabled?.("debug") ?? true;
    this.payload = options.payload;
    this.#bufferBytes = Math.min(
      options.chunkSize,
      maxPayloadBytes(this.payload),
    );
    this.#listener = listen(options);
    this.addr = this.#listener.addr;
    this.#budget = options.budget;
    const registry = options.registry;
    this.requests = this.#openRequestPort(options, registry);
    if (registry) {
      registerServerMetrics(registry, {
        push: this.stats,
        request: this.requests?.stats,
      });
    }
    this.metrics = registry && options.metrics &&
      this.#openMetricsPort(options, registry);
    // Only once listening worked: an open channel keeps the process alive.
    this.#turns = new Turns();
    // One timer for every deadline: nothing per connection on the hot path
    // but a timestamp. Its period bounds how late a deadline is enforced.
    const shortest = Math.min(
      options.lingerTimeout || Infinity,
      options.writeTimeout || Infinity,
    );
    this.#sweeper = setInterval(
      () => this.#sweep(),
      Math.max(10, Math.min(1000, shortest / 4)),
    );
    // The metrics endpoint outlives the drain: a load balancer reads
    // /readyz's 503 and a last scrape gets the final counts meanwhile.
    this.finished = Promise.all([this.#acceptLoop(), this.requests?.finished])
      .then(() => this.metrics?.shutdown());
    const signal = options.signal;
    if (signal?.aborted) {
      this.shutdown();
    } else if (signal) {
      const onAbort = () => this.shutdown();
      signal.addEventListener("abort", onAbort, { once: true });
      this.finished.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  #openRequestPort(
    options: ResolvedServeOptions,
    metrics: MetricsRegistry | undefined,
  ): RequestServer | undefined {
    if (options.requests === undefined) return undefined;
    try {
      return serveRequests({
        ...options.requests,
        // The address the push port bound: "every interface" is `::` or
        // `0.0.0.0`, whichever this host has.
        hostname: this.addr.hostname,
        writeTimeout: options.writeTimeout === Infinity
          ? 0
          : options.writeTimeout,
        shutdownGrace: options.shutdownGrace,
        budget: this.#budget,
        reusePort: options.reusePort,
        ids: options.requestIds,
        clientBudget: options.clientBudget,
        metrics,
        logger: options.logger,
      });
    } catch (error) {
      this.#listener.close();
      throw new ListenError("requests", {
        hostname: options.hostname,
        port: options.requests.port,
        cause: error,
      });
    }
  }

  #openMetricsPort(
    options: ResolvedServeOptions,
    registry: MetricsRegistry,
  ): MetricsServer {
    const { hostname, port } = options.metrics!;
    // The verification page, with the key and the records when signing.
    const signing = options.requests?.signing;
    const routes = verifyPageRoutes({
      signer: signing && {
        keyId: signing.key.keyId,
        publicKey: signing.key.publicKey,
        record: (serial) => signing.ledger.get(signing.key.keyId, serial),
      },
    });
    try {
      return serveMetrics({
        registry,
        hostname,
        port,
        ready: () => !this.#stopping,
        routes,
      });
    } catch (error) {
      this.#listener.close();
      this.requests?.shutdown();
      throw new ListenError("metrics", { hostname, port, cause: error });
    }
  }

  shutdown(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#listener.close();
      this.requests?.shutdown();
      if (this.#connections.size > 0) {
        this.#log(
          "info",
          `shutting down: ${connections(this.#connections.size)} in flight`,
          { event: "server.stopping", inFlight: this.#connections.size },
        );
      }
    }
    return this.finished;
  }

  #log(level: LogLevel, message: string, fields: LogFields): void {
    this.#options.logger.log(level, message, { listener: "push", ...fields });
  }

  async #acceptLoop(): Promise<void> {
    let ordinal = 0;
    while (!this.#stopping) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping) break;
        // A client that reset before it was accepted: its own doing, and
        // the next one is served at once.
        if (isClientError(error)) {
          this.#log("debug", `accept: ${error}`, {
            event: "accept.reset",
            error: String(error),
          });
          continue;
        }
        // Out of file descriptors and the like: the listener is still good.
        this.#log("error", `accept failed: ${error}`, {
          event: "accept.failed",
          error: String(error),
        });
        await delay(100);
        continue;
      }
      this.stats.accepted++;
      if (!this.#budget.tryAcquire()) {
        this.#reject(conn);
      } else {
        const shared = this.#options.ordinals;
        this.#handle(new Connection(conn, shared ? shared.next() : ordinal++));
      }
    }
    await this.#drainConnections();
    clearInterval(this.#sweeper);
    this.#turns.close();
    const { text, fields } = describeStopped(this.stats);
    this.#log("info", `stopped: ${text}`, {
      event: "server.stopped",
      ...fields,
    });
  }

  async #drainConnections(): Promise<void> {
    if (this.#connections.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.shutdownGrace);
    });
    await Promise.race([this.#idle.promise, graceOver]);
    clearTimeout(timer);
    if (this.#connections.size > 0) {
      this.#log(
        "info",
        `shutdown grace over: closing ${connections(this.#connections.size)}`,
        { event: "server.grace_over", closing: this.#connections.size },
      );
    }
    for (const connection of this.#connections) connection.close("cut-off");
    await this.#idle.promise;
  }

  #sweep(): void {
    const now = performance.now();
    for (const connection of this.#connections) connection.expire(now);
  }

  /** Turns a client away at the connection limit; the reply is one write. */
  async #reject(conn: Deno.Conn): Promise<void> {
    this.stats.rejected++;
    if (this.#options.transport) {
      // Before a PROXY header is read, or a TLS handshake done, nothing may
      // be said: the peer is not trusted yet, or does not speak plaintext
      // (and waiting for its handshake would hold an uncounted socket).
      try {
        conn.close();
      } catch {
        // Closed already.
      }
      return;
    }
    try {
      await conn.write(BUSY_REPLY);
    } catch (error) {
      this.#log("debug", `busy reply not delivered: ${error}`, {
        event: "connection.rejected",
        error: String(error),
      });
    } finally {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }

  async #handle(connection: Connection): Promise<void> {
    this.#connections.add(connection);
    this.stats.active++;
    const started = performance.now();
    let served = false;
    const clients = this.#options.clientBudget;
    let held: string | undefined;
    // The real client's address is known past the PROXY header, and it is
    // counted before the TLS handshake: over its share, it costs none.
    const admit = clients &&
      ((conn: StreamConn) => {
        const key = clientKey((conn.remoteAddr as Deno.NetAddr).hostname);
        if (!clients.tryAcquire(key)) return false;
        held = key;
        return true;
      });
    try {
      const transport = this.#options.transport;
      if (transport) {
        if (!await this.#open(connection, transport, admit)) return;
      } else if (admit && !admit(connection.conn)) {
        await this.#rejectClient(connection, true);
        return;
      }
      await this.#send(connection);
      this.stats.completed++;
      served = true;
      if (this.#options.lingerTimeout > 0) await this.#linger(connection);
    } catch (error) {
      const { conn, ordinal } = connection;
      const peer = formatAddress(conn.remoteAddr as Deno.NetAddr);
      if (connection.closeReason === "timed-out") {
        this.stats.timedOut++;
        this.#log(
          "debug",
          `connection #${ordinal} from ${peer} stopped reading: disconnected after the write timeout`,
          { event: "connection.timed_out", conn: ordinal, peer },
        );
      } else {
        this.stats.dropped++;
        this.#log(
          isClientError(error) ? "debug" : "error",
          `connection #${ordinal} from ${peer} dropped: ${error}`,
          {
            event: "connection.dropped",
            conn: ordinal,
            peer,
            error: String(error),
          },
        );
      }
    } finally {
      if (held !== undefined) clients!.release(held);
      connection.close("done");
      this.#connections.delete(connection);
      this.#budget.release();
      this.stats.active--;
      if (this.#stopping && this.#connections.size === 0) {
        this.#idle.resolve();
      }
      if (served && this.#debug) this.#logServed(connection, started);
    }
  }

  /**
   * Turns away a client whose address holds its share of connections: with
   * the busy line where the listener speaks plaintext, else by closing.
   */
  async #rejectClient(connection: Connection, reply: boolean): Promise<void> {
    this.stats.rejected++;
    const peer = formatAddress(connection.conn.remoteAddr as Deno.NetAddr);
    this.#log(
      "debug",
      `connection #${connection.ordinal} from ${peer} turned away: its address holds ${this.#options.maxConnectionsPerClient} connections`,
      {
        event: "connection.rejected",
        conn: connection.ordinal,
        peer,
        reason: "per-client limit",
      },
    );
    if (!reply) return;
    try {
      await connection.conn.write(PER_CLIENT_REPLY);
    } catch {
      // Gone already: nothing to tell it.
    }
  }

  #logServed(connection: Connection, started: number): void {
    const { conn, ordinal, numbers, bytes } = connection;
    const peer = formatAddress(conn.remoteAddr as Deno.NetAddr);
    const ms = Math.round(performance.now() - started);
    this.#log(
      "debug",
      `connection #${ordinal} from ${peer} served: ${numbers} numbers, ${bytes} bytes in ${ms} ms`,
      { event: "connection.served", conn: ordinal, peer, numbers, bytes, ms },
    );
  }

  /**
   * Runs the connection's PROXY header and TLS handshake; a client that
   * fails them is counted and closed, unserved.
   *
   * @returns Whether the connection is ready for its payload.
   */
  async #open(
    connection: Connection,
    transport: ResolvedTransport,
    admit: ((conn: StreamConn) => boolean) | undefined,
  ): Promise<boolean> {
    let peer = formatAddress(connection.conn.remoteAddr as Deno.NetAddr);
    try {
      connection.conn = await openConnection(connection.conn, transport, {
        admit,
      });
      return true;
    } catch (error) {
      if (error instanceof AdmissionRefused) {
        connection.conn = error.conn;
        // Plaintext only where the listener speaks it.
        await this.#rejectClient(connection, transport.tls === undefined);
        return false;
      }
      const unserved = unservedReason(error, transport);
      if (unserved?.remoteAddr) {
        peer = formatAddress(unserved.remoteAddr as Deno.NetAddr);
      }
      if (this.#stopping) {
        // Cut short by the shutdown, not the client's failure.
        this.#log(
          "debug",
          `connection #${connection.ordinal} from ${peer} closed by the shutdown before it was served`,
          { event: "connection.cut_off", conn: connection.ordinal, peer },
        );
        return false;
      }
      if (!unserved) throw error;
      if (unserved.kind === "proxy") this.stats.proxyFailures++;
      else this.stats.tlsFailures++;
      this.#log(
        "debug",
        `connection #${connection.ordinal} from ${peer} closed unserved: ${unserved.detail}`,
        {
          event: unserved.event,
          conn: connection.ordinal,
          peer,
          error: unserved.detail,
        },
      );
      return false;
    }
  }

  /** Writes the payload, one chunk at a time, each once the last is written. */
  async #send(connection: Connection): Promise<void> {
    const { conn, ordinal } = connection;
    const stream = this.payload.stream;
    const encoder = new PayloadEncoder(this.payload, { ordinal });
    const buf = new Uint8Array(
      Math.max(this.#bufferBytes, encoder.minBufferBytes),
    );
    const writeTimeout = this.#options.writeTimeout || Infinity;
    // Only a payload of more than one chunk takes turns.
    let turn: Turn | undefined;
    try {
      for (;;) {
        // Streams end at a number boundary; fixed payloads get to finish.
        if (this.#stopping && stream) encoder.end();
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
        const numbers = encoder.numbersWritten - before;
        this.stats.bytes += length;
        this.stats.numbers += numbers;
        connection.bytes += length;
        connection.numbers += numbers;
        if (!encoder.done) {
          turn ??= this.#turns.join();
          const wait = turn.next(length);
          if (wait) await wait;
        }
      }
    } catch (error) {
      // Disconnecting is how a stream's reader says it has had enough.
      // A stream cut off by the server is not a clean end: it may stop
      // mid-number.
      if (stream && isClientError(error) && !connection.abandoned) {
        this.#log(
          "debug",
          `connection #${ordinal} ended its stream: ${error}`,
          { event: "stream.ended", conn: ordinal, error: String(error) },
        );
        return;
      }
      throw error;
    } finally {
      connection.deadline = Infinity;
    }
  }

  /**
   * Half-closes, then reads and discards until the client closes or the
   * linger time is up (the sweeper closes the connection then).
   */
  async #linger(connection: Connection): Promise<void> {
    const { conn } = connection;
    connection.linger(this.#options.lingerTimeout);
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
 * import { fetchNumbers } from "@randport/randport/client";
 * import { serve } from "@randport/randport/server";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { count: 3 } });
 * const numbers = await fetchNumbers({ hostname: "127.0.0.1", port: server.addr.port });
 * console.log(numbers.length); // 3
 * await server.shutdown();
 * ```
 *
 * @param options Where to listen, what to send, and limits.
 * @returns The running server.
 * @throws {ListenError} When a port cannot be bound; its `cause` is the
 * `Deno.listen` error (`Deno.errors.AddrInUse`, ...).
 * @throws {OptionError} Naming the option when one cannot be honoured
 * (`PayloadSpecError` for the payload's fields); see `resolveServeOptions`.
 */
export function serve(options: ServeOptions = {}): RandportServer {
  return new Server(resolveServeOptions(options));
}
