/**
 * Fisher–Yates, stopped after `count` steps: a uniform shuffle, or a
 * uniform sample without replacement in random order.
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";
import { randomBelow } from "./random_below.ts";

/** Options for {@linkcode shuffle}. */
export interface ShuffleOptions extends SamplerOptions {
  /**
   * How many items to return: the first `count` positions of the shuffle,
   * 0 to the number of items.
   *
   * @default {items.length}
   */
  count?: number;
}

/**
 * The items in a uniformly random order, or the first `count` of it: for
 * `i` from 0, swap position `i` with position `i + randomBelow(n − i)`.
 * The input is not changed.
 *
 * @example Usage
 * ```ts
 * import { shuffle } from "@randport/randport/random";
 *
 * const hand = shuffle(["a", "b", "c", "d"], { count: 2 });
 * console.log(hand.length); // 2
 * ```
 *
 * @typeParam T The items' type.
 * @param items What to shuffle.
 * @param options How many to keep, and where the words come from.
 * @returns A new array.
 */
export function shuffle<T>(
  items: readonly T[],
  options: ShuffleOptions = {},
): T[] {
  const count = options.count ?? items.length;
  if (!Number.isInteger(count) || count < 0 || count > items.length) {
    throw new RangeError(
      `count: expected an integer from 0 to ${items.length}, got ${count}`,
    );
  }
  const out = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + randomBelow(out.length - i, options);
    [out[i], out[j]] = [out[j], out[i]];
  }
  out.length = count;
  return out;
}
