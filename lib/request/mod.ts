/**
 * The request port (PROTOCOL.md §5): a server that
 * speaks the Redis protocol, so that Redis clients and tools can ask
 * randport for the draw they need (`RANDINT`, `SEQUENCE`, `SHUFFLE`,
 * `SAMPLE`, `UUID`, `RANDBYTES`, `RANDSTRING`, `RANDFLOAT`, `GAUSS`), beside
 * the handshakes they send (`PING`, `ECHO`, `HELLO 2|3`,
 * `CLIENT`, `SELECT 0`, `COMMAND`, `INFO`, `CONFIG GET`, `QUIT`, `RESET`).
 * On the command line, `deno task serve` opens it beside the push port
 * (`--request-port`, default 27680); in the library, `serve()` does with its
 * `requests` option, or `serveRequests` alone.
 *
 * ```ts
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * await conn.write(new TextEncoder().encode("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"));
 * const reply = new Uint8Array(16);
 * const n = await conn.read(reply);
 * console.log(new TextDecoder().decode(reply.subarray(0, n!))); // "$2\r\nhi\r\n"
 * conn.close();
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./request_options.ts";
export * from "./serve_requests.ts";
export { LOG_LEVELS, type LogLevel, type ServerLogger } from "../log/logger.ts";
export { ConnectionBudget } from "../net/connection_budget.ts";
export * from "./draw_reply.ts";
