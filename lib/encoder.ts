/**
 * Writes payloads (see PROTOCOL.md) into byte buffers, chunk by chunk.
 *
 * This is the server's hot path, so it is written by hand rather than with
 * `Array.join` and `TextEncoder`: numbers are drawn in batches into one
 * shared scratch array and their ASCII digits are copied straight into the
 * caller's buffer, from a per-range table when the range is small. Nothing is
 * allocated per number or per chunk.
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

// Drawing is synchronous, so one scratch array serves every encoder.
const SCRATCH_NUMBERS = 8192;
const scratch = new Float64Array(SCRATCH_NUMBERS);

// Ranges up to this size get a table of their numbers' digits.
const TABLE_MAX_SIZE = 4096;
const TABLE_CACHE_MAX = 32;

/** Digits of every number in a small range, each with its separator. */
interface DigitTable {
  bytes: Uint8Array;
  lengths: Uint8Array;
  stride: number;
}

const tableCache = new Map<string, DigitTable>();

function decimalLength(value: number): number {
  let length = value < 0 ? 2 : 1;
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) {
    length++;
  }
  return length;
}

/**
 * Writes `value` (a safe integer) in ASCII decimal at `buf[pos]`.
 * Returns the position after the last digit.
 */
function writeDecimal(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) {
    buf[pos++] = MINUS;
    value = -value;
  }
  const end = pos + decimalLength(value);
  // For values below 2^53 the quotient is below 2^50, where a double's
  // spacing is at most 1/8, so floor(value / 10) is exact.
  for (let i = end - 1; i >= pos; i--) {
    const quotient = Math.floor(value / 10);
    buf[i] = ZERO + (value - quotient * 10);
    value = quotient;
  }
  return end;
}

/** Separator placement: csv and json put ',' before, lines put '\n' after. */
function separatorOf(format: PayloadFormat): number {
  return format === "lines" ? NEWLINE : COMMA;
}

function digitTable(min: number, size: number, format: PayloadFormat) {
  const key = `${min}:${size}:${format === "lines"}`;
  let table = tableCache.get(key);
  if (table) return table;
  const stride = Math.max(decimalLength(min), decimalLength(min + size - 1)) +
    1;
  const bytes = new Uint8Array(size * stride);
  const lengths = new Uint8Array(size);
  const separator = separatorOf(format);
  for (let r = 0; r < size; r++) {
    const start = r * stride;
    if (separator === NEWLINE) {
      const end = writeDecimal(bytes, start, min + r);
      bytes[end] = NEWLINE;
      lengths[r] = end + 1 - start;
    } else {
      bytes[start] = COMMA;
      lengths[r] = writeDecimal(bytes, start + 1, min + r) - start;
    }
  }
  table = { bytes, lengths, stride };
  if (tableCache.size >= TABLE_CACHE_MAX) {
    tableCache.delete(tableCache.keys().next().value!);
  }
  tableCache.set(key, table);
  return table;
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
  readonly #format: PayloadFormat;
  readonly #min: number;
  readonly #table: DigitTable | undefined;
  readonly #numberBytes: number;
  #remaining: number;
  #written = 0;
  #opened = false;
  #done = false;

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
    this.#sampler = spec.unique
      ? new UniqueSampler(spec.min, spec.max, { source })
      : new UniformSampler(spec.min, spec.max, { source });
    this.#format = spec.format;
    this.#min = spec.min;
    this.#numberBytes = maxNumberBytes(spec);
    this.#remaining = spec.stream ? Infinity : spec.count;
    const size = spec.max - spec.min + 1;
    if (size <= TABLE_MAX_SIZE) {
      this.#table = digitTable(spec.min, size, spec.format);
    }
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
    const json = this.#format === "json";
    let pos = 0;
    if (!this.#opened) {
      this.#opened = true;
      if (json) buf[pos++] = OPEN_BRACKET;
    }
    const reserve = json ? 1 : 0;
    while (this.#remaining > 0) {
      const fits = Math.floor((buf.length - pos - reserve) / this.#numberBytes);
      if (fits === 0) break;
      const batch = Math.min(fits, this.#remaining, SCRATCH_NUMBERS);
      this.#sampler.fill(scratch, batch);
      pos = this.#table
        ? this.#writeFromTable(buf, pos, batch, this.#table)
        : this.#writeDecimals(buf, pos, batch);
      this.#written += batch;
      this.#remaining -= batch;
    }
    if (this.#remaining === 0) {
      if (json) buf[pos++] = CLOSE_BRACKET;
      this.#done = true;
    }
    return pos;
  }

  #writeFromTable(
    buf: Uint8Array,
    pos: number,
    batch: number,
    table: DigitTable,
  ): number {
    const { bytes, lengths, stride } = table;
    const min = this.#min;
    let i = 0;
    if (this.#written === 0 && this.#format !== "lines") {
      // The first number of csv and json has no ',' before it.
      const r = scratch[0] - min;
      const start = r * stride;
      for (let k = start + 1; k < start + lengths[r]; k++) {
        buf[pos++] = bytes[k];
      }
      i = 1;
    }
    for (; i < batch; i++) {
      const r = scratch[i] - min;
      let k = r * stride;
      const end = k + lengths[r];
      while (k < end) buf[pos++] = bytes[k++];
    }
    return pos;
  }

  #writeDecimals(buf: Uint8Array, pos: number, batch: number): number {
    if (this.#format === "lines") {
      for (let i = 0; i < batch; i++) {
        pos = writeDecimal(buf, pos, scratch[i]);
        buf[pos++] = NEWLINE;
      }
      return pos;
    }
    for (let i = 0; i < batch; i++) {
      if (i > 0 || this.#written > 0) buf[pos++] = COMMA;
      pos = writeDecimal(buf, pos, scratch[i]);
    }
    return pos;
  }
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
    Math.min(options.chunkSize ?? 16384, maxPayloadBytes(spec)),
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
