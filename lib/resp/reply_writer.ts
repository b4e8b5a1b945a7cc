/**
 * Replies of the Redis serialization protocol, RESP2 or RESP3, written into
 * one growing buffer so that the replies to a pipeline go out in few
 * writes.
 *
 * @module
 */

/** The protocol versions a connection can speak (`HELLO 2`, `HELLO 3`). */
export type RespVersion = 2 | 3;

const encoder = new TextEncoder();

/**
 * `:n\r\n` of every n below this, pre-encoded: a draw of small numbers
 * (dice, 1..100, a lottery) stores each reply's bytes instead of computing
 * its digits, as the push port's encoder does for csv.
 */
const TABLE_SIZE = 10000;
/**
 * Entry n's bytes (`:`, up to 4 digits, CR, LF; zeros after), as two
 * little-endian words: two stores write a whole reply (and up to 8 bytes
 * past it, which the writer has reserved and the next reply overwrites).
 */
const TABLE_LOW = new Uint32Array(TABLE_SIZE);
const TABLE_HIGH = new Uint32Array(TABLE_SIZE);
/** Entry n's length in bytes. */
const TABLE_LENGTH = new Uint8Array(TABLE_SIZE);
for (let n = 0; n < TABLE_SIZE; n++) {
  const text = `:${n}\r\n`;
  const bytes = new Uint8Array(8);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const words = new DataView(bytes.buffer);
  TABLE_LOW[n] = words.getUint32(0, true);
  TABLE_HIGH[n] = words.getUint32(4, true);
  TABLE_LENGTH[n] = text.length;
}

/** The most bytes of one integer reply: `:-`, 16 digits, CR LF; rounded up. */
const MAX_INTEGER_BYTES = 24;

/**
 * Writes `:value\r\n` at `buf[at]` (`view` is the same bytes), which has
 * room for {@linkcode MAX_INTEGER_BYTES}, and returns where it ends.
 */
function writeInteger(
  buf: Uint8Array,
  view: DataView,
  at: number,
  value: number,
): number {
  const small = value | 0;
  if (small === value && small >= 0 && small < TABLE_SIZE) {
    view.setUint32(at, TABLE_LOW[small], true);
    view.setUint32(at + 4, TABLE_HIGH[small], true);
    return at + TABLE_LENGTH[small];
  }
  // Digit by digit, without building a string: RANDINT writes a million.
  buf[at++] = 0x3a; // ':'
  if (value < 0) {
    buf[at++] = 0x2d; // '-'
    value = -value;
  }
  let digits = 1;
  for (let p = 10; p <= value; p *= 10) digits++;
  // Right to left; integer division stays in int32 below 2^31.
  let end = at + digits;
  at = end;
  if (value < 2147483648) {
    let v = value | 0;
    do {
      const rest = (v / 10) | 0;
      buf[--end] = 0x30 + (v - rest * 10);
      v = rest;
    } while (v > 0);
  } else {
    do {
      const rest = Math.floor(value / 10);
      buf[--end] = 0x30 + (value - rest * 10);
      value = rest;
    } while (value > 0);
  }
  buf[at++] = 0x0d;
  buf[at++] = 0x0a;
  return at;
}

/**
 * Writes RESP replies. In RESP2, the RESP3 types fall back as Redis does: a
 * map is a flat array of keys and values, a double a bulk string, a boolean
 * the integer 1 or 0, and null the null bulk string `$-1`.
 *
 * @example Usage
 * ```ts
 * import { ReplyWriter } from "@randport/randport/resp";
 *
 * const writer = new ReplyWriter();
 * writer.simple("PONG");
 * writer.arrayHeader(2);
 * writer.integer(58);
 * writer.bulk("25");
 * console.log(new TextDecoder().decode(writer.take()));
 * // "+PONG\r\n*2\r\n:58\r\n$2\r\n25\r\n"
 * ```
 */
export class ReplyWriter {
  #buf = new Uint8Array(4096);
  /** `#buf` as a DataView, for the integer table's word stores. */
  #view = new DataView(this.#buf.buffer);
  #length = 0;
  #errors = 0;
  /** The protocol version replies are written in. */
  version: RespVersion = 2;

  /** Bytes written and not taken yet. */
  get length(): number {
    return this.#length;
  }

  /**
   * Error replies written since the writer was made: compared before and
   * after a request, it tells whether the request failed, with no parsing
   * of the reply.
   */
  get errors(): number {
    return this.#errors;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#length + bytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #shrink(): void {
    this.#buf = new Uint8Array(4096);
    this.#view = new DataView(this.#buf.buffer);
  }

  #ascii(text: string): void {
    this.#reserve(text.length);
    const buf = this.#buf;
    let at = this.#length;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    this.#length = at;
  }

  #bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /**
   * `+text`: a status reply.
   *
   * @param text One line: no CR or LF.
   */
  simple(text: string): void {
    this.#line("+", text);
  }

  /**
   * `-text`: an error reply, such as `ERR unknown command 'x'`.
   *
   * @param text One line starting with an error code word; CR and LF are
   * replaced by spaces.
   */
  error(text: string): void {
    this.#errors++;
    this.#line("-", text);
  }

  #line(prefix: string, text: string): void {
    // Most lines are ASCII without CR or LF (PONG, OK): their own bytes,
    // written as they are checked, with no regular expression and no
    // encoding (which made PING cost more than a RANDINT).
    const length = text.length;
    this.#reserve(length + 3);
    const buf = this.#buf;
    let at = this.#length;
    buf[at++] = prefix.charCodeAt(0);
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || c === 0x0d || c === 0x0a) {
        // Anything else (`#length` is still where the line begins).
        const bytes = encoder.encode(text.replace(/[\r\n]/g, " "));
        this.#ascii(prefix);
        this.#bytes(bytes);
        this.#ascii("\r\n");
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x0d;
    buf[at++] = 0x0a;
    this.#length = at;
  }

  /**
   * `:n`: an integer reply.
   *
   * @param value A safe integer.
   */
  integer(value: number): void {
    this.#reserve(MAX_INTEGER_BYTES);
    this.#length = writeInteger(this.#buf, this.#view, this.#length, value);
  }

  /**
   * `*n` and n integer replies: what {@linkcode ReplyWriter.arrayHeader}
   * and {@linkcode ReplyWriter.integer} for each value write, with room
   * made once per few thousand values instead of once per value (a
   * million-number RANDINT spent a tenth of its time there).
   *
   * @example Usage
   * ```ts
   * import { ReplyWriter } from "@randport/randport/resp";
   *
   * const writer = new ReplyWriter();
   * writer.integerArray(new Float64Array([35, 16, 27]));
   * console.log(new TextDecoder().decode(writer.take()));
   * // "*3\r\n:35\r\n:16\r\n:27\r\n"
   * ```
   *
   * @param values Safe integers.
   */
  integerArray(values: ArrayLike<number>): void {
    const count = values.length;
    this.arrayHeader(count);
    for (let i = 0; i < count;) {
      const end = Math.min(count, i + 4096);
      this.#reserve((end - i) * MAX_INTEGER_BYTES);
      const buf = this.#buf;
      const view = this.#view;
      let at = this.#length;
      for (; i < end; i++) at = writeInteger(buf, view, at, values[i]);
      this.#length = at;
    }
  }

  /**
   * `$len`: a bulk string.
   *
   * @param value Text (written as UTF-8) or bytes.
   */
  bulk(value: string | Uint8Array): void {
    if (typeof value === "string") {
      // ASCII text (a RANDFLOAT number, a UUID) is its own bytes: written
      // without encoding it into a buffer of its own first.
      if (!/[\u0080-\uffff]/.test(value)) {
        this.#ascii(`$${value.length}\r\n`);
        this.#ascii(value);
        this.#ascii("\r\n");
        return;
      }
      value = encoder.encode(value);
    }
    this.#ascii(`$${value.length}\r\n`);
    this.#bytes(value);
    this.#ascii("\r\n");
  }

  /** Null: `_` in RESP3, the null bulk string `$-1` in RESP2. */
  null(): void {
    this.#ascii(this.version === 3 ? "_\r\n" : "$-1\r\n");
  }

  /**
   * A double: `,x` in RESP3, a bulk string in RESP2.
   *
   * @param value Any number; infinities are written `inf` and `-inf`.
   */
  double(value: number): void {
    const text = value === Infinity
      ? "inf"
      : value === -Infinity
      ? "-inf"
      : Number.isNaN(value)
      ? "nan"
      : String(value);
    if (this.version === 3) this.#ascii(`,${text}\r\n`);
    else this.bulk(text);
  }

  /**
   * A boolean: `#t`/`#f` in RESP3, the integer 1 or 0 in RESP2.
   *
   * @param value The boolean.
   */
  boolean(value: boolean): void {
    if (this.version === 3) this.#ascii(value ? "#t\r\n" : "#f\r\n");
    else this.integer(value ? 1 : 0);
  }

  /**
   * `*n`: an array of the `count` replies written next.
   *
   * @param count How many elements follow.
   */
  arrayHeader(count: number): void {
    // Every array reply has one: digits written, no string built.
    const small = count | 0;
    if (small !== count || small < 0) {
      this.#ascii(`*${count}\r\n`);
      return;
    }
    this.#reserve(16);
    const buf = this.#buf;
    let at = this.#length;
    buf[at++] = 0x2a; // '*'
    let digits = 1;
    for (let p = 10; p <= small; p *= 10) digits++;
    let end = at + digits;
    at = end;
    let v = small;
    do {
      const rest = (v / 10) | 0;
      buf[--end] = 0x30 + (v - rest * 10);
      v = rest;
    } while (v > 0);
    buf[at++] = 0x0d;
    buf[at++] = 0x0a;
    this.#length = at;
  }

  /**
   * A map of the `count` key-value pairs written next: `%n` in RESP3, an
   * array of 2n elements in RESP2.
   *
   * @param count How many pairs follow.
   */
  mapHeader(count: number): void {
    this.#ascii(this.version === 3 ? `%${count}\r\n` : `*${2 * count}\r\n`);
  }

  /**
   * Everything written so far, and a fresh start.
   *
   * @returns The bytes, for one write.
   */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#length);
    this.#length = 0;
    // One big reply must not keep its buffer for the connection's life.
    if (this.#buf.length > 65536) this.#shrink();
    return out;
  }

  /**
   * Everything written so far, and a fresh start, as {@linkcode take}, but
   * without a copy: the bytes are a view of the writer's own buffer, which
   * the next reply written overwrites. For a caller that is done with them
   * before it writes again (a server that awaits each write).
   *
   * @example Usage
   * ```ts
   * import { ReplyWriter } from "@randport/randport/resp";
   *
   * const writer = new ReplyWriter();
   * writer.simple("PONG");
   * const bytes = writer.takeView();
   * console.log(new TextDecoder().decode(bytes)); // "+PONG\r\n"
   * console.log(writer.length); // 0
   * ```
   *
   * @returns The bytes, valid until the next write to this writer.
   */
  takeView(): Uint8Array {
    const out = this.#buf.subarray(0, this.#length);
    this.#length = 0;
    // One big reply must not keep its buffer for the connection's life.
    if (this.#buf.length > 65536) this.#shrink();
    return out;
  }

  /**
   * Drops what was written after the first `length` bytes: a reply begun
   * and not finished (its command failed) is taken back.
   *
   * @param length How many bytes to keep, at most {@linkcode ReplyWriter.length}.
   */
  truncate(length: number): void {
    if (length < 0 || length > this.#length) {
      throw new RangeError(`length: expected 0 to ${this.#length}`);
    }
    this.#length = length;
  }
}
