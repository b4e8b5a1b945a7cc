// Words are drawn in batches into one shared array. Drawing is synchronous,
// so one array serves every sampler; a sampler only ever draws as many words
// as it is sure to consume, so none are left in here between calls.

import type { RandomSource } from "./random_source.ts";

export const TWO_32 = 2 ** 32;
export const TWO_53 = 2 ** 53;
export const HIGH_21_BITS = 0x1fffff;

export const WORD_SCRATCH = 8192;
export const words = new Uint32Array(WORD_SCRATCH);

/** Writes the next `count` words of `source` into `out`, in bulk if it can. */
export function drawWords(
  source: RandomSource,
  out: Uint32Array,
  count: number,
): void {
  if (source.fillUint32) {
    source.fillUint32(out, count);
    return;
  }
  for (let i = 0; i < count; i++) out[i] = source.nextUint32();
}

// Exact quotients without `%`, which V8 compiles to a floating-point fmod
// for numbers beyond int32:
// - For integers 0 <= a < 2^53 and b >= 1, Math.floor(a / b) is exact: the
//   rounded quotient can only reach the next integer q + 1 if
//   (q + 1) * b > 2^53, and then a = (q + 1) * b - 1 >= 2^53.
// - Multiplying by a reciprocal is faster than dividing, and for a < 2^51,
//   Math.floor((a + 0.5) * (1 / b)) is exact too: (a + 0.5) / b lies at
//   least 0.5 / b from any integer, and the two roundings move it by at most
//   (a + 0.5) / b * 2^-52 < 0.5 / b.
// Either way the remainder a - q * b is then exact.
