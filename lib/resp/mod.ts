/**
 * The Redis serialization protocol (RESP2 and RESP3), both sides of it.
 * As a server speaks it: {@linkcode RequestParser} reads pipelined requests
 * (arrays of bulk strings, and inline commands split as Redis splits
 * them), and {@linkcode ReplyWriter} writes replies in either version: the
 * framing of randport's request port (PROTOCOL.md §5). As a client speaks
 * it: {@linkcode encodeRequest} writes a request, and
 * {@linkcode ReplyParser} reads replies of every RESP2 and RESP3 type, as
 * {@linkcode RespValue}s.
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
 * ```ts
 * import { decodeReply, encodeRequest, ReplyParser, type RespValue } from "@randport/randport/resp";
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await conn.write(encodeRequest(["SHUFFLE", "a", "b", "c"]));
 * const parser = new ReplyParser();
 * const buf = new Uint8Array(1024);
 * let replies: RespValue[] = [];
 * while (replies.length === 0) replies = parser.push(buf.subarray(0, (await conn.read(buf))!));
 * console.log(replies.map(decodeReply)); // e.g. [["c", "a", "b"]]
 * conn.close();
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./encode_request.ts";
export * from "./reply_parser.ts";
export * from "./reply_value.ts";
export * from "./reply_writer.ts";
export * from "./request_parser.ts";
