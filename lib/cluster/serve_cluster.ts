/**
 * A server on every core: one coordinator and N workers, each with its own
 * accept loops on the same ports (SO_REUSEPORT), sharing one connection
 * budget and one count of ordinals; one metrics endpoint for them all.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import {
  errorsToStderr,
  LOG_LEVELS,
  type ServerLogger,
  stderrLogger,
} from "../log/logger.ts";
import { mergeExpositions } from "../metrics/merge_expositions.ts";
import { type MetricsServer, serveMetrics } from "../metrics/metrics_server.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import { ClientBudget } from "../net/client_budget.ts";
import { ConnectionBudget } from "../net/connection_budget.ts";
import { SharedCounter } from "../net/shared_counter.ts";
import { verifyPageRoutes } from "../page/verify_page.ts";
import type { RequestServerStats } from "../request/serve_requests.ts";
import { ListenError } from "../server/listen_error.ts";
import { resolveServeOptions } from "../server/serve_options.ts";
import { describeStopped, type ServerStats } from "../server/server_stats.ts";
import {
  type TlsCertificate,
  TlsTerminator,
} from "../transport/tls_terminator.ts";
import { TrustedProxies } from "../transport/trusted_proxies.ts";
import type { FromWorker, ListenFailure, ToWorker } from "./_messages.ts";
import type { ClusterOptions } from "./cluster_options.ts";

/** A running cluster, as returned by {@linkcode serveCluster}. */
export interface RandportCluster {
  /** The push port's address, with the real port (every worker's). */
  readonly addr: Deno.NetAddr;
  /** The request port's address, if there is one. */
  readonly requestAddr: Deno.NetAddr | undefined;
  /** The metrics endpoint, if the options asked for one. */
  readonly metrics: MetricsServer | undefined;
  /** How many workers serve. */
  readonly workers: number;
  /**
   * Settles once every worker has stopped, with their counts summed.
   */
  readonly finished: Promise<ClusterStats>;
  /**
   * Shuts every worker down as `RandportServer.shutdown` does; `/readyz`
   * answers 503 from now on.
   *
   * @returns The same promise as `finished`.
   */
  shutdown(): Promise<ClusterStats>;
  /**
   * Replaces the TLS certificate in every worker, for the connections
   * accepted from now on.
   *
   * @param certificate The new certificate chain and key.
   * @throws {OptionError} When they cannot be used; the old ones stay.
   */
  reloadTls(certificate: TlsCertificate): void;
}

/** The workers' counts, summed, once they have all stopped. */
export interface ClusterStats {
  /** The push ports' counts. */
  push: ServerStats;
  /** The request ports' counts, if there were request ports. */
  requests: RequestServerStats | undefined;
}

function sum<T extends object>(items: T[]): T {
  const total = { ...items[0] } as Record<string, number>;
  for (const item of items.slice(1)) {
    for (const [key, value] of Object.entries(item)) {
      total[key] += value as number;
    }
  }
  return total as T;
}

function listenError(failure: ListenFailure): ListenError {
  const type = (Deno.errors as unknown as Record<string, ErrorConstructor>)[
    failure.cause
  ] ?? Error;
  return new ListenError(failure.listener, {
    hostname: failure.hostname,
    port: failure.port,
    cause: new type(failure.message),
  });
}

class WorkerHandle {
  readonly worker: Worker;
  readonly #pending = new Map<number, (text: string) => void>();
  #nextId = 0;
  readonly listening: Promise<Extract<FromWorker, { type: "listening" }>>;
  readonly finished: Promise<Extract<FromWorker, { type: "finished" }>>;

  constructor(url: URL, index: number) {
    this.worker = new Worker(url, { type: "module", name: `worker ${index}` });
    const listening = Promise.withResolvers<
      Extract<FromWorker, { type: "listening" }>
    >();
    const finished = Promise.withResolvers<
      Extract<FromWorker, { type: "finished" }>
    >();
    this.listening = listening.promise;
    this.finished = finished.promise;
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      switch (message.type) {
        case "listening":
          listening.resolve(message);
          break;
        case "failed":
          listening.reject(
            message.failure
              ? listenError(message.failure)
              : new Error(message.message),
          );
          break;
        case "rendered":
          this.#pending.get(message.id)?.(message.text);
          this.#pending.delete(message.id);
          break;
        case "finished":
          finished.resolve(message);
          break;
      }
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`worker ${index} failed: ${event.message}`);
      listening.reject(error);
      finished.reject(error);
    };
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** The last metrics text the worker sent. */
  #last = "";

  /**
   * The worker's metrics text; if it does not answer in time, the last one
   * it sent, so that summed counters never go down (Prometheus would take
   * that for a restart).
   */
  render(timeout: number): Promise<string> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(this.#last);
      }, timeout);
      this.#pending.set(id, (text) => {
        clearTimeout(timer);
        this.#last = text;
        resolve(text);
      });
      this.send({ type: "render", id });
    });
  }
}

/**
 * Starts a server whose accept loops run in `workers` Web Workers on the
 * same ports, with `SO_REUSEPORT`: the kernel spreads new connections
 * over them. What holds for the whole server, not per worker:
 *
 * - `maxConnections` counts every worker's connections (one budget in
 *   shared memory), and `maxConnectionsPerClient` every worker's
 *   connections from one address (one table in shared memory);
 * - a push connection's ordinal (what a `seed` payload depends on) is the
 *   number of connections accepted before it by any worker, so the
 *   payloads of a seeded cluster are those of a seeded single server, in
 *   the order the cluster accepts connections;
 * - request ids (`CLIENT ID`) are unique across the workers;
 * - one metrics endpoint, here, sums every worker's figures (process-wide
 *   gauges, `process_*`, are the same in each and taken once);
 * - `shutdown` stops them all, each draining as one server does.
 *
 * Signed draws are not offered: a key's chain has one writer, so run one
 * instance per key instead (each signs its own chain). Needs
 * `--unstable-net` (reusePort) and read permission for this package's
 * folder and what it imports (a worker loads its code from files).
 *
 * @example Usage
 * ```ts ignore
 * import { serveCluster } from "@randport/randport/cluster";
 *
 * const cluster = await serveCluster({ workers: 2, serve: { port: 0 } });
 * console.log(cluster.addr.port); // both workers accept there
 * await cluster.shutdown();
 * ```
 *
 * @param options How many workers, and the server options each gets.
 * @returns The running cluster, once every worker listens.
 * @throws {OptionError} Naming the option that cannot be honoured, before
 * any worker starts.
 * @throws {ListenError} When a port cannot be bound.
 */
export async function serveCluster(
  options: ClusterOptions,
): Promise<RandportCluster> {
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new OptionError("workers", "expected an integer from 1 to 256");
  }
  const level = options.logLevel ?? "error";
  if (!LOG_LEVELS.includes(level)) {
    throw new OptionError("logLevel", `expected ${LOG_LEVELS.join(", ")}`);
  }
  const format = options.logFormat ?? "text";
  const logger: ServerLogger = options.logLevel === undefined
    ? errorsToStderr
    : stderrLogger(level, { format });
  // Every option is checked here, before a worker starts.
  const resolved = resolveServeOptions({
    ...options.serve,
    metrics: undefined,
  });
  // The certificate and key are checked here too, before any worker.
  if (options.tls) new TlsTerminator(options.tls.certificate);
  const budget = new ConnectionBudget(resolved.maxConnections);
  // Sized as serve() sizes its own: room for an address per connection.
  const addresses = Math.min(resolved.maxConnections, 2 ** 20);
  const perClient = resolved.maxConnectionsPerClient;
  const clientBudget = perClient === Infinity
    ? undefined
    : new ClientBudget(perClient, { addresses });
  const ordinals = new SharedCounter();
  const requestIds = new SharedCounter();
  // What crosses to a worker is copied: class instances lose their class,
  // so trusted proxies go as their list of entries.
  const entries = (proxy: typeof options.serve.proxyProtocol) =>
    proxy && {
      ...proxy,
      trusted: proxy.trusted instanceof TrustedProxies
        ? proxy.trusted.entries
        : proxy.trusted,
    };
  const plain = {
    ...options.serve,
    proxyProtocol: entries(options.serve.proxyProtocol),
  };
  const plainRequests = options.serve.requests && {
    ...options.serve.requests,
    proxyProtocol: entries(options.serve.requests.proxyProtocol),
  };
  const url = new URL("./_worker.ts", import.meta.url);
  const pool: WorkerHandle[] = [];
  const start = (index: number, push: number, requests?: number) => {
    const worker = new WorkerHandle(url, index);
    pool.push(worker);
    worker.send({
      type: "start",
      index,
      serve: {
        ...plain,
        port: push,
        requests: plainRequests && { ...plainRequests, port: requests },
      },
      tls: options.tls,
      log: { level, format },
      budget: { limit: budget.limit, shared: budget.shared },
      clientBudget: clientBudget &&
        { limit: perClient, addresses, shared: clientBudget.shared },
      ordinals: ordinals.shared,
      requestIds: requestIds.shared,
    });
    return worker.listening;
  };
  let first;
  let metrics: MetricsServer | undefined;
  let stopping = false;
  try {
    // The first worker binds port 0 to a real port; the others join it.
    first = await start(
      0,
      resolved.port,
      options.serve.requests && resolved.requests?.port,
    );
    const rest = [];
    for (let index = 1; index < workers; index++) {
      rest.push(start(index, first.addr.port, first.requestAddr?.port));
    }
    await Promise.all(rest);
    if (options.serve.metrics) {
      const { hostname = "127.0.0.1", port } = options.serve.metrics;
      try {
        metrics = serveMetrics({
          registry: new MetricsRegistry(),
          hostname,
          port,
          ready: () => !stopping,
          render: async () =>
            mergeExpositions(
              await Promise.all(pool.map((worker) => worker.render(1000))),
            ),
          routes: verifyPageRoutes({}),
        });
      } catch (error) {
        throw new ListenError("metrics", { hostname, port, cause: error });
      }
    }
  } catch (error) {
    for (const worker of pool) worker.worker.terminate();
    throw error;
  }
  const finished = Promise.all(pool.map((worker) => worker.finished))
    .then(async (results) => {
      for (const worker of pool) worker.worker.terminate();
      const push = sum(results.map((result) => result.stats));
      const requests = results[0].requestStats &&
        sum(results.map((result) => result.requestStats!));
      const { text, fields } = describeStopped(push);
      logger.log("info", `stopped, ${workers} workers together: ${text}`, {
        event: "cluster.stopped",
        workers,
        ...fields,
      });
      await metrics?.shutdown();
      return { push, requests };
    });
  const shutdown = () => {
    if (!stopping) {
      stopping = true;
      for (const worker of pool) worker.send({ type: "shutdown" });
    }
    return finished;
  };
  const signal = options.signal;
  if (signal?.aborted) shutdown();
  else signal?.addEventListener("abort", shutdown, { once: true });
  return {
    addr: first.addr,
    requestAddr: first.requestAddr,
    metrics,
    workers,
    finished,
    shutdown,
    reloadTls(certificate: TlsCertificate) {
      // Checked here, so that no worker is left with a pair it refused.
      new TlsTerminator(certificate);
      for (const worker of pool) {
        worker.send({ type: "reload-tls", certificate });
      }
    },
  };
}
