/**
 * The client's `--stats` report: count, min, max, mean and standard
 * deviation beside what a uniform distribution gives, the chi-square test,
 * and a verdict in plain words.
 *
 * @module
 */

import type { ChiSquareResult } from "../stats/chi_square.ts";
import type { NumberRange, StreamStats } from "../stats/stream_stats.ts";
import {
  UNIFORMITY_MIN_EXPECTED,
  uniformityTest,
  uniformityTestMinimum,
} from "../stats/uniformity_test.ts";
import { type Colors, createColors } from "./colors.ts";

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
    const needed = uniformityTestMinimum(stats) ??
      2 * UNIFORMITY_MIN_EXPECTED;
    return `too few numbers for a chi-square test of ${
      formatRange(range)
    } (at least ${needed} needed)`;
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
 * import { StreamStats } from "../stats/stream_stats.ts";
 * import { formatStats } from "./stats_report.ts";
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
