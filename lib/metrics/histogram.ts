/**
 * Histograms: how many observations (request durations, sizes) fell at or
 * below each of a fixed set of bounds, with their sum and count, from
 * which Prometheus computes rates, averages and quantiles
 * (`histogram_quantile`) across series and instances.
 *
 * @module
 */

import { Family, sampleLine } from "./_family.ts";
import type { Labels, MetricOptions } from "./metric_options.ts";
import { formatSampleValue } from "./text_format.ts";

/**
 * The bounds of the Prometheus clients' default buckets, in seconds: from
 * 5 ms to 10 s, for requests that take a network round trip or more.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_BUCKETS } from "@randport/randport/metrics";
 *
 * console.log(DEFAULT_BUCKETS[0]); // 0.005
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** Options for a {@linkcode Histogram}. */
export interface HistogramOptions extends MetricOptions {
  /**
   * The buckets' upper bounds, finite and increasing; the `+Inf` bucket is
   * always there too. Every bound is a series per label set: a few dozen
   * at most.
   *
   * @default {DEFAULT_BUCKETS}
   */
  buckets?: readonly number[];
}

/** One series of a {@linkcode Histogram}: the buckets of one label set. */
export class HistogramSeries {
  readonly #bounds: readonly number[];
  /** Per bucket, not cumulative: an observation adds to one count only. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /**
   * Creates a series; a histogram creates its own.
   *
   * @param bounds The buckets' upper bounds, checked by the histogram.
   */
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /**
   * Counts one observation in the first bucket whose bound it does not
   * exceed.
   *
   * @example Usage
   * ```ts
   * import { MetricsRegistry } from "@randport/randport/metrics";
   *
   * const registry = new MetricsRegistry();
   * const sizes = registry.histogram({
   *   name: "app_reply_bytes",
   *   help: "Reply sizes.",
   *   labelNames: ["kind"],
   *   buckets: [100, 1000],
   * });
   * const small = sizes.labels({ kind: "small" });
   * small.observe(50);
   * small.observe(5000);
   * console.log(small.count, small.sum); // 2 5050
   * ```
   *
   * @param value The observation, in the histogram's unit.
   */
  observe(value: number): void {
    // From the smallest bound up: the buckets are few, and most
    // observations fall in the first ones, so a linear scan ends sooner
    // than a binary search would.
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  /** Their sum. */
  get sum(): number {
    return this.#sum;
  }

  /**
   * The cumulative count at each bound, then at `+Inf` (which is `count`),
   * as the `_bucket` lines give them.
   *
   * @returns One count per bound, and one more.
   */
  cumulativeCounts(): number[] {
    let total = 0;
    return Array.from(this.#counts, (n) => total += n);
  }
}

/**
 * A histogram, with or without labels; made by
 * `MetricsRegistry.histogram`.
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const latency = registry.histogram({
 *   name: "app_request_duration_seconds",
 *   help: "Time to answer a request.",
 *   buckets: [0.001, 0.01],
 * });
 * latency.observe(0.0004);
 * latency.observe(0.02);
 * console.log(registry.render());
 * // # HELP app_request_duration_seconds Time to answer a request.
 * // # TYPE app_request_duration_seconds histogram
 * // app_request_duration_seconds_bucket{le="0.001"} 1
 * // app_request_duration_seconds_bucket{le="0.01"} 1
 * // app_request_duration_seconds_bucket{le="+Inf"} 2
 * // app_request_duration_seconds_sum 0.0204
 * // app_request_duration_seconds_count 2
 * ```
 */
export class Histogram {
  readonly #family: Family<HistogramSeries>;
  readonly #bounds: readonly number[];
  /** `le="0.005"` and so on, `le="+Inf"` last: written on every scrape. */
  readonly #le: readonly string[];

  /**
   * Creates a histogram outside any registry; `MetricsRegistry.histogram`
   * creates one and registers it.
   *
   * @param options Its name, help, labels and buckets.
   * @throws {TypeError} For an invalid name, a label name `le` or another
   * invalid one, or bounds that are not finite and increasing.
   */
  constructor(options: HistogramOptions) {
    const bounds = Object.freeze([...(options.buckets ?? DEFAULT_BUCKETS)]);
    for (let i = 0; i < bounds.length; i++) {
      if (
        !Number.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])
      ) {
        throw new TypeError(
          `${options.name}: bucket bounds must be finite and increasing, got [${bounds}]`,
        );
      }
    }
    this.#bounds = bounds;
    this.#le = [...bounds, Infinity].map((b) => `le="${formatSampleValue(b)}"`);
    this.#family = new Family(
      options,
      () => new HistogramSeries(bounds),
      ["le"],
    );
  }

  /** The metric's name (its samples add `_bucket`, `_sum`, `_count`). */
  get name(): string {
    return this.#family.name;
  }

  /** Its label names. */
  get labelNames(): readonly string[] {
    return this.#family.labelNames;
  }

  /** The buckets' upper bounds, without `+Inf`. */
  get buckets(): readonly number[] {
    return this.#bounds;
  }

  /**
   * The series of these label values, created on first use. Keep it where
   * it is observed often: looking it up builds its label text each time.
   *
   * @param labels A value for each of the histogram's label names.
   * @returns The series.
   * @throws {TypeError} For missing, extra or non-string labels.
   */
  labels(labels: Labels): HistogramSeries {
    return this.#family.series(labels);
  }

  /**
   * Counts one observation of a histogram without labels.
   *
   * @param value The observation.
   * @throws {TypeError} When the histogram has labels.
   */
  observe(value: number): void {
    this.#family.series(undefined).observe(value);
  }

  /**
   * The histogram in the text exposition format: its `# HELP` and
   * `# TYPE` lines, then for each series a cumulative `_bucket` line per
   * bound and `+Inf`, `_sum` and `_count`.
   *
   * @returns The lines, each ending with a line feed.
   */
  render(): string {
    const family = this.#family;
    const { name } = family;
    let text = family.header("histogram");
    for (const [pairs, series] of family.entries()) {
      const prefix = pairs === "" ? "" : `${pairs},`;
      const counts = series.cumulativeCounts();
      for (let i = 0; i < counts.length; i++) {
        text += `${name}_bucket{${prefix}${this.#le[i]}} ${counts[i]}\n`;
      }
      text += sampleLine(`${name}_sum`, pairs, series.sum);
      text += sampleLine(`${name}_count`, pairs, series.count);
    }
    return text;
  }
}
