/**
 * The push port's client: connect, read the whole payload (csv, lines or
 * json, detected from the bytes; any length, streams included) and parse
 * it, with a timeout, a limit and an abort signal. Works against any server
 * of the classic exercise, not only randport's.
 *
 * ```ts
 * import { fetchNumbers, streamNumbers } from "@randport/randport/client";
 * import { serve } from "@randport/randport/server";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { stream: true } });
 * const { port } = server.addr;
 * console.log(await fetchNumbers({ hostname: "127.0.0.1", port, limit: 10 }));
 * for await (const batch of streamNumbers({ hostname: "127.0.0.1", port, limit: 5000 })) {
 *   console.log(batch.length); // numbers as they arrive, read by read
 * }
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./fetch_numbers.ts";
export * from "./fetch_options.ts";
export * from "./stream_numbers.ts";
