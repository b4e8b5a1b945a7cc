/**
 * Gauges: values that go up and down (connections open, memory in use).
 *
 * @module
 */

import { collectedValue, Family, renderValues } from "./_family.ts";
import type {
  CollectedValues,
  Labels,
  MetricOptions,
} from "./metric_options.ts";

/** Options for a {@linkcode Gauge}. */
export interface GaugeOptions extends MetricOptions {
  /**
   * Reads the values when the gauge is scraped, for values something else
   * keeps (a count of open connections, `Deno.memoryUsage()`). Such a gauge
   * has no series of its own: `set`, `inc`, `dec` and `labels` throw.
   *
   * @default {undefined}
   */
  collect?: () => CollectedValues;
}

/** One series of a {@linkcode Gauge}. */
export class GaugeSeries {
  #value = 0;

  /**
   * Sets the value.
   *
   * @example Usage
   * ```ts
   * import { MetricsRegistry } from "@randport/randport/metrics";
   *
   * const registry = new MetricsRegistry();
   * const open = registry.gauge({ name: "app_open", help: "Open.", labelNames: ["port"] });
   * const push = open.labels({ port: "push" });
   * push.set(5);
   * push.inc();
   * push.dec(2);
   * console.log(push.value); // 4
   * ```
   *
   * @param value Any number.
   */
  set(value: number): void {
    this.#value = value;
  }

  /**
   * Adds to the value.
   *
   * @param amount How much.
   */
  inc(amount = 1): void {
    this.#value += amount;
  }

  /**
   * Takes from the value.
   *
   * @param amount How much.
   */
  dec(amount = 1): void {
    this.#value -= amount;
  }

  /** The value now. */
  get value(): number {
    return this.#value;
  }
}

/**
 * A gauge, with or without labels; made by `MetricsRegistry.gauge`.
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * const load = registry.gauge({ name: "app_load", help: "Load." });
 * load.set(0.5);
 * console.log(registry.render().split("\n")[2]); // "app_load 0.5"
 * ```
 */
export class Gauge {
  readonly #family: Family<GaugeSeries>;
  readonly #collect: (() => CollectedValues) | undefined;

  /**
   * Creates a gauge outside any registry; `MetricsRegistry.gauge` creates
   * one and registers it.
   *
   * @param options Its name, help, labels, and `collect`.
   * @throws {TypeError} For an invalid name or label name.
   */
  constructor(options: GaugeOptions) {
    this.#family = new Family(options, () => new GaugeSeries());
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
   * The series of these label values, created on first use.
   *
   * @param labels A value for each of the gauge's label names.
   * @returns The series.
   * @throws {TypeError} For missing, extra or non-string labels.
   */
  labels(labels: Labels): GaugeSeries {
    return this.#own(labels);
  }

  /**
   * Sets the value of a gauge without labels.
   *
   * @param value Any number.
   */
  set(value: number): void {
    this.#own(undefined).set(value);
  }

  /**
   * Adds to a gauge without labels.
   *
   * @param amount How much.
   */
  inc(amount = 1): void {
    this.#own(undefined).inc(amount);
  }

  /**
   * Takes from a gauge without labels.
   *
   * @param amount How much.
   */
  dec(amount = 1): void {
    this.#own(undefined).dec(amount);
  }

  /** The value of a gauge without labels (`collect` read now, if any). */
  get value(): number {
    if (this.#collect) return collectedValue(this.name, this.#collect);
    return this.#family.series(undefined).value;
  }

  /**
   * The gauge in the text exposition format: its `# HELP` and `# TYPE`
   * lines, then a line for each series.
   *
   * @returns The lines, each ending with a line feed.
   */
  render(): string {
    return renderValues(this.#family, "gauge", this.#collect);
  }

  #own(labels: Labels | undefined): GaugeSeries {
    if (this.#collect) {
      throw new TypeError(`${this.name}: its values come from collect`);
    }
    return this.#family.series(labels);
  }
}
