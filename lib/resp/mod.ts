/**
 * The Redis serialization protocol (RESP2 and RESP3) as a server speaks it:
 * {@linkcode RequestParser} reads pipelined requests (arrays of bulk
 * strings, and inline commands split as Redis splits them), and
 * {@linkcode ReplyWriter} writes replies in either version: the framing of
 * randport's request port (PROTOCOL.md §5).
 *
 * ```ts
 * import { ReplyWriter, RequestParser } from "@randport/randport/resp";
 *
 * const parser = new RequestParser();
 * const writer = new ReplyWriter();
 * for (const [command, ...args] of parser.push(new TextEncoder().encode("ECHO hello\r\n"))) {
 *   if (command.toUpperCase() === "ECHO") writer.bulk(args[0]);
 * }
 * console.log(new TextDecoder().decode(writer.take())); // "$5\r\nhello\r\n"
 * ```
 *
 * @module
 */

export * from "./reply_writer.ts";
export * from "./request_parser.ts";
