/**
 * Writes payloads (see PROTOCOL.md) into byte buffers, chunk by chunk.
 *
 * This is the server's hot path, so it is written by hand rather than with
 * `Array.join` and `TextEncoder`. For ranges of up to 16384 values, the
 * encoder never holds the numbers at all: it takes whole blocks from the
 * sampler (one accepted random word, 4 numbers for 1..100) and splits each
 * block into groups of numbers whose text, separators included, is
 * precomputed in a table of at most 8 bytes per entry (`,58,25` for 1..100),
 * written with two 32-bit stores. Other ranges are drawn into one shared
 * scratch array and written four digits per store. Nothing is allocated per
 * number; per call, at most a DataView when the caller passes a new buffer
 * larger than 512 bytes (smaller ones are encoded aside and copied).
 *
 * @module
 */

import type { PayloadFormat, PayloadSpec } from "./payload.ts";
import {
  cryptoRandomSource,
  type RandomSource,
  SeededRandomSource,
} from "./random.ts";
import { type IntegerSampler, UniformSampler } from "./uniform.ts";
import { UniqueSampler } from "./unique.ts";

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const ZERO = 0x30;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

// Drawing is synchronous, so these scratch arrays serve every encoder.
const SCRATCH_NUMBERS = 8192;
const scratch = new Float64Array(SCRATCH_NUMBERS);
const SCRATCH_BLOCKS = 4096;
const blockScratch = new Uint32Array(SCRATCH_BLOCKS);
// Every group writes at least 2 bytes, so a 64 KiB chunk needs no more.
const SCRATCH_GROUPS = 32768;
const groupScratch = new Uint16Array(SCRATCH_GROUPS);

// The fast writers store 4 or 8 bytes at a time, some past the end of what
// they write (overwritten by what follows), so they keep this much room
// before the end of a buffer; the last numbers of a buffer go through a
// staging buffer instead.
const SLACK = 8;
const staging = new Uint8Array(32);
const stagingView = new DataView(staging.buffer);

// Small buffers (a short payload's) are encoded here and copied: cheaper
// than a DataView of their own, which V8 takes about 0.4 µs to create.
const SMALL_BUFFER = 512;
const small = new Uint8Array(SMALL_BUFFER);
const smallView = new DataView(small.buffer);

// A table holds the text of every group of `digits` numbers of a small
// range; entries fit in 8 bytes, so groups take as many numbers as fit.
const TABLE_MAX_ENTRIES = 16384;
const TABLE_ENTRY_BYTES = 8;
const TABLE_CACHE_MAX = 32;

/** Little-endian 32-bit words of the ASCII digits of 0000..9999. */
const DIGITS4 = new Uint32Array(10000);
/** The same without leading zeros (bytes after the last digit are 0). */
const LEADING4 = new Uint32Array(10000);
/** How many digits 0..9999 have. */
const LEADING4_LENGTH = new Uint8Array(10000);
for (let v = 0; v < 10000; v++) {
  const d = [
    Math.floor(v / 1000),
    Math.floor(v / 100) % 10,
    Math.floor(v / 10) % 10,
    v % 10,
  ]
    .map((digit) => ZERO + digit);
  DIGITS4[v] = (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
  const length = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : 4;
  const lead = d.slice(4 - length);
  let word = 0;
  for (let i = 0; i < length; i++) word |= lead[i] << (8 * i);
  LEADING4[v] = word >>> 0;
  LEADING4_LENGTH[v] = length;
}

function decimalLength(value: number): number {
  let length = value < 0 ? 2 : 1;
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) {
    length++;
  }
  return length;
}

/**
 * Writes `value` (a non-negative integer below 10^8) at `pos`, storing up
 * to 3 bytes past its end. Returns the position after the last digit.
 */
function writeBelow1e8(view: DataView, pos: number, value: number): number {
  // Below 10^8 it is an int32, and V8 divides int32s by a constant with a
  // multiplication, where a floating-point division would stall.
  const v = value | 0;
  if (v < 10000) {
    view.setUint32(pos, LEADING4[v], true);
    return pos + LEADING4_LENGTH[v];
  }
  const high = (v / 10000) | 0;
  view.setUint32(pos, LEADING4[high], true);
  pos += LEADING4_LENGTH[high];
  view.setUint32(pos, DIGITS4[v - high * 10000], true);
  return pos + 4;
}

/**
 * Writes `value` (a safe integer) in ASCII decimal at `pos`, storing up to
 * 3 bytes past its end. Returns the position after the last digit.
 */
function writeDecimal(view: DataView, pos: number, value: number): number {
  if (value < 0) {
    view.setUint8(pos++, MINUS);
    value = -value;
  }
  if (value < 100000000) return writeBelow1e8(view, pos, value);
  // Exact: see the note on Math.floor in uniform.ts. The high part is below
  // 2^53 / 10^8 < 10^8, the low part gets its leading zeros.
  const high = Math.floor(value / 100000000);
  const low = (value - high * 100000000) | 0;
  pos = writeBelow1e8(view, pos, high);
  const middle = (low / 10000) | 0;
  view.setUint32(pos, DIGITS4[middle], true);
  view.setUint32(pos + 4, DIGITS4[low - middle * 10000], true);
  return pos + 8;
}

/** The text of every group of `digits` numbers of a small range. */
interface GroupTable {
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
function groupTable(
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

/**
 * The most bytes one number can take on the wire, separator included.
 *
 * @example Usage
 * ```ts
 * import { maxNumberBytes, resolvePayloadSpec } from "@randport/randport";
 *
 * console.log(maxNumberBytes(resolvePayloadSpec())); // 4, as in ",100"
 * ```
 *
 * @param spec The payload.
 * @returns The bound in bytes.
 */
export function maxNumberBytes(spec: PayloadSpec): number {
  return Math.max(decimalLength(spec.min), decimalLength(spec.max)) + 1;
}

/**
 * An upper bound on a payload's length in bytes: `Infinity` for streams.
 * The server sizes a short payload's buffer with it.
 *
 * @example Usage
 * ```ts
 * import { maxPayloadBytes, resolvePayloadSpec } from "@randport/randport";
 *
 * console.log(maxPayloadBytes(resolvePayloadSpec())); // 42
 * ```
 *
 * @param spec The payload.
 * @returns The bound in bytes.
 */
export function maxPayloadBytes(spec: PayloadSpec): number {
  if (spec.stream) return Infinity;
  return spec.count * maxNumberBytes(spec) + 2;
}

/**
 * How many bytes are generated ahead for one client unless told otherwise:
 * the size of the one buffer a connection holds while it is written.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CHUNK_SIZE } from "@randport/randport";
 *
 * console.log(DEFAULT_CHUNK_SIZE); // 16384
 * ```
 */
export const DEFAULT_CHUNK_SIZE = 16384;

/** Options for {@linkcode PayloadEncoder} and the functions built on it. */
export interface PayloadEncoderOptions {
  /**
   * Which connection this payload is for, counted from 0 since the server
   * started. A seeded payload is a function of the seed and this ordinal.
   *
   * @default {0}
   */
  ordinal?: number;
  /**
   * Where random words come from. Overrides `spec.seed` when given.
   *
   * @default {spec.seed === undefined ? cryptoRandomSource() : new SeededRandomSource(spec.seed, { sequence: ordinal })}
   */
  source?: RandomSource;
}

/** How blocks of a sampler are split into table groups. */
interface BlockPlan {
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
function blockPlan(
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

/** What every encoder of one spec shares. */
interface EncoderPlan {
  numberBytes: number;
  table: GroupTable | undefined;
  blocks: BlockPlan | undefined;
}

// A server builds an encoder per connection for one spec: remember the last.
let lastPlan: {
  min: number;
  max: number;
  format: PayloadFormat;
  blockDigits: number;
  plan: EncoderPlan;
} | undefined;

function encoderPlan(spec: PayloadSpec, blockDigits: number): EncoderPlan {
  const { min, max, format } = spec;
  if (
    lastPlan && lastPlan.min === min && lastPlan.max === max &&
    lastPlan.format === format && lastPlan.blockDigits === blockDigits
  ) {
    return lastPlan.plan;
  }
  const plan: EncoderPlan = {
    numberBytes: maxNumberBytes(spec),
    table: undefined,
    blocks: undefined,
  };
  const size = max - min + 1;
  const lines = format === "lines";
  if (size <= TABLE_MAX_ENTRIES && plan.numberBytes <= TABLE_ENTRY_BYTES) {
    plan.table = groupTable(min, size, 1, lines);
    if (blockDigits > 1) {
      plan.blocks = blockPlan(min, size, blockDigits, plan.numberBytes, lines);
    }
  }
  lastPlan = { min, max, format, blockDigits, plan };
  return plan;
}

/**
 * Encodes one payload into caller-supplied buffers, as many whole numbers per
 * call as fit, so that a server can hold exactly one chunk per client and
 * generate the next only when the previous one has been written.
 *
 * @example Usage
 * ```ts
 * import { PayloadEncoder, resolvePayloadSpec } from "@randport/randport";
 *
 * const encoder = new PayloadEncoder(resolvePayloadSpec({ count: 3 }));
 * const buf = new Uint8Array(64);
 * const length = encoder.encodeInto(buf);
 * console.log(new TextDecoder().decode(buf.subarray(0, length))); // e.g. "58,25,73"
 * console.log(encoder.done); // true
 * ```
 */
export class PayloadEncoder {
  readonly #sampler: IntegerSampler;
  readonly #blockSampler: UniformSampler | undefined;
  readonly #blocks: BlockPlan | undefined;
  readonly #format: PayloadFormat;
  readonly #min: number;
  /** One number per entry, when the range is small and its numbers short. */
  readonly #table: GroupTable | undefined;
  readonly #numberBytes: number;
  #remaining: number;
  #written = 0;
  #opened = false;
  #done = false;
  #buf: Uint8Array | undefined;
  #view: DataView | undefined;

  /**
   * Creates an encoder for one payload.
   *
   * @param spec The payload, as returned by `resolvePayloadSpec`.
   * @param options Which connection it is for, and where randomness comes from.
   */
  constructor(spec: PayloadSpec, options: PayloadEncoderOptions = {}) {
    const source = options.source ??
      (spec.seed === undefined
        ? cryptoRandomSource()
        : new SeededRandomSource(spec.seed, {
          sequence: options.ordinal ?? 0,
        }));
    const uniform = spec.unique
      ? undefined
      : new UniformSampler(spec.min, spec.max, { source });
    this.#sampler = uniform ??
      new UniqueSampler(spec.min, spec.max, { source });
    this.#format = spec.format;
    this.#min = spec.min;
    this.#remaining = spec.stream ? Infinity : spec.count;
    const plan = encoderPlan(spec, uniform?.blockDigits ?? 0);
    this.#numberBytes = plan.numberBytes;
    this.#table = plan.table;
    this.#blocks = plan.blocks;
    if (plan.blocks) this.#blockSampler = uniform;
  }

  /** Whether the whole payload has been encoded. */
  get done(): boolean {
    return this.#done;
  }

  /** How many numbers have been encoded so far. */
  get numbersWritten(): number {
    return this.#written;
  }

  /**
   * The smallest buffer {@linkcode PayloadEncoder.encodeInto} accepts: room
   * for one number and the JSON brackets.
   */
  get minBufferBytes(): number {
    return this.#numberBytes + 2;
  }

  /**
   * Ends the payload after the numbers already encoded: the next
   * {@linkcode PayloadEncoder.encodeInto} writes only what closes the format.
   * This is how a stream ends cleanly.
   */
  end(): void {
    this.#remaining = 0;
  }

  /**
   * Writes the next part of the payload into `buf`.
   *
   * @param buf Where to write; at least {@linkcode PayloadEncoder.minBufferBytes} long.
   * @returns How many bytes were written; 0 once the payload is complete.
   */
  encodeInto(buf: Uint8Array): number {
    if (this.#done) return 0;
    if (buf.length < this.minBufferBytes) {
      throw new RangeError(
        `buf: expected at least ${this.minBufferBytes} bytes, got ${buf.length}`,
      );
    }
    if (buf.length <= SMALL_BUFFER) {
      const length = this.#encode(small, smallView, buf.length);
      for (let i = 0; i < length; i++) buf[i] = small[i];
      return length;
    }
    if (buf !== this.#buf) {
      this.#buf = buf;
      this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.#encode(buf, this.#view!, buf.length);
  }

  /** encodeInto, into `bytes[0..length-1]`, through `view` on them. */
  #encode(bytes: Uint8Array, view: DataView, length: number): number {
    const json = this.#format === "json";
    let pos = 0;
    if (!this.#opened) {
      this.#opened = true;
      if (json) bytes[pos++] = OPEN_BRACKET;
    }
    // Room for the numbers: json keeps a byte for its ']'.
    const end = length - (json ? 1 : 0);
    const blocks = this.#blocks;
    const sampler = this.#blockSampler;
    while (this.#remaining > 0) {
      // Whole blocks, straight from random words to text, as many as surely
      // fit. The first number of csv and json has no ',' before it, and a
      // block can only start on a fresh word, so those go one by one.
      if (blocks && this.#written > 0 && sampler!.pending === 0) {
        const count = Math.min(
          Math.floor((length - SLACK - pos) / blocks.bytes),
          Math.floor(this.#remaining / blocks.digits),
          SCRATCH_BLOCKS,
          Math.floor(SCRATCH_GROUPS / blocks.groups),
        );
        if (count > 0) {
          sampler!.fillBlocks(blockScratch, count);
          pos = writeBlocks(view, pos, count, blocks);
          this.#written += count * blocks.digits;
          this.#remaining -= count * blocks.digits;
          continue;
        }
      }
      let batch = Math.min(
        Math.floor((end - pos) / this.#numberBytes),
        this.#remaining,
        SCRATCH_NUMBERS,
      );
      if (batch === 0) break;
      if (blocks) {
        // Just enough to get back to a block boundary.
        if (this.#written === 0) batch = 1;
        else if (sampler!.pending > 0) {
          batch = Math.min(batch, sampler!.pending);
        }
      }
      this.#sampler.fill(scratch, batch);
      pos = this.#writeNumbers(bytes, view, pos, batch, length);
      this.#written += batch;
      this.#remaining -= batch;
    }
    if (this.#remaining === 0) {
      if (json) bytes[pos++] = CLOSE_BRACKET;
      this.#done = true;
    }
    return pos;
  }

  /** Writes `scratch[0..batch-1]`, each with its separator. */
  #writeNumbers(
    bytes: Uint8Array,
    view: DataView,
    pos: number,
    batch: number,
    length: number,
  ): number {
    const lines = this.#format === "lines";
    let i = 0;
    // The first number of csv and json has no ',' before it: write it with
    // its ',' elsewhere and copy it without.
    if (!lines && this.#written === 0) {
      const end = this.#writeOne(stagingView, 0, scratch[0], false);
      for (let k = 1; k < end; k++) bytes[pos++] = staging[k];
      i = 1;
    }
    // These surely fit with room for the stores past their ends; the rest go
    // through the staging buffer.
    const fast = Math.min(
      batch,
      i + Math.floor((length - SLACK - pos) / this.#numberBytes),
    );
    const table = this.#table;
    if (table) {
      const { low, high, length: lengths } = table;
      const min = this.#min;
      for (; i < fast; i++) {
        const r = scratch[i] - min;
        view.setUint32(pos, low[r], true);
        view.setUint32(pos + 4, high[r], true);
        pos += lengths[r];
      }
    } else if (lines) {
      for (; i < fast; i++) {
        pos = writeDecimal(view, pos, scratch[i]);
        view.setUint8(pos++, NEWLINE);
      }
    } else {
      for (; i < fast; i++) {
        view.setUint8(pos, COMMA);
        pos = writeDecimal(view, pos + 1, scratch[i]);
      }
    }
    for (; i < batch; i++) {
      const end = this.#writeOne(stagingView, 0, scratch[i], lines);
      for (let k = 0; k < end; k++) bytes[pos++] = staging[k];
    }
    return pos;
  }

  /** Writes one number with its separator at `pos`; returns where it ends. */
  #writeOne(view: DataView, pos: number, value: number, lines: boolean) {
    const table = this.#table;
    if (table) {
      const r = value - this.#min;
      view.setUint32(pos, table.low[r], true);
      view.setUint32(pos + 4, table.high[r], true);
      return pos + table.length[r];
    }
    if (lines) {
      pos = writeDecimal(view, pos, value);
      view.setUint8(pos, NEWLINE);
      return pos + 1;
    }
    view.setUint8(pos, COMMA);
    return writeDecimal(view, pos + 1, value);
  }
}

/**
 * Writes `blockScratch[0..count-1]`, every number with its separator, in two
 * passes: blocks into table indices, then table entries into the buffer.
 * Two simple loops run markedly faster in V8 than one with a nested loop
 * over the groups of a block.
 */
function writeBlocks(
  view: DataView,
  pos: number,
  count: number,
  plan: BlockPlan,
): number {
  const { low, high, length } = plan.table;
  const groups = plan.groups;
  const entries = plan.groupEntries;
  const inverse = 1 / entries;
  const lastOffset = plan.lastOffset;
  let m = 0;
  for (let j = 0; j < count; j++) {
    let block = blockScratch[j];
    for (let g = 1; g < groups; g++) {
      // Lowest digits first, as the sampler hands them out. The quotient is
      // exact: see the note on reciprocals in uniform.ts.
      const quotient = Math.floor((block + 0.5) * inverse);
      groupScratch[m++] = block - quotient * entries;
      block = quotient;
    }
    groupScratch[m++] = lastOffset + block;
  }
  for (let i = 0; i < m; i++) {
    const x = groupScratch[i];
    view.setUint32(pos, low[x], true);
    view.setUint32(pos + 4, high[x], true);
    pos += length[x];
  }
  return pos;
}

/**
 * Encodes a whole fixed-size payload at once.
 *
 * @example Usage
 * ```ts
 * import { encodePayload, resolvePayloadSpec } from "@randport/randport";
 *
 * const spec = resolvePayloadSpec({ count: 5, seed: 1 });
 * console.log(new TextDecoder().decode(encodePayload(spec))); // always the same 5 numbers
 * ```
 *
 * @param spec A payload that is not a stream.
 * @param options Which connection it is for, and where randomness comes from.
 * @returns The payload's bytes.
 */
export function encodePayload(
  spec: PayloadSpec,
  options: PayloadEncoderOptions = {},
): Uint8Array {
  if (spec.stream) {
    throw new RangeError("spec: a stream has no end; use payloadStream");
  }
  const encoder = new PayloadEncoder(spec, options);
  const buf = new Uint8Array(
    Math.max(maxPayloadBytes(spec), encoder.minBufferBytes),
  );
  const length = encoder.encodeInto(buf);
  return buf.subarray(0, length);
}

/** Options for {@linkcode payloadStream}. */
export interface PayloadStreamOptions extends PayloadEncoderOptions {
  /**
   * The size of each chunk the stream produces, in bytes.
   *
   * @default {16384}
   */
  chunkSize?: number;
}

/**
 * A byte stream of one payload, generated only as fast as it is read.
 * Useful with `new Response(payloadStream(spec))` or `pipeTo`.
 *
 * @example Usage
 * ```ts
 * import { payloadStream, resolvePayloadSpec } from "@randport/randport";
 *
 * const spec = resolvePayloadSpec({ count: 1000, format: "lines" });
 * const text = await new Response(payloadStream(spec)).text();
 * console.log(text.split("\n").length); // 1001: a '\n' ends every line
 * ```
 *
 * @param spec The payload; a stream spec gives a never-ending stream.
 * @param options Chunk size, ordinal and randomness source.
 * @returns The stream of encoded chunks.
 */
export function payloadStream(
  spec: PayloadSpec,
  options: PayloadStreamOptions = {},
): ReadableStream<Uint8Array> {
  const encoder = new PayloadEncoder(spec, options);
  const chunkSize = Math.max(
    Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, maxPayloadBytes(spec)),
    encoder.minBufferBytes,
  );
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // A fresh chunk each time: the reader may keep the previous one.
      const chunk = new Uint8Array(chunkSize);
      const length = encoder.encodeInto(chunk);
      if (length > 0) controller.enqueue(chunk.subarray(0, length));
      if (encoder.done) controller.close();
    },
  }, { highWaterMark: 0 });
}
