/**
 * Requests of the Redis serialization protocol as a client sends them: an
 * array of bulk strings.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Encodes one request as a RESP array of bulk strings, the form every
 * server reads whatever the arguments hold (spaces, quotes, line breaks,
 * any bytes). Requests encoded one after another may be sent in one write:
 * that is pipelining.
 *
 * @example Usage
 * ```ts
 * import { encodeRequest } from "@randport/randport/resp";
 *
 * const bytes = encodeRequest(["RANDINT", "6", "1", "49"]);
 * console.log(new TextDecoder().decode(bytes));
 * // "*4\r\n$7\r\nRANDINT\r\n$1\r\n6\r\n$1\r\n1\r\n$2\r\n49\r\n"
 * ```
 *
 * @param args The command name and its arguments: text (sent as UTF-8) or
 * bytes.
 * @returns The request's bytes.
 * @throws {TypeError} When an argument is neither a string nor bytes.
 */
export function encodeRequest(
  args: readonly (string | Uint8Array)[],
): Uint8Array {
  const parts: Uint8Array[] = new Array(args.length);
  const head = `*${args.length}\r\n`;
  let size = 0;
  const headers: string[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let bytes: Uint8Array;
    if (typeof arg === "string") bytes = encoder.encode(arg);
    else if (arg instanceof Uint8Array) bytes = arg;
    else {
      throw new TypeError(
        `argument ${i}: expected a string or a Uint8Array, got ${typeof arg}`,
      );
    }
    parts[i] = bytes;
    headers[i] = `$${bytes.length}\r\n`;
    size += headers[i].length + bytes.length + 2;
  }
  size += head.length;
  const out = new Uint8Array(size);
  let at = 0;
  // Headers are ASCII: one byte per character.
  const ascii = (text: string) => {
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  };
  ascii(head);
  for (let i = 0; i < parts.length; i++) {
    ascii(headers[i]);
    out.set(parts[i], at);
    at += parts[i].length;
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return out;
}
