/**
 * A counter that several workers draw numbers from, each number once: the
 * connection ordinals of a server whose accept loops run in workers.
 *
 * @module
 */

/**
 * Hands out 0, 1, 2, ... to whoever asks, across every worker that holds a
 * `SharedCounter` over the same memory.
 *
 * @example Usage
 * ```ts
 * import { SharedCounter } from "@randport/randport/net";
 *
 * const counter = new SharedCounter();
 * const twin = new SharedCounter(counter.shared); // as a worker would
 * console.log(counter.next(), twin.next(), counter.next()); // 0 1 2
 * ```
 */
export class SharedCounter {
  readonly #value: BigInt64Array;

  /**
   * Creates a counter.
   *
   * @param shared Another counter's `shared` memory, to count with it; left
   * out, a counter of its own from 0.
   */
  constructor(shared: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    if (!(shared instanceof SharedArrayBuffer) || shared.byteLength < 8) {
      throw new TypeError("shared: expected a counter's SharedArrayBuffer");
    }
    this.#value = new BigInt64Array(shared, 0, 1);
  }

  /** The memory to hand to a worker. */
  get shared(): SharedArrayBuffer {
    return this.#value.buffer as SharedArrayBuffer;
  }

  /**
   * The next number.
   *
   * @returns A number no holder of this counter was given before.
   */
  next(): number {
    return Number(Atomics.add(this.#value, 0, 1n));
  }
}
