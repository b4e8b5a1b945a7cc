/**
 * The clients of both ports. The push port's: connect, read the whole
 * payload (csv, lines or json, detected from the bytes; any length, streams
 * included) and parse it, with a timeout, a limit and an abort signal; it
 * works against any server of the classic exercise, not only randport's.
 * The request port's: {@linkcode connectRequests} connects once and asks
 * for any draw by a typed method (`randint`, `sequence`, `shuffle`,
 * `sample`, `uuid`, `randbytes`, `randstring`, `randfloat`, `gauss`),
 * pipelined, in RESP2 or RESP3.
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
 * ```ts
 * import { connectRequests } from "@randport/randport/client";
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
 * console.log(await client.randint(6, { min: 1, max: 49 }, { unique: true }));
 * console.log(await client.shuffle(["alice", "bob", "carol"]));
 * await client.close();
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./client_tls_options.ts";
export * from "./fetch_numbers.ts";
export * from "./fetch_options.ts";
export * from "./request_client.ts";
export * from "./request_client_options.ts";
export * from "./stream_numbers.ts";
