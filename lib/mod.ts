/**
 * randport: a TCP service that hands out random numbers, wire-compatible
 * with the classic socket exercise (10 integers in 1..100, comma-separated,
 * then close). This module is the library behind `server.ts` and
 * `client.ts`: the server, the client, the generator, the encoder and the
 * parser, each usable on its own.
 *
 * ```ts
 * import { fetchNumbers, serve } from "@randport/randport";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0 });
 * console.log(await fetchNumbers({ hostname: "127.0.0.1", port: server.addr.port }));
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./address.ts";
export * from "./chi_square.ts";
export * from "./client.ts";
export * from "./colors.ts";
export * from "./encoder.ts";
export * from "./errors.ts";
export * from "./histogram.ts";
export * from "./parser.ts";
export * from "./payload.ts";
export * from "./progress.ts";
export * from "./random.ts";
export * from "./server.ts";
export * from "./session.ts";
export * from "./stats.ts";
export * from "./tally.ts";
export * from "./uniform.ts";
export * from "./unique.ts";
