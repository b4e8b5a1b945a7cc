/**
 * Statistics of a stream of integers in fixed memory: counts per value or
 * per bin ({@linkcode Tally}), count, min, max, mean and standard deviation
 * ({@linkcode StreamStats}), and the chi-square test of uniformity
 * ({@linkcode chiSquareUniform}, {@linkcode uniformityTest}) with its
 * p-value.
 *
 * ```ts
 * import { StreamStats, uniformityTest } from "@randport/randport/stats";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 6 } });
 * for (let i = 0; i < 600; i++) stats.add([1 + (i % 6)]); // perfectly even
 * console.log(stats.mean); // 3.5
 * console.log(uniformityTest(stats)?.pValue); // 1
 * ```
 *
 * @module
 */

export * from "./chi_square.ts";
export * from "./stream_stats.ts";
export * from "./tally.ts";
export * from "./uniformity_test.ts";
