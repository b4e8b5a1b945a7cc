/**
 * Formatting shared by the benchmark's reports: numbers, aligned tables,
 * medians.
 *
 * @module
 */

/** A number with `digits` decimals and thousands separators; `—` if none. */
export function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value)
    ? "—"
    : value.toLocaleString("en-US", {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
}

/**
 * A plain-text table: the first `left` columns aligned left (names), the
 * others right (figures), a rule under the header.
 */
export function table(header: string[], rows: string[][], left = 2): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))
      .join("  ").trimEnd();
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].join("\n");
}

/** The median (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
