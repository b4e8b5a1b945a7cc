/**
 * One uniform integer in any range within ±(2^53−1), word by word: the
 * draw that PROTOCOL.md §5.4 specifies for seeded requests.
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";
import { randomBelow } from "./random_below.ts";
import { rangeSize } from "./range_size.ts";
import { wideBelow } from "./_wide_below.ts";
import { TWO_53 } from "./_words.ts";

/**
 * A uniform integer in `min..max`: `min + randomBelow(size)` for ranges of
 * up to 2^53 values; for wider ones (up to 2^54−1 values, the whole of
 * ±(2^53−1)), two words `a`, `b` give `(a mod 2^22)·2^32 + b`, kept when
 * below the largest multiple of the size under 2^54.
 *
 * @example Usage
 * ```ts
 * import { randomInteger } from "@randport/randport/random";
 *
 * const n = randomInteger(-5, 5);
 * console.log(n >= -5 && n <= 5); // true
 * ```
 *
 * @param min The smallest value, a safe integer.
 * @param max The largest value, a safe integer, at least `min`.
 * @param options Where the words come from.
 * @returns The drawn integer.
 */
export function randomInteger(
  min: number,
  max: number,
  options: SamplerOptions = {},
): number {
  const size = rangeSize(min, max);
  if (size <= BigInt(TWO_53)) return min + randomBelow(Number(size), options);
  return Number(BigInt(min) + wideBelow(size, options.source));
}
