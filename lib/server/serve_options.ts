/**
 * The server's options: what each means, its default, and the one check of
 * every value, so that `serve()` refuses what it cannot honour with an
 * error naming the option, and the command line fills its help and its
 * checks from the same place.
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
import { DEFAULT_PORT } from "../wire/default_port.ts";
import { DEFAULT_CHUNK_SIZE } from "../wire/encoder.ts";
import {
  type PayloadSpec,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "../wire/payload_spec.ts";
import { checkLogger, type ServerLogger } from "../log/logger.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import { ConnectionBudget } from "../net/connection_budget.ts";
import { SharedCounter } from "../net/shared_counter.ts";
import { ClientBudget } from "../net/client_budget.ts";
import {
  type ResolvedTransport,
  resolveTransport,
  type TransportOptions,
} from "../transport/transport_options.ts";
import {
  type RequestServerOptions,
  resolveRequestOptions,
} from "../request/request_options.ts";

/**
 * The request port's own options when `serve()` opens it beside the push
 * port (PROTOCOL.md §5). The rest it shares with the push port: `hostname`
 * (it listens on the address the push port bound), `writeTimeout`,
 * `shutdownGrace`, `logger`, and the `maxConnections` budget, which counts
 * the connections of both ports together.
 */
export type RequestPortOptions = Pick<
  RequestServerOptions,
  | "port"
  | "maxNumbers"
  | "maxBulkBytes"
  | "maxRequestBytes"
  | "maxInlineBytes"
  | "maxPendingBytes"
  | "idleTimeout"
  | "signing"
  | "tls"
  | "proxyProtocol"
>;

/** {@linkcode RequestPortOptions} with every default filled in and checked. */
export type ResolvedRequestPortOptions =
  & Required<Omit<RequestPortOptions, "signing" | "tls" | "proxyProtocol">>
  & Pick<RequestPortOptions, "signing" | "tls" | "proxyProtocol">;

/**
 * Where `serve()` serves its metrics over HTTP: `/metrics` (Prometheus's
 * text format), `/healthz` and `/readyz` (see `serveMetrics` of
 * `@randport/randport/metrics`).
 */
export interface MetricsPortOptions {
  /** The TCP port, 0 to 65535; 0 picks a free one (read it from `metrics.addr`). */
  port: number;
  /**
   * The address to listen on. Loopback, not the push port's address: the
   * metrics show anyone who reaches them how busy the server is and what
   * its clients ask, so exposing them is a choice to make (a scraper on
   * another host, a Kubernetes probe: give the pod's address or `0.0.0.0`).
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
}

/** Options for {@linkcode serve}. */
export interface ServeOptions extends TransportOptions {
  /**
   * The address to listen on: a host name or address, without spaces.
   * Left out, the server listens on every interface, IPv6 and IPv4 alike
   * (`::`, or `0.0.0.0` where IPv6 is unavailable).
   *
   * @default {"::"}
   */
  hostname?: string;
  /**
   * The TCP port, 0 to 65535; 0 picks a free one (read it from `addr`).
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
   * buffer a client holds while its data is being written; 64 to 65536.
   *
   * @default {16384}
   */
  chunkSize?: number;
  /**
   * How long a fixed payload in flight may take to finish once shutdown has
   * begun, in milliseconds (0 to 2^31−1); connections still open then are
   * closed.
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
   * nothing. Any value of 0 or less means no linger; Infinity lingers until
   * the client closes; at most 2^31−1 otherwise.
   *
   * @default {2000}
   */
  lingerTimeout?: number;
  /**
   * The size of the kernel's queue of connections not yet accepted, 128 to
   * 65535. Linux caps it at `net.core.somaxconn` (4096 on current kernels).
   * Smaller queues are refused: when one is full, Linux drops a client's
   * last handshake packet, and the client, which believes it is connected,
   * waits seconds for the kernel's retries.
   *
   * @default {4096}
   */
  backlog?: number;
  /**
   * The most connections served at once, at least 1; Infinity for no
   * limit but the operating system's. A client arriving
   * when this many are open is accepted, sent `ERR busy` (see PROTOCOL.md)
   * and closed.
   *
   * @default {10000}
   */
  maxConnections?: number;
  /**
   * The most connections one client address may hold at once, on both
   * ports together, at least 1; Infinity for no such limit. Behind a PROXY
   * header (`proxyProtocol`), the address is the one the header names.
   * A client over it is sent `ERR busy too many connections from your
   * address` (PROTOCOL.md §4; on the request port, the RESP error) and
   * closed.
   *
   * @default {Infinity}
   */
  maxConnectionsPerClient?: number;
  /**
   * The per-client budget to count against, shared with other workers of
   * one cluster; its own limit holds then, not `maxConnectionsPerClient`.
   *
   * @default {one of maxConnectionsPerClient's own, if that is finite}
   */
  clientBudget?: ClientBudget;
  /**
   * How long a write may wait without the client making any room, in
   * milliseconds; the client is then disconnected and what it held is freed.
   * The kernel reports room only once about a third of the socket's send
   * buffer is free, so a client must read at least that much (up to ~1.3 MiB
   * with Linux's default 4 MiB buffers) within the timeout. 0 waits
   * forever, as does Infinity; at most 2^31−1 otherwise.
   *
   * @default {30000}
   */
  writeTimeout?: number;
  /**
   * Opens the request port (PROTOCOL.md §5) beside the push port, with
   * these options (its port defaults to 27680; 0 picks a free one).
   * Left out, there is no request port; the command line opens one unless
   * told `--request-port off`.
   *
   * @default {undefined}
   */
  requests?: RequestPortOptions;
  /**
   * Serves metrics, `/healthz` and `/readyz` over HTTP on this port (the
   * metrics are listed in the README, Metrics). `/readyz` answers 503 from
   * the moment shutdown begins; the HTTP server closes once the ports have
   * drained. Left out, nothing is measured per request and no HTTP port is
   * opened.
   *
   * @default {undefined}
   */
  metrics?: MetricsPortOptions;
  /**
   * Counts into this registry: the connection metrics of both ports and
   * the request port's per-command ones. With `metrics`, it is the one
   * served; without, nothing is served, and the caller renders it (a
   * worker of `serveCluster`, whose coordinator sums every worker's).
   *
   * @default {a registry of its own, with `metrics`; none without}
   */
  registry?: MetricsRegistry;
  /**
   * Listens with `SO_REUSEPORT`, so that several accept loops (workers)
   * share the ports, the kernel spreading connections among them. Needs
   * `--unstable-net` (Deno otherwise exits the process with code 70).
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * The connection budget to count against, shared with other servers
   * (other workers of one cluster); its own limit holds then, not
   * `maxConnections`.
   *
   * @default {a budget of maxConnections of its own}
   */
  budget?: ConnectionBudget;
  /**
   * Where push connections' ordinals come from (what `--seed` payloads
   * depend on), shared with other workers of one cluster: each
   * connection's ordinal is then the number of connections accepted
   * before it by any of them.
   *
   * @default {a count of this server's own, from 0}
   */
  ordinals?: SharedCounter;
  /**
   * Where request-port connections' ids (`CLIENT ID`) come from, shared
   * with other workers; the first id is 1.
   *
   * @default {a count of this server's own}
   */
  requestIds?: SharedCounter;
  /**
   * Aborting it starts the server's shutdown.
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
 * The defaults of {@linkcode ServeOptions}, in the options' own units
 * (milliseconds, bytes). `hostname` has none: left out, the server listens
 * on every interface.
 *
 * @example Usage
 * ```ts
 * import { SERVE_DEFAULTS } from "@randport/randport/server";
 *
 * console.log(SERVE_DEFAULTS.maxConnections); // 10000
 * console.log(SERVE_DEFAULTS.writeTimeout / 1000); // 30 (seconds)
 * ```
 */
export const SERVE_DEFAULTS: {
  readonly port: number;
  readonly chunkSize: number;
  readonly shutdownGrace: number;
  readonly lingerTimeout: number;
  readonly backlog: number;
  readonly maxConnections: number;
  readonly writeTimeout: number;
} = Object.freeze({
  port: DEFAULT_PORT,
  chunkSize: DEFAULT_CHUNK_SIZE,
  shutdownGrace: 5000,
  lingerTimeout: 2000,
  backlog: 4096,
  maxConnections: 10000,
  writeTimeout: 30000,
});

/**
 * The accepted range of each integer option of {@linkcode ServeOptions}.
 *
 * @example Usage
 * ```ts
 * import { SERVE_LIMITS } from "@randport/randport/server";
 *
 * console.log(SERVE_LIMITS.backlog); // { min: 1, max: 65535 }
 * ```
 */
export const SERVE_LIMITS: {
  readonly port: Readonly<CheckIntegerOptions>;
  readonly chunkSize: Readonly<CheckIntegerOptions>;
  readonly backlog: Readonly<CheckIntegerOptions>;
  readonly maxConnections: Readonly<CheckIntegerOptions>;
} = Object.freeze({
  port: Object.freeze({ min: 0, max: 65535 }),
  chunkSize: Object.freeze({ min: 64, max: 65536 }),
  // A queue this small overflows under ordinary bursts, and the kernel then
  // keeps clients half-connected for seconds of retries (README, Bursts).
  backlog: Object.freeze({ min: 128, max: 65535 }),
  maxConnections: Object.freeze({ min: 1 }),
});

/** {@linkcode ServeOptions} with every default filled in and checked. */
export interface ResolvedServeOptions {
  /** The address to listen on; `undefined` for every interface. */
  hostname: string | undefined;
  /** The TCP port. */
  port: number;
  /** The payload every connection receives. */
  payload: PayloadSpec;
  /** Bytes generated ahead per client. */
  chunkSize: number;
  /** Milliseconds fixed payloads get to finish at shutdown. */
  shutdownGrace: number;
  /** Milliseconds to linger after the payload; 0 for none. */
  lingerTimeout: number;
  /** The kernel's accept queue. */
  backlog: number;
  /** The most connections served at once. */
  maxConnections: number;
  /** Milliseconds a write may wait for room; 0 waits forever. */
  writeTimeout: number;
  /** The push port's PROXY header and TLS; `undefined` for neither. */
  transport: ResolvedTransport | undefined;
  /** The request port's own options, checked; `undefined` for none. */
  requests: ResolvedRequestPortOptions | undefined;
  /** Where metrics are served, checked; `undefined` for nowhere. */
  metrics: Required<MetricsPortOptions> | undefined;
  /** Where metrics are counted; `undefined` for nowhere. */
  registry: MetricsRegistry | undefined;
  /** Whether to listen with SO_REUSEPORT. */
  reusePort: boolean;
  /** The connection budget, shared or its own. */
  budget: ConnectionBudget;
  /** The most connections per client address; Infinity for no limit. */
  maxConnectionsPerClient: number;
  /** The per-client budget; `undefined` for no per-client limit. */
  clientBudget: ClientBudget | undefined;
  /** Where push ordinals come from; `undefined`: a count of its own. */
  ordinals: SharedCounter | undefined;
  /** Where request ids come from; `undefined`: a count of its own. */
  requestIds: SharedCounter | undefined;
  /** Aborting it starts shutdown. */
  signal: AbortSignal | undefined;
  /** Where log lines go. */
  logger: ServerLogger;
}

/**
 * Fills in the defaults of {@linkcode ServeOptions} and checks every value,
 * as `serve()` does before it listens.
 *
 * @example Usage
 * ```ts
 * import { OptionError } from "@randport/randport/errors";
 * import { resolveServeOptions } from "@randport/randport/server";
 *
 * console.log(resolveServeOptions({ port: 0 }).maxConnections); // 10000
 * try {
 *   resolveServeOptions({ maxConnections: 0 });
 * } catch (error) {
 *   if (error instanceof OptionError) console.log(error.field); // "maxConnections"
 * }
 * ```
 *
 * @param options The options given.
 * @returns Every option, resolved.
 * @throws {OptionError} Naming the first option that cannot be honoured
 * (a `PayloadSpecError`, which is one, for the payload's fields).
 */
export function resolveServeOptions(
  options: ServeOptions = {},
): ResolvedServeOptions {
  const { hostname, signal, logger } = options;
  if (hostname !== undefined) checkHostname("hostname", hostname);
  checkSignal("signal", signal);
  const integer = (
    field: keyof typeof SERVE_LIMITS,
  ): number =>
    checkInteger(
      field,
      options[field] ?? SERVE_DEFAULTS[field],
      SERVE_LIMITS[field],
    );
  // The sweeper checks these deadlines against the clock, so Infinity is
  // fine ("never"); the grace is a timer, which Infinity would fire at once.
  const lingerTimeout = checkMilliseconds(
    "lingerTimeout",
    options.lingerTimeout ?? SERVE_DEFAULTS.lingerTimeout,
    { negative: true, infinite: true },
  );
  // Infinity: no limit but the operating system's.
  const maxConnections = options.maxConnections === Infinity
    ? Infinity
    : integer("maxConnections");
  const maxConnectionsPerClient =
    options.maxConnectionsPerClient === undefined ||
      options.maxConnectionsPerClient === Infinity
      ? Infinity
      : checkInteger(
        "maxConnectionsPerClient",
        options.maxConnectionsPerClient,
        { min: 1, max: 2 ** 31 - 1 },
      );
  if (
    options.payload !== undefined &&
    (typeof options.payload !== "object" || options.payload === null)
  ) {
    throw new OptionError("payload", "expected an object of payload fields");
  }
  return {
    hostname,
    port: integer("port"),
    payload: resolvePayloadSpec(options.payload),
    chunkSize: integer("chunkSize"),
    shutdownGrace: checkMilliseconds(
      "shutdownGrace",
      options.shutdownGrace ?? SERVE_DEFAULTS.shutdownGrace,
    ),
    // Anything but a positive timeout means no linger.
    lingerTimeout: Math.max(0, lingerTimeout),
    backlog: integer("backlog"),
    maxConnections,
    writeTimeout: checkMilliseconds(
      "writeTimeout",
      options.writeTimeout ?? SERVE_DEFAULTS.writeTimeout,
      { infinite: true },
    ),
    transport: resolveTransport(options),
    requests: checkRequestPort(options.requests),
    metrics: checkMetricsPort(options.metrics),
    registry: checkInstance("registry", options.registry, MetricsRegistry) ??
      (options.metrics ? new MetricsRegistry() : undefined),
    reusePort: checkBoolean("reusePort", options.reusePort),
    budget: checkInstance("budget", options.budget, ConnectionBudget) ??
      new ConnectionBudget(maxConnections),
    maxConnectionsPerClient,
    clientBudget: checkInstance(
      "clientBudget",
      options.clientBudget,
      ClientBudget,
    ) ?? (maxConnectionsPerClient === Infinity
      ? undefined
      : new ClientBudget(maxConnectionsPerClient, {
        // Room for every connection's own address, at the global limit.
        addresses: Math.min(maxConnections, 2 ** 20),
      })),
    ordinals: checkInstance("ordinals", options.ordinals, SharedCounter),
    requestIds: checkInstance(
      "requestIds",
      options.requestIds,
      SharedCounter,
    ),
    signal,
    logger: checkLogger("logger", logger),
  };
}

function checkBoolean(field: string, value: unknown): boolean {
  if (value === undefined || typeof value === "boolean") return !!value;
  throw new OptionError(field, "expected true or false");
}

/** The request port's options, checked; errors name `requests.<field>`. */
function checkRequestPort(
  requests: RequestPortOptions | undefined,
): ResolvedRequestPortOptions | undefined {
  if (requests === undefined) return undefined;
  if (typeof requests !== "object" || requests === null) {
    throw new OptionError("requests", "expected an object of options");
  }
  const { port, maxNumbers, maxBulkBytes, maxInlineBytes, maxPendingBytes } =
    requests;
  const own = {
    port,
    maxNumbers,
    maxBulkBytes,
    maxRequestBytes: requests.maxRequestBytes,
    maxInlineBytes,
    maxPendingBytes,
    idleTimeout: requests.idleTimeout,
    signing: requests.signing,
    tls: requests.tls,
    proxyProtocol: requests.proxyProtocol,
  };
  try {
    const resolved = resolveRequestOptions(own);
    return {
      port: resolved.port,
      maxNumbers: resolved.maxNumbers,
      maxBulkBytes: resolved.maxBulkBytes,
      maxRequestBytes: resolved.maxRequestBytes,
      maxInlineBytes: resolved.maxInlineBytes,
      maxPendingBytes: resolved.maxPendingBytes,
      idleTimeout: resolved.idleTimeout,
      signing: resolved.signing,
      tls: resolved.transport?.tls,
      proxyProtocol: resolved.transport?.proxy,
    };
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    throw new OptionError(`requests.${error.field}`, error.detail);
  }
}

/** The metrics port's options, checked; errors name `metrics.<field>`. */
function checkMetricsPort(
  metrics: MetricsPortOptions | undefined,
): Required<MetricsPortOptions> | undefined {
  if (metrics === undefined) return undefined;
  if (typeof metrics !== "object" || metrics === null) {
    throw new OptionError("metrics", "expected { port, hostname? }");
  }
  return {
    port: checkInteger("metrics.port", metrics.port, SERVE_LIMITS.port),
    hostname: checkHostname(
      "metrics.hostname",
      metrics.hostname ?? "127.0.0.1",
    ),
  };
}
