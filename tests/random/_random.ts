/**
 * What the random tests share: a BigInt reference of xoshiro128** and the
 * documented seeding, scripted word sources, and a chi-square helper.
 *
 * @module
 */

import jStat from "jstat";
import type { RandomSource } from "../../lib/random/mod.ts";

export const MAX = Number.MAX_SAFE_INTEGER;
export const TWO_32 = 2 ** 32;
export const TWO_53 = 2 ** 53;

/** Below this p-value a sample is judged non-uniform. */
export const ALPHA = 1e-6;

// ---------------------------------------------------------------------------
// xoshiro128**, written from the published algorithm (Blackman & Vigna,
// xoshiro128starstar.c) in BigInt arithmetic, so that it shares no 32-bit
// tricks (Math.imul, `>>> 0`) with lib/random/seeded_random_source.ts.

export const MASK_32 = 0xffffffffn;

export function rotl32(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (32n - k))) & MASK_32;
}

export class ReferenceXoshiro128StarStar {
  s: [bigint, bigint, bigint, bigint];

  constructor(state: readonly [number, number, number, number]) {
    this.s = [
      BigInt(state[0]),
      BigInt(state[1]),
      BigInt(state[2]),
      BigInt(state[3]),
    ];
  }

  next(): number {
    const s = this.s;
    const result = (rotl32((s[1] * 5n) & MASK_32, 7n) * 9n) & MASK_32;
    const t = (s[1] << 9n) & MASK_32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl32(s[3], 11n);
    return Number(result);
  }
}

// murmur3's fmix32, again in BigInt.
export function referenceFmix32(value: bigint): bigint {
  let h = value & MASK_32;
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & MASK_32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & MASK_32;
  h ^= h >> 16n;
  return h;
}

/**
 * The seeding documented in lib/random.ts, from first principles: the
 * 64-bit two's complement halves of seed and sequence, each through fmix32
 * with its own constant, then 16 outputs discarded. Pinned on purpose: a
 * seeded payload is a published contract and must not change silently.
 */
export function referenceSeeded(
  seed: number,
  sequence: number,
): ReferenceXoshiro128StarStar {
  const seed64 = BigInt.asUintN(64, BigInt(seed));
  const sequence64 = BigInt.asUintN(64, BigInt(sequence));
  const state: [number, number, number, number] = [
    Number(referenceFmix32((seed64 & MASK_32) ^ 0x9e3779b9n)),
    Number(referenceFmix32((seed64 >> 32n) ^ 0x7f4a7c15n)),
    Number(referenceFmix32((sequence64 & MASK_32) ^ 0x85ebca6bn)),
    Number(referenceFmix32((sequence64 >> 32n) ^ 0xc2b2ae35n)),
  ];
  if (state.every((word) => word === 0)) state[0] = 1;
  const reference = new ReferenceXoshiro128StarStar(state);
  for (let i = 0; i < 16; i++) reference.next();
  return reference;
}

export function words(source: RandomSource, count: number): number[] {
  return Array.from({ length: count }, () => source.nextUint32());
}

/** Replays fixed words, and fails loudly if asked for one more. */
export class ScriptedSource implements RandomSource {
  #words: number[];
  constructor(words: number[]) {
    this.#words = [...words];
  }
  get left(): number {
    return this.#words.length;
  }
  nextUint32(): number {
    const word = this.#words.shift();
    if (word === undefined) throw new Error("scripted source exhausted");
    return word;
  }
}

export function chiSquareEqual(counts: ArrayLike<number>): {
  statistic: number;
  p: number;
} {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) {
    statistic += (counts[i] - expected) ** 2 / expected;
  }
  const p = 1 - jStat.chisquare.cdf(statistic, counts.length - 1);
  return { statistic, p };
}

export function draw(
  sampler: { fill(out: Float64Array, count: number): void },
  count: number,
): number[] {
  const out = new Float64Array(count);
  sampler.fill(out, count);
  return [...out];
}
