/**
 * What a metric is declared with: its name, help and label names, and the
 * shapes of the label values and collected values its methods take.
 *
 * @module
 */

/**
 * The values of a series' labels, by label name: exactly the names the
 * metric was declared with.
 *
 * @example Usage
 * ```ts
 * import { type Labels, MetricsRegistry } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const requests = registry.counter({
 *   name: "app_requests_total",
 *   help: "Requests answered.",
 *   labelNames: ["command"],
 * });
 * const labels: Labels = { command: "get" };
 * requests.labels(labels).inc();
 * ```
 */
export type Labels = Readonly<Record<string, string>>;

/** The options every metric type takes. */
export interface MetricOptions {
  /**
   * `[a-zA-Z_:][a-zA-Z0-9_:]*`; by Prometheus's conventions in snake case
   * with its unit (`_seconds`, `_bytes`), and `_total` for a counter.
   */
  name: string;
  /** What it measures, for the `# HELP` line. */
  help: string;
  /**
   * Its labels' names, in the order they are written; `[a-zA-Z_][a-zA-Z0-9_]*`,
   * not starting with `__`.
   *
   * @default {[]}
   */
  labelNames?: readonly string[];
}

/**
 * What a counter's or gauge's `collect` function returns when it is
 * scraped: the one value of a metric without labels, or each series'
 * labels and value.
 *
 * @example Usage
 * ```ts
 * import { type CollectedValues, MetricsRegistry } from "@randport/randport/metrics";
 *
 * const queue = ["a", "b"];
 * const registry = new MetricsRegistry();
 * registry.gauge({
 *   name: "app_queue_length",
 *   help: "Jobs waiting.",
 *   labelNames: ["queue"],
 *   collect: (): CollectedValues => [[{ queue: "main" }, queue.length]],
 * });
 * console.log(registry.render().split("\n")[2]); // app_queue_length{queue="main"} 2
 * ```
 */
export type CollectedValues = number | Iterable<readonly [Labels, number]>;
