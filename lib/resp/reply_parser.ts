/**
 * Replies of the Redis serialization protocol, RESP2 and RESP3, as a client
 * reads them: any number per read (the replies to a pipeline), in chunks
 * of any size, a reply of any length without parsing it twice.
 *
 * @module
 */

import {
  decodeText,
  ReplyError,
  RespPush,
  type RespValue,
} from "./reply_value.ts";

/** Options for {@linkcode ReplyParser}: its limits. */
export interface ReplyParserOptions {
  /**
   * The longest bulk string, verbatim string or blob error accepted, in
   * bytes: Redis's own limit (`proto-max-bulk-len`).
   *
   * @default {536870912}
   */
  maxBulkBytes?: number;
  /**
   * The most elements of one array, set or push, or pairs of one map or
   * attribute: the most numbers a request server may be configured to draw
   * at once.
   *
   * @default {100000000}
   */
  maxElements?: number;
  /**
   * The longest line accepted (a simple string, an error, a number, a
   * header), in bytes, line break excluded.
   *
   * @default {65536}
   */
  maxLineBytes?: number;
  /**
   * How deep aggregates may nest in one another.
   *
   * @default {64}
   */
  maxDepth?: number;
}

/**
 * The defaults of {@linkcode ReplyParserOptions}.
 *
 * @example Usage
 * ```ts
 * import { REPLY_PARSER_DEFAULTS } from "@randport/randport/resp";
 *
 * console.log(REPLY_PARSER_DEFAULTS.maxBulkBytes); // 536870912
 * ```
 */
export const REPLY_PARSER_DEFAULTS: {
  readonly maxBulkBytes: number;
  readonly maxElements: number;
  readonly maxLineBytes: number;
  readonly maxDepth: number;
} = Object.freeze({
  maxBulkBytes: 512 * 1024 * 1024,
  maxElements: 100_000_000,
  maxLineBytes: 64 * 1024,
  maxDepth: 64,
});

/**
 * Bytes that break the protocol, or a limit of
 * {@linkcode ReplyParserOptions}: the stream cannot be read any further,
 * since where the next reply starts is unknown.
 *
 * @example Usage
 * ```ts
 * import { MalformedReplyError, ReplyParser } from "@randport/randport/resp";
 *
 * try {
 *   new ReplyParser().push(new TextEncoder().encode("+OK\r\n:12x\r\n"));
 * } catch (error) {
 *   if (error instanceof MalformedReplyError) {
 *     console.log(error.message, error.replies); // "invalid integer '12x' (byte 5)" ["OK"]
 *   }
 * }
 * ```
 */
export class MalformedReplyError extends Error {
  /** What is wrong, without the offset. */
  readonly detail: string;
  /** Where the faulty element starts, in bytes from the first byte pushed. */
  readonly offset: number;
  /**
   * The complete replies that came before the fault in the same chunk: a
   * client delivers them before it gives up on the connection.
   */
  readonly replies: RespValue[];

  /**
   * Creates the error.
   *
   * @param detail What is wrong, without the offset.
   * @param offset Where the faulty element starts in the stream.
   * @param replies The complete replies before the fault.
   */
  constructor(detail: string, offset: number, replies: RespValue[] = []) {
    super(`${detail} (byte ${offset})`);
    this.name = "MalformedReplyError";
    this.detail = detail;
    this.offset = offset;
    this.replies = replies;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;

/** The aggregates' type bytes, and their names for messages. */
const AGGREGATES: Record<number, string> = {
  0x2a: "array", // *
  0x25: "map", // %
  0x7e: "set", // ~
  0x3e: "push", // >
  0x7c: "attribute", // |
};
const ARRAY = 0x2a;
const MAP = 0x25;
const SET = 0x7e;
const PUSH = 0x3e;
const ATTRIBUTE = 0x7c;

/** The types whose length-prefixed body follows their header. */
const BULKS: Record<number, string> = {
  0x24: "bulk string", // $
  0x21: "blob error", // !
  0x3d: "verbatim string", // =
};
const BULK = 0x24;
const BLOB_ERROR = 0x21;

/** An attribute's value: it annotates the next one and is dropped. */
const SKIP: unique symbol = Symbol("attribute");

interface Frame {
  kind: number;
  /** Elements still to come (keys and values, for a map). */
  remaining: number;
  items: RespValue[];
}

interface PendingBulk {
  kind: number;
  length: number;
  /** Where its header starts in the stream, for messages. */
  offset: number;
  chunks: Uint8Array[];
  /** Bytes of its body and final CRLF received so far. */
  received: number;
}

const EMPTY = new Uint8Array(0);

function checkLimit(name: string, value: number | undefined, fallback: number) {
  const limit = value ?? fallback;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(
      `${name}: expected a positive integer, got ${String(limit)}`,
    );
  }
  return limit;
}

/** Bytes as they may appear in a message: short, quoted. */
function quote(bytes: Uint8Array): string {
  const text = decodeText(bytes.subarray(0, 64));
  return `'${text}${bytes.length > 64 ? "..." : ""}'`;
}

/**
 * A decimal integer with an optional sign: a `number` when it is safe, a
 * `bigint` beyond; undefined when the bytes are no integer.
 */
function parseInteger(
  data: Uint8Array,
  start: number,
  end: number,
): number | bigint | undefined {
  let i = start;
  const negative = data[i] === MINUS;
  if (negative || data[i] === PLUS) i++;
  if (i >= end) return undefined;
  if (end - i <= 15) {
    // Fits a double exactly: no string, no BigInt.
    let value = 0;
    for (; i < end; i++) {
      const byte = data[i];
      if (byte < ZERO || byte > NINE) return undefined;
      value = value * 10 + (byte - ZERO);
    }
    return negative && value !== 0 ? -value : value;
  }
  for (let j = i; j < end; j++) {
    if (data[j] < ZERO || data[j] > NINE) return undefined;
  }
  const big = BigInt(decodeText(data.subarray(start, end)));
  return big >= -BigInt(Number.MAX_SAFE_INTEGER) &&
      big <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big;
}

const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseDouble(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "nan" || lower === "-nan" || lower === "+nan") return NaN;
  return DOUBLE.test(text) ? Number(text) : undefined;
}

function join(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Parses RESP2 and RESP3 replies pushed in chunks of any size, and returns
 * each reply once it is complete, as a {@linkcode RespValue}: bulk strings
 * as bytes (`Uint8Array`, copied: the chunk may be reused), error replies as
 * {@linkcode ReplyError} values, so that one error does not stop the
 * replies after it. A big reply is parsed as its bytes arrive, never
 * twice; only an unfinished line is held between chunks.
 *
 * Streamed strings and aggregates (RESP3's `$?` and `*?`, which no server
 * sends unasked) are not supported: they are malformed here.
 *
 * @example Usage
 * ```ts
 * import { ReplyParser } from "@randport/randport/resp";
 *
 * const parser = new ReplyParser();
 * const encoder = new TextEncoder();
 * console.log(parser.push(encoder.encode("+PONG\r\n*2\r\n:58\r\n:2"))); // ["PONG"]
 * console.log(parser.push(encoder.encode("5\r\n"))); // [[58, 25]]
 * console.log(parser.inReply); // false
 * ```
 */
export class ReplyParser {
  readonly #maxBulkBytes: number;
  readonly #maxElements: number;
  readonly #maxLineBytes: number;
  readonly #maxDepth: number;
  /** An unfinished line, copied from the chunks it came in. */
  #buffer: Uint8Array = EMPTY;
  /** Where `#buffer` starts in the stream. */
  #offset = 0;
  #bulk: PendingBulk | undefined;
  /** The aggregates being read, outermost first. */
  #stack: Frame[] = [];
  #fault: MalformedReplyError | undefined;
  /** Whether an attribute came, and the reply it annotates not yet. */
  #annotated = false;

  /**
   * Creates a parser.
   *
   * @param options The limits.
   * @throws {RangeError} When a limit is not a positive integer.
   */
  constructor(options: ReplyParserOptions = {}) {
    const d = REPLY_PARSER_DEFAULTS;
    this.#maxBulkBytes = checkLimit(
      "maxBulkBytes",
      options.maxBulkBytes,
      d.maxBulkBytes,
    );
    this.#maxElements = checkLimit(
      "maxElements",
      options.maxElements,
      d.maxElements,
    );
    this.#maxLineBytes = checkLimit(
      "maxLineBytes",
      options.maxLineBytes,
      d.maxLineBytes,
    );
    this.#maxDepth = checkLimit("maxDepth", options.maxDepth, d.maxDepth);
  }

  /** Bytes pushed so far. */
  get bytesRead(): number {
    return this.#offset + this.#buffer.length;
  }

  /**
   * Whether a reply has begun and not ended: a stream that ends now ends in
   * the middle of one.
   */
  get inReply(): boolean {
    return this.#buffer.length > 0 || this.#bulk !== undefined ||
      this.#stack.length > 0 || this.#annotated;
  }

  /**
   * Parses the next chunk.
   *
   * @param chunk The next bytes from the server.
   * @returns The replies this chunk completed, in order.
   * @throws {MalformedReplyError} When the bytes break the protocol or a
   * limit, with the complete replies before the fault in `replies`; every
   * later push throws it again, without them.
   */
  push(chunk: Uint8Array): RespValue[] {
    if (this.#fault !== undefined) {
      throw new MalformedReplyError(this.#fault.detail, this.#fault.offset);
    }
    const data = this.#buffer.length === 0
      ? chunk
      : concat(this.#buffer, chunk);
    const base = this.#offset;
    const replies: RespValue[] = [];
    let pos = 0;
    try {
      pos = this.#parse(data, base, replies);
    } catch (error) {
      if (!(error instanceof MalformedReplyError)) throw error;
      this.#fault = new MalformedReplyError(
        error.detail,
        error.offset,
        replies,
      );
      throw this.#fault;
    }
    // Keep the unfinished line; copy it, since the caller may reuse chunk.
    this.#buffer = pos < data.length ? data.slice(pos) : EMPTY;
    this.#offset = base + pos;
    return replies;
  }

  /** Parses what it can; returns where the unparsed bytes start. */
  #parse(data: Uint8Array, base: number, replies: RespValue[]): number {
    let pos = 0;
    for (;;) {
      const bulk = this.#bulk;
      if (bulk !== undefined) {
        const take = Math.min(
          bulk.length + 2 - bulk.received,
          data.length - pos,
        );
        if (take > 0) {
          bulk.chunks.push(data.slice(pos, pos + take));
          bulk.received += take;
          pos += take;
        }
        if (bulk.received < bulk.length + 2) return pos;
        this.#bulk = undefined;
        const body = join(bulk.chunks, bulk.length + 2);
        // The body is a copy already: no need for another.
        this.#deliver(
          this.#bulkValue(bulk.kind, body, 0, bulk.length, bulk.offset, true),
          replies,
        );
        continue;
      }
      if (pos >= data.length) return pos;
      const lf = data.indexOf(LF, pos);
      const offset = base + pos;
      if (
        lf < 0
          ? data.length - pos > this.#maxLineBytes + 2
          : lf - pos - 2 > this.#maxLineBytes
      ) {
        throw new MalformedReplyError(
          `line longer than maxLineBytes (${this.#maxLineBytes})`,
          offset,
        );
      }
      if (lf < 0) return pos;
      // A CR anywhere but before the LF: the line ended earlier, wrongly.
      if (lf === pos || data.indexOf(CR, pos) !== lf - 1) {
        throw new MalformedReplyError("line not ended by CRLF", offset);
      }
      const kind = data[pos];
      const start = pos + 1;
      const end = lf - 1;
      pos = lf + 1;
      if (kind in BULKS) {
        const length = this.#length(data, start, end, offset, BULKS[kind]);
        if (length === -1) {
          if (kind !== BULK) {
            throw new MalformedReplyError(
              `invalid ${BULKS[kind]} length '-1'`,
              offset,
            );
          }
          this.#deliver(null, replies);
        } else if (length > this.#maxBulkBytes) {
          throw new MalformedReplyError(
            `${
              BULKS[kind]
            } of ${length} bytes exceeds maxBulkBytes (${this.#maxBulkBytes})`,
            offset,
          );
        } else if (pos + length + 2 <= data.length) {
          this.#deliver(
            this.#bulkValue(kind, data, pos, pos + length, offset, false),
            replies,
          );
          pos += length + 2;
        } else {
          this.#bulk = { kind, length, offset, chunks: [], received: 0 };
        }
      } else if (kind in AGGREGATES) {
        const length = this.#length(data, start, end, offset, AGGREGATES[kind]);
        this.#aggregate(kind, length, offset, replies);
      } else {
        this.#deliver(this.#simple(kind, data, start, end, offset), replies);
      }
    }
  }

  /** A header's length: -1 (null) or a count; anything else is malformed. */
  #length(
    data: Uint8Array,
    start: number,
    end: number,
    offset: number,
    what: string,
  ): number {
    const value = parseInteger(data, start, end);
    if (typeof value === "number" && value >= -1 && data[start] !== PLUS) {
      return value;
    }
    const text = data.subarray(start, end);
    throw new MalformedReplyError(
      end - start === 1 && data[start] === 0x3f // ?
        ? `streamed ${what}s (length '?') are not supported`
        : `invalid ${what} length ${quote(text)}`,
      offset,
    );
  }

  #aggregate(
    kind: number,
    length: number,
    offset: number,
    replies: RespValue[],
  ): void {
    const what = AGGREGATES[kind];
    if (length === -1) {
      // RESP2's null array; RESP3 sends `_` instead, and no other null.
      if (kind !== ARRAY) {
        throw new MalformedReplyError(`invalid ${what} length '-1'`, offset);
      }
      this.#deliver(null, replies);
      return;
    }
    if (length > this.#maxElements) {
      throw new MalformedReplyError(
        `${what} of ${length} elements exceeds maxElements (${this.#maxElements})`,
        offset,
      );
    }
    const frame: Frame = {
      kind,
      remaining: kind === MAP || kind === ATTRIBUTE ? 2 * length : length,
      items: [],
    };
    if (frame.remaining === 0) {
      this.#deliver(build(frame), replies);
      return;
    }
    if (this.#stack.length >= this.#maxDepth) {
      throw new MalformedReplyError(
        `replies nested deeper than maxDepth (${this.#maxDepth})`,
        offset,
      );
    }
    this.#stack.push(frame);
  }

  #bulkValue(
    kind: number,
    data: Uint8Array,
    start: number,
    end: number,
    offset: number,
    owned: boolean,
  ): RespValue {
    // A copy, unless the bytes are the parser's own already.
    const cut = (from: number, to: number) =>
      owned ? data.subarray(from, to) : data.slice(from, to);
    if (data[end] !== CR || data[end + 1] !== LF) {
      throw new MalformedReplyError(
        `${BULKS[kind]} not followed by CRLF`,
        offset,
      );
    }
    if (kind === BULK) return cut(start, end);
    if (kind === BLOB_ERROR) {
      return new ReplyError(decodeText(data.subarray(start, end)));
    }
    // A verbatim string: three bytes of format (`txt`, `mkd`), a colon.
    if (end - start < 4 || data[start + 3] !== 0x3a) {
      throw new MalformedReplyError(
        "verbatim string without its format prefix",
        offset,
      );
    }
    return cut(start + 4, end);
  }

  /** The one-line types. */
  #simple(
    kind: number,
    data: Uint8Array,
    start: number,
    end: number,
    offset: number,
  ): RespValue {
    const line = data.subarray(start, end);
    switch (kind) {
      case PLUS:
        return decodeText(line);
      case MINUS:
        return new ReplyError(decodeText(line));
      case 0x3a: { // :
        const value = parseInteger(data, start, end);
        if (value !== undefined) return value;
        break;
      }
      case 0x2c: { // ,
        const value = parseDouble(decodeText(line));
        if (value !== undefined) return value;
        break;
      }
      case 0x23: // #
        if (line.length === 1 && line[0] === 0x74) return true;
        if (line.length === 1 && line[0] === 0x66) return false;
        break;
      case 0x28: // (
        if (/^[+-]?\d+$/.test(decodeText(line))) {
          return BigInt(decodeText(line));
        }
        break;
      case 0x5f: // _
        if (line.length === 0) return null;
        break;
      default:
        throw new MalformedReplyError(
          `unknown reply type ${quote(data.subarray(start - 1, start))}`,
          offset,
        );
    }
    const names: Record<number, string> = {
      0x3a: "integer",
      0x2c: "double",
      0x23: "boolean",
      0x28: "big number",
      0x5f: "null",
    };
    throw new MalformedReplyError(
      `invalid ${names[kind]} ${quote(line)}`,
      offset,
    );
  }

  /** Hands a complete value to the aggregate it belongs to, or out. */
  #deliver(value: RespValue | typeof SKIP, replies: RespValue[]): void {
    const stack = this.#stack;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        this.#annotated = value === SKIP;
        if (value !== SKIP) replies.push(value);
        return;
      }
      // An attribute annotates the next element and is no element itself.
      if (value === SKIP) return;
      top.items.push(value);
      if (--top.remaining > 0) return;
      stack.pop();
      value = build(top);
    }
  }
}

function build(frame: Frame): RespValue | typeof SKIP {
  const items = frame.items;
  switch (frame.kind) {
    case ARRAY:
      return items;
    case SET:
      return new Set(items);
    case PUSH:
      return new RespPush(items);
    case MAP: {
      const map = new Map<RespValue, RespValue>();
      for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
      return map;
    }
    default:
      return SKIP;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
