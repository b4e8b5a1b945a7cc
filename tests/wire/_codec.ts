/**
 * What the wire tests share: the grammar of PROTOCOL.md §2 as regular
 * expressions, the bytes it prescribes for given numbers, and fast-check
 * arbitraries of specs.
 *
 * @module
 */

import fc from "fast-check";
import {
  type PayloadFormat,
  type PayloadSpec,
  resolvePayloadSpec,
} from "../../lib/wire/mod.ts";

export const MAX = Number.MAX_SAFE_INTEGER;
export const FORMATS: PayloadFormat[] = ["csv", "lines", "json"];

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

// The grammar of PROTOCOL.md §2, as regular expressions: no "+", no "-0",
// no leading zeros, no whitespace.
const NUMBER = "(?:0|-?[1-9][0-9]*)";
export const GRAMMAR: Record<PayloadFormat, RegExp> = {
  csv: new RegExp(`^(?:${NUMBER}(?:,${NUMBER})*)?$`),
  lines: new RegExp(`^(?:${NUMBER}\\n)*$`),
  json: new RegExp(`^\\[(?:${NUMBER}(?:,${NUMBER})*)?\\]$`),
};

/** The bytes PROTOCOL.md prescribes for these numbers, digits by `String`. */
export function formatNumbers(
  numbers: number[],
  format: PayloadFormat,
): string {
  const digits = numbers.map(String);
  if (format === "csv") return digits.join(",");
  if (format === "lines") return digits.map((d) => `${d}\n`).join("");
  return `[${digits.join(",")}]`;
}

// ---------------------------------------------------------------------------
// Arbitraries

export const safeInteger = fc.integer({ min: -MAX, max: MAX });

/** Small ranges anywhere (digit tables, unique), wide ones, and the edges. */
export const rangeArbitrary: fc.Arbitrary<[number, number]> = fc.oneof(
  fc.tuple(safeInteger, fc.integer({ min: 0, max: 5000 })).map(
    ([start, width]): [number, number] =>
      start > MAX - width ? [MAX - width, MAX] : [start, start + width],
  ),
  fc.tuple(safeInteger, safeInteger).map(([a, b]): [number, number] =>
    a <= b ? [a, b] : [b, a]
  ),
  fc.constantFrom<[number, number]>(
    [-MAX, MAX],
    [MAX - 5, MAX],
    [-MAX, -MAX + 5],
    [0, 0],
    [1, 100],
    [-9, 9],
    [999_999_999_999_990, 1_000_000_000_000_009],
  ),
);

export const specArbitrary: fc.Arbitrary<PayloadSpec> = fc
  .record({
    count: fc.integer({ min: 0, max: 300 }),
    range: rangeArbitrary,
    format: fc.constantFrom(...FORMATS),
    unique: fc.boolean(),
    seed: safeInteger,
  })
  .map(({ count, range: [min, max], format, unique, seed }) =>
    resolvePayloadSpec({
      count,
      min,
      max,
      format,
      unique: unique && BigInt(count) <= BigInt(max) - BigInt(min) + 1n,
      seed,
    })
  );
