/**
 * Reading records from text: one record's JSON (as `GETDRAW` or a signed
 * draw replies it, on one line or pretty-printed), or an exported log as
 * JSON lines.
 *
 * @module
 */

import type { DrawRecord } from "../signed/draw_record.ts";

/** A record read from text, and the line it begins on. */
export interface DrawRecordLine {
  /** The line the record begins on, from 1. */
  line: number;
  /**
   * The record as parsed: a JSON object, not yet checked (verifying it
   * checks its fields).
   */
  record: DrawRecord;
}

/**
 * Reads records with the line each begins on: JSON lines (one JSON
 * object per line, blank lines skipped, `\r\n` endings too), or a single
 * JSON object over any number of lines.
 *
 * @example Usage
 * ```ts
 * import { parseDrawRecordLines } from "@randport/randport/verify";
 *
 * const lines = parseDrawRecordLines('{"serial":1}\n\n{"serial":2}\n');
 * console.log(lines.map((l) => l.line)); // [1, 3]
 * ```
 *
 * @param text The records' text.
 * @returns Each record, with its line; none for blank text.
 * @throws {SyntaxError} With a one-line message naming the line, as
 * `line 3: not JSON (Unexpected token ...)` or
 * `line 2: expected a record (a JSON object), got an array`.
 */
export function parseDrawRecordLines(text: string): DrawRecordLine[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() !== "");
  if (start === -1) return [];
  const rest = lines.slice(start).join("\n");
  // A first line that is JSON by itself makes JSON lines; otherwise the
  // text is one pretty-printed record, unless the first line is a broken
  // record of its own (a pretty-printed one begins with a lone "{").
  if (
    parses(lines[start]) ||
    (lines[start].trim() !== "{" && !parses(rest))
  ) {
    const records: DrawRecordLine[] = [];
    lines.forEach((source, i) => {
      if (source.trim() === "") return;
      records.push({ line: i + 1, record: parseRecord(source, i + 1) });
    });
    return records;
  }
  return [{ line: start + 1, record: parseRecord(rest, start + 1) }];
}

/**
 * Reads records from a record's JSON or an export's JSON lines (see
 * {@linkcode parseDrawRecordLines}), for {@linkcode verifyChain} or
 * {@linkcode verifyDraw}.
 *
 * @example Usage
 * ```ts
 * import { parseDrawRecords } from "@randport/randport/verify";
 *
 * console.log(parseDrawRecords('{"serial":1}\n{"serial":2}\n').length); // 2
 * try {
 *   parseDrawRecords('{"serial":1}\n{"serial":2\n');
 * } catch (error) {
 *   console.log((error as Error).message); // "line 2: not JSON (...)"
 * }
 * ```
 *
 * @param text The records' text.
 * @returns The records, in order; none for blank text.
 * @throws {SyntaxError} With a one-line message naming the line.
 */
export function parseDrawRecords(text: string): DrawRecord[] {
  return parseDrawRecordLines(text).map(({ record }) => record);
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseRecord(source: string, line: number): DrawRecord {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A pretty-printed record's error may be on a later line than its
    // first; V8 gives its offset.
    const at = /at position (\d+)/.exec(message);
    const where = at
      ? line + source.slice(0, Number(at[1])).split("\n").length - 1
      : line;
    const reason = message.split("\n")[0]
      .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, "");
    throw new SyntaxError(
      `line ${where}: not JSON (${
        reason.length > 120 ? `${reason.slice(0, 120)}…` : reason
      })`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value)
      ? "an array"
      : value === null
      ? "null"
      : `a ${typeof value}`;
    throw new SyntaxError(
      `line ${line}: expected a record (a JSON object), got ${kind}`,
    );
  }
  return value as DrawRecord;
}
