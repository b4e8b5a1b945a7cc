/**
 * What a RESP reply is once parsed: the JavaScript value of each RESP2 and
 * RESP3 type, error replies as values rather than exceptions, and the
 * decoding of bulk strings as text.
 *
 * @module
 */

/**
 * An error reply (`-ERR ...`, or RESP3's blob error `!len`), as a value: a
 * pipeline goes on after one, so {@linkcode ReplyParser} returns it among
 * the other replies instead of throwing it.
 *
 * @example Usage
 * ```ts
 * import { ReplyError, ReplyParser } from "@randport/randport/resp";
 *
 * const [reply] = new ReplyParser().push(
 *   new TextEncoder().encode("-ERR count: expected an integer, got 'x'\r\n"),
 * );
 * if (reply instanceof ReplyError) console.log(reply.code, reply.message);
 * // "ERR" "ERR count: expected an integer, got 'x'"
 * ```
 */
export class ReplyError {
  /** The whole line the server sent, code word included. */
  readonly message: string;

  /**
   * Creates the value.
   *
   * @param message The error's text, as sent: its code word first.
   */
  constructor(message: string) {
    this.message = message;
  }

  /**
   * The code word the message starts with, such as `ERR`, `NOPROTO` or
   * `WRONGTYPE`; empty when the message starts with a space or is empty.
   */
  get code(): string {
    return /^\S*/.exec(this.message)![0];
  }
}

/**
 * A RESP3 push (`>n`): data the server sends of its own accord (pub/sub
 * messages, invalidations), not as the reply to a request.
 *
 * @example Usage
 * ```ts
 * import { ReplyParser, RespPush } from "@randport/randport/resp";
 *
 * const bytes = new TextEncoder().encode(">2\r\n+message\r\n:1\r\n");
 * const [push] = new ReplyParser().push(bytes);
 * if (push instanceof RespPush) console.log(push.items); // ["message", 1]
 * ```
 */
export class RespPush {
  /** What the push holds, its kind (such as `message`) first. */
  readonly items: RespValue[];

  /**
   * Creates the value.
   *
   * @param items The push's elements.
   */
  constructor(items: RespValue[]) {
    this.items = items;
  }
}

/**
 * A parsed reply. Each RESP type has one JavaScript type:
 *
 * - simple string `+`: `string`;
 * - bulk string `$` and verbatim string `=`: `Uint8Array` (a bulk may hold
 *   any bytes, such as `RANDBYTES`' raw ones; {@linkcode decodeReply} turns
 *   them into text), the verbatim string without its `txt:` format;
 * - error `-` and blob error `!`: {@linkcode ReplyError};
 * - integer `:`: `number`, or `bigint` beyond ±(2^53−1) where a `number`
 *   would round; big number `(`: `bigint`;
 * - double `,`: `number` (`inf`, `-inf` and `nan` included);
 * - boolean `#`: `boolean`;
 * - null bulk `$-1`, null array `*-1` and null `_`: `null`;
 * - array `*`: an array; set `~`: a `Set`; map `%`: a `Map`, in the order
 *   sent (keys that are bytes compare by identity: decode them first to
 *   look them up);
 * - push `>`: {@linkcode RespPush}.
 *
 * Attributes (`|`) are read and dropped: the value they annotate stands
 * alone.
 */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | ReplyError
  | RespPush
  | RespValue[]
  | Set<RespValue>
  | Map<RespValue, RespValue>;

const decoder = new TextDecoder();

/**
 * Decodes bytes as UTF-8 text (invalid sequences become U+FFFD), without
 * the cost of a `TextDecoder` call for short ASCII text: replies are mostly
 * many short strings.
 *
 * @example Usage
 * ```ts
 * import { decodeText } from "@randport/randport/resp";
 *
 * console.log(decodeText(new Uint8Array([0x68, 0xc3, 0xa9]))); // "hé"
 * ```
 *
 * @param bytes The bytes.
 * @returns The text.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length > 64) return decoder.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte >= 0x80) return decoder.decode(bytes);
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * The reply with every bulk string, verbatim string and map key decoded as
 * UTF-8 text, at any depth: what a reply is when no bytes matter.
 *
 * @example Usage
 * ```ts
 * import { decodeReply, ReplyParser } from "@randport/randport/resp";
 *
 * const bytes = new TextEncoder().encode("*2\r\n$5\r\nhello\r\n:7\r\n");
 * const [reply] = new ReplyParser().push(bytes);
 * console.log(decodeReply(reply)); // ["hello", 7]
 * ```
 *
 * @param value A parsed reply.
 * @returns The same reply with text instead of bytes; values without bytes
 * are returned as they are.
 */
export function decodeReply(value: RespValue): RespValue {
  if (value instanceof Uint8Array) return decodeText(value);
  if (Array.isArray(value)) {
    const out: RespValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = decodeReply(value[i]);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<RespValue, RespValue>();
    for (const [k, v] of value) out.set(decodeReply(k), decodeReply(v));
    return out;
  }
  if (value instanceof Set) {
    return new Set([...value].map(decodeReply));
  }
  if (value instanceof RespPush) {
    return new RespPush(value.items.map(decodeReply));
  }
  return value;
}
