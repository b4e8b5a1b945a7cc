/**
 * The interface every source of random words implements: the operating
 * system's CSPRNG (`cryptoRandomSource`) or the seeded generator
 * (`SeededRandomSource`). Every sampler consumes words through it, so the
 * same exact-rejection code serves both sources.
 *
 * @module
 */

/** A stream of independent, uniformly distributed 32-bit words. */
export interface RandomSource {
  /**
   * Returns the next word.
   *
   * @returns An integer in 0..2^32−1.
   */
  nextUint32(): number;
  /**
   * Optional bulk form of {@linkcode RandomSource.nextUint32}: writes the
   * next `count` words into `out[0..count-1]`, the very words `count` calls
   * of `nextUint32` would have returned. Samplers use it when present, to
   * draw a whole batch per call.
   *
   * @param out Where to write; must hold at least `count` words.
   * @param count How many words to write.
   */
  fillUint32?(out: Uint32Array, count: number): void;
}
