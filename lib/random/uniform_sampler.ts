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

import { cryptoRandomSource } from "./crypto_random_source.ts";
import type {
  IntegerSampler,
  SamplerBlocks,
  SamplerOptions,
} from "./integer_sampler.ts";
import { rangeSize } from "./range_size.ts";
import type { RandomSource } from "./random_source.ts";
import {
  drawWords,
  HIGH_21_BITS,
  TWO_32,
  TWO_53,
  WORD_SCRATCH,
  words,
} from "./_words.ts";

/** A range wider than 2^53 values, in exact arithmetic. */
interface HugeRange {
  min: bigint;
  size: bigint;
  limit: bigint;
}

/** How a sampler draws from one range; see UniformSampler. */
interface RangePlan {
  /** The range size when at most 2^53, else 0. */
  size: number;
  /** For sizes up to 2^32: digits per word, n^digits, and the limit. */
  digits: number;
  block: number;
  limit: number;
  huge: HugeRange | undefined;
}

// A server builds a sampler per connection for one range: remember the last.
let lastRange: { min: number; max: number; plan: RangePlan } | undefined;

function rangeOf(min: number, max: number): RangePlan {
  if (lastRange && lastRange.min === min && lastRange.max === max) {
    return lastRange.plan;
  }
  // Safe integers that differ by less than 2^53 subtract exactly; anything
  // else (and every invalid range) goes through rangeSize's exact checks.
  const plan: RangePlan = {
    size: 0,
    digits: 0,
    block: 0,
    limit: 0,
    huge: undefined,
  };
  const exact = Number.isSafeInteger(min) && Number.isSafeInteger(max) &&
    min <= max && max - min < TWO_53;
  if (exact && max - min < TWO_32) {
    const size = max - min + 1;
    let digits = 1;
    let block = size;
    while (size > 1 && block * size <= TWO_32) {
      block *= size;
      digits++;
    }
    plan.size = size;
    plan.digits = digits;
    plan.block = block;
    plan.limit = TWO_32 - (TWO_32 % block);
  } else if (exact) {
    plan.size = max - min + 1;
    plan.limit = TWO_53 - (TWO_53 % plan.size);
  } else {
    // Invalid ranges throw here; valid ones differ by 2^53 or more.
    const size = rangeSize(min, max);
    // 54 random bits cover any range within ±(2^53−1).
    const span = 1n << 54n;
    plan.huge = { min: BigInt(min), size, limit: span - (span % size) };
  }
  lastRange = { min, max, plan };
  return plan;
}

let pendingOf: (sampler: UniformSampler) => number;
let fillBlocksOf: (
  sampler: UniformSampler,
  out: Uint32Array,
  count: number,
) => void;

/** A {@linkcode UniformSampler}'s numbers as blocks; see `SamplerBlocks`. */
class UniformBlocks implements SamplerBlocks {
  readonly #sampler: UniformSampler;
  readonly size: number;
  readonly radix: number;
  readonly offset: number;

  constructor(
    sampler: UniformSampler,
    size: number,
    radix: number,
    offset: number,
  ) {
    this.#sampler = sampler;
    this.size = size;
    this.radix = radix;
    this.offset = offset;
  }

  get pending(): number {
    return pendingOf(this.#sampler);
  }

  fill(out: Uint32Array, count: number): void {
    fillBlocksOf(this.#sampler, out, count);
  }
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
 * Those `k` numbers can also be taken whole, as one block
 * ({@linkcode UniformSampler.blocks}, see `SamplerBlocks`): the accepted
 * word reduced modulo `n^k`, whose base-`n` digits, lowest first, are the
 * numbers minus `min`. A table-driven encoder turns a block into text
 * without ever holding the numbers, and the sequence stays the one
 * {@linkcode UniformSampler.fill} gives.
 *
 * @example Usage
 * ```ts
 * import { UniformSampler } from "@randport/randport/random";
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
  /**
   * Digits of the last accepted word not handed out yet: `#spareCount`
   * base-n digits of `#spare`, lowest first.
   */
  #spare = 0;
  #spareCount = 0;
  /** Exact arithmetic for ranges wider than 2^53. */
  readonly #huge: HugeRange | undefined;
  /**
   * The numbers as blocks of `k` (see `SamplerBlocks`); `undefined` for
   * ranges wider than 2^32 values, and for one-value ranges, which need no
   * randomness at all.
   */
  readonly blocks: SamplerBlocks | undefined;

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
    const range = rangeOf(min, max);
    this.#size = range.size;
    this.#digits = range.digits;
    this.#block = range.block;
    this.#limit = range.limit;
    this.#huge = range.huge;
    this.blocks = range.size > 1 && range.digits > 0
      ? new UniformBlocks(this, range.digits, range.size, min)
      : undefined;
  }

  static {
    // The block view reaches the sampler's private state through these, so
    // that it can be a plain class: a server builds one per connection, and
    // an object literal with an accessor costs several times as much.
    pendingOf = (sampler) => sampler.#spareCount;
    fillBlocksOf = (sampler, out, count) => sampler.#fillBlocks(out, count);
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

  #fillBlocks(out: Uint32Array, count: number): void {
    if (this.#spareCount > 0) {
      throw new RangeError(
        "blocks.fill: numbers are pending; fill() them first",
      );
    }
    const source = this.#source;
    const block = this.#block;
    const inverse = 1 / block;
    const limit = this.#limit;
    for (let i = 0; i < count;) {
      // Every word accepted would complete the request exactly, so no word
      // is drawn beyond the last one used.
      const want = Math.min(count - i, WORD_SCRATCH);
      drawWords(source, words, want);
      for (let j = 0; j < want; j++) {
        const word = words[j];
        if (word < limit) {
          out[i++] = word - Math.floor((word + 0.5) * inverse) * block;
        }
      }
    }
  }

  #fillDigits(out: Float64Array, count: number): void {
    const source = this.#source;
    const size = this.#size;
    const min = this.#min;
    const digits = this.#digits;
    const block = this.#block;
    const limit = this.#limit;
    let i = 0;
    if (this.#spareCount > 0) {
      let rest = this.#spare;
      let left = this.#spareCount;
      for (; i < count && left > 0; left--) {
        const quotient = Math.floor(rest / size);
        out[i++] = min + (rest - quotient * size);
        rest = quotient;
      }
      this.#spare = rest;
      this.#spareCount = left;
    }
    if (size === 1) {
      out.fill(min, i, count);
      return;
    }
    while (i < count) {
      // Only the last of these words can be needed in part; see #fillBlocks.
      const want = Math.min(Math.ceil((count - i) / digits), WORD_SCRATCH);
      drawWords(source, words, want);
      for (let j = 0; j < want; j++) {
        const word = words[j];
        if (word >= limit) continue;
        let rest = word - Math.floor(word / block) * block;
        let d = 0;
        for (; d < digits && i < count; d++) {
          const quotient = Math.floor(rest / size);
          out[i++] = min + (rest - quotient * size);
          rest = quotient;
        }
        // The word's other digits come next, whatever the next call asks
        // for: the sequence must not depend on how it is chunked.
        this.#spare = rest;
        this.#spareCount = digits - d;
      }
    }
  }

  #fillWide(out: Float64Array, count: number): void {
    const source = this.#source;
    const size = this.#size;
    const min = this.#min;
    const limit = this.#limit;
    for (let i = 0; i < count;) {
      // Two words per number, high part first; as in #fillDigits, the
      // request can only complete at the last pair drawn.
      const want = Math.min(count - i, WORD_SCRATCH / 2);
      drawWords(source, words, 2 * want);
      for (let j = 0; j < 2 * want; j += 2) {
        const wide = (words[j] & HIGH_21_BITS) * TWO_32 + words[j + 1];
        if (wide < limit) {
          // A division only when there is something to reduce: for ranges
          // near 2^53 values (the whole 0..2^53−1) there never is.
          out[i++] = min +
            (wide < size ? wide : wide - Math.floor(wide / size) * size);
        }
      }
    }
  }

  #fillHuge(out: Float64Array, count: number): void {
    const source = this.#source;
    const { min, size, limit } = this.#huge!;
    for (let i = 0; i < count;) {
      const high = BigInt(source.nextUint32() & 0x3fffff);
      const wide = (high << 32n) | BigInt(source.nextUint32());
      if (wide < limit) out[i++] = Number(min + (wide % size));
    }
  }
}
