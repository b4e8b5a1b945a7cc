/**
 * Distinct integers of a range in random order, by Fisher–Yates over the
 * range itself, touching only the positions it moves.
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";
import { randomBelow } from "./random_below.ts";
import { rangeSize } from "./range_size.ts";
import { wideBelow } from "./_wide_below.ts";

/**
 * `count` distinct integers of `min..max`, every ordered selection equally
 * likely: {@linkcode shuffle}'s first `count` steps over the list `min`,
 * `min + 1`, …, `max`, kept in a map of the positions swapped so far (memory
 * grows with `count`, not with the range).
 *
 * @example Usage
 * ```ts
 * import { distinctIntegers } from "@randport/randport/random";
 *
 * const draw = distinctIntegers(6, { min: 1, max: 49 });
 * console.log(new Set(draw).size); // 6
 * ```
 *
 * @param count How many, 0 to the range's size (and at most 2^32).
 * @param range The range, `min <= max`, safe integers.
 * @param options Where the words come from.
 * @returns The integers, in the order drawn.
 */
export function distinctIntegers(
  count: number,
  range: { min: number; max: number },
  options: SamplerOptions = {},
): number[] {
  const { min, max } = range;
  const size = rangeSize(min, max);
  if (!Number.isInteger(count) || count < 0 || BigInt(count) > size) {
    throw new RangeError(
      `count: expected an integer from 0 to ${size}, got ${count}`,
    );
  }
  if (size > 2n ** 53n) return distinctWide(count, min, size, options);
  const n = Number(size);
  // Offsets from min; a position absent from the map holds its own offset.
  const moved = new Map<number, number>();
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const j = i + randomBelow(n - i, options);
    const atJ = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out[i] = min + atJ;
  }
  return out;
}

/** The same over more than 2^53 values, where positions need bigints. */
function distinctWide(
  count: number,
  min: number,
  size: bigint,
  options: SamplerOptions,
): number[] {
  const moved = new Map<bigint, bigint>();
  const out = new Array<number>(count);
  for (let i = 0n; i < BigInt(count); i++) {
    const j = i + wideBelow(size - i, options.source);
    const atJ = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out[Number(i)] = Number(BigInt(min) + atJ);
  }
  return out;
}
