/**
 * The exact size of an integer range, which can exceed 2^53.
 *
 * @module
 */

/**
 * The number of distinct values in `min..max`, exactly (it can exceed 2^53,
 * up to 2^54−1).
 *
 * @example Usage
 * ```ts
 * import { rangeSize } from "@randport/randport/random";
 *
 * console.log(rangeSize(1, 100)); // 100n
 * ```
 *
 * @param min The smallest value (inclusive), a safe integer.
 * @param max The largest value (inclusive), a safe integer >= min.
 * @returns `max - min + 1` as a bigint.
 * @throws {RangeError} When the bounds are not safe integers or max < min.
 */
export function rangeSize(min: number, max: number): bigint {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
    throw new RangeError(
      `min, max: expected safe integers, got ${min} and ${max}`,
    );
  }
  if (min > max) {
    throw new RangeError(`max: expected max >= min, got ${min} > ${max}`);
  }
  return BigInt(max) - BigInt(min) + 1n;
}
