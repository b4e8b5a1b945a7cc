/**
 * A seeded, deterministic source of random words (xoshiro128**), for
 * reproducible payloads in teaching and tests. Not for secrets.
 *
 * @module
 */

import type { RandomSource } from "./random_source.ts";

/** Options for {@linkcode SeededRandomSource}. */
export interface SeededRandomSourceOptions {
  /**
   * Which of the seed's independent sequences to produce; the server passes
   * the connection's ordinal (0 for the first connection since start).
   *
   * @default {0}
   */
  sequence?: number;
}

// murmur3's finaliser: a bijection on 32-bit words with full avalanche.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function splitSafeInteger(value: number): [number, number] {
  return [value >>> 0, Math.floor(value / 2 ** 32) >>> 0];
}

/**
 * A deterministic xoshiro128** generator. Not for secrets: its output is a
 * pure function of `seed` and `sequence`, which is what makes seeded payloads
 * reproducible.
 *
 * The 128-bit state is a bijection of (seed, sequence), so distinct pairs
 * never share a state; the first outputs are discarded so that neighbouring
 * seeds do not start correlated.
 *
 * @example Usage
 * ```ts
 * import { SeededRandomSource } from "@randport/randport/random";
 *
 * const a = new SeededRandomSource(42, { sequence: 7 });
 * const b = new SeededRandomSource(42, { sequence: 7 });
 * console.log(a.nextUint32() === b.nextUint32()); // true
 * ```
 */
export class SeededRandomSource implements RandomSource {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates the generator.
   *
   * @param seed Any safe integer.
   * @param options Which sequence of the seed to produce.
   */
  constructor(seed: number, options: SeededRandomSourceOptions = {}) {
    const sequence = options.sequence ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed: expected a safe integer, got ${seed}`);
    }
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new RangeError(
        `sequence: expected a non-negative safe integer, got ${sequence}`,
      );
    }
    const [seedLo, seedHi] = splitSafeInteger(seed);
    const [seqLo, seqHi] = splitSafeInteger(sequence);
    this.#s0 = fmix32(seedLo ^ 0x9e3779b9);
    this.#s1 = fmix32(seedHi ^ 0x7f4a7c15);
    this.#s2 = fmix32(seqLo ^ 0x85ebca6b);
    this.#s3 = fmix32(seqHi ^ 0xc2b2ae35);
    // xoshiro's only forbidden state is all zeros.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  /**
   * Returns the next word.
   *
   * @returns An integer in 0..2^32−1.
   */
  nextUint32(): number {
    const s1 = this.#s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 = s1 ^ this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = (this.#s3 << 11) | (this.#s3 >>> 21);
    return result;
  }

  /**
   * Writes the next `count` words into `out[0..count-1]`: the same words as
   * `count` calls of {@linkcode SeededRandomSource.nextUint32}, with the
   * state kept in locals for the length of the batch.
   *
   * @param out Where to write; must hold at least `count` words.
   * @param count How many words to write.
   */
  fillUint32(out: Uint32Array, count: number): void {
    let s0 = this.#s0;
    let s1 = this.#s1;
    let s2 = this.#s2;
    let s3 = this.#s3;
    for (let i = 0; i < count; i++) {
      const x = Math.imul(s1, 5);
      out[i] = Math.imul((x << 7) | (x >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
  }
}
