/**
 * Reading a whole payload into an array.
 *
 * @module
 */

import type { FetchOptions } from "./fetch_options.ts";
import { streamNumbers } from "./stream_numbers.ts";

/**
 * Connects, reads the whole payload (or `limit` numbers) and returns the
 * numbers.
 *
 * @example Usage
 * ```ts
 * import { fetchNumbers } from "@randport/randport/client";
 * import { serve } from "@randport/randport/server";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0 }); // or `deno task serve`
 * const numbers = await fetchNumbers({ hostname: "127.0.0.1", port: server.addr.port });
 * console.log(numbers); // e.g. [58, 25, 73, 22, 19, 48, 61, 33, 47, 31]
 * await server.shutdown();
 * ```
 *
 * @param options Where to connect, how many to read, and the timeout.
 * @returns The numbers, in the order they were sent.
 * @throws {OptionError} When an option cannot be honoured, before
 * connecting.
 * @throws {RandportError} For every failure, with a code telling which.
 */
export async function fetchNumbers(
  options: FetchOptions = {},
): Promise<number[]> {
  const numbers: number[] = [];
  for await (const batch of streamNumbers(options)) {
    for (const n of batch) numbers.push(n);
  }
  return numbers;
}
