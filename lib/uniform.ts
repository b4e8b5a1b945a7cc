/**
 * Exactly uniform integers from uniform 32-bit words.
 *
 * Every method here is exact rejection sampling: a word (or a combination of
 * words) is accepted only if it falls below the largest multiple of the range
 * size that fits, so every value is equally likely: no modulo bias and no
 * floating-point rounding.
 *
 * @module
 */

import { rangeSize } from "./payload.ts";
import { cryptoRandomSource, type RandomSource } from "./random.ts";

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const HIGH_21_BITS = 0x1fffff;

/**
 * Options shared by the samplers in this module and {@linkcode randomBelow}.
 */
export interface SamplerOptions {
  /**
   * Where the random words come from.
   *
   * @default {cryptoRandomSource()}
   */
  source?: RandomSource;
}

/**
 * A uniform integer in `0..bound-1`, for any bound up to 2^53.
 *
 * @example Usage
 * ```ts
 * import { randomBelow } from "@randport/randport";
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

/** Fills arrays with integers; the common shape of every sampler. */
export interface IntegerSampler {
  /**
   * Writes the next `count` numbers into `out[0..count-1]`.
   *
   * @param out Where to write; must hold at least `count` numbers.
   * @param count How many numbers to write.
   */
  fill(out: Float64Array, count: number): void;
}

/**
 * Draws integers uniformly from `min..max` (inclusive), for any range within
 * ±(2^53−1), including ranges wider than 2^53.
 *
 * For ranges of up to 2^32 values, one accepted word yields as many numbers as
 * it has full base-`n` digits (4 numbers per word for 1..100): the word is
 * accepted below the largest multiple of `n^k`, so its `k` digits are
 * independent and uniform. Leftover digits are kept for the next call, so a
 * seeded sequence does not depend on how it is chunked.
 *
 * @example Usage
 * ```ts
 * import { UniformSampler } from "@randport/randport";
 *
 * const sampler = new UniformSampler(1, 100);
 * const out = new Float64Array(10);
 * sampler.fill(out, 10);
 * console.log(out.every((n) => n >= 1 && n <= 100)); // true
 * ```
 */
export class UniformSampler implements IntegerSampler {
  readonly #source: RandomSource;
  readonly #min: number;
  /** Range size when it is at most 2^53; 0 for wider ranges. */
  readonly #size: number;
  /** Digits per word (k) and the word acceptance limit, for size <= 2^32. */
  readonly #digits: number;
  readonly #block: number;
  readonly #limit: number;
  /** Digits of the last accepted word not handed out yet. */
  readonly #spare: Float64Array;
  #spareCount = 0;
  /** Exact arithmetic for ranges wider than 2^53. */
  readonly #bigMin: bigint;
  readonly #bigSize: bigint;
  readonly #bigLimit: bigint;

  /**
   * Creates a sampler for `min..max`.
   *
   * @param min The smallest value (inclusive), a safe integer.
   * @param max The largest value (inclusive), a safe integer >= min.
   * @param options Where the random words come from.
   */
  constructor(min: number, max: number, options: SamplerOptions = {}) {
    this.#source = options.source ?? cryptoRandomSource();
    this.#min = min;
    const bigSize = rangeSize(min, max);
    this.#bigMin = BigInt(min);
    this.#bigSize = bigSize;
    this.#bigLimit = 0n;
    this.#digits = 0;
    this.#block = 0;
    this.#limit = 0;
    this.#size = 0;
    if (bigSize <= BigInt(TWO_32)) {
      const size = Number(bigSize);
      let digits = 1;
      let block = size;
      while (size > 1 && block * size <= TWO_32) {
        block *= size;
        digits++;
      }
      this.#size = size;
      this.#digits = digits;
      this.#block = block;
      this.#limit = TWO_32 - (TWO_32 % block);
    } else if (bigSize <= BigInt(TWO_53)) {
      this.#size = Number(bigSize);
      this.#limit = TWO_53 - (TWO_53 % this.#size);
    } else {
      // 54 random bits cover any range within ±(2^53−1).
      const span = 1n << 54n;
      this.#bigLimit = span - (span % bigSize);
    }
    this.#spare = new Float64Array(this.#digits);
  }

  /**
   * Writes the next `count` numbers into `out[0..count-1]`.
   *
   * @param out Where to write; must hold at least `count` numbers.
   * @param count How many numbers to write.
   */
  fill(out: Float64Array, count: number): void {
    if (this.#digits > 0) this.#fillDigits(out, count);
    else if (this.#size > 0) this.#fillWide(out, count);
    else this.#fillHuge(out, count);
  }

  #fillDigits(out: Float64Array, count: number): void {
    const source = this.#source;
    const size = this.#size;
    const min = this.#min;
    const digits = this.#digits;
    const block = this.#block;
    const limit = this.#limit;
    const spare = this.#spare;
    let i = 0;
    while (i < count && this.#spareCount > 0) {
      out[i++] = spare[--this.#spareCount];
    }
    if (size === 1) {
      out.fill(min, i, count);
      return;
    }
    while (i < count) {
      const word = source.nextUint32();
      if (word >= limit) continue;
      let rest = word % block;
      let d = 0;
      for (; d < digits && i < count; d++) {
        const digit = rest % size;
        rest = (rest - digit) / size;
        out[i++] = min + digit;
      }
      // Spare digits are handed out from the top, so store them in reverse:
      // the sequence must not depend on how it is chunked.
      const left = digits - d;
      for (let j = left - 1; j >= 0; j--) {
        const digit = rest % size;
        rest = (rest - digit) / size;
        spare[j] = min + digit;
      }
      this.#spareCount = left;
    }
  }

  #fillWide(out: Float64Array, count: number): void {
    const source = this.#source;
    const size = this.#size;
    const min = this.#min;
    const limit = this.#limit;
    for (let i = 0; i < count;) {
      const wide = (source.nextUint32() & HIGH_21_BITS) * TWO_32 +
        source.nextUint32();
      if (wide < limit) out[i++] = min + (wide % size);
    }
  }

  #fillHuge(out: Float64Array, count: number): void {
    const source = this.#source;
    for (let i = 0; i < count;) {
      const high = BigInt(source.nextUint32() & 0x3fffff);
      const wide = (high << 32n) | BigInt(source.nextUint32());
      if (wide < this.#bigLimit) {
        out[i++] = Number(this.#bigMin + (wide % this.#bigSize));
      }
    }
  }
}
