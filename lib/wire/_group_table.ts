// Precomputed text of groups of numbers of a small range, separators
// included: the tables the encoder writes with two 32-bit stores per group.

import { COMMA, NEWLINE } from "./_bytes.ts";
import { writeDecimal } from "./_digits.ts";

// A table holds the text of every group of `digits` numbers of a small
// range; entries fit in 8 bytes, so groups take as many numbers as fit.
export const TABLE_MAX_ENTRIES = 16384;
export const TABLE_ENTRY_BYTES = 8;
const TABLE_CACHE_MAX = 32;

// Entries are written here first; the stores past a number's end leave
// bytes behind, which are cleared before the entry is read.
const staging = new Uint8Array(32);
const stagingView = new DataView(staging.buffer);

/** The text of every group of `digits` numbers of a small range. */
export interface GroupTable {
  /** Entry bytes 0..3 and 4..7, little-endian. */
  low: Uint32Array;
  high: Uint32Array;
  /** Entry lengths in bytes. */
  length: Uint8Array;
}

const tableCache = new Map<string, GroupTable>();

/**
 * Entry `x` of the table for `digits` numbers is the text of the numbers
 * `min + x % n`, `min + floor(x / n) % n`, ... in that order (`n` the range
 * size), each with its separator: before it for csv and json, after it for
 * lines. Entries must fit in 8 bytes.
 */
export function groupTable(
  min: number,
  size: number,
  digits: number,
  lines: boolean,
): GroupTable {
  const key = `${min}:${size}:${digits}:${lines}`;
  let table = tableCache.get(key);
  if (table) return table;
  const entries = size ** digits;
  table = {
    low: new Uint32Array(entries),
    high: new Uint32Array(entries),
    length: new Uint8Array(entries),
  };
  const view = stagingView;
  for (let x = 0; x < entries; x++) {
    staging.fill(0);
    let pos = 0;
    let rest = x;
    for (let d = 0; d < digits; d++) {
      const value = min + (rest % size);
      rest = Math.floor(rest / size);
      if (!lines) staging[pos++] = COMMA;
      pos = writeDecimal(view, pos, value);
      if (lines) staging[pos++] = NEWLINE;
    }
    // Stores past the end leave digits behind; entries must end in zeros.
    staging.fill(0, pos);
    table.low[x] = view.getUint32(0, true);
    table.high[x] = view.getUint32(4, true);
    table.length[x] = pos;
  }
  cacheTable(key, table);
  return table;
}

function cacheTable(key: string, table: GroupTable): void {
  if (tableCache.has(key)) return;
  if (tableCache.size >= TABLE_CACHE_MAX) {
    tableCache.delete(tableCache.keys().next().value!);
  }
  tableCache.set(key, table);
}

/** How blocks of a sampler are split into table groups. */
export interface BlockPlan {
  /** Numbers per block. */
  digits: number;
  /** Worst-case bytes per block. */
  bytes: number;
  /** Groups per block, and the table entries of a full group (`n^g`). */
  groups: number;
  groupEntries: number;
  /**
   * Full groups from entry 0; the last group of a block, when it has fewer
   * numbers, from entry `lastOffset`.
   */
  table: GroupTable;
  lastOffset: number;
}

/**
 * The plan for blocks of `digits` numbers of a range of `size` values: groups
 * of as many numbers as fit in a table entry (8 bytes, at most
 * TABLE_MAX_ENTRIES entries), the last group taking the rest.
 */
export function blockPlan(
  min: number,
  size: number,
  digits: number,
  numberBytes: number,
  lines: boolean,
): BlockPlan {
  let group = 1;
  while (
    group < digits &&
    (group + 1) * numberBytes <= TABLE_ENTRY_BYTES &&
    size ** (group + 1) <= TABLE_MAX_ENTRIES
  ) {
    group++;
  }
  const groups = Math.ceil(digits / group);
  const lastDigits = digits - (groups - 1) * group;
  const groupEntries = size ** group;
  const full = groupTable(min, size, group, lines);
  let table = full;
  if (lastDigits < group) {
    const key = `${min}:${size}:${group}+${lastDigits}:${lines}`;
    table = tableCache.get(key) ?? joinTables(
      full,
      groupTable(min, size, lastDigits, lines),
    );
    cacheTable(key, table);
  }
  return {
    digits,
    bytes: digits * numberBytes,
    groups,
    groupEntries,
    table,
    lastOffset: lastDigits < group ? groupEntries : 0,
  };
}

function joinTables(a: GroupTable, b: GroupTable): GroupTable {
  const entries = a.length.length + b.length.length;
  const joined = {
    low: new Uint32Array(entries),
    high: new Uint32Array(entries),
    length: new Uint8Array(entries),
  };
  for (const field of ["low", "high", "length"] as const) {
    joined[field].set(a[field]);
    joined[field].set(b[field], a[field].length);
  }
  return joined;
}
