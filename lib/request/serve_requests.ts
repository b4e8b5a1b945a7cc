/**
 * The request port's server: RESP requests in, replies out, pipelined, with
 * the limits of {@linkcode RequestServerOptions}. It answers `RANDINT` and
 * the handshakes that Redis clients and tools send (`HELLO`, `CLIENT`,
 * `COMMAND`, `INFO`, `CONFIG GET`, ...); the other draws are being added
 * (issue 11), and it is not on the command line yet.
 *
 * @module
 */

import { formatAddress } from "../net/address.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import { RequestParser, RespProtocolError } from "../resp/request_parser.ts";
import { runCommand, type Session } from "./_commands.ts";
import { Signer } from "./_signer.ts";
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

/** Whether a request looks like HTTP: a browser must not talk to the port. */
function looksLikeHttp(args: string[]): boolean {
  const name = args[0].toUpperCase();
  return name === "POST" || name === "HOST:" ||
    (args.length === 3 && /^HTTP\//i.test(args[2]));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already (a timeout, or shutdown).
  }
}

async function writeAll(
  conn: Deno.TcpConn,
  bytes: Uint8Array,
  timeout: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeout > 0) {
    // Closing makes the pending write fail, which ends the connection.
    timer = setTimeout(() => conn.close(), timeout);
  }
  try {
    for (let offset = 0; offset < bytes.length;) {
      offset += await conn.write(bytes.subarray(offset));
    }
  } finally {
    clearTimeout(timer);
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
  };
  readonly finished: Promise<void>;
  readonly #options: ResolvedRequestOptions;
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.TcpConn>();
  /** Connections running requests or writing replies: they may finish. */
  readonly #busy = new Set<Deno.TcpConn>();
  #stopping = false;
  readonly #signer: Signer | undefined;

  constructor(options: ResolvedRequestOptions) {
    this.#options = options;
    this.#signer = options.signing &&
      new Signer(options.signing.key, options.signing.ledger);
    this.#listener = Deno.listen({
      hostname: options.hostname,
      port: options.port,
    });
    this.addr = this.#listener.addr;
    this.finished = this.#acceptLoop();
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
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping) break;
        this.#options.logger.log("error", `accept failed: ${error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      this.stats.accepted++;
      if (!this.#options.budget.tryAcquire()) {
        this.stats.rejected++;
        conn.write(TOO_MANY).catch(() => {}).finally(() => conn.close());
        continue;
      }
      const handler = this.#handle(conn, ++id);
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
    }
    await Promise.all(handlers);
  }

  async #handle(conn: Deno.TcpConn, id: number): Promise<void> {
    const options = this.#options;
    const peer = formatAddress(conn.remoteAddr);
    this.#conns.add(conn);
    this.stats.active++;
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
    let idle: ReturnType<typeof setTimeout> | undefined;
    try {
      for (let first = true; !session.quit;) {
        if (options.idleTimeout > 0) {
          idle = setTimeout(() => conn.close(), options.idleTimeout);
        }
        const n = await conn.read(buf);
        clearTimeout(idle);
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
        for (const args of requests) {
          if (first && looksLikeHttp(args)) {
            options.logger.log(
              "info",
              `request client #${id} from ${peer} spoke HTTP: dropped`,
            );
            return;
          }
          first = false;
          const seeded = runCommand(args, writer, session);
          if (seeded) await seeded;
          this.stats.requests++;
          if (session.quit) break;
          // Replies waiting beyond the limit are written before the next
          // request is run: a client that pipelines and never reads holds
          // no more than this.
          if (writer.length >= options.maxPendingBytes) {
            await writeAll(conn, writer.take(), options.writeTimeout);
          }
        }
        if (fault && !session.quit) {
          this.stats.protocolErrors++;
          options.logger.log(
            "debug",
            `request client #${id} from ${peer}: ${fault.message}`,
          );
          writer.error(`ERR ${fault.message}`);
          session.quit = true;
        }
        if (writer.length > 0) {
          await writeAll(conn, writer.take(), options.writeTimeout);
        }
        this.#busy.delete(conn);
        if (this.#stopping) break;
      }
    } catch (error) {
      options.logger.log(
        "debug",
        `request client #${id} from ${peer}: ${error}`,
      );
    } finally {
      clearTimeout(idle);
      this.#conns.delete(conn);
      this.#busy.delete(conn);
      this.stats.active--;
      this.#options.budget.release();
      closeQuietly(conn);
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
