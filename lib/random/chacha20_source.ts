/**
 * A word source from the ChaCha20 keystream (RFC 8439): deterministic for a
 * key, and as unpredictable as the key is. The request port's `SEED` draws
 * come from it (PROTOCOL.md §5.4).
 *
 * @module
 */

import type { RandomSource } from "./random_source.ts";

/** Options for {@linkcode ChaCha20Source}. */
export interface ChaCha20SourceOptions {
  /**
   * The 96-bit nonce of RFC 8439 §2.3, 12 bytes.
   *
   * @default {12 zero bytes}
   */
  nonce?: Uint8Array;
  /**
   * The block counter of the first block, 0 to 2^32−1.
   *
   * @default {0}
   */
  counter?: number;
}

// "expand 32-byte k", as four little-endian words.
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

function littleEndianWords(bytes: Uint8Array, count: number): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

/**
 * The ChaCha20 keystream as 32-bit words: block `n` is the block function
 * of RFC 8439 §2.3 over (key, counter + n, nonce), and its 16 output words
 * are used in order, so that the words are the keystream's bytes read four
 * at a time as little-endian integers.
 *
 * @example Usage
 * ```ts
 * import { ChaCha20Source } from "@randport/randport/random";
 *
 * const source = new ChaCha20Source(new Uint8Array(32));
 * // RFC 8439 appendix A.1, test vector 1: the zero key's keystream begins
 * // with the bytes 76 b8 e0 ad, read as a little-endian word.
 * console.log(source.nextUint32().toString(16)); // "ade0b876"
 * ```
 */
export class ChaCha20Source implements RandomSource {
  readonly #input = new Uint32Array(16);
  readonly #block = new Uint32Array(16);
  #used = 16;

  /**
   * Creates the source.
   *
   * @param key The 256-bit key, 32 bytes.
   * @param options The nonce and the first block counter.
   */
  constructor(key: Uint8Array, options: ChaCha20SourceOptions = {}) {
    const nonce = options.nonce ?? new Uint8Array(12);
    const counter = options.counter ?? 0;
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new RangeError("key: expected 32 bytes");
    }
    if (!(nonce instanceof Uint8Array) || nonce.length !== 12) {
      throw new RangeError("nonce: expected 12 bytes");
    }
    if (!Number.isInteger(counter) || counter < 0 || counter >= 2 ** 32) {
      throw new RangeError(
        `counter: expected an integer from 0 to 2^32-1, got ${counter}`,
      );
    }
    this.#input.set(SIGMA, 0);
    this.#input.set(littleEndianWords(key, 8), 4);
    this.#input[12] = counter;
    this.#input.set(littleEndianWords(nonce, 3), 13);
  }

  /**
   * Returns the next word of the keystream.
   *
   * @returns An integer in 0..2^32−1.
   */
  nextUint32(): number {
    if (this.#used === 16) this.#nextBlock();
    return this.#block[this.#used++];
  }

  /**
   * Writes the next `count` words into `out[0..count-1]`: the same words as
   * `count` calls of {@linkcode ChaCha20Source.nextUint32}.
   *
   * @param out Where to write; must hold at least `count` words.
   * @param count How many words to write.
   */
  fillUint32(out: Uint32Array, count: number): void {
    for (let i = 0; i < count;) {
      if (this.#used === 16) this.#nextBlock();
      const take = Math.min(16 - this.#used, count - i);
      out.set(this.#block.subarray(this.#used, this.#used + take), i);
      this.#used += take;
      i += take;
    }
  }

  #nextBlock(): void {
    const input = this.#input;
    const x = this.#block;
    x.set(input);
    for (let round = 0; round < 10; round++) {
      // A column round, then a diagonal round (RFC 8439 §2.3).
      quarterRound(x, 0, 4, 8, 12);
      quarterRound(x, 1, 5, 9, 13);
      quarterRound(x, 2, 6, 10, 14);
      quarterRound(x, 3, 7, 11, 15);
      quarterRound(x, 0, 5, 10, 15);
      quarterRound(x, 1, 6, 11, 12);
      quarterRound(x, 2, 7, 8, 13);
      quarterRound(x, 3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) x[i] += input[i];
    // The counter wraps at 2^32, as RFC 8439's 32-bit counter does; a
    // request port draw uses far fewer blocks than that.
    input[12] += 1;
    this.#used = 0;
  }
}

function quarterRound(
  x: Uint32Array,
  a: number,
  b: number,
  c: number,
  d: number,
): void {
  x[a] += x[b];
  x[d] = rotate(x[d] ^ x[a], 16);
  x[c] += x[d];
  x[b] = rotate(x[b] ^ x[c], 12);
  x[a] += x[b];
  x[d] = rotate(x[d] ^ x[a], 8);
  x[c] += x[d];
  x[b] = rotate(x[b] ^ x[c], 7);
}

function rotate(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}
