/**
 * Counts of integers in bounded memory, however many numbers arrive and
 * however wide their range: the bins behind the client's `--stats` and
 * `--histogram`.
 *
 * @module
 */

/** A run of consecutive values and how many numbers fell in it. */
export interface TallyGroup {
  /** The group's smallest value (inclusive). */
  from: number;
  /** The group's largest value (inclusive). */
  to: number;
  /**
   * How many integers `from..to` holds (`to − from + 1`; for ranges wider
   * than 2^53 the nearest double).
   */
  values: number;
  /** How many numbers fell in the group. */
  count: number;
}

/** Options for {@linkcode Tally}. */
export interface TallyOptions {
  /**
   * The most bins kept at once (rounded up to a power of two, at least 2):
   * the memory bound, 8 bytes a bin. Ranges of up to this many values are
   * counted value by value.
   *
   * @default {65536}
   */
  bins?: number;
}

/** Options for {@linkcode Tally.prototype.groups}. */
export interface TallyGroupsOptions {
  /**
   * How many groups to aim for. There are never more; there are fewer when
   * the range holds fewer bins, or when equal groups of whole bins cannot
   * make exactly this many.
   *
   * @default {20}
   */
  groups?: number;
}

/**
 * Counts integers in at most `bins` bins of equal width. The width starts
 * at one value, so small ranges are counted exactly, and doubles (merging
 * neighbouring bins) whenever the values seen so far would need more bins:
 * memory stays fixed for endless streams and 53-bit ranges alike.
 *
 * Bins are aligned to multiples of their width (bin `k` holds
 * `k·width .. k·width + width − 1`), so doubling merges whole bins and
 * every count stays exact; only the resolution drops.
 *
 * @example Usage
 * ```ts
 * import { Tally } from "@randport/randport/stats";
 *
 * const tally = new Tally();
 * tally.addAll([1, 2, 2, 3, 4, 4]);
 * console.log(tally.groups(1, 4, { groups: 2 }));
 * // [{ from: 1, to: 2, values: 2, count: 3 }, { from: 3, to: 4, values: 2, count: 3 }]
 * ```
 */
export class Tally {
  readonly #capacity: number;
  #counts: Float64Array;
  #width = 1;
  #minKey = Infinity;
  #maxKey = -Infinity;
  #total = 0;

  /**
   * Creates an empty tally.
   *
   * @param options How many bins to keep.
   */
  constructor(options: TallyOptions = {}) {
    const bins = options.bins ?? 65536;
    if (!(bins >= 1 && bins <= 2 ** 24)) {
      throw new RangeError(`bins: expected 1 to 2^24, got ${bins}`);
    }
    // Bins are aligned to multiples of the width, so -1 and 0 never share
    // one however wide: two bins are the fewest that hold any range.
    this.#capacity = Math.max(2, 2 ** Math.ceil(Math.log2(bins)));
    this.#counts = new Float64Array(this.#capacity);
  }

  /** How many values one bin spans now: a power of two. */
  get width(): number {
    return this.#width;
  }

  /** How many numbers were added. */
  get total(): number {
    return this.#total;
  }

  // Live keys lie within one window of `capacity` consecutive keys, so
  // `key mod capacity` is a collision-free slot: a ring that never shifts.
  #slot(key: number): number {
    const slot = key % this.#capacity;
    return slot < 0 ? slot + this.#capacity : slot;
  }

  /**
   * Adds one integer.
   *
   * @param value An integer within ±(2^53−1).
   */
  add(value: number): void {
    let key = Math.floor(value / this.#width);
    if (key < this.#minKey || key > this.#maxKey) {
      const low = Math.min(key, this.#minKey);
      const high = Math.max(key, this.#maxKey);
      if (high - low + 1 > this.#capacity) {
        this.#widen(low, high);
        key = Math.floor(value / this.#width);
      }
      this.#minKey = Math.min(key, this.#minKey);
      this.#maxKey = Math.max(key, this.#maxKey);
    }
    this.#counts[this.#slot(key)]++;
    this.#total++;
  }

  /**
   * Adds integers.
   *
   * @param values Integers within ±(2^53−1).
   */
  addAll(values: readonly number[]): void {
    for (const value of values) this.add(value);
  }

  /** Doubles the width until keys `low..high` fit, merging bins. */
  #widen(low: number, high: number): void {
    let factor = 1;
    while (
      Math.floor(high / factor) - Math.floor(low / factor) + 1 > this.#capacity
    ) {
      factor *= 2;
    }
    const old = this.#counts;
    const counts = new Float64Array(this.#capacity);
    // Called only once some number was added: the keys are finite.
    for (let key = this.#minKey; key <= this.#maxKey; key++) {
      const count = old[this.#slot(key)];
      if (count > 0) counts[this.#slot(Math.floor(key / factor))] += count;
    }
    this.#counts = counts;
    this.#width *= factor;
    this.#minKey = Math.floor(this.#minKey / factor);
    this.#maxKey = Math.floor(this.#maxKey / factor);
  }

  /**
   * Splits `from..to` into about `groups` runs of equally many whole bins
   * (the first and last are cut at `from` and `to`) and counts the numbers in
   * each. A range of at most `groups` values, counted value by value, gives
   * one group per value.
   *
   * Numbers outside `from..to` that share a bin with values inside are
   * counted with them, so add only numbers within the range you will ask
   * about.
   *
   * @example Usage
   * ```ts
   * import { Tally } from "@randport/randport/stats";
   *
   * const tally = new Tally();
   * tally.addAll([1, 5, 10]);
   * console.log(tally.groups(1, 10, { groups: 2 }).map((g) => g.count)); // [2, 1]
   * ```
   *
   * @param from The range's smallest value.
   * @param to The range's largest value, >= from.
   * @param options How many groups to aim for.
   * @returns The groups in order, covering `from..to` without gaps.
   */
  groups(
    from: number,
    to: number,
    options: TallyGroupsOptions = {},
  ): TallyGroup[] {
    if (!(from <= to)) {
      throw new RangeError(`expected from <= to, got ${from}..${to}`);
    }
    const wanted = Math.max(1, Math.floor(options.groups ?? 20));
    const width = this.#width;
    const firstKey = Math.floor(from / width);
    const lastKey = Math.floor(to / width);
    const keys = lastKey - firstKey + 1;
    const perGroup = Math.ceil(keys / Math.min(wanted, keys));
    const result: TallyGroup[] = [];
    for (let start = firstKey; start <= lastKey; start += perGroup) {
      const end = Math.min(lastKey, start + perGroup - 1);
      let count = 0;
      const stop = Math.min(end, this.#maxKey);
      for (let key = Math.max(start, this.#minKey); key <= stop; key++) {
        count += this.#counts[this.#slot(key)];
      }
      const low = Math.max(from, start * width);
      const high = Math.min(to, end * width + (width - 1));
      result.push({ from: low, to: high, values: high - low + 1, count });
    }
    return result;
  }
}
