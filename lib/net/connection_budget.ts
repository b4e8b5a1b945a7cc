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
  #inUse = 0;

  /**
   * Creates a budget.
   *
   * @param limit The most connections at once: a positive integer, or
   * Infinity.
   */
  constructor(limit: number) {
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit > 0))) {
      throw new RangeError(
        `limit: expected a positive integer or Infinity, got ${limit}`,
      );
    }
    this.limit = limit;
  }

  /** The places taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Takes a place, if one is free.
   *
   * @returns Whether a place was taken; the caller must
   * {@linkcode ConnectionBudget.release} it later.
   */
  tryAcquire(): boolean {
    if (this.#inUse >= this.limit) return false;
    this.#inUse++;
    return true;
  }

  /** Gives back a place taken by {@linkcode ConnectionBudget.tryAcquire}. */
  release(): void {
    if (this.#inUse === 0) throw new Error("release: no place is taken");
    this.#inUse--;
  }
}
