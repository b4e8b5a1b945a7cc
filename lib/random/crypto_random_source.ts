/**
 * The process-wide source of random words backed by the operating system's
 * CSPRNG (`crypto.getRandomValues`).
 *
 * @module
 */

import type { RandomSource } from "./random_source.ts";

// getRandomValues fills at most 65536 bytes per call, and costs about the
// same per byte from 4 KiB up; the largest pool means the fewest calls.
const CRYPTO_POOL_WORDS = 16384;

class CryptoRandomSource implements RandomSource {
  #pool = new Uint32Array(CRYPTO_POOL_WORDS);
  #next = CRYPTO_POOL_WORDS;

  nextUint32(): number {
    if (this.#next === CRYPTO_POOL_WORDS) {
      crypto.getRandomValues(this.#pool);
      this.#next = 0;
    }
    return this.#pool[this.#next++];
  }

  fillUint32(out: Uint32Array, count: number): void {
    const pool = this.#pool;
    let next = this.#next;
    for (let done = 0; done < count;) {
      if (next === CRYPTO_POOL_WORDS) {
        crypto.getRandomValues(pool);
        next = 0;
      }
      const n = Math.min(count - done, CRYPTO_POOL_WORDS - next);
      if (n < 64) {
        for (let i = 0; i < n; i++) out[done + i] = pool[next + i];
      } else {
        out.set(pool.subarray(next, next + n), done);
      }
      next += n;
      done += n;
    }
    this.#next = next;
  }
}

let sharedCryptoSource: CryptoRandomSource | undefined;

/**
 * The process-wide source backed by `crypto.getRandomValues`. Words are
 * fetched 64 KiB at a time; one pool serves every caller because drawing is
 * synchronous, so no two callers ever interleave inside a draw.
 *
 * @example Usage
 * ```ts
 * import { cryptoRandomSource } from "@randport/randport/random";
 *
 * const word = cryptoRandomSource().nextUint32();
 * console.log(word >= 0 && word < 2 ** 32); // true
 * ```
 *
 * @returns The shared CSPRNG-backed source.
 */
export function cryptoRandomSource(): RandomSource {
  sharedCryptoSource ??= new CryptoRandomSource();
  return sharedCryptoSource;
}
