/**
 * The `ERR` reply (PROTOCOL.md §4, `error-reply`): one line a server sends
 * instead of a payload, such as `ERR busy server at its connection limit\n`
 * when it is at its connection limit.
 *
 * @module
 */

/** An `ERR` reply, taken apart. */
export interface ErrReply {
  /** One word saying what went wrong, such as `busy`. */
  code: string;
  /** Words for people; may be empty. */
  text: string;
}

/**
 * The longest `ERR` reply line, newline included, that a client must accept.
 *
 * @example Usage
 * ```ts
 * import { MAX_ERR_REPLY_BYTES } from "@randport/randport/wire";
 *
 * console.log(MAX_ERR_REPLY_BYTES); // 1024
 * ```
 */
export const MAX_ERR_REPLY_BYTES = 1024;

const ERR_LINE = /^ERR (\S+)(?: (.*))?$/;
const CODE = /^\S+$/;

/**
 * The bytes of an `ERR` reply.
 *
 * @example Usage
 * ```ts
 * import { encodeErrReply } from "@randport/randport/wire";
 *
 * const bytes = encodeErrReply({ code: "busy", text: "try later" });
 * console.log(new TextDecoder().decode(bytes)); // "ERR busy try later\n"
 * ```
 *
 * @param reply The code and text; the text must not contain a line break.
 * @returns The line, `\n` included.
 * @throws {RangeError} When the code is not one word, the text has a line
 * break, or the line is longer than {@linkcode MAX_ERR_REPLY_BYTES}.
 */
export function encodeErrReply(reply: ErrReply): Uint8Array {
  if (!CODE.test(reply.code)) {
    throw new RangeError(`code: expected one word, got "${reply.code}"`);
  }
  if (/[\r\n]/.test(reply.text)) {
    throw new RangeError("text: expected no line break");
  }
  const line = new TextEncoder().encode(
    `ERR ${reply.code}${reply.text ? ` ${reply.text}` : ""}\n`,
  );
  if (line.length > MAX_ERR_REPLY_BYTES) {
    throw new RangeError(
      `text: the reply is longer than ${MAX_ERR_REPLY_BYTES} bytes`,
    );
  }
  return line;
}

/**
 * Takes an `ERR` reply line apart; surrounding whitespace and the line
 * break are ignored.
 *
 * @example Usage
 * ```ts
 * import { parseErrReply } from "@randport/randport/wire";
 *
 * console.log(parseErrReply("ERR busy try later\n")); // { code: "busy", text: "try later" }
 * console.log(parseErrReply("Hello")); // undefined
 * ```
 *
 * @param line The line, with or without its `\n`.
 * @returns The code and text; `undefined` when the line is no `ERR` reply.
 */
export function parseErrReply(line: string): ErrReply | undefined {
  const match = ERR_LINE.exec(line.trim());
  if (!match) return undefined;
  return { code: match[1], text: match[2] ?? "" };
}
