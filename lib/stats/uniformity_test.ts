/**
 * Is it uniform? The chi-square test of a {@linkcode StreamStats}, with the
 * bins chosen from the count and the range.
 *
 * @module
 */

import { type ChiSquareResult, chiSquareUniform } from "./chi_square.ts";
import type { StreamStats } from "./stream_stats.ts";

/**
 * The most bins {@linkcode uniformityTest} uses: enough to see the shape of
 * any bias.
 *
 * @example Usage
 * ```ts
 * import { UNIFORMITY_MAX_BINS } from "@randport/randport/stats";
 *
 * console.log(UNIFORMITY_MAX_BINS); // 1000
 * ```
 */
export const UNIFORMITY_MAX_BINS = 1000;

/**
 * The fewest numbers a bin of {@linkcode uniformityTest} should expect, the
 * usual rule for the chi-square approximation to hold.
 *
 * @example Usage
 * ```ts
 * import { UNIFORMITY_MIN_EXPECTED } from "@randport/randport/stats";
 *
 * console.log(UNIFORMITY_MIN_EXPECTED); // 5
 * ```
 */
export const UNIFORMITY_MIN_EXPECTED = 5;

/**
 * Runs the chi-square test of {@linkcode chiSquareUniform} on `stats`: one
 * bin per value when every value can expect at least 5 numbers and the range
 * holds at most 1000 values, otherwise as many equal bins as the count
 * allows (up to 1000). Returns `undefined` when there are too few numbers.
 *
 * @example Usage
 * ```ts
 * import { StreamStats, uniformityTest } from "@randport/randport/stats";
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
  const bins = Math.min(
    UNIFORMITY_MAX_BINS,
    Math.floor(within / UNIFORMITY_MIN_EXPECTED),
  );
  if (bins < 2) return undefined;
  return chiSquareUniform(stats.groups(bins), {
    minExpected: UNIFORMITY_MIN_EXPECTED,
  });
}

/**
 * The fewest numbers within the range with which {@linkcode uniformityTest}
 * gives a result: two bins that each expect
 * {@linkcode UNIFORMITY_MIN_EXPECTED} numbers. That is 10 when the range's
 * halves are equal, more when they are not (11 for 1..11, 15 for 1..3,
 * where the smaller half holds one value of three); `undefined` before any
 * number or for a range of one value, which has nothing to test.
 *
 * @example Usage
 * ```ts
 * import { StreamStats, uniformityTestMinimum } from "@randport/randport/stats";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 11 } });
 * console.log(uniformityTestMinimum(stats)); // 11
 * ```
 *
 * @param stats The statistics whose range is tested.
 * @returns The count needed, or `undefined`.
 */
export function uniformityTestMinimum(stats: StreamStats): number | undefined {
  const range = stats.range;
  if (range === undefined || range.min === range.max) return undefined;
  const halves = stats.groups(2);
  const values = halves.reduce((sum, half) => sum + half.values, 0);
  const smaller = Math.min(...halves.map((half) => half.values));
  // The smaller half expects count * smaller / values numbers.
  return Math.max(
    2 * UNIFORMITY_MIN_EXPECTED,
    Math.ceil(UNIFORMITY_MIN_EXPECTED * values / smaller - 1e-9),
  );
}
