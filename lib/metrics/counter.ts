/**
 * Counters: totals that only go up (requests served, bytes sent), reset
 * only by a restart, which Prometheus's `rate()` allows for.
 *
 * @module
 */

import { collectedValue, Family, renderValues } from "./_family.ts";
import type {
  CollectedValues,
  Labels,
  MetricOptions,
} from "./metric_options.ts";

/** Options for a {@linkcode Counter}. */
export interface CounterOptions extends MetricOptions {
  /**
   * Reads the values when the counter is scraped, for totals something
   * else keeps already (a server's stats object): nothing is counted twice,
   * and nothing is added to the path that counts. Such a counter has no
   * series of its own: `inc` and `labels` throw.
   *
   * @default {undefined}
   */
  collect?: () => CollectedValues;
}

/** One series of a {@linkcode Counter}: the total for one set of labels. */
export class CounterSeries {
  #value = 0;

  /**
   * Adds to the total.
   *
   * @example Usage
   * ```ts
   * import { MetricsRegistry } from "@randport/randport/metrics";
   *
   * const registry = new MetricsRegistry();
   * const errors = registry.counter({ name: "app_errors_total", help: "Errors.", labelNames: ["kind"] });
   * const timeouts = errors.labels({ kind: "timeout" });
   * timeouts.inc();
   * timeouts.inc(2);
   * console.log(timeouts.value); // 3
   * ```
   *
   * @param amount How much, at least 0.
   * @throws {RangeError} For a negative amount or NaN: a counter never
   * goes down.
   */
  inc(amount = 1): void {
    if (!(amount >= 0)) {
      throw new RangeError(`a counter only goes up, got ${amount}`);
    }
    this.#value += amount;
  }

  /** The total so far. */
  get value(): number {
    return this.#value;
  }
}

/**
 * A counter, with or without labels; made by `MetricsRegistry.counter`.
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const served = registry.counter({ name: "app_served_total", help: "Clients served." });
 * served.inc();
 * console.log(registry.render());
 * // # HELP app_served_total Clients served.
 * // # TYPE app_served_total counter
 * // app_served_total 1
 * ```
 */
export class Counter {
  readonly #family: Family<CounterSeries>;
  readonly #collect: (() => CollectedValues) | undefined;

  /**
   * Creates a counter outside any registry; `MetricsRegistry.counter`
   * creates one and registers it.
   *
   * @param options Its name, help, labels, and `collect`.
   * @throws {TypeError} For an invalid name or label name.
   */
  constructor(options: CounterOptions) {
    this.#family = new Family(options, () => new CounterSeries());
    this.#collect = options.collect;
  }

  /** The metric's name. */
  get name(): string {
    return this.#family.name;
  }

  /** Its label names. */
  get labelNames(): readonly string[] {
    return this.#family.labelNames;
  }

  /**
   * The series of these label values, created on first use. Keep it where
   * it is counted often: looking it up builds its label text each time.
   *
   * @param labels A value for each of the counter's label names.
   * @returns The series.
   * @throws {TypeError} For missing, extra or non-string labels.
   */
  labels(labels: Labels): CounterSeries {
    this.#ownSeries();
    return this.#family.series(labels);
  }

  /**
   * Adds to a counter without labels.
   *
   * @param amount How much, at least 0.
   * @throws {TypeError} When the counter has labels.
   */
  inc(amount = 1): void {
    this.#ownSeries();
    this.#family.series(undefined).inc(amount);
  }

  /** The total of a counter without labels (`collect` read now, if any). */
  get value(): number {
    if (this.#collect) return collectedValue(this.name, this.#collect);
    return this.#family.series(undefined).value;
  }

  /**
   * The counter in the text exposition format: its `# HELP` and `# TYPE`
   * lines, then a line for each series.
   *
   * @returns The lines, each ending with a line feed.
   */
  render(): string {
    return renderValues(this.#family, "counter", this.#collect);
  }

  #ownSeries(): void {
    if (this.#collect) {
      throw new TypeError(`${this.name}: its values come from collect`);
    }
  }
}
