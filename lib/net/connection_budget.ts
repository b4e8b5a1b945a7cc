/**
 * A count of connections shared by listeners, so that one limit holds for
 * the push port and the request port together.
 *
 * @module
 */

/**
 * How many connections may be open at once across every listener that
 * shares it. A listener takes a place for each connection it serves and
 * gives it back when the connection closes.
 *
 * @example Usage
 * ```ts
 * import { ConnectionBudget } from "@randport/randport/net";
 *
 * const budget = new ConnectionBudget(1);
 * console.log(budget.tryAcquire()); // true
 * console.log(budget.tryAcquire()); // false: the one place is taken
 * budget.release();
 * console.log(budget.inUse); // 0
 * ```
 */
export class ConnectionBudget {
  /** The most connections at once; Infinity for no limit. */
  readonly limit: number;
  /**
   * The count, in shared memory when several workers share the budget
   * (every one holds a `ConnectionBudget` over the same buffer).
   */
  readonly #count: Int32Array;

  /**
   * Creates a budget.
   *
   * @param limit The most connections at once: a positive integer, or
   * Infinity.
   * @param options `shared`: the memory of a budget that several workers
   * share (from another budget's `shared`); left out, a budget of its own.
   */
  constructor(limit: number, options: ConnectionBudgetOptions = {}) {
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit > 0))) {
      throw new RangeError(
        `limit: expected a positive integer or Infinity, got ${limit}`,
      );
    }
    if (limit !== Infinity && limit > 2 ** 31 - 1) {
      throw new RangeError(`limit: expected at most 2^31−1, got ${limit}`);
    }
    this.limit = limit;
    const shared = options.shared ?? new SharedArrayBuffer(4);
    if (!(shared instanceof SharedArrayBuffer) || shared.byteLength < 4) {
      throw new TypeError("shared: expected a budget's SharedArrayBuffer");
    }
    this.#count = new Int32Array(shared, 0, 1);
  }

  /** The memory to hand to a worker, for a budget shared with it. */
  get shared(): SharedArrayBuffer {
    return this.#count.buffer as SharedArrayBuffer;
  }

  /** The places taken now, by every holder of the budget. */
  get inUse(): number {
    return Atomics.load(this.#count, 0);
  }

  /**
   * Takes a place, if one is free.
   *
   * @returns Whether a place was taken; the caller must
   * {@linkcode ConnectionBudget.release} it later.
   */
  tryAcquire(): boolean {
    if (this.limit === Infinity) {
      Atomics.add(this.#count, 0, 1);
      return true;
    }
    // A compare-and-swap loop, so that two workers cannot both take the
    // last place.
    for (;;) {
      const now = Atomics.load(this.#count, 0);
      if (now >= this.limit) return false;
      if (Atomics.compareExchange(this.#count, 0, now, now + 1) === now) {
        return true;
      }
    }
  }

  /** Gives back a place taken by {@linkcode ConnectionBudget.tryAcquire}. */
  release(): void {
    for (;;) {
      const now = Atomics.load(this.#count, 0);
      if (now === 0) throw new Error("release: no place is taken");
      if (Atomics.compareExchange(this.#count, 0, now, now - 1) === now) {
        return;
      }
    }
  }
}

/** Options for {@linkcode ConnectionBudget}. */
export interface ConnectionBudgetOptions {
  /**
   * Another budget's `shared` memory: this budget then counts with it
   * (workers of one server, each with its own accept loop).
   *
   * @default {new memory: a budget of its own}
   */
  shared?: SharedArrayBuffer;
}
