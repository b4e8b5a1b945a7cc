/**
 * Summary statistics of a stream of integers, gathered as the numbers
 * arrive, in fixed memory.
 *
 * @module
 */

import { Tally, type TallyGroup } from "./tally.ts";

/** An inclusive range of integers. */
export interface NumberRange {
  /** The smallest value. */
  min: number;
  /** The largest value, >= min. */
  max: number;
}

/** Options for {@linkcode StreamStats}. */
export interface StreamStatsOptions {
  /**
   * The range the numbers should be uniform over (the server's
   * `--min..--max`). Numbers outside it are counted apart. Without it the
   * observed min..max is used.
   *
   * @default {undefined}
   */
  range?: NumberRange;
}

/**
 * Count, min, max, mean and standard deviation (Welford's method, stable
 * for long streams) and per-value or per-bin counts ({@linkcode Tally}) of a
 * stream of integers, in memory that does not grow with the stream.
 *
 * @example Usage
 * ```ts
 * import { StreamStats } from "@randport/randport/stats";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 6 } });
 * stats.add([1, 6, 3, 4]);
 * console.log(stats.count, stats.mean, stats.standardDeviation); // 4 3.5 2.0816...
 * ```
 */
export class StreamStats {
  readonly #range: NumberRange | undefined;
  readonly #tally = new Tally();
  #count = 0;
  #min = Infinity;
  #max = -Infinity;
  // Welford's sums run on value − shift (the first value): numbers far from
  // zero but close together (9e12 ± 1000) then keep all their precision.
  #shift = 0;
  #mean = 0;
  #m2 = 0;
  #below = 0;
  #above = 0;

  /**
   * Creates empty statistics.
   *
   * @param options The range the numbers should be uniform over.
   */
  constructor(options: StreamStatsOptions = {}) {
    const range = options.range;
    if (range !== undefined && !(range.min <= range.max)) {
      throw new RangeError(
        `range: expected min <= max, got ${range.min}..${range.max}`,
      );
    }
    this.#range = range === undefined ? undefined : { ...range };
  }

  /**
   * Adds numbers.
   *
   * @param numbers Integers within ±(2^53−1).
   */
  add(numbers: readonly number[]): void {
    const range = this.#range;
    for (const value of numbers) {
      if (this.#count === 0) this.#shift = value;
      this.#count++;
      if (value < this.#min) this.#min = value;
      if (value > this.#max) this.#max = value;
      const shifted = value - this.#shift;
      const delta = shifted - this.#mean;
      this.#mean += delta / this.#count;
      this.#m2 += delta * (shifted - this.#mean);
      if (range !== undefined && value < range.min) this.#below++;
      else if (range !== undefined && value > range.max) this.#above++;
      else this.#tally.add(value);
    }
  }

  /** How many numbers were added. */
  get count(): number {
    return this.#count;
  }

  /** The smallest number added; `NaN` before any. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** The largest number added; `NaN` before any. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /** The arithmetic mean; `NaN` before any number. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#shift + this.#mean;
  }

  /** The sample standard deviation (n − 1); `NaN` before two numbers. */
  get standardDeviation(): number {
    return this.#count < 2 ? NaN : Math.sqrt(this.#m2 / (this.#count - 1));
  }

  /** How many numbers fell below the given range. */
  get below(): number {
    return this.#below;
  }

  /** How many numbers fell above the given range. */
  get above(): number {
    return this.#above;
  }

  /**
   * The range the numbers are compared with: the one given, or else the
   * observed min..max; `undefined` when neither exists yet.
   */
  get range(): NumberRange | undefined {
    if (this.#range !== undefined) return { ...this.#range };
    return this.#count === 0 ? undefined : { min: this.#min, max: this.#max };
  }

  /** Whether {@linkcode StreamStats.prototype.range} is the observed one. */
  get rangeObserved(): boolean {
    return this.#range === undefined;
  }

  /**
   * Counts of the numbers within {@linkcode StreamStats.prototype.range}, in
   * about `groups` runs of consecutive values (one per value when the range
   * holds at most `groups` values, or when `groups` is omitted and the range
   * is small enough to be counted value by value).
   *
   * @example Usage
   * ```ts
   * import { StreamStats } from "@randport/randport/stats";
   *
   * const stats = new StreamStats();
   * stats.add([1, 2, 2, 3]);
   * console.log(stats.groups(3).map((g) => g.count)); // [1, 2, 1]
   * ```
   *
   * @param groups How many runs to aim for.
   * @returns The runs in order; empty before any number.
   */
  groups(groups: number): TallyGroup[] {
    const range = this.range;
    if (range === undefined) return [];
    return this.#tally.groups(range.min, range.max, { groups });
  }
}
