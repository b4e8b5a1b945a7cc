/**
 * The payload encoder: writes payloads (PROTOCOL.md §2) into byte buffers,
 * chunk by chunk.
 *
 * This is the server's hot path, so it is written by hand rather than with
 * `Array.join` and `TextEncoder`. For ranges of up to 16384 values, the
 * encoder never holds the numbers at all: it takes whole blocks from the
 * sampler (`SamplerBlocks`: one accepted random word, 4 numbers for 1..100)
 * and splits each block into groups of numbers whose text, separators
 * included, is precomputed in a table of at most 8 bytes per entry
 * (`,58,25` for 1..100), written with two 32-bit stores. Other ranges are
 * drawn into one shared scratch array and written four digits per store.
 * Nothing is allocated per number; per call, at most a DataView when the
 * caller passes a new buffer larger than 512 bytes (smaller ones are encoded
 * aside and copied).
 *
 * @module
 */

import type {
  IntegerSampler,
  SamplerBlocks,
} from "../random/integer_sampler.ts";
import { CLOSE_BRACKET, COMMA, NEWLINE, OPEN_BRACKET } from "./_bytes.ts";
import { decimalLength, writeDecimal } from "./_digits.ts";
import {
  type BlockPlan,
  blockPlan,
  type GroupTable,
  groupTable,
  TABLE_ENTRY_BYTES,
  TABLE_MAX_ENTRIES,
} from "./_group_table.ts";
import {
  payloadSampler,
  type PayloadSamplerOptions,
} from "./payload_sampler.ts";
import type { PayloadFormat, PayloadSpec } from "./payload_spec.ts";

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

/**
 * The most bytes one number can take on the wire, separator included.
 *
 * @example Usage
 * ```ts
 * import { maxNumberBytes, resolvePayloadSpec } from "@randport/randport/wire";
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
 * import { maxPayloadBytes, resolvePayloadSpec } from "@randport/randport/wire";
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
 * import { DEFAULT_CHUNK_SIZE } from "@randport/randport/wire";
 *
 * console.log(DEFAULT_CHUNK_SIZE); // 16384
 * ```
 */
export const DEFAULT_CHUNK_SIZE = 16384;

/** Options for {@linkcode PayloadEncoder} and the functions built on it. */
export interface PayloadEncoderOptions extends PayloadSamplerOptions {
  /**
   * Where the numbers come from. It must draw from `spec.min..spec.max`
   * (and without repeats for a unique spec); the encoder writes what it
   * gives, taking blocks where it offers them (read once, when the encoder
   * is made). Given, it replaces `ordinal` and `source`, which only choose
   * the default sampler.
   *
   * @default {payloadSampler(spec, options)}
   */
  sampler?: IntegerSampler;
}

/** What every encoder of one spec and sampler kind shares. */
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
  blockSize: number;
  blockRadix: number;
  blockOffset: number;
  plan: EncoderPlan;
} | undefined;

function encoderPlan(
  spec: PayloadSpec,
  blocks: SamplerBlocks | undefined,
): EncoderPlan {
  const { min, max, format } = spec;
  const blockSize = blocks?.size ?? 0;
  const blockRadix = blocks?.radix ?? 0;
  const blockOffset = blocks?.offset ?? 0;
  if (
    lastPlan && lastPlan.min === min && lastPlan.max === max &&
    lastPlan.format === format && lastPlan.blockSize === blockSize &&
    lastPlan.blockRadix === blockRadix && lastPlan.blockOffset === blockOffset
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
    // Blocks are decoded as SamplerBlocks defines them, from their own radix
    // and offset; their numbers lie in the spec's range, so they fit the
    // same table bounds.
    if (blocks && blocks.radix <= TABLE_MAX_ENTRIES) {
      plan.blocks = blockPlan(
        blocks.offset,
        blocks.radix,
        blocks.size,
        plan.numberBytes,
        lines,
      );
    }
  }
  lastPlan = {
    min,
    max,
    format,
    blockSize,
    blockRadix,
    blockOffset,
    plan,
  };
  return plan;
}

/**
 * Encodes one payload into caller-supplied buffers, as many whole numbers per
 * call as fit, so that a server can hold exactly one chunk per client and
 * generate the next only when the previous one has been written.
 *
 * @example Usage
 * ```ts
 * import { PayloadEncoder, resolvePayloadSpec } from "@randport/randport/wire";
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
  /** The sampler's blocks, when the encoder has a plan for them. */
  readonly #blockSampler: SamplerBlocks | undefined;
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
   * @param options Which connection it is for, and where the numbers or
   * the randomness come from.
   */
  constructor(spec: PayloadSpec, options: PayloadEncoderOptions = {}) {
    this.#sampler = options.sampler ?? payloadSampler(spec, options);
    this.#format = spec.format;
    this.#min = spec.min;
    this.#remaining = spec.stream ? Infinity : spec.count;
    // Read once: the encoder relies on this object for the whole payload.
    const blocks = this.#sampler.blocks;
    if (
      blocks &&
      (blocks.offset < spec.min || blocks.offset + blocks.radix - 1 > spec.max)
    ) {
      throw new RangeError(
        `sampler: its blocks span ${blocks.offset}..${
          blocks.offset + blocks.radix - 1
        }, outside the spec's ${spec.min}..${spec.max}`,
      );
    }
    const plan = encoderPlan(spec, blocks);
    this.#numberBytes = plan.numberBytes;
    this.#table = plan.table;
    this.#blocks = plan.blocks;
    if (plan.blocks) this.#blockSampler = blocks;
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
          sampler!.fill(blockScratch, count);
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
      // Lowest digits first, as SamplerBlocks defines a block. The quotient
      // is exact: see the note on reciprocals in _digits.ts.
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
