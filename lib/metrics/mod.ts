/**
 * Prometheus metrics without a dependency: a {@linkcode MetricsRegistry}
 * of {@linkcode Counter}s, {@linkcode Gauge}s and {@linkcode Histogram}s
 * with labels, rendered in the text exposition format 0.0.4, and
 * {@linkcode serveMetrics}, the HTTP endpoint (`/metrics`, `/healthz`,
 * `/readyz`). `serve()` of `@randport/randport/server` uses them for its
 * `metrics` option (`--metrics-port`).
 *
 * ```ts
 * import { MetricsRegistry, serveMetrics } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const latency = registry.histogram({
 *   name: "app_request_duration_seconds",
 *   help: "Time to answer a request.",
 *   labelNames: ["method"],
 *   buckets: [0.001, 0.01, 0.1],
 * });
 * const get = latency.labels({ method: "get" }); // keep it: no lookup per request
 * const started = performance.now();
 * get.observe((performance.now() - started) / 1000);
 * const server = serveMetrics({ registry, port: 0 }); // 127.0.0.1 by default
 * const scrape = await fetch(`http://127.0.0.1:${server.addr.port}/metrics`);
 * console.log(await scrape.text()); // # HELP app_request_duration_seconds ...
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./counter.ts";
export * from "./gauge.ts";
export * from "./histogram.ts";
export * from "./metric_options.ts";
export * from "./metrics_server.ts";
export * from "./process_metrics.ts";
export * from "./registry.ts";
export * from "./text_format.ts";
export * from "./merge_expositions.ts";
