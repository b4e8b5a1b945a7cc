/**
 * Summary statistics of a stream of integers, gathered as the numbers
 * arrive in fixed memory, and the client's `--stats` report: how they
 * compare with a uniform distribution, and a chi-square verdict.
 *
 * @module
 */

import { type ChiSquareResult, chiSquareUniform } from "./chi_square.ts";
import { type Colors, createColors } from "./colors.ts";
import { Tally, type TallyGroup } from "./tally.ts";

/** An inclusive range of integers. */
export interface NumberRange {
  /** The smallest value. */
  min: number;
  /** The largest value, >= min. */
  max: number;
}

/** Options for {@linkcode StreamStats}. */
export interface StreamStatsOptions {
  /**
   * The range the numbers should be uniform over (the server's
   * `--min..--max`). Numbers outside it are counted apart. Without it the
   * observed min..max is used.
   *
   * @default {undefined}
   */
  range?: NumberRange;
}

/**
 * Count, min, max, mean and standard deviation (Welford's method, stable
 * for long streams) and per-value or per-bin counts ({@linkcode Tally}) of a
 * stream of integers, in memory that does not grow with the stream.
 *
 * @example Usage
 * ```ts
 * import { StreamStats } from "@randport/randport";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 6 } });
 * stats.add([1, 6, 3, 4]);
 * console.log(stats.count, stats.mean, stats.standardDeviation); // 4 3.5 2.0816...
 * ```
 */
export class StreamStats {
  readonly #range: NumberRange | undefined;
  readonly #tally = new Tally();
  #count = 0;
  #min = Infinity;
  #max = -Infinity;
  // Welford's sums run on value − shift (the first value): numbers far from
  // zero but close together (9e12 ± 1000) then keep all their precision.
  #shift = 0;
  #mean = 0;
  #m2 = 0;
  #below = 0;
  #above = 0;

  /**
   * Creates empty statistics.
   *
   * @param options The range the numbers should be uniform over.
   */
  constructor(options: StreamStatsOptions = {}) {
    const range = options.range;
    if (range !== undefined && !(range.min <= range.max)) {
      throw new RangeError(
        `range: expected min <= max, got ${range.min}..${range.max}`,
      );
    }
    this.#range = range === undefined ? undefined : { ...range };
  }

  /**
   * Adds numbers.
   *
   * @param numbers Integers within ±(2^53−1).
   */
  add(numbers: readonly number[]): void {
    const range = this.#range;
    for (const value of numbers) {
      if (this.#count === 0) this.#shift = value;
      this.#count++;
      if (value < this.#min) this.#min = value;
      if (value > this.#max) this.#max = value;
      const shifted = value - this.#shift;
      const delta = shifted - this.#mean;
      this.#mean += delta / this.#count;
      this.#m2 += delta * (shifted - this.#mean);
      if (range !== undefined && value < range.min) this.#below++;
      else if (range !== undefined && value > range.max) this.#above++;
      else this.#tally.add(value);
    }
  }

  /** How many numbers were added. */
  get count(): number {
    return this.#count;
  }

  /** The smallest number added; `NaN` before any. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** The largest number added; `NaN` before any. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** The arithmetic mean; `NaN` before any number. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#shift + this.#mean;
  }

  /** The sample standard deviation (n − 1); `NaN` before two numbers. */
  get standardDeviation(): number {
    return this.#count < 2 ? NaN : Math.sqrt(this.#m2 / (this.#count - 1));
  }

  /** How many numbers fell below the given range. */
  get below(): number {
    return this.#below;
  }

  /** How many numbers fell above the given range. */
  get above(): number {
    return this.#above;
  }

  /**
   * The range the numbers are compared with: the one given, or else the
   * observed min..max; `undefined` when neither exists yet.
   */
  get range(): NumberRange | undefined {
    if (this.#range !== undefined) return { ...this.#range };
    return this.#count === 0 ? undefined : { min: this.#min, max: this.#max };
  }

  /** Whether {@linkcode StreamStats.prototype.range} is the observed one. */
  get rangeObserved(): boolean {
    return this.#range === undefined;
  }

  /**
   * Counts of the numbers within {@linkcode StreamStats.prototype.range}, in
   * about `groups` runs of consecutive values (one per value when the range
   * holds at most `groups` values, or when `groups` is omitted and the range
   * is small enough to be counted value by value).
   *
   * @example Usage
   * ```ts
   * import { StreamStats } from "@randport/randport";
   *
   * const stats = new StreamStats();
   * stats.add([1, 2, 2, 3]);
   * console.log(stats.groups(3).map((g) => g.count)); // [1, 2, 1]
   * ```
   *
   * @param groups How many runs to aim for.
   * @returns The runs in order; empty before any number.
   */
  groups(groups: number): TallyGroup[] {
    const range = this.range;
    if (range === undefined) return [];
    return this.#tally.groups(range.min, range.max, { groups });
  }
}

/** The most chi-square bins: enough to see the shape of any bias. */
const MAX_TEST_BINS = 1000;
/** The fewest numbers a chi-square bin should expect. */
const MIN_EXPECTED = 5;

/**
 * Runs the chi-square test of {@linkcode chiSquareUniform} on `stats`: one
 * bin per value when every value can expect at least 5 numbers and the range
 * holds at most 1000 values, otherwise as many equal bins as the count
 * allows (up to 1000). Returns `undefined` when there are too few numbers.
 *
 * @example Usage
 * ```ts
 * import { StreamStats, uniformityTest } from "@randport/randport";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 2 } });
 * stats.add([1, 2, 1, 2, 1, 2, 1, 2, 2, 1]);
 * console.log(uniformityTest(stats)?.pValue); // 1
 * ```
 *
 * @param stats The statistics to test.
 * @returns The test's outcome.
 */
export function uniformityTest(
  stats: StreamStats,
): ChiSquareResult | undefined {
  const within = stats.count - stats.below - stats.above;
  const bins = Math.min(MAX_TEST_BINS, Math.floor(within / MIN_EXPECTED));
  if (bins < 2) return undefined;
  return chiSquareUniform(stats.groups(bins), { minExpected: MIN_EXPECTED });
}

/** The mean and standard deviation of integers drawn uniformly from a range. */
function uniformMoments(
  range: NumberRange,
): { mean: number; standardDeviation: number } {
  const size = range.max - range.min + 1;
  return {
    mean: range.min / 2 + range.max / 2,
    standardDeviation: Math.sqrt((size * size - 1) / 12),
  };
}

/** Options for {@linkcode formatStats}. */
export interface FormatStatsOptions {
  /**
   * Styles for the verdict and labels.
   *
   * @default {createColors({ enabled: false })}
   */
  colors?: Colors;
}

/** Up to 7 significant digits, no exponent, no trailing zeros. */
function formatReal(value: number): string {
  if (Number.isNaN(value)) return "-";
  if (Math.abs(value) >= 1e7) return Math.round(value).toString();
  const text = value.toPrecision(7);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function formatProbability(p: number): string {
  if (p < 1e-12) return "< 1e-12";
  if (p < 1e-4) return p.toExponential(1);
  return String(Number(p.toPrecision(3)));
}

/** A probability as a percentage for people: "50%", "4.9%", "0.042%". */
function formatPercent(p: number): string {
  const percent = p * 100;
  if (percent >= 10) return `${Math.round(percent)}%`;
  return `${Number(percent.toPrecision(2))}%`;
}

function formatRange(range: NumberRange): string {
  return `${range.min}..${range.max}`;
}

/** The verdict's words and its colour. */
function verdict(
  stats: StreamStats,
  test: ChiSquareResult | undefined,
  colors: Colors,
): string {
  const range = stats.range;
  if (range === undefined) return "no numbers to judge";
  const outside = stats.below + stats.above;
  if (outside > 0) {
    return colors.red(
      `not from ${
        formatRange(range)
      }: ${outside} of the numbers fall outside it`,
    );
  }
  if (range.min === range.max) {
    return `every number is ${range.min}; a range of one value has nothing to test`;
  }
  if (test === undefined) {
    return `too few numbers for a chi-square test (at least ${
      2 * MIN_EXPECTED
    } needed)`;
  }
  const chance = formatPercent(test.pValue);
  if (test.pValue >= 0.01) {
    return colors.green(
      `looks uniform: a fair source is this uneven or more ${chance} of the time`,
    );
  }
  if (test.pValue >= 0.001) {
    return colors.yellow(
      `doubtful: a fair source is this uneven only ${chance} of the time`,
    );
  }
  return colors.red(
    "not uniform: a fair source is this uneven under 0.1% of the time",
  );
}

function describeBins(test: ChiSquareResult): string {
  const sizes = test.bins.map((bin) => bin.values);
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const per = smallest === largest
    ? `${largest} value${largest === 1 ? "" : "s"}`
    : `about ${formatReal(largest)} values`;
  return `${test.bins.length} bins of ${per}`;
}

/**
 * The `--stats` report: count, min, max, mean and standard deviation beside
 * what a uniform distribution over the range would give, numbers outside
 * the range, the chi-square statistic, its p-value and a plain verdict. Ends
 * with a newline.
 *
 * @example Usage
 * ```ts
 * import { formatStats, StreamStats } from "@randport/randport";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 100 } });
 * stats.add([58, 25, 73, 22, 19, 48, 61, 33, 47, 31]);
 * console.log(formatStats(stats));
 * ```
 *
 * @param stats The statistics.
 * @param options Colours.
 * @returns Lines of text.
 */
export function formatStats(
  stats: StreamStats,
  options: FormatStatsOptions = {},
): string {
  const colors = options.colors ?? createColors();
  const range = stats.range;
  const test = uniformityTest(stats);
  const rows: [string, string, string][] = [];
  rows.push(["count", String(stats.count), ""]);
  if (range !== undefined) {
    const uniform = uniformMoments(range);
    const heading = `uniform ${formatRange(range)}${
      stats.rangeObserved ? " (observed)" : ""
    }`;
    rows.push(["", "observed", heading]);
    // Integers print whole (no rounding); "-" before any number.
    const whole = (n: number) => Number.isNaN(n) ? "-" : String(n);
    rows.push(["min", whole(stats.min), String(range.min)]);
    rows.push(["max", whole(stats.max), String(range.max)]);
    rows.push(["mean", formatReal(stats.mean), formatReal(uniform.mean)]);
    rows.push([
      "std dev",
      formatReal(stats.standardDeviation),
      formatReal(uniform.standardDeviation),
    ]);
  }
  if (stats.below + stats.above > 0) {
    rows.push([
      "outside",
      String(stats.below + stats.above),
      `${stats.below} below ${range?.min}, ${stats.above} above ${range?.max}`,
    ]);
  }
  const labelWidth = 12;
  const valueWidth = Math.max(10, ...rows.map(([, value]) => value.length + 2));
  const lines = rows.map(([label, value, uniform]) =>
    (colors.dim(label.padEnd(labelWidth)) + value.padEnd(valueWidth) +
      (label === "" ? colors.dim(uniform) : uniform)).trimEnd()
  );
  if (test !== undefined) {
    lines.push(
      colors.dim("chi-square".padEnd(labelWidth)) +
        `${formatReal(test.statistic)} with ${test.degreesOfFreedom} ` +
        `degree${test.degreesOfFreedom === 1 ? "" : "s"} of freedom ` +
        `(${describeBins(test)})`,
    );
    lines.push(
      colors.dim("p-value".padEnd(labelWidth)) +
        formatProbability(test.pValue),
    );
  }
  lines.push(
    colors.dim("verdict".padEnd(labelWidth)) + verdict(stats, test, colors),
  );
  return lines.join("\n") + "\n";
}
