/**
 * The push port's server: {@linkcode serve} listens, sends every client its
 * payload (PROTOCOL.md), and enforces the limits of
 * {@linkcode ServeOptions}, every one checked before it listens
 * ({@linkcode resolveServeOptions}, defaults in {@linkcode SERVE_DEFAULTS}).
 *
 * ```ts
 * import { serve, stderrLogger } from "@randport/randport/server";
 *
 * const server = serve({
 *   hostname: "127.0.0.1",
 *   port: 0, // any free port: read it from server.addr
 *   payload: { count: 6, min: 1, max: 49, unique: true },
 *   maxConnections: 100,
 *   logger: stderrLogger("info"),
 * });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
 * console.log(await new Response(conn.readable).text()); // e.g. "7,41,3,19,28,44"
 * await server.shutdown();
 * console.log(server.stats.completed); // 1
 * ```
 *
 * @module
 */

export * from "../log/mod.ts";
export * from "./listen_error.ts";
export * from "./serve.ts";
export * from "./serve_options.ts";
export * from "./server_stats.ts";
