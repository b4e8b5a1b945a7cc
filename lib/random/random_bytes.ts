/**
 * Random bytes, from the CSPRNG or from a source's words: the bytes of
 * `RANDBYTES` and of seeded UUIDs (PROTOCOL.md §5.4).
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";

// crypto.getRandomValues fills at most 65536 bytes per call.
const MAX_GET_RANDOM_VALUES = 65536;

/**
 * `n` random bytes. With a `source`, its words in order, each word's four
 * bytes little-endian first, the last word's low bytes only when `n` is not
 * a multiple of 4 (so a seeded draw is reproducible to the byte); without
 * one, straight from `crypto.getRandomValues`.
 *
 * @example Usage
 * ```ts
 * import { randomBytes, SeededRandomSource } from "@randport/randport/random";
 *
 * console.log(randomBytes(16).length); // 16
 * const source = new SeededRandomSource(1);
 * const word = new SeededRandomSource(1).nextUint32();
 * console.log(randomBytes(1, { source })[0] === (word & 0xff)); // true
 * ```
 *
 * @param n How many bytes, a non-negative integer.
 * @param options Where the words come from; the CSPRNG when none is given.
 * @returns A new array of `n` bytes.
 */
export function randomBytes(
  n: number,
  options: SamplerOptions = {},
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  const source = options.source;
  if (source === undefined) {
    for (let i = 0; i < n; i += MAX_GET_RANDOM_VALUES) {
      crypto.getRandomValues(
        bytes.subarray(i, Math.min(n, i + MAX_GET_RANDOM_VALUES)),
      );
    }
    return bytes;
  }
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (; i + 4 <= n; i += 4) view.setUint32(i, source.nextUint32(), true);
  if (i < n) {
    const word = source.nextUint32();
    for (let k = 0; i < n; i++, k++) bytes[i] = (word >>> (8 * k)) & 0xff;
  }
  return bytes;
}
