/**
 * Strings of characters drawn uniformly from an alphabet: `RANDSTRING`'s
 * draw.
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";
import { randomBelow } from "./random_below.ts";

/**
 * A string of `length` characters, each `alphabet[randomBelow(size)]`, one
 * after another from the first: exactly uniform over the alphabet, and
 * reproducible from a seeded source.
 *
 * @example Usage
 * ```ts
 * import { randomString } from "@randport/randport/random";
 *
 * const pin = randomString(4, [..."0123456789"]);
 * console.log(/^\d{4}$/.test(pin)); // true
 * ```
 *
 * @param length How many characters, a non-negative integer.
 * @param alphabet The characters to draw from (whole characters, not
 * UTF-16 units, if the caller wants them whole), at least one.
 * @param options Where the words come from.
 * @returns The string.
 * @throws {RangeError} When the alphabet is empty and `length` is not 0.
 */
export function randomString(
  length: number,
  alphabet: readonly string[],
  options: SamplerOptions = {},
): string {
  let text = "";
  for (let c = 0; c < length; c++) {
    text += alphabet[randomBelow(alphabet.length, options)];
  }
  return text;
}
