/**
 * The interface every integer sampler implements, and the optional block
 * capability through which an encoder can take several numbers per random
 * word without ever holding them.
 *
 * @module
 */

import type { RandomSource } from "./random_source.ts";

/** Options shared by the samplers and `randomBelow`. */
export interface SamplerOptions {
  /**
   * Where the random words come from.
   *
   * @default {cryptoRandomSource()}
   */
  source?: RandomSource;
}

/**
 * The numbers of a sampler, several at a time: a *block* is one integer
 * that stands for the next {@linkcode SamplerBlocks.size} numbers of the
 * sampler, as its base-{@linkcode SamplerBlocks.radix} digits, lowest first:
 *
 *     block = (x[0] − offset) + (x[1] − offset)·radix + (x[2] − offset)·radix² + …
 *
 * where `x[0], x[1], …` are exactly the numbers `fill` would have returned
 * next. Drawing blocks or numbers is one sequence: a seeded sampler gives
 * the same numbers whichever way it is read, so an encoder that decodes
 * blocks by this formula writes what `fill` would have given.
 *
 * @example Usage
 * ```ts
 * import { SeededRandomSource, UniformSampler } from "@randport/randport/random";
 *
 * const a = new UniformSampler(1, 100, { source: new SeededRandomSource(7) });
 * const b = new UniformSampler(1, 100, { source: new SeededRandomSource(7) });
 * const blocks = new Uint32Array(1);
 * a.blocks!.fill(blocks, 1);
 * const numbers = new Float64Array(a.blocks!.size);
 * b.fill(numbers, numbers.length);
 * const { radix, offset } = a.blocks!;
 * console.log(numbers[1] === offset + Math.floor(blocks[0] / radix) % radix); // true
 * ```
 */
export interface SamplerBlocks {
  /** Numbers per block, at least 1: as many as one 32-bit word holds. */
  readonly size: number;
  /** The base of a block's digits: the size of the sampler's range. */
  readonly radix: number;
  /** What a digit 0 stands for: the smallest value of the range. */
  readonly offset: number;
  /**
   * How many numbers `fill` must hand out before the next block boundary:
   * blocks can only be drawn when this is 0.
   */
  readonly pending: number;
  /**
   * Draws the next `count` blocks into `out[0..count-1]`.
   *
   * @param out Where to write; must hold at least `count` blocks.
   * @param count How many blocks to write.
   * @throws {RangeError} When numbers are {@linkcode SamplerBlocks.pending}.
   */
  fill(out: Uint32Array, count: number): void;
}

/**
 * A source of integers: the common shape of every sampler.
 *
 * @example Usage
 * ```ts
 * import { type IntegerSampler, UniformSampler } from "@randport/randport/random";
 *
 * const sampler: IntegerSampler = new UniformSampler(1, 6);
 * const out = new Float64Array(3);
 * sampler.fill(out, 3);
 * console.log(out.every((n) => n >= 1 && n <= 6)); // true
 * ```
 */
export interface IntegerSampler {
  /**
   * Writes the next `count` numbers into `out[0..count-1]`.
   *
   * @param out Where to write; must hold at least `count` numbers.
   * @param count How many numbers to write.
   */
  fill(out: Float64Array, count: number): void;
  /**
   * The same numbers as blocks, where the sampler can produce them;
   * `undefined` where it cannot.
   */
  readonly blocks?: SamplerBlocks;
}
