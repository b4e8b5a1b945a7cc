/**
 * Incremental payload parser: bytes in, numbers out, any chunking, with the
 * format (csv, lines or json) detected from the payload itself. The grammar
 * is in PROTOCOL.md; every violation is reported with its byte offset.
 *
 * @module
 */

import { RandportError } from "../errors/randport_error.ts";
import {
  CLOSE_BRACKET,
  COMMA,
  LETTER_E,
  MINUS,
  NEWLINE,
  NINE,
  OPEN_BRACKET,
  PERIOD,
  RETURN,
  SMALL_E,
  SPACE,
  TAB,
  ZERO,
} from "./_bytes.ts";
import { MAX_ERR_REPLY_BYTES, parseErrReply } from "./err_reply.ts";
import type { PayloadFormat } from "./payload_spec.ts";

const MAX_DIGITS = 16;

const enum State {
  /** Nothing read yet. */
  Start,
  /** After '-': a digit must follow. */
  Sign,
  /** Inside a number's digits. */
  Digits,
  /** csv/lines: after a separator, a number must follow (lines: or the end). */
  AfterSeparator,
  /** After '\r': '\n' must follow. */
  Return,
  /** csv: after the final line break; only more line breaks may follow. */
  Trailer,
  /** json: after '[', a number or ']' (or whitespace). */
  JsonFirst,
  /** json: after ',', a number (or whitespace). */
  JsonValue,
  /** json: after a number, ',' or ']' (or whitespace). */
  JsonAfterValue,
  /** json: after ']', only whitespace. */
  JsonEnd,
  /** Inside an `ERR` reply line. */
  Reply,
}

function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, "0")}`;
  if (byte === NEWLINE) return `'\\n' (${hex})`;
  if (byte === RETURN) return `'\\r' (${hex})`;
  if (byte > 0x20 && byte < 0x7f) {
    return `'${String.fromCharCode(byte)}' (${hex})`;
  }
  return hex;
}

function isJsonSpace(byte: number): boolean {
  return byte === SPACE || byte === NEWLINE || byte === RETURN || byte === TAB;
}

/**
 * Parses a payload pushed in chunks of any size. Numbers come out as soon as
 * they are known to be complete (a csv number only once the next ',' or the
 * end arrives).
 *
 * @example Usage
 * ```ts
 * import { PayloadParser } from "@randport/randport/wire";
 *
 * const parser = new PayloadParser();
 * const bytes = new TextEncoder().encode("58,25,7");
 * console.log(parser.push(bytes)); // [58, 25]: 7 may still continue
 * console.log(parser.end()); // [7]
 * console.log(parser.format); // "csv"
 * ```
 */
export class PayloadParser {
  #state: State = State.Start;
  #format: PayloadFormat | undefined;
  #offset = 0;
  #negative = false;
  #value = 0;
  #digits = 0;
  #numberStart = 0;
  #reply: number[] = [];
  #count = 0;

  /** The detected format, once known. */
  get format(): PayloadFormat | undefined {
    return this.#format;
  }

  /** How many bytes have been pushed so far. */
  get bytesRead(): number {
    return this.#offset;
  }

  /** How many numbers have been parsed so far. */
  get numbersRead(): number {
    return this.#count;
  }

  #fail(message: string, offset = this.#offset): never {
    throw new RandportError(
      "malformed",
      `malformed payload at byte ${offset}: ${message}`,
      { offset },
    );
  }

  #unexpected(byte: number, expected: string): never {
    this.#fail(`expected ${expected}, got ${describeByte(byte)}`);
  }

  #startNumber(byte: number): void {
    this.#numberStart = this.#offset;
    this.#value = 0;
    this.#digits = 0;
    if (byte === MINUS) {
      this.#negative = true;
      this.#state = State.Sign;
    } else {
      this.#negative = false;
      this.#digit(byte);
    }
  }

  #digit(byte: number): void {
    if (this.#digits === 1 && this.#value === 0) {
      this.#fail("expected no leading zero in a number");
    }
    if (++this.#digits > MAX_DIGITS) {
      this.#fail(
        "number has more than 16 digits (outside ±(2^53−1))",
        this.#numberStart,
      );
    }
    this.#value = this.#value * 10 + (byte - ZERO);
    this.#state = State.Digits;
  }

  #finishNumber(out: number[]): void {
    if (this.#value > Number.MAX_SAFE_INTEGER) {
      this.#fail("number is outside ±(2^53−1)", this.#numberStart);
    }
    if (this.#negative && this.#value === 0) {
      this.#fail("expected 0 to be written without '-'", this.#numberStart);
    }
    out.push(this.#negative ? -this.#value : this.#value);
    this.#count++;
  }

  /**
   * Parses the next chunk.
   *
   * @param chunk The next bytes of the payload.
   * @returns The numbers completed by this chunk, in order.
   * @throws {RandportError} `malformed` at the first byte that breaks the
   * grammar, with the numbers of this chunk before that byte in its
   * `numbers`; `busy` or `server-error` for an `ERR` reply.
   */
  push(chunk: Uint8Array): number[] {
    const out: number[] = [];
    try {
      this.#parse(chunk, out);
    } catch (error) {
      // The numbers before the offending byte were good: hand them over
      // with the error, as earlier chunks' numbers were.
      if (error instanceof RandportError && error.code === "malformed") {
        throw new RandportError(error.code, error.message, {
          offset: error.offset,
          numbers: out,
        });
      }
      throw error;
    }
    return out;
  }

  #parse(chunk: Uint8Array, out: number[]): void {
    for (let i = 0; i < chunk.length; i++, this.#offset++) {
      const byte = chunk[i];
      switch (this.#state) {
        case State.Start:
          if (byte === OPEN_BRACKET) {
            this.#format = "json";
            this.#state = State.JsonFirst;
          } else if (this.#offset > 0 && !isJsonSpace(byte)) {
            this.#unexpected(
              byte,
              "'[' after whitespace (only a JSON array may follow whitespace)",
            );
          } else if (byte === MINUS || (byte >= ZERO && byte <= NINE)) {
            this.#startNumber(byte);
          } else if (byte === LETTER_E) {
            this.#state = State.Reply;
            this.#reply.push(byte);
          } else if (isJsonSpace(byte)) {
            // Whitespace may precede a JSON array.
          } else {
            this.#unexpected(byte, "a digit, '-' or '['");
          }
          break;
        case State.Sign:
          if (byte >= ZERO && byte <= NINE) this.#digit(byte);
          else this.#unexpected(byte, "a digit after '-'");
          break;
        case State.Digits:
          if (byte >= ZERO && byte <= NINE) {
            this.#digit(byte);
            break;
          }
          this.#finishNumber(out);
          try {
            this.#afterNumber(byte);
          } catch (error) {
            // A number is complete only once a valid separator follows it:
            // "2x" and "2.5" hand over no 2.
            out.pop();
            this.#count--;
            throw error;
          }
          break;
        case State.AfterSeparator:
          if (byte === MINUS || (byte >= ZERO && byte <= NINE)) {
            this.#startNumber(byte);
          } else {
            this.#unexpected(byte, "a number");
          }
          break;
        case State.Return:
          if (byte !== NEWLINE) this.#unexpected(byte, "'\\n' after '\\r'");
          this.#state = this.#format === "lines"
            ? State.AfterSeparator
            : State.Trailer;
          break;
        case State.Trailer:
          this.#unexpected(byte, "the end after the final line break");
          break;
        case State.JsonFirst:
        case State.JsonValue:
          if (byte === MINUS || (byte >= ZERO && byte <= NINE)) {
            this.#startNumber(byte);
          } else if (
            byte === CLOSE_BRACKET && this.#state === State.JsonFirst
          ) {
            this.#state = State.JsonEnd;
          } else if (!isJsonSpace(byte)) {
            this.#unexpected(
              byte,
              this.#state === State.JsonFirst ? "a number or ']'" : "a number",
            );
          }
          break;
        case State.JsonAfterValue:
          this.#afterNumber(byte);
          break;
        case State.JsonEnd:
          if (!isJsonSpace(byte)) {
            this.#unexpected(byte, "the end after ']'");
          }
          break;
        case State.Reply:
          if (byte === NEWLINE) this.#throwReply();
          this.#reply.push(byte);
          if (this.#reply.length > MAX_ERR_REPLY_BYTES) {
            this.#fail("ERR reply longer than 1024 bytes");
          }
          break;
      }
    }
  }

  /** What may follow a complete number (or whitespace after one in json). */
  #afterNumber(byte: number): void {
    if (this.#format === "json") {
      if (byte === COMMA) this.#state = State.JsonValue;
      else if (byte === CLOSE_BRACKET) this.#state = State.JsonEnd;
      else if (isJsonSpace(byte)) this.#state = State.JsonAfterValue;
      else if (byte === PERIOD || byte === SMALL_E || byte === LETTER_E) {
        this.#fail("expected an integer, got a fraction or exponent");
      } else this.#unexpected(byte, "',' or ']'");
      return;
    }
    if (this.#format === undefined) {
      if (byte === COMMA) this.#format = "csv";
      else if (byte === NEWLINE || byte === RETURN) this.#format = "lines";
      else this.#unexpected(byte, "a digit, ',' or '\\n'");
    }
    if (this.#format === "csv") {
      if (byte === COMMA) this.#state = State.AfterSeparator;
      else if (byte === NEWLINE) this.#state = State.Trailer;
      else if (byte === RETURN) this.#state = State.Return;
      else this.#unexpected(byte, "a digit or ','");
    } else {
      if (byte === NEWLINE) this.#state = State.AfterSeparator;
      else if (byte === RETURN) this.#state = State.Return;
      else this.#unexpected(byte, "a digit or '\\n'");
    }
  }

  #throwReply(): never {
    const line = new TextDecoder().decode(new Uint8Array(this.#reply)).trim();
    const reply = parseErrReply(line);
    if (!reply) {
      this.#fail(
        `expected a digit, '-' or '[', got a line ${JSON.stringify(line)}`,
        0,
      );
    }
    const { code, text } = reply;
    throw new RandportError(
      code === "busy" ? "busy" : "server-error",
      `server replied ${code}${text ? `: ${text}` : ""}`,
    );
  }

  /**
   * Marks the end of the payload (the server closed the connection).
   *
   * @returns The last number, if one was still open.
   * @throws {RandportError} `truncated` if the payload stopped in the middle
   * of its grammar; `busy` or `server-error` for an `ERR` reply.
   */
  end(): number[] {
    const out: number[] = [];
    const truncated = (message: string): never => {
      throw new RandportError(
        "truncated",
        `truncated payload at byte ${this.#offset}: ${message}`,
        { offset: this.#offset },
      );
    };
    switch (this.#state) {
      case State.Start:
        // Whitespace may only lead into a JSON array.
        if (this.#offset > 0) truncated("whitespace was not followed by '['");
        break;
      case State.Digits:
        if (this.#format === "json") truncated("the JSON array was not closed");
        this.#finishNumber(out);
        this.#format ??= "csv";
        break;
      case State.Sign:
        truncated("a '-' was not followed by digits");
        break;
      case State.AfterSeparator:
        if (this.#format === "csv") {
          truncated("a ',' was not followed by a number");
        }
        break;
      case State.Return:
        truncated("a '\\r' was not followed by '\\n'");
        break;
      case State.JsonFirst:
      case State.JsonValue:
      case State.JsonAfterValue:
        truncated("the JSON array was not closed");
        break;
      case State.Reply:
        this.#throwReply();
    }
    return out;
  }
}
