/**
 * The request port's server: RESP requests in, replies out, pipelined, with
 * the limits of {@linkcode RequestServerOptions}: every draw of PROTOCOL.md
 * §5.3 (seeded, §5.4, and signed, §6, too) and the handshakes that Redis
 * clients and tools send (`HELLO`, `CLIENT`, `COMMAND`, `INFO`,
 * `CONFIG GET`, ...). `server.ts` opens it with `--request-port`.
 *
 * @module
 */

import { formatAddress } from "../net/address.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import { RequestParser, RespProtocolError } from "../resp/request_parser.ts";
import { CommandMetrics } from "./_command_metrics.ts";
import { runCommand, type Session } from "./_commands.ts";
import { Signer } from "./_signer.ts";
import type { StreamConn } from "../transport/stream_conn.ts";
import {
  AdmissionRefused,
  openConnection,
  unservedReason,
} from "../transport/transport_options.ts";
import { clientKey } from "../net/client_budget.ts";
import { isClientError } from "../net/client_errors.ts";
import { TransportListener } from "../transport/transport_listener.ts";
import {
  type RequestServerOptions,
  type ResolvedRequestOptions,
  resolveRequestOptions,
} from "./request_options.ts";

/** Counters of a running request server. */
export interface RequestServerStats {
  /** Connections accepted since start. */
  accepted: number;
  /** Connections open now. */
  active: number;
  /** Requests answered. */
  requests: number;
  /** Connections closed for breaking the protocol. */
  protocolErrors: number;
  /** Connections turned away at the connection limit. */
  rejected: number;
  /** Connections closed unserved for a missing, bad or untrusted PROXY header. */
  proxyFailures: number;
  /** Connections closed unserved because their TLS handshake failed. */
  tlsFailures: number;
}

/** A running request server, as returned by {@linkcode serveRequests}. */
export interface RequestServer {
  /** The address it listens on, with the real port. */
  readonly addr: Deno.NetAddr;
  /** Live counters. */
  readonly stats: Readonly<RequestServerStats>;
  /** Settles once the server has stopped and every connection is closed. */
  readonly finished: Promise<void>;
  /**
   * Stops accepting, closes idle connections at once and the others once
   * the replies to what they sent are written, or when the shutdown grace
   * is over.
   *
   * @returns The same promise as `finished`.
   */
  shutdown(): Promise<void>;
}

const TOO_MANY = new TextEncoder().encode(
  "-ERR max number of clients reached\r\n",
);

const PER_CLIENT = new TextEncoder().encode(
  "-ERR too many connections from your address\r\n",
);

/** Whether a request looks like HTTP: a browser must not talk to the port. */
function looksLikeHttp(args: string[]): boolean {
  const name = args[0].toUpperCase();
  return name === "POST" || name === "HOST:" ||
    (args.length === 3 && /^HTTP\//i.test(args[2]));
}

/** A command's name for a log line: printable, short. */
function upperName(name: string): string {
  return name.replace(/[^!-~]/g, "?").slice(0, 32).toUpperCase();
}

function closeQuietly(conn: StreamConn): void {
  try {
    conn.close();
  } catch {
    // Closed already (a timeout, or shutdown).
  }
}

/**
 * A connection and the time by which what it waits for (the client's next
 * request, or room for a write) must come; the server's sweeper closes it
 * after that, which makes the pending read or write fail.
 */
interface Watched {
  conn: StreamConn;
  deadline: number;
}

async function writeAll(
  watched: Watched,
  bytes: Uint8Array,
  timeout: number,
): Promise<void> {
  const { conn } = watched;
  try {
    for (let offset = 0; offset < bytes.length;) {
      // Restarted whenever the client makes room: it catches clients that
      // stopped reading, not slow ones.
      watched.deadline = timeout > 0 ? performance.now() + timeout : Infinity;
      offset += await conn.write(bytes.subarray(offset));
    }
  } finally {
    watched.deadline = Infinity;
  }
}

class Server implements RequestServer {
  readonly addr: Deno.NetAddr;
  readonly stats: RequestServerStats = {
    accepted: 0,
    active: 0,
    requests: 0,
    protocolErrors: 0,
    rejected: 0,
    proxyFailures: 0,
    tlsFailures: 0,
  };
  readonly finished: Promise<void>;
  readonly #options: ResolvedRequestOptions;
  readonly #listener: TransportListener;
  readonly #conns = new Set<StreamConn>();
  /**
   * Every connection's deadline, checked by one timer for them all: a timer
   * per read and per write cost a fifth of a small request's time.
   */
  readonly #watched = new Set<Watched>();
  readonly #sweeper: ReturnType<typeof setInterval> | undefined;
  /** Connections running requests or writing replies: they may finish. */
  readonly #busy = new Set<StreamConn>();
  #stopping = false;
  readonly #signer: Signer | undefined;
  readonly #commands: CommandMetrics | undefined;
  /** Whether per-connection lines are written: built only then. */
  readonly #debug: boolean;

  constructor(options: ResolvedRequestOptions) {
    this.#options = options;
    this.#debug = options.logger.enabled?.("debug") ?? true;
    this.#commands = options.metrics && new CommandMetrics(options.metrics);
    this.#signer = options.signing &&
      new Signer(options.signing.key, options.signing.ledger);
    this.#listener = new TransportListener({
      hostname: options.hostname,
      port: options.port,
      reusePort: options.reusePort,
    }, options.transport);
    this.addr = this.#listener.addr;
    // Its period bounds how late a deadline is enforced.
    const shortest = Math.min(
      options.idleTimeout || Infinity,
      options.writeTimeout || Infinity,
    );
    if (shortest < Infinity) {
      this.#sweeper = setInterval(
        () => this.#sweep(),
        Math.max(10, Math.min(1000, shortest / 4)),
      );
    }
    this.finished = this.#acceptLoop().finally(() =>
      clearInterval(this.#sweeper)
    );
    const signal = options.signal;
    if (signal?.aborted) this.shutdown();
    else {signal?.addEventListener("abort", () => this.shutdown(), {
        once: true,
      });}
  }

  shutdown(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#listener.close();
      // Idle connections close now; busy ones once their replies are
      // written, or when the grace is over.
      for (const conn of this.#conns) {
        if (!this.#busy.has(conn)) closeQuietly(conn);
      }
      if (this.#conns.size > 0) {
        const timer = setTimeout(() => {
          for (const conn of this.#conns) closeQuietly(conn);
        }, this.#options.shutdownGrace);
        this.finished.then(() => clearTimeout(timer));
      }
    }
    return this.finished;
  }

  async #acceptLoop(): Promise<void> {
    const handlers = new Set<Promise<void>>();
    let id = 0;
    while (!this.#stopping) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping) break;
        // A client that reset before it was accepted: its own doing, and
        // the next one is served at once.
        if (isClientError(error)) {
          this.#options.logger.log("debug", `accept: ${error}`, {
            event: "accept.reset",
            listener: "request",
            error: String(error),
          });
          continue;
        }
        this.#options.logger.log("error", `accept failed: ${error}`, {
          event: "accept.failed",
          listener: "request",
          error: String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      this.stats.accepted++;
      if (!this.#options.budget.tryAcquire()) {
        this.stats.rejected++;
        if (this.#options.transport) {
          // Before a PROXY header or a TLS handshake nothing may be said:
          // the peer is not trusted yet, or does not speak plaintext.
          closeQuietly(conn);
        } else {
          conn.write(TOO_MANY).catch(() => {}).finally(() => conn.close());
        }
        continue;
      }
      const ids = this.#options.ids;
      const handler = this.#handle(conn, ids ? ids.next() + 1 : ++id);
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
    }
    await Promise.all(handlers);
  }

  #sweep(): void {
    const now = performance.now();
    for (const watched of this.#watched) {
      if (now > watched.deadline) closeQuietly(watched.conn);
    }
  }

  async #handle(accepted: Deno.Conn, id: number): Promise<void> {
    const options = this.#options;
    let conn: StreamConn = accepted;
    const watched: Watched = { conn, deadline: Infinity };
    this.#watched.add(watched);
    this.#conns.add(conn);
    this.stats.active++;
    // From here on, whatever happens, the finally gives back what this
    // connection holds (its budget place above all).
    let peer = "a client";
    let answered = 0;
    let opened = false;
    const clients = options.clientBudget;
    let held: string | undefined;
    const started = performance.now();
    try {
      peer = formatAddress(conn.remoteAddr as Deno.NetAddr);
      // The real client's address is known past the PROXY header, and it is
      // counted before the TLS handshake: over its share, it costs none.
      const admit = clients &&
        ((client: StreamConn) => {
          const key = clientKey(
            (client.remoteAddr as Deno.NetAddr).hostname,
          );
          if (!clients.tryAcquire(key)) return false;
          held = key;
          return true;
        });
      const turnAway = async (client: StreamConn, reply: boolean) => {
        this.stats.rejected++;
        const from = formatAddress(client.remoteAddr as Deno.NetAddr);
        options.logger.log(
          "debug",
          `request client #${id} from ${from} turned away: its address holds its share of connections`,
          {
            event: "connection.rejected",
            listener: "request",
            conn: id,
            peer: from,
            reason: "per-client limit",
          },
        );
        if (reply) await client.write(PER_CLIENT).catch(() => {});
      };
      const transport = options.transport;
      if (transport) {
        try {
          conn = await openConnection(accepted, transport, { admit });
        } catch (error) {
          if (error instanceof AdmissionRefused) {
            conn = error.conn;
            // Plaintext only where the listener speaks it.
            await turnAway(conn, transport.tls === undefined);
            return;
          }
          const unserved = unservedReason(error, transport);
          if (unserved?.remoteAddr) {
            peer = formatAddress(unserved.remoteAddr as Deno.NetAddr);
          }
          if (this.#stopping) return;
          if (!unserved) throw error;
          if (unserved.kind === "proxy") this.stats.proxyFailures++;
          else this.stats.tlsFailures++;
          options.logger.log(
            "debug",
            `request client #${id} from ${peer} closed unserved: ${unserved.detail}`,
            {
              event: unserved.event,
              listener: "request",
              conn: id,
              peer,
              error: unserved.detail,
            },
          );
          return;
        }
        this.#conns.delete(accepted);
        this.#conns.add(conn);
        watched.conn = conn;
        peer = formatAddress(conn.remoteAddr as Deno.NetAddr);
        // Shutdown began during the handshake: nothing was asked yet.
        if (this.#stopping) return;
      } else if (admit && !admit(conn)) {
        await turnAway(conn, true);
        return;
      }
      opened = true;
      const parser = new RequestParser({
        maxBulkBytes: options.maxBulkBytes,
        maxInlineBytes: options.maxInlineBytes,
        maxRequestBytes: options.maxRequestBytes,
        binary: true,
      });
      const writer = new ReplyWriter();
      const session: Session = {
        id,
        name: undefined,
        quit: false,
        maxNumbers: options.maxNumbers,
        signer: this.#signer,
      };
      const buf = new Uint8Array(65536);
      const idle = options.idleTimeout;
      for (let first = true; !session.quit;) {
        watched.deadline = idle > 0 ? performance.now() + idle : Infinity;
        const n = await conn.read(buf);
        watched.deadline = Infinity;
        if (n === null) break;
        this.#busy.add(conn);
        let requests: string[][];
        let fault: RespProtocolError | undefined;
        try {
          requests = parser.push(buf.subarray(0, n));
        } catch (error) {
          if (!(error instanceof RespProtocolError)) throw error;
          // The requests before the fault are answered first.
          requests = error.requests;
          fault = error;
        }
        const commands = this.#commands;
        // When the current request began: each lap ends where the next
        // begins, so a pipeline reads the clock once per request.
        let lap = commands ? performance.now() : 0;
        for (const args of requests) {
          if (first && looksLikeHttp(args)) {
            options.logger.log(
              "info",
              `request client #${id} from ${peer} spoke HTTP: dropped`,
              { event: "request.http", listener: "request", conn: id, peer },
            );
            return;
          }
          first = false;
          const errors = writer.errors;
          const mark = writer.length;
          try {
            const pending = runCommand(args, writer, session);
            if (pending) await pending;
          } catch (error) {
            // A command's own failure (a bug) costs this reply only, not
            // the connection and the replies before it.
            writer.truncate(mark);
            writer.error("ERR the server failed to run this request");
            options.logger.log(
              "error",
              `request client #${id} from ${peer}: ${
                upperName(args[0])
              } failed: ${error}`,
              {
                event: "request.failed",
                listener: "request",
                conn: id,
                peer,
                command: upperName(args[0]),
                error: String(error),
              },
            );
          }
          this.stats.requests++;
          answered++;
          if (commands) {
            lap = commands.record(args[0], writer.errors !== errors, lap);
          }
          if (session.quit) break;
          // Replies waiting beyond the limit are written before the next
          // request is run: a client that pipelines and never reads holds
          // no more than this.
          if (writer.length >= options.maxPendingBytes) {
            // A view, not a copy: nothing is written to the writer until
            // this write is done.
            await writeAll(watched, writer.takeView(), options.writeTimeout);
            // The wait was the client's, not the next request's.
            if (commands) lap = performance.now();
          }
        }
        if (fault && !session.quit) {
          this.stats.protocolErrors++;
          options.logger.log(
            "debug",
            `request client #${id} from ${peer}: ${fault.message}`,
            {
              event: "request.protocol_error",
              listener: "request",
              conn: id,
              peer,
              error: fault.message,
            },
          );
          writer.error(`ERR ${fault.message}`);
          session.quit = true;
        }
        if (writer.length > 0) {
          await writeAll(watched, writer.takeView(), options.writeTimeout);
        }
        this.#busy.delete(conn);
        if (this.#stopping) break;
      }
    } catch (error) {
      options.logger.log(
        "debug",
        `request client #${id} from ${peer}: ${error}`,
        {
          event: "connection.dropped",
          listener: "request",
          conn: id,
          peer,
          error: String(error),
        },
      );
    } finally {
      if (held !== undefined) clients!.release(held);
      this.#watched.delete(watched);
      this.#conns.delete(accepted);
      this.#conns.delete(conn);
      this.#busy.delete(conn);
      this.stats.active--;
      this.#options.budget.release();
      closeQuietly(conn);
      if (opened && this.#debug) {
        const ms = Math.round(performance.now() - started);
        options.logger.log(
          "debug",
          `request client #${id} from ${peer} closed: ${answered} requests in ${ms} ms`,
          {
            event: "connection.closed",
            listener: "request",
            conn: id,
            peer,
            requests: answered,
            ms,
          },
        );
      }
    }
  }
}

/**
 * Starts a request server. It listens before `serveRequests` returns, so
 * `addr` holds the real port at once.
 *
 * @example Usage
 * ```ts
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await conn.write(new TextEncoder().encode("PING\r\n"));
 * const reply = new Uint8Array(16);
 * const n = await conn.read(reply);
 * console.log(new TextDecoder().decode(reply.subarray(0, n!))); // "+PONG\r\n"
 * conn.close();
 * await server.shutdown();
 * ```
 *
 * @param options Where to listen, and limits.
 * @returns The running server.
 * @throws {OptionError} Naming the option when one cannot be honoured.
 */
export function serveRequests(
  options: RequestServerOptions = {},
): RequestServer {
  return new Server(resolveRequestOptions(options));
}
