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
