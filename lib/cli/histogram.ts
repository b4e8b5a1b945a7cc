/**
 * The client's `--histogram`: a terminal bar chart of how the numbers of a
 * {@linkcode StreamStats} spread over their range.
 *
 * @module
 */

import { type Colors, createColors } from "./colors.ts";
import type { StreamStats } from "../stats/stream_stats.ts";

/** Ranges of up to this many values get one row per value. */
const MAX_VALUE_ROWS = 40;
/** Wider ranges get about this many rows. */
const BINNED_ROWS = 20;
/** Partial blocks, by eighths of a character: index 1 is ⅛, 7 is ⅞. */
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const FULL = "█";
const MIN_BAR_WIDTH = 10;

/** Options for {@linkcode formatHistogram}. */
export interface HistogramOptions {
  /**
   * Columns to fit in: the terminal's width, or 80 when the output is not a
   * terminal. Lines are kept one shorter, so that no terminal wraps them.
   *
   * @default {80}
   */
  width?: number;
  /**
   * Styles for the bars and labels.
   *
   * @default {createColors({ enabled: false })}
   */
  colors?: Colors;
}

interface Row {
  label: string;
  count: number;
  /** Values the row spans; 0 for the rows of numbers outside the range. */
  values: number;
}

function bar(eighths: number): string {
  return FULL.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function describeRows(sizes: number[]): string {
  if (sizes.every((size) => size === 1)) return "one row per value";
  const largest = Math.max(...sizes);
  const equal = sizes.every((size) => size === largest);
  return `${sizes.length} rows of ${equal ? "" : "about "}${largest} values`;
}

/**
 * Draws the histogram: a heading, then one row per value for ranges of up to
 * 40 values and otherwise about 20 rows of equally many values, each with
 * its bar, count and percentage of all numbers; numbers outside a given
 * range get rows of their own. Bar lengths are numbers per value, so a row
 * that the end of the range cuts short is not mistaken for a dip. Ends with a
 * newline.
 *
 * @example Usage
 * ```ts
 * import { StreamStats } from "../stats/stream_stats.ts";
 * import { formatHistogram } from "./histogram.ts";
 *
 * const stats = new StreamStats({ range: { min: 1, max: 3 } });
 * stats.add([1, 2, 2, 3, 3, 3]);
 * console.log(formatHistogram(stats, { width: 40 }));
 * // 6 numbers in 1..3: one row per value
 * // 1  ████████▋                   1  16.7%
 * // 2  █████████████████▍          2  33.3%
 * // 3  ██████████████████████████  3  50.0%
 * ```
 *
 * @param stats The numbers' statistics.
 * @param options Width and colours.
 * @returns Lines of text.
 */
export function formatHistogram(
  stats: StreamStats,
  options: HistogramOptions = {},
): string {
  const colors = options.colors ?? createColors();
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const range = stats.range;
  if (range === undefined) return "no numbers to chart\n";
  const size = range.max - range.min + 1;
  const groups = stats.groups(
    size <= MAX_VALUE_ROWS ? MAX_VALUE_ROWS : BINNED_ROWS,
  );
  const fromWidth = Math.max(...groups.map((g) => String(g.from).length));
  const toWidth = Math.max(...groups.map((g) => String(g.to).length));
  const rows: Row[] = groups.map((group) => ({
    label: group.from === group.to
      ? String(group.from).padStart(fromWidth)
      : `${String(group.from).padStart(fromWidth)}..${
        String(group.to).padEnd(toWidth)
      }`,
    count: group.count,
    values: group.values,
  }));
  if (stats.below > 0) {
    rows.unshift({ label: `< ${range.min}`, count: stats.below, values: 0 });
  }
  if (stats.above > 0) {
    rows.push({ label: `> ${range.max}`, count: stats.above, values: 0 });
  }

  // No numbers: every share is 0, not 0/0.
  const percents = rows.map((row) =>
    `${(stats.count === 0 ? 0 : row.count / stats.count * 100).toFixed(1)}%`
  );
  const labelWidth = Math.max(...rows.map((row) => row.label.length));
  const countWidth = Math.max(...rows.map((row) => String(row.count).length));
  const percentWidth = Math.max(...percents.map((p) => p.length));
  // label, 2 spaces, bar, 2 spaces, count, 2 spaces, percent: one column
  // short of the width.
  const barWidth = Math.max(
    MIN_BAR_WIDTH,
    width - 1 - labelWidth - countWidth - percentWidth - 6,
  );
  const densities = rows.map((row) =>
    row.values > 0 ? row.count / row.values : 0
  );
  const densest = Math.max(...densities);

  // The most detailed heading that fits.
  const numbers = `${stats.count} numbers`;
  const over = `${numbers} in ${range.min}..${range.max}`;
  const observed = stats.rangeObserved ? `${over} (observed)` : over;
  const heading = [
    `${observed}: ${describeRows(groups.map((g) => g.values))}`,
    observed,
    over,
  ].find((text) => text.length <= width - 1) ?? numbers;
  const lines = [colors.dim(heading)];
  rows.forEach((row, i) => {
    let eighths = densest > 0
      ? Math.round(densities[i] / densest * barWidth * 8)
      : 0;
    // A row with any numbers shows at least a sliver.
    if (eighths === 0 && row.values > 0 && row.count > 0) eighths = 1;
    const drawn = bar(eighths);
    lines.push(
      [
        row.label.padEnd(labelWidth),
        colors.cyan(drawn) + " ".repeat(barWidth - drawn.length),
        String(row.count).padStart(countWidth),
        colors.dim(percents[i].padStart(percentWidth)),
      ].join("  "),
    );
  });
  return lines.join("\n") + "\n";
}
