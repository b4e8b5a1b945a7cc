/**
 * Requests of the Redis serialization protocol (RESP), as a server reads
 * them: arrays of bulk strings (what client libraries send) and inline
 * commands (one line, split as Redis splits it, for `nc` and `telnet`), any
 * number per read (pipelining), in chunks of any size.
 *
 * @module
 */

/** Options for {@linkcode RequestParser}. */
export interface RequestParserOptions {
  /**
   * The longest bulk string accepted, in bytes.
   *
   * @default {1048576}
   */
  maxBulkBytes?: number;
  /**
   * The longest inline command accepted, in bytes, line break excluded.
   *
   * @default {65536}
   */
  maxInlineBytes?: number;
  /**
   * The most arguments one request may have.
   *
   * @default {1048576}
   */
  maxArguments?: number;
  /**
   * The most bytes the arguments of one request may hold together: what
   * bounds the memory of one request (`maxArguments` bulks of
   * `maxBulkBytes` would be a terabyte).
   *
   * @default {16777216}
   */
  maxRequestBytes?: number;
  /**
   * Whether arguments come out as byte strings, one character per byte
   * (codes 0 to 255), rather than as UTF-8 text: so that no byte is lost,
   * as a binary-safe server needs (`ECHO` must answer the bytes it got,
   * valid UTF-8 or not). See {@linkcode byteString}.
   *
   * @default {false}
   */
  binary?: boolean;
}

/**
 * Bytes as a byte string: one character per byte, of the byte's value.
 * ASCII comes out as the same text UTF-8 decoding gives.
 *
 * @example Usage
 * ```ts
 * import { byteString } from "@randport/randport/resp";
 *
 * console.log(byteString(new Uint8Array([0x68, 0x69, 0xff])) === "hi\xff"); // true
 * ```
 *
 * @param bytes The bytes.
 * @returns The byte string.
 */
export function byteString(bytes: Uint8Array): string {
  return byteStringAt(bytes, 0, bytes.length);
}

/** How many short byte strings {@linkcode shortByteString} remembers. */
const SHORT_CACHE_SIZE = 1024;
/**
 * Short byte strings made lately, by a hash of their bytes: one slot each,
 * the last string made there (a string of one character above 255 matches
 * no bytes). Bounded, and a collision only costs a string built again.
 */
const SHORT_CACHE = new Array<string>(SHORT_CACHE_SIZE).fill("\u0100");

/**
 * `buffer[from, to)` (at most 16 bytes) as a byte string, the same string
 * as last time for the same bytes: the arguments of a pipeline repeat
 * (`RANDINT`, `10`, `1`, `100`), and a string found costs a hash and a
 * comparison of its bytes, where one built costs a string per byte, and
 * its hash again when the command table looks it up.
 */
function shortByteString(
  buffer: Uint8Array,
  from: number,
  to: number,
): string {
  const length = to - from;
  let hash = length;
  for (let i = from; i < to; i++) hash = (Math.imul(hash, 31) + buffer[i]) | 0;
  const slot = hash & (SHORT_CACHE_SIZE - 1);
  const known = SHORT_CACHE[slot];
  if (known.length === length) {
    let i = 0;
    while (i < length && known.charCodeAt(i) === buffer[from + i]) i++;
    if (i === length) return known;
  }
  let out = "";
  for (let i = from; i < to; i++) out += String.fromCharCode(buffer[i]);
  SHORT_CACHE[slot] = out;
  return out;
}

/** {@linkcode byteString} of `buffer[from, to)`, without a subarray. */
function byteStringAt(buffer: Uint8Array, from: number, to: number): string {
  // Short arguments (command names, numbers) are most of them: a decoder
  // call costs more than building them code by code.
  if (to - from <= 16) return shortByteString(buffer, from, to);
  // Long ASCII (most long arguments) is the decoder's fast path.
  let ascii = true;
  for (let i = from; i < to; i++) {
    if (buffer[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return decoder.decode(buffer.subarray(from, to));
  let out = "";
  for (let i = from; i < to; i += 8192) {
    out += String.fromCharCode(...buffer.subarray(i, Math.min(to, i + 8192)));
  }
  return out;
}

/**
 * A request that breaks the protocol: the connection cannot be read any
 * further, so the server replies `-ERR Protocol error: <message>` and
 * closes it, as Redis does.
 *
 * @example Usage
 * ```ts
 * import { RequestParser, RespProtocolError } from "@randport/randport/resp";
 *
 * try {
 *   new RequestParser().push(new TextEncoder().encode("*1\r\n:5\r\n"));
 * } catch (error) {
 *   if (error instanceof RespProtocolError) console.log(error.message);
 *   // "Protocol error: expected '$', got ':'"
 * }
 * ```
 */
export class RespProtocolError extends Error {
  /**
   * The complete requests that came before the fault in the same chunk:
   * a server answers them, then the error, as Redis does.
   */
  readonly requests: string[][];

  /**
   * Creates the error.
   *
   * @param message What broke the protocol, without the "Protocol error: "
   * prefix.
   * @param requests The complete requests before the fault.
   */
  constructor(message: string, requests: string[][] = []) {
    super(`Protocol error: ${message}`);
    this.name = "RespProtocolError";
    this.requests = requests;
  }
}

const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;

// A `*` or `$` header longer than this without its line break is garbage.
const MAX_HEADER_BYTES = 64;

const decoder = new TextDecoder();

function isSpace(byte: number): boolean {
  // As C's isspace, which Redis uses to split inline commands.
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

/** Where a word ends after its closing quote at `i`: whitespace or the end must follow. */
function afterClosingQuote(line: Uint8Array, i: number): number {
  if (i + 1 < line.length && !isSpace(line[i + 1])) {
    throw new RespProtocolError("unbalanced quotes in request");
  }
  return i + 1;
}

const ESCAPES: Record<number, number> = {
  0x6e: LF, // \n
  0x72: CR, // \r
  0x74: 0x09, // \t
  0x62: 0x08, // \b
  0x61: 0x07, // \a
};

/**
 * Splits one inline command into its arguments, as Redis does: words
 * separated by whitespace; `"..."` with the escapes `\n \r \t \b \a \\ \"`
 * and `\xHH`; `'...'` with `\'` only; a closing quote must be followed by
 * whitespace or the end.
 *
 * @example Usage
 * ```ts
 * import { splitInline } from "@randport/randport/resp";
 *
 * const line = new TextEncoder().encode(`SHUFFLE "a b" 'c' d\\x41`);
 * console.log(splitInline(line)); // ["SHUFFLE", "a b", "c", "d\\x41"]
 * ```
 *
 * @param line The line, without its line break.
 * @returns The arguments, UTF-8 decoded.
 * @throws {RespProtocolError} For unbalanced quotes.
 */
export function splitInline(line: Uint8Array): string[] {
  return splitInlineAs(line, (bytes) => decoder.decode(bytes));
}

function splitInlineAs(
  line: Uint8Array,
  decode: (bytes: Uint8Array) => string,
): string[] {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return args;
    const bytes: number[] = [];
    let quote = 0; // 0, or the quote byte we are inside
    for (;;) {
      if (i >= line.length) {
        if (quote !== 0) {
          throw new RespProtocolError("unbalanced quotes in request");
        }
        break;
      }
      const byte = line[i];
      if (quote === 0x22) {
        if (
          byte === 0x5c && i + 3 < line.length && line[i + 1] === 0x78 &&
          hexValue(line[i + 2]) >= 0 && hexValue(line[i + 3]) >= 0
        ) {
          bytes.push(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
          i += 4;
        } else if (byte === 0x5c && i + 1 < line.length) {
          bytes.push(ESCAPES[line[i + 1]] ?? line[i + 1]);
          i += 2;
        } else if (byte === 0x22) {
          i = afterClosingQuote(line, i);
          break;
        } else {
          bytes.push(byte);
          i++;
        }
      } else if (quote === 0x27) {
        if (byte === 0x5c && line[i + 1] === 0x27) {
          bytes.push(0x27);
          i += 2;
        } else if (byte === 0x27) {
          i = afterClosingQuote(line, i);
          break;
        } else {
          bytes.push(byte);
          i++;
        }
      } else if (isSpace(byte)) {
        break;
      } else if (byte === 0x22 || byte === 0x27) {
        // As in Redis, a quote starts quoting even inside a word.
        quote = byte;
        i++;
      } else {
        bytes.push(byte);
        i++;
      }
    }
    args.push(decode(new Uint8Array(bytes)));
  }
}

const enum State {
  /** Between requests. */
  Start,
  /** After `*n`: reading `$len` headers and bodies. */
  Bulks,
}

/**
 * Parses pipelined RESP requests pushed in chunks of any size. Each
 * complete request comes out as its arguments (UTF-8 strings); an empty
 * inline line and `*0` are no request at all.
 *
 * @example Usage
 * ```ts
 * import { RequestParser } from "@randport/randport/resp";
 *
 * const parser = new RequestParser();
 * const bytes = new TextEncoder().encode("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n*1\r\n$4\r\nPI");
 * console.log(parser.push(bytes)); // [["ECHO", "hi"], ["PING"]]
 * console.log(parser.push(new TextEncoder().encode("NG\r\n"))); // [["PING"]]
 * ```
 */
export class RequestParser {
  readonly #maxBulk: number;
  readonly #maxInline: number;
  readonly #maxArguments: number;
  readonly #maxRequest: number;
  /** Bytes of the current request's arguments so far. */
  #requestBytes = 0;
  /** Whether the held bytes are an inline line still without its LF. */
  #inlineHeld = false;
  /** Bytes received and not yet parsed: `#store[#from, #to)`. */
  #store = new Uint8Array(0);
  #from = 0;
  #to = 0;
  /** How many held bytes a bulk's body needs before parsing can go on. */
  #need = 0;
  #state = State.Start;
  /** The request being read: how many bulks it has, and those read. */
  #expected = 0;
  #args: string[] = [];
  /** Byte strings (the `binary` option), or UTF-8 text. */
  readonly #binary: boolean;
  /** How inline commands' words are decoded, as the option says. */
  readonly #decode: (bytes: Uint8Array) => string;

  /**
   * Creates a parser.
   *
   * @param options The limits, and how arguments are decoded.
   */
  constructor(options: RequestParserOptions = {}) {
    this.#binary = options.binary ?? false;
    this.#decode = options.binary
      ? byteString
      : (bytes) => decoder.decode(bytes);
    this.#maxBulk = options.maxBulkBytes ?? 1024 * 1024;
    this.#maxInline = options.maxInlineBytes ?? 64 * 1024;
    this.#maxArguments = options.maxArguments ?? 1024 * 1024;
    this.#maxRequest = options.maxRequestBytes ?? 16 * 1024 * 1024;
  }

  /** Bytes held for a request not complete yet. */
  get pendingBytes(): number {
    return this.#to - this.#from;
  }

  /** Appends to the held bytes; the store grows by doubling. */
  #append(chunk: Uint8Array): void {
    const held = this.#to - this.#from;
    if (this.#to + chunk.length > this.#store.length) {
      let store = this.#store;
      if (held + chunk.length > store.length / 2) {
        let size = Math.max(4096, store.length * 2);
        while (size < held + chunk.length) size *= 2;
        store = new Uint8Array(size);
      }
      store.set(this.#store.subarray(this.#from, this.#to));
      this.#store = store;
      this.#from = 0;
      this.#to = held;
    }
    this.#store.set(chunk, this.#to);
    this.#to += chunk.length;
  }

  /**
   * Parses the next chunk.
   *
   * @param chunk The next bytes from the client.
   * @returns The requests this chunk completed, in order.
   * @throws {RespProtocolError} When the bytes break the protocol or a
   * limit, with the complete requests before the fault in `requests`;
   * nothing more can be parsed then.
   */
  push(chunk: Uint8Array): string[][] {
    let buffer = chunk;
    let pos = 0;
    if (this.#to > this.#from) {
      this.#append(chunk);
      // A bulk's body still arriving: nothing to parse, nothing to copy.
      if (this.#to - this.#from < this.#need) return [];
      // Nor an inline line still without its end: only the new bytes
      // need looking at.
      if (this.#inlineHeld && chunk.indexOf(LF) < 0) {
        if (this.#to - this.#from > this.#maxInline) {
          throw new RespProtocolError("too big inline request");
        }
        return [];
      }
      buffer = this.#store.subarray(0, this.#to);
      pos = this.#from;
    }
    this.#need = 0;
    this.#inlineHeld = false;
    const requests: string[][] = [];
    try {
      for (;;) {
        const used = this.#state === State.Start
          ? this.#start(buffer, pos, requests)
          : this.#bulk(buffer, pos, requests);
        if (used === 0) break;
        pos += used;
      }
    } catch (error) {
      if (error instanceof RespProtocolError) {
        throw new RespProtocolError(
          error.message.replace(/^Protocol error: /, ""),
          requests,
        );
      }
      throw error;
    }
    if (buffer === chunk) {
      // Keep the rest; copy it, since the caller may reuse its chunk.
      this.#from = this.#to = 0;
      if (pos < chunk.length) this.#append(chunk.subarray(pos));
    } else {
      this.#from = pos;
      if (this.#from === this.#to) {
        this.#from = this.#to = 0;
        if (this.#store.length > 65536) this.#store = new Uint8Array(0);
      }
    }
    return requests;
  }

  /** Reads a request's start; returns bytes used, 0 when more are needed. */
  #start(buffer: Uint8Array, pos: number, requests: string[][]): number {
    if (pos >= buffer.length) return 0;
    if (buffer[pos] !== STAR) return this.#inline(buffer, pos, requests);
    const end = lineEnd(buffer, pos, MAX_HEADER_BYTES, "multibulk count");
    if (end < 0) return 0;
    const count = parseLength(buffer, pos + 1, end);
    if (count === undefined || count > this.#maxArguments) {
      throw new RespProtocolError("invalid multibulk length");
    }
    // *0 and *-1 are no request at all.
    if (count > 0) {
      this.#state = State.Bulks;
      this.#expected = count;
      this.#args = [];
      this.#requestBytes = 0;
    }
    return end + 2 - pos;
  }

  #inline(buffer: Uint8Array, pos: number, requests: string[][]): number {
    let end = buffer.indexOf(LF, pos);
    if (end < 0) {
      if (buffer.length - pos > this.#maxInline) {
        throw new RespProtocolError("too big inline request");
      }
      this.#inlineHeld = true;
      return 0;
    }
    const next = end + 1;
    if (end > pos && buffer[end - 1] === CR) end--;
    if (end - pos > this.#maxInline) {
      throw new RespProtocolError("too big inline request");
    }
    const args = splitInlineAs(buffer.subarray(pos, end), this.#decode);
    if (args.length > this.#maxArguments) {
      throw new RespProtocolError("invalid multibulk length");
    }
    if (args.length > 0) requests.push(args);
    return next - pos;
  }

  /** Reads one `$len` bulk of the current request, header and body. */
  #bulk(buffer: Uint8Array, pos: number, requests: string[][]): number {
    if (pos >= buffer.length) return 0;
    if (buffer[pos] !== DOLLAR) {
      throw new RespProtocolError(
        `expected '$', got '${String.fromCharCode(buffer[pos])}'`,
      );
    }
    const end = lineEnd(buffer, pos, MAX_HEADER_BYTES, "bulk length");
    if (end < 0) return 0;
    const length = parseLength(buffer, pos + 1, end);
    // A request's arguments are never null: $-1 is as wrong as $x.
    if (length === undefined || length < 0 || length > this.#maxBulk) {
      throw new RespProtocolError("invalid bulk length");
    }
    // Refused from its header: the body is never held.
    if (this.#requestBytes + length > this.#maxRequest) {
      throw new RespProtocolError("too big request");
    }
    const body = end + 2;
    const bodyEnd = body + length;
    if (bodyEnd + 2 > buffer.length) {
      this.#need = bodyEnd + 2 - pos;
      return 0;
    }
    if (buffer[bodyEnd] !== CR || buffer[bodyEnd + 1] !== LF) {
      throw new RespProtocolError("bulk string not followed by CRLF");
    }
    this.#args.push(
      this.#binary
        ? byteStringAt(buffer, body, bodyEnd)
        : decoder.decode(buffer.subarray(body, bodyEnd)),
    );
    this.#requestBytes += length;
    if (this.#args.length === this.#expected) {
      requests.push(this.#args);
      this.#args = [];
      this.#state = State.Start;
    }
    return bodyEnd + 2 - pos;
  }
}

/**
 * Where the CRLF-terminated header line at `pos` has its CR (its digits end
 * there, the next item begins 2 bytes later), or -1 when its end has not
 * arrived yet. A number, not an object: this runs twice per argument.
 */
function lineEnd(
  buffer: Uint8Array,
  pos: number,
  max: number,
  what: string,
): number {
  const limit = Math.min(buffer.length, pos + max);
  for (let i = pos; i < limit; i++) {
    if (buffer[i] === CR) {
      if (i + 1 >= buffer.length) return -1;
      if (buffer[i + 1] !== LF) {
        throw new RespProtocolError(`invalid ${what}: expected CRLF`);
      }
      return i;
    }
  }
  if (buffer.length - pos >= max) {
    throw new RespProtocolError(`too big ${what} string`);
  }
  return -1;
}

/**
 * The decimal length in `buffer[from, to)` (`-1` is null), or undefined
 * when it is not one: 1 to 15 ASCII digits, or `-1`. Read from the bytes:
 * decoding them into a string first took a sixth of a small request's time.
 */
function parseLength(
  buffer: Uint8Array,
  from: number,
  to: number,
): number | undefined {
  const size = to - from;
  if (size >= 1 && size <= 15) {
    let value = 0;
    let i = from;
    for (; i < to; i++) {
      const digit = buffer[i] - 0x30;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i === to) return value;
  }
  // Anything else as it was read before the fast path above, text and all
  // (the decoder drops a leading byte order mark, and so accepted one).
  const text = decoder.decode(buffer.subarray(from, to));
  if (!/^(-1|\d{1,15})$/.test(text)) return undefined;
  return Number(text);
}
