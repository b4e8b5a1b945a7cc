// An integer below n for any n up to 2^54, exactly, as PROTOCOL.md 5.4's
// below(n): randomBelow's one or two words up to 2^53, and above that
// (a mod 2^22)·2^32 + b kept when under the largest multiple of n below 2^54.

import { cryptoRandomSource } from "./crypto_random_source.ts";
import type { RandomSource } from "./random_source.ts";
import { randomBelow } from "./random_below.ts";

const TWO_53 = 2n ** 53n;
const TWO_54 = 2n ** 54n;

export function wideBelow(n: bigint, source?: RandomSource): bigint {
  if (n <= TWO_53) return BigInt(randomBelow(Number(n), { source }));
  if (n > TWO_54) throw new RangeError("n: expected at most 2^54");
  const words = source ?? cryptoRandomSource();
  const limit = TWO_54 - (TWO_54 % n);
  for (;;) {
    const wide = (BigInt(words.nextUint32() & 0x3fffff) << 32n) |
      BigInt(words.nextUint32());
    if (wide < limit) return wide % n;
  }
}
