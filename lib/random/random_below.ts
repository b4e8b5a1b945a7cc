/**
 * One uniform integer below a bound, by exact rejection sampling.
 *
 * @module
 */

import { cryptoRandomSource } from "./crypto_random_source.ts";
import type { SamplerOptions } from "./integer_sampler.ts";
import { HIGH_21_BITS, TWO_32, TWO_53 } from "./_words.ts";

/**
 * A uniform integer in `0..bound-1`, for any bound up to 2^53.
 *
 * @example Usage
 * ```ts
 * import { randomBelow } from "@randport/randport/random";
 *
 * const die = randomBelow(6) + 1;
 * console.log(die >= 1 && die <= 6); // true
 * ```
 *
 * @param bound The number of possible results, 1..2^53.
 * @param options Where the random words come from.
 * @returns The drawn integer.
 */
export function randomBelow(
  bound: number,
  options: SamplerOptions = {},
): number {
  const source = options.source ?? cryptoRandomSource();
  if (!Number.isInteger(bound) || bound < 1 || bound > TWO_53) {
    throw new RangeError(`bound: expected an integer in 1..2^53, got ${bound}`);
  }
  if (bound <= TWO_32) {
    const limit = TWO_32 - (TWO_32 % bound);
    for (;;) {
      const word = source.nextUint32();
      if (word < limit) return word % bound;
    }
  }
  const limit = TWO_53 - (TWO_53 % bound);
  for (;;) {
    const wide = (source.nextUint32() & HIGH_21_BITS) * TWO_32 +
      source.nextUint32();
    if (wide < limit) return wide % bound;
  }
}
