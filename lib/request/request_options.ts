/**
 * The request port's options: what each means, its default, and the one
 * check of every value.
 *
 * @module
 */

import {
  checkHostname,
  checkInstance,
  checkInteger,
  type CheckIntegerOptions,
  checkMilliseconds,
  checkSignal,
  OptionError,
} from "../errors/option_error.ts";
import { checkLogger, type ServerLogger } from "../log/logger.ts";
import type { DrawLedger } from "../ledger/draw_ledger.ts";
import { ConnectionBudget } from "../net/connection_budget.ts";
import { SharedCounter } from "../net/shared_counter.ts";
import { ClientBudget } from "../net/client_budget.ts";
import { MetricsRegistry } from "../metrics/mod.ts";
import {
  type ResolvedTransport,
  resolveTransport,
  type TransportOptions,
} from "../transport/transport_options.ts";
import type { SigningKey } from "../signed/signing_key.ts";

/** What a request server signs draws with, and where it keeps them. */
export interface RequestSigning {
  /** The Ed25519 key. */
  key: SigningKey;
  /** The durable store of the records. */
  ledger: DrawLedger;
}

/** Options for `serveRequests`. */
export interface RequestServerOptions extends TransportOptions {
  /**
   * The address to listen on: a host name or address, without spaces.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * The TCP port, 0 to 65535; 0 picks a free one (read it from `addr`).
   *
   * @default {27680}
   */
  port?: number;
  /**
   * The most numbers one draw may ask for.
   *
   * @default {1000000}
   */
  maxNumbers?: number;
  /**
   * The longest bulk string of a request, in bytes.
   *
   * @default {1048576}
   */
  maxBulkBytes?: number;
  /**
   * The most bytes the arguments of one request may hold together.
   *
   * @default {16777216}
   */
  maxRequestBytes?: number;
  /**
   * The longest inline command, in bytes.
   *
   * @default {65536}
   */
  maxInlineBytes?: number;
  /**
   * How many bytes of replies may wait to be written before the server
   * writes them and stops reading the client's next requests: what bounds
   * the memory of a client that pipelines and never reads.
   *
   * @default {1048576}
   */
  maxPendingBytes?: number;
  /**
   * Milliseconds a connection may stay silent before it is closed; 0 never.
   *
   * @default {300000}
   */
  idleTimeout?: number;
  /**
   * Milliseconds a write may wait for the client to make room before the
   * connection is closed; 0 never.
   *
   * @default {30000}
   */
  writeTimeout?: number;
  /**
   * Milliseconds that connections running requests get, once shutdown has
   * begun, to write their replies; idle connections close at once.
   *
   * @default {5000}
   */
  shutdownGrace?: number;
  /**
   * The most connections served at once; one more is sent
   * `-ERR max number of clients reached` and closed.
   *
   * @default {10000}
   */
  maxConnections?: number;
  /**
   * A connection budget shared with other listeners, such as the push
   * port's: when given, it is the limit, and `maxConnections` is not used.
   * `serve()` passes one so that its `maxConnections` holds for both ports.
   *
   * @default {a budget of maxConnections of its own}
   */
  budget?: ConnectionBudget;
  /**
   * How many connections one client address may hold (shared with the
   * push port by `serve()`); a client over it is sent `-ERR too many
   * connections from your address` and closed.
   *
   * @default {no per-client limit}
   */
  clientBudget?: ClientBudget;
  /**
   * Listens with `SO_REUSEPORT` (workers sharing the port); needs
   * `--unstable-net`.
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Where connection ids (`CLIENT ID`) come from, shared with other
   * workers; the first id is 1.
   *
   * @default {a count of this server's own}
   */
  ids?: SharedCounter;
  /**
   * The key draws with `SIGNED` are signed with, and the ledger their
   * records are stored in before they are sent (PROTOCOL.md §6). Left out,
   * `SIGNED` draws, `PUBKEY`, `GETDRAW` and `DRAWS` get an error.
   *
   * @default {undefined}
   */
  signing?: RequestSigning;
  /**
   * Where to count each request by command (label `command`: the
   * command's name in lower case, `unknown` for a name the server does not
   * know): `randport_requests_total`, `randport_request_errors_total`
   * (answered with an error reply) and the histogram
   * `randport_request_duration_seconds` (running the command and buffering
   * its reply; buckets from 10 µs to 5 s). The connection counters are in
   * `stats`: `serve()` exposes them. Left out, nothing is measured per
   * request.
   *
   * @default {undefined}
   */
  metrics?: MetricsRegistry;
  /**
   * Aborting it stops the server: the port closes, connections are closed.
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

/**
 * The defaults of {@linkcode RequestServerOptions}, in the options' own
 * units (milliseconds, bytes).
 *
 * @example Usage
 * ```ts
 * import { REQUEST_DEFAULTS } from "@randport/randport/request";
 *
 * console.log(REQUEST_DEFAULTS.port); // 27680
 * ```
 */
export const REQUEST_DEFAULTS: {
  readonly hostname: string;
  readonly port: number;
  readonly maxNumbers: number;
  readonly maxBulkBytes: number;
  readonly maxRequestBytes: number;
  readonly maxInlineBytes: number;
  readonly maxPendingBytes: number;
  readonly idleTimeout: number;
  readonly writeTimeout: number;
  readonly shutdownGrace: number;
  readonly maxConnections: number;
} = Object.freeze({
  hostname: "127.0.0.1",
  port: 27680,
  maxNumbers: 1_000_000,
  maxBulkBytes: 1024 * 1024,
  maxRequestBytes: 16 * 1024 * 1024,
  maxInlineBytes: 64 * 1024,
  maxPendingBytes: 1024 * 1024,
  idleTimeout: 300_000,
  writeTimeout: 30_000,
  shutdownGrace: 5_000,
  maxConnections: 10_000,
});

const LIMITS: Record<
  | "port"
  | "maxNumbers"
  | "maxBulkBytes"
  | "maxRequestBytes"
  | "maxInlineBytes"
  | "maxPendingBytes"
  | "maxConnections",
  CheckIntegerOptions
> = {
  port: { min: 0, max: 65535 },
  maxNumbers: { min: 1, max: 100_000_000 },
  maxBulkBytes: { min: 1, max: 512 * 1024 * 1024 },
  maxRequestBytes: { min: 1, max: 1024 * 1024 * 1024 },
  maxInlineBytes: { min: 16, max: 64 * 1024 * 1024 },
  maxPendingBytes: { min: 1024 },
  maxConnections: { min: 1 },
};

/** {@linkcode RequestServerOptions} with every default filled in and checked. */
export interface ResolvedRequestOptions {
  /** The address to listen on. */
  hostname: string;
  /** The TCP port. */
  port: number;
  /** The most numbers one draw may ask for. */
  maxNumbers: number;
  /** The longest bulk string of a request. */
  maxBulkBytes: number;
  /** The most bytes of one request's arguments. */
  maxRequestBytes: number;
  /** The longest inline command. */
  maxInlineBytes: number;
  /** Reply bytes that may wait before they are written. */
  maxPendingBytes: number;
  /** Milliseconds of silence before a connection is closed; 0 never. */
  idleTimeout: number;
  /** Milliseconds a write may wait; 0 never. */
  writeTimeout: number;
  /** Milliseconds busy connections get at shutdown. */
  shutdownGrace: number;
  /** The most connections at once. */
  maxConnections: number;
  /** Where connections take their places: the limit. */
  budget: ConnectionBudget;
  /** The per-client budget; `undefined` for none. */
  clientBudget: ClientBudget | undefined;
  /** Whether to listen with SO_REUSEPORT. */
  reusePort: boolean;
  /** Where ids come from; `undefined`: a count of its own. */
  ids: SharedCounter | undefined;
  /** The signing key and ledger, if any. */
  signing: RequestSigning | undefined;
  /** The PROXY header and TLS to run on each connection; `undefined` for neither. */
  transport: ResolvedTransport | undefined;
  /** Where requests are counted by command, if anywhere. */
  metrics: MetricsRegistry | undefined;
  /** Aborting it stops the server. */
  signal: AbortSignal | undefined;
  /** Where log lines go. */
  logger: ServerLogger;
}

function checkSigning(value: unknown): RequestSigning | undefined {
  if (value === undefined) return undefined;
  const signing = value as Partial<RequestSigning> | null;
  if (
    typeof signing?.key?.keyId !== "string" ||
    typeof signing?.ledger?.append !== "function"
  ) {
    throw new OptionError("signing", "expected { key, ledger }");
  }
  return signing as RequestSigning;
}

/**
 * Fills in the defaults of {@linkcode RequestServerOptions} and checks every
 * value, as `serveRequests` does before it listens.
 *
 * @example Usage
 * ```ts
 * import { resolveRequestOptions } from "@randport/randport/request";
 *
 * console.log(resolveRequestOptions({ port: 0 }).maxPendingBytes); // 1048576
 * ```
 *
 * @param options The options given.
 * @returns Every option, resolved.
 * @throws {OptionError} Naming the first option that cannot be honoured.
 */
export function resolveRequestOptions(
  options: RequestServerOptions = {},
): ResolvedRequestOptions {
  const hostname = checkHostname(
    "hostname",
    options.hostname ?? REQUEST_DEFAULTS.hostname,
  );
  const signal = checkSignal("signal", options.signal);
  const integer = (field: keyof typeof LIMITS) =>
    checkInteger(
      field,
      options[field] ?? REQUEST_DEFAULTS[field],
      LIMITS[field],
    );
  const maxConnections = integer("maxConnections");
  return {
    hostname,
    port: integer("port"),
    maxNumbers: integer("maxNumbers"),
    maxBulkBytes: integer("maxBulkBytes"),
    maxRequestBytes: integer("maxRequestBytes"),
    maxInlineBytes: integer("maxInlineBytes"),
    maxPendingBytes: integer("maxPendingBytes"),
    idleTimeout: checkMilliseconds(
      "idleTimeout",
      options.idleTimeout ?? REQUEST_DEFAULTS.idleTimeout,
    ),
    writeTimeout: checkMilliseconds(
      "writeTimeout",
      options.writeTimeout ?? REQUEST_DEFAULTS.writeTimeout,
    ),
    shutdownGrace: checkMilliseconds(
      "shutdownGrace",
      options.shutdownGrace ?? REQUEST_DEFAULTS.shutdownGrace,
    ),
    maxConnections,
    budget: checkInstance("budget", options.budget, ConnectionBudget) ??
      new ConnectionBudget(maxConnections),
    clientBudget: checkInstance(
      "clientBudget",
      options.clientBudget,
      ClientBudget,
    ),
    reusePort: options.reusePort === true,
    ids: checkInstance("ids", options.ids, SharedCounter),
    signing: checkSigning(options.signing),
    transport: resolveTransport(options),
    metrics: checkInstance("metrics", options.metrics, MetricsRegistry),
    signal,
    logger: checkLogger("logger", options.logger),
  };
}
