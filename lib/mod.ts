/**
 * randport: a TCP service that hands out random numbers, wire-compatible
 * with the classic socket exercise (10 integers in 1..100, comma-separated,
 * then close). The root exports what most programs need: start a server,
 * read numbers from one, ask its request port for draws, describe a
 * payload, and the errors. The packages hold the rest, each under its own
 * subpath:
 *
 * - `@randport/randport/server`: {@linkcode serve}, its options and limits,
 *   loggers, counters;
 * - `@randport/randport/client`: {@linkcode fetchNumbers},
 *   {@linkcode streamNumbers}, {@linkcode connectRequests} and their
 *   options;
 * - `@randport/randport/wire`: the payload format of PROTOCOL.md: spec,
 *   encoder, parser, `ERR` reply;
 * - `@randport/randport/random`: word sources and exact samplers;
 * - `@randport/randport/stats`: tallies, summary statistics, chi-square;
 * - `@randport/randport/net`: address formatting;
 * - `@randport/randport/errors`: {@linkcode RandportError},
 *   {@linkcode OptionError}.
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

export {
  connectRequests,
  fetchNumbers,
  type FetchOptions,
  type RequestClient,
  type RequestClientOptions,
  streamNumbers,
} from "./client/mod.ts";
export {
  OptionError,
  RandportError,
  type RandportErrorCode,
} from "./errors/mod.ts";
export { type RandportServer, serve, type ServeOptions } from "./server/mod.ts";
export {
  type PayloadFormat,
  type PayloadSpec,
  PayloadSpecError,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "./wire/mod.ts";
