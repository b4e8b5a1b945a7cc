/**
 * Sampling without replacement: every value at most once per sampler.
 *
 * @module
 */

import { cryptoRandomSource } from "./crypto_random_source.ts";
import type { IntegerSampler, SamplerOptions } from "./integer_sampler.ts";
import { randomBelow } from "./random_below.ts";
import type { RandomSource } from "./random_source.ts";
import { rangeSize } from "./range_size.ts";
import { UniformSampler } from "./uniform_sampler.ts";
import { TWO_53 } from "./_words.ts";

/**
 * Draws distinct integers from `min..max` in uniformly random order, at a cost
 * linear in the number drawn.
 *
 * It runs a partial Fisher–Yates shuffle over the virtual array
 * `[min, min+1, ..., max]`, remembering only the positions it has swapped (a
 * sparse map), so a sampler over 1..2^53 costs nothing up front. Each draw is
 * one {@linkcode randomBelow} call; nothing is ever retried because of a
 * repeat.
 *
 * Ranges wider than 2^53 values cannot be indexed exactly with doubles; there
 * the sampler draws uniformly and redraws a repeat. With at most 10^6 draws
 * from more than 2^53 values a repeat has probability below 10^-4 per
 * payload, so the expected cost is still linear.
 *
 * @example Usage
 * ```ts
 * import { UniqueSampler } from "@randport/randport/random";
 *
 * const sampler = new UniqueSampler(1, 10);
 * const out = new Float64Array(10);
 * sampler.fill(out, 10);
 * console.log(new Set(out).size); // 10
 * ```
 */
export class UniqueSampler implements IntegerSampler {
  readonly #source: RandomSource;
  readonly #min: number;
  /** Range size when at most 2^53, else 0. */
  readonly #size: number;
  /** Fisher–Yates position: how many values have been drawn. */
  #drawn = 0;
  /** Positions whose value differs from `min + position`. */
  readonly #swapped = new Map<number, number>();
  /** Values drawn so far, and their sampler, for ranges wider than 2^53. */
  readonly #seen = new Set<number>();
  readonly #wide: UniformSampler | undefined;

  /**
   * Creates a sampler for distinct values of `min..max`.
   *
   * @param min The smallest value (inclusive), a safe integer.
   * @param max The largest value (inclusive), a safe integer >= min.
   * @param options Where the random words come from.
   */
  constructor(min: number, max: number, options: SamplerOptions = {}) {
    this.#source = options.source ?? cryptoRandomSource();
    this.#min = min;
    const size = rangeSize(min, max);
    this.#size = size <= BigInt(TWO_53) ? Number(size) : 0;
    if (this.#size === 0) {
      this.#wide = new UniformSampler(min, max, { source: this.#source });
    }
  }

  /**
   * Writes the next `count` distinct numbers into `out[0..count-1]`.
   *
   * @param out Where to write; must hold at least `count` numbers.
   * @param count How many numbers to write.
   * @throws {RangeError} When the range has fewer values left than asked.
   */
  fill(out: Float64Array, count: number): void {
    if (this.#size === 0) {
      this.#fillHuge(out, count);
      return;
    }
    if (count > this.#size - this.#drawn) {
      throw new RangeError(
        `count: only ${this.#size - this.#drawn} unique values are left`,
      );
    }
    const swapped = this.#swapped;
    const options = { source: this.#source };
    for (let i = 0; i < count; i++) {
      const position = this.#drawn++;
      const pick = position + randomBelow(this.#size - position, options);
      const picked = swapped.get(pick) ?? pick;
      if (pick !== position) {
        swapped.set(pick, swapped.get(position) ?? position);
      }
      swapped.delete(position);
      out[i] = this.#min + picked;
    }
  }

  #fillHuge(out: Float64Array, count: number): void {
    const seen = this.#seen;
    const one = new Float64Array(1);
    for (let i = 0; i < count;) {
      this.#wide!.fill(one, 1);
      if (seen.has(one[0])) continue;
      seen.add(one[0]);
      out[i++] = one[0];
    }
  }
}
