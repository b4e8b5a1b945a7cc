/**
 * The registry: the metrics one endpoint exposes, in the order they were
 * registered, and the whole scrape in the text exposition format.
 *
 * Written by hand rather than with prom-client: the format is a page of
 * escaping, number spelling and cumulative buckets (text_format.ts and the
 * `render` methods), while prom-client 15 would bring three npm packages
 * (`@opentelemetry/api`, `tdigest`, `bintrees`) to the server, which has
 * none, default metrics to turn off under Deno, and a scrape behind a
 * promise. A series held by the caller counts with one addition,
 * which is all the request port's hot path can afford.
 *
 * @module
 */

import { Counter, type CounterOptions } from "./counter.ts";
import { Gauge, type GaugeOptions } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";

/** A metric a {@linkcode MetricsRegistry} holds. */
export type Metric = Counter | Gauge | Histogram;

/**
 * The metrics of one endpoint.
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const hits = registry.counter({
 *   name: "app_hits_total",
 *   help: "Hits, by path.",
 *   labelNames: ["path"],
 * });
 * hits.labels({ path: "/" }).inc();
 * registry.gauge({ name: "app_up", help: "Always 1.", collect: () => 1 });
 * console.log(registry.render());
 * // # HELP app_hits_total Hits, by path.
 * // # TYPE app_hits_total counter
 * // app_hits_total{path="/"} 1
 * // # HELP app_up Always 1.
 * // # TYPE app_up gauge
 * // app_up 1
 * ```
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();
  /** Every sample name in use: a histogram's `_bucket`, `_sum`, `_count` too. */
  readonly #names = new Set<string>();

  /**
   * Creates and registers a counter.
   *
   * @param options Its name, help, labels, and `collect`.
   * @returns The counter.
   * @throws {TypeError} For an invalid name, or one already registered.
   */
  counter(options: CounterOptions): Counter {
    return this.#add(new Counter(options), [options.name]);
  }

  /**
   * Creates and registers a gauge.
   *
   * @param options Its name, help, labels, and `collect`.
   * @returns The gauge.
   * @throws {TypeError} For an invalid name, or one already registered.
   */
  gauge(options: GaugeOptions): Gauge {
    return this.#add(new Gauge(options), [options.name]);
  }

  /**
   * Creates and registers a histogram.
   *
   * @param options Its name, help, labels and buckets.
   * @returns The histogram.
   * @throws {TypeError} For an invalid name or buckets, or a name that
   * clashes with one already registered (its `_bucket`, `_sum`, `_count`
   * included).
   */
  histogram(options: HistogramOptions): Histogram {
    const { name } = options;
    return this.#add(new Histogram(options), [
      name,
      `${name}_bucket`,
      `${name}_sum`,
      `${name}_count`,
    ]);
  }

  /**
   * The metric registered under a name.
   *
   * @param name The metric's name.
   * @returns It, or `undefined`.
   */
  get(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  /**
   * Every metric in the text exposition format 0.0.4, in the order they
   * were registered; `collect` functions are read now. Serve it with
   * `PROMETHEUS_CONTENT_TYPE`.
   *
   * @returns The scrape, each line ending with a line feed.
   */
  render(): string {
    let text = "";
    for (const metric of this.#metrics.values()) text += metric.render();
    return text;
  }

  #add<M extends Metric>(metric: M, names: string[]): M {
    const taken = names.find((name) => this.#names.has(name));
    if (taken !== undefined) {
      throw new TypeError(`metric name ${taken} is registered already`);
    }
    for (const name of names) this.#names.add(name);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}
