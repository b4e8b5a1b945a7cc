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
    const bytes = encoder.encode(text.replace(/[\r\n]/g, " "));
    this.#ascii(prefix);
    this.#bytes(bytes);
    this.#ascii("\r\n");
  }

  /**
   * `:n`: an integer reply.
   *
   * @param value A safe integer.
   */
  integer(value: number): void {
    // Digit by digit, without building a string: RANDINT writes a million.
    this.#reserve(24);
    const buf = this.#buf;
    let at = this.#length;
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
    this.#length = at;
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
    this.#ascii(`*${count}\r\n`);
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
    if (this.#buf.length > 65536) this.#buf = new Uint8Array(4096);
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
