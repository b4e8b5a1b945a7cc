/**
 * What every metric type shares: its checked name and label names, its
 * series by label values, and the lines it is written with.
 *
 * @module
 */

import type {
  CollectedValues,
  Labels,
  MetricOptions,
} from "./metric_options.ts";
import {
  escapeHelp,
  escapeLabelValue,
  formatSampleValue,
} from "./text_format.ts";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A metric's name, help, label names and series. */
export class Family<Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** By the label pairs as written (`a="x",b="y"`): unique per series. */
  readonly #series = new Map<string, Series>();
  readonly #create: () => Series;

  constructor(
    options: MetricOptions,
    create: () => Series,
    reserved: readonly string[] = [],
  ) {
    const { name, help, labelNames = [] } = options;
    if (typeof name !== "string" || !METRIC_NAME.test(name)) {
      throw new TypeError(`invalid metric name ${JSON.stringify(name)}`);
    }
    if (typeof help !== "string") {
      throw new TypeError(`${name}: help must be a string`);
    }
    for (const label of labelNames) {
      // `__` names are Prometheus's own; `le` and `quantile` are the
      // histogram's and summary's.
      if (
        typeof label !== "string" || !LABEL_NAME.test(label) ||
        label.startsWith("__") || reserved.includes(label)
      ) {
        throw new TypeError(
          `${name}: invalid label name ${JSON.stringify(label)}`,
        );
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new TypeError(`${name}: a label name is repeated`);
    }
    this.name = name;
    this.help = help;
    this.labelNames = Object.freeze([...labelNames]);
    this.#create = create;
    // A metric without labels has its one series from the start, so that
    // it is scraped as 0 rather than missing until first used.
    if (labelNames.length === 0) this.#series.set("", create());
  }

  /** The series of these label values, created on first use. */
  series(labels: Labels | undefined): Series {
    const key = this.labelPairs(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = this.#create();
      this.#series.set(key, series);
    }
    return series;
  }

  /** Every series, with its label pairs as written. */
  entries(): IterableIterator<[string, Series]> {
    return this.#series.entries();
  }

  /** The `# HELP` and `# TYPE` lines. */
  header(type: string): string {
    return `# HELP ${this.name} ${
      escapeHelp(this.help)
    }\n# TYPE ${this.name} ${type}\n`;
  }

  /** `a="x",b="y"`, checked against the declared label names. */
  labelPairs(labels: Labels | undefined): string {
    const names = this.labelNames;
    if (labels === undefined) {
      if (names.length === 0) return "";
      throw new TypeError(`${this.name}: needs labels ${names.join(", ")}`);
    }
    const given = Object.keys(labels);
    if (
      given.length !== names.length ||
      !names.every((n) => Object.hasOwn(labels, n))
    ) {
      throw new TypeError(
        `${this.name}: expected labels {${names.join(", ")}}, got {${
          given.join(", ")
        }}`,
      );
    }
    let pairs = "";
    for (const name of names) {
      const value = labels[name];
      if (typeof value !== "string") {
        throw new TypeError(`${this.name}: label ${name} must be a string`);
      }
      pairs += `${pairs === "" ? "" : ","}${name}="${escapeLabelValue(value)}"`;
    }
    return pairs;
  }
}

/** One sample line: `name{pairs} value`, without braces for no labels. */
export function sampleLine(name: string, pairs: string, value: number): string {
  return `${name}${pairs === "" ? "" : `{${pairs}}`} ${
    formatSampleValue(value)
  }\n`;
}

/** The sample lines of what a `collect` function returned. */
export function collectedLines(
  family: Family<unknown>,
  collected: CollectedValues,
): string {
  if (typeof collected === "number") {
    return sampleLine(family.name, family.labelPairs(undefined), collected);
  }
  let lines = "";
  for (const [labels, value] of collected) {
    lines += sampleLine(family.name, family.labelPairs(labels), value);
  }
  return lines;
}

/**
 * The value of a metric without labels whose values come from `collect`.
 *
 * @throws {TypeError} When `collect` returned labelled values.
 */
export function collectedValue(
  name: string,
  collect: () => CollectedValues,
): number {
  const value = collect();
  if (typeof value === "number") return value;
  throw new TypeError(`${name}: has labels`);
}

/**
 * A counter's or gauge's text: its header, then a line for each series, or
 * for each value `collect` returns when it has one.
 */
export function renderValues(
  family: Family<{ readonly value: number }>,
  type: string,
  collect: (() => CollectedValues) | undefined,
): string {
  let text = family.header(type);
  if (collect) return text + collectedLines(family, collect());
  for (const [pairs, series] of family.entries()) {
    text += sampleLine(family.name, pairs, series.value);
  }
  return text;
}
