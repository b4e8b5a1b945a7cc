/**
 * Random numbers, exactly uniform: sources of 32-bit words (the operating
 * system's CSPRNG, or a seeded generator for reproducible output) and the
 * samplers that turn words into integers of any range within ±(2^53−1) by
 * exact rejection sampling, with or without repeats.
 *
 * ```ts
 * import {
 *   SeededRandomSource,
 *   UniformSampler,
 *   UniqueSampler,
 * } from "@randport/randport/random";
 *
 * const dice = new Float64Array(3);
 * new UniformSampler(1, 6).fill(dice, 3); // three dice from the CSPRNG
 * console.log(dice.every((n) => n >= 1 && n <= 6)); // true
 *
 * const lottery = new Float64Array(6);
 * new UniqueSampler(1, 49, { source: new SeededRandomSource(42) })
 *   .fill(lottery, 6); // the same 6 distinct numbers on every run
 * console.log(new Set(lottery).size); // 6
 * ```
 *
 * @module
 */

export * from "./crypto_random_source.ts";
export * from "./integer_sampler.ts";
export * from "./random_below.ts";
export * from "./random_source.ts";
export * from "./range_size.ts";
export * from "./seeded_random_source.ts";
export * from "./uniform_sampler.ts";
export * from "./unique_sampler.ts";
export * from "./chacha20_source.ts";
export * from "./distinct_integers.ts";
export * from "./random_integer.ts";
export * from "./seed_source.ts";
export * from "./shuffle.ts";
export * from "./random_bytes.ts";
export * from "./random_uuid.ts";
export * from "./random_string.ts";
