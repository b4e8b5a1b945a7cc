/**
 * Pearson's chi-square goodness-of-fit test against a uniform distribution
 * over integers, on counts already grouped into runs of values.
 *
 * @module
 */

import jStat from "jstat";
import type { TallyGroup } from "./tally.ts";

/** The outcome of {@linkcode chiSquareUniform}. */
export interface ChiSquareResult {
  /** Σ (observed − expected)² / expected over the bins. */
  statistic: number;
  /** Bins − 1. */
  degreesOfFreedom: number;
  /**
   * The probability that truly uniform numbers give a statistic this large
   * or larger. Below about 1e-15 it reads 0 (the distribution function's
   * precision).
   */
  pValue: number;
  /** The bins tested, after merging bins that expected too few numbers. */
  bins: TallyGroup[];
}

/** Options for {@linkcode chiSquareUniform}. */
export interface ChiSquareOptions {
  /**
   * The fewest numbers a bin must expect; neighbouring bins are merged until
   * each does. Below about 5 the chi-square distribution is a poor
   * approximation of the statistic's.
   *
   * @default {5}
   */
  minExpected?: number;
}

/** Merges neighbours, left to right, until every bin expects enough. */
function mergeSmall(
  groups: readonly TallyGroup[],
  perValue: number,
  minExpected: number,
): TallyGroup[] {
  const merged: TallyGroup[] = [];
  let pending: TallyGroup | undefined;
  for (const group of groups) {
    pending = pending === undefined ? { ...group } : {
      from: pending.from,
      to: group.to,
      values: pending.values + group.values,
      count: pending.count + group.count,
    };
    if (pending.values * perValue >= minExpected) {
      merged.push(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) {
    const last = merged.pop();
    merged.push(
      last === undefined ? pending : {
        from: last.from,
        to: pending.to,
        values: last.values + pending.values,
        count: last.count + pending.count,
      },
    );
  }
  return merged;
}

/**
 * Tests whether the counts in `groups` are consistent with numbers drawn
 * uniformly from the values the groups cover: each group expects a share of
 * the numbers proportional to how many values it holds, so groups need not
 * be equal. Returns `undefined` when there are too few numbers to test
 * (fewer than two bins expecting `minExpected` each).
 *
 * @example Usage
 * ```ts
 * import { chiSquareUniform } from "@randport/randport/stats";
 *
 * const result = chiSquareUniform([
 *   { from: 1, to: 1, values: 1, count: 48 },
 *   { from: 2, to: 2, values: 1, count: 52 },
 * ]);
 * console.log(result?.statistic, result?.pValue); // 0.16 0.689...
 * ```
 *
 * @param groups Runs of consecutive values and their counts, in order.
 * @param options The smallest expected count per bin.
 * @returns The statistic, degrees of freedom, p-value and bins used.
 */
export function chiSquareUniform(
  groups: readonly TallyGroup[],
  options: ChiSquareOptions = {},
): ChiSquareResult | undefined {
  const minExpected = options.minExpected ?? 5;
  let total = 0;
  let values = 0;
  for (const group of groups) {
    total += group.count;
    values += group.values;
  }
  if (total === 0 || values === 0) return undefined;
  const perValue = total / values;
  const bins = mergeSmall(groups, perValue, minExpected);
  if (bins.length < 2) return undefined;
  let statistic = 0;
  for (const bin of bins) {
    const expected = bin.values * perValue;
    statistic += (bin.count - expected) ** 2 / expected;
  }
  const degreesOfFreedom = bins.length - 1;
  const cdf: number = jStat.chisquare.cdf(statistic, degreesOfFreedom);
  const pValue = Math.min(1, Math.max(0, 1 - cdf));
  return { statistic, degreesOfFreedom, pValue, bins };
}
