/**
 * The HTTP endpoint a Prometheus server scrapes and a load balancer or
 * Kubernetes probes: `/metrics`, `/healthz`, `/readyz`.
 *
 * @module
 */

import type { MetricsRegistry } from "./registry.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./text_format.ts";

/** Options for {@linkcode serveMetrics}. */
export interface MetricsServerOptions {
  /** The metrics `/metrics` renders. */
  registry: MetricsRegistry;
  /**
   * Renders `/metrics` instead of `registry.render()`: for metrics gathered
   * elsewhere at each scrape (`serveCluster` asks its workers, and sums
   * what they say with `mergeExpositions`).
   *
   * @default {() => registry.render()}
   */
  render?: () => string | Promise<string>;
  /**
   * The address to listen on. Loopback by default: the metrics tell
   * anyone who can reach them how busy the service is and what its
   * clients ask, so that a wider address is a decision to make, not a
   * default to inherit.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** The TCP port, 0 for any free one (read it from `addr`). */
  port: number;
  /**
   * Whether `/readyz` says ready (200) or not (503); asked at each probe.
   *
   * @default {() => true}
   */
  ready?: () => boolean;
  /**
   * Serves paths beyond the endpoint's own (`GET` and `HEAD` only): asked
   * for every other path, it returns the response, or `undefined` for a
   * path it does not serve (404). `serve()` passes the verification page's
   * (`verifyPageRoutes` of `@randport/randport/page`).
   *
   * @default {undefined}
   */
  routes?: MetricsRoutes;
}

/**
 * Extra paths of {@linkcode serveMetrics}: the response for a request, or
 * `undefined` for a path it does not serve.
 *
 * @example Usage
 * ```ts
 * import type { MetricsRoutes } from "@randport/randport/metrics";
 *
 * const routes: MetricsRoutes = (_request, url) =>
 *   url.pathname === "/hello" ? new Response("hello\n") : undefined;
 * const response = await routes(new Request("http://localhost/hello"), new URL("http://localhost/hello"));
 * console.log(await response?.text()); // "hello\n"
 * ```
 */
export type MetricsRoutes = (
  request: Request,
  url: URL,
) => Response | undefined | Promise<Response | undefined>;

/** A running metrics endpoint, as returned by {@linkcode serveMetrics}. */
export interface MetricsServer {
  /** The address it listens on, with the real port. */
  readonly addr: Deno.NetAddr;
  /** The metrics it serves. */
  readonly registry: MetricsRegistry;
  /** Settles once it has stopped. */
  readonly finished: Promise<void>;
  /**
   * Stops listening, lets scrapes in progress finish, and closes idle
   * keep-alive connections.
   *
   * @returns The same promise as `finished`.
   */
  shutdown(): Promise<void>;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };

function text(body: string, status = 200, headers = {}): Response {
  return new Response(body, { status, headers: { ...TEXT, ...headers } });
}

async function metricsResponse(
  render: () => string | Promise<string>,
): Promise<Response> {
  return new Response(await render(), {
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
  });
}

async function routed(
  routes: MetricsRoutes | undefined,
  request: Request,
  url: URL,
): Promise<Response> {
  return (await routes?.(request, url)) ?? text("not found\n", 404);
}

/**
 * Serves a registry over HTTP (`Deno.serve`, which needs `--allow-net`
 * only). Paths, for `GET` and `HEAD`:
 *
 * - `/metrics`: the text exposition format 0.0.4;
 * - `/healthz`: 200 `ok` while the process runs (liveness);
 * - `/readyz`: 200 `ready`, or 503 `shutting down` once `ready()` is
 *   false, so that a load balancer drains the instance;
 * - any other path: what `routes` answers, or 404; other methods: 405.
 *
 * It listens before it returns, so `addr` holds the real port at once.
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry, serveMetrics } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * registry.counter({ name: "app_started_total", help: "Starts." }).inc();
 * const server = serveMetrics({ registry, port: 0 });
 * const response = await fetch(`http://127.0.0.1:${server.addr.port}/metrics`);
 * console.log((await response.text()).endsWith("app_started_total 1\n")); // true
 * await server.shutdown();
 * ```
 *
 * @param options The registry, where to listen, and readiness.
 * @returns The running endpoint.
 * @throws {Deno.errors.AddrInUse} And the other errors of `Deno.serve`
 * when it cannot listen.
 */
export function serveMetrics(options: MetricsServerOptions): MetricsServer {
  const { registry, ready = () => true, routes } = options;
  const render = options.render ?? (() => registry.render());
  const handler = (request: Request): Response | Promise<Response> => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text("method not allowed\n", 405, { allow: "GET, HEAD" });
    }
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/metrics":
        return metricsResponse(render);
      case "/healthz":
        return text("ok\n");
      case "/readyz":
        return ready() ? text("ready\n") : text("shutting down\n", 503);
      default:
        return routed(routes, request, url);
    }
  };
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port,
    // Without it Deno prints "Listening on ..." to stdout, where the
    // server's one startup line must stay alone.
    onListen() {},
    onError(error) {
      return text(`metrics: ${error}\n`, 500);
    },
  }, handler);
  return {
    addr: server.addr,
    registry,
    finished: server.finished,
    shutdown() {
      return server.shutdown().then(() => server.finished);
    },
  };
}
