/**
 * Reading a whole payload into an array.
 *
 * @module
 */

import { checkInteger } from "../errors/option_error.ts";
import { RandportError } from "../errors/randport_error.ts";
import type { FetchOptions } from "./fetch_options.ts";
import { streamNumbers } from "./stream_numbers.ts";

/**
 * How many numbers {@linkcode fetchNumbers} holds at most unless told
 * otherwise: 10^7, about 80 MB as a JavaScript array.
 *
 * @example Usage
 * ```ts
 * import { FETCH_MAX_NUMBERS } from "@randport/randport/client";
 *
 * console.log(FETCH_MAX_NUMBERS); // 10000000
 * ```
 */
export const FETCH_MAX_NUMBERS = 10_000_000;

/** Options for {@linkcode fetchNumbers}. */
export interface FetchNumbersOptions extends FetchOptions {
  /**
   * The most numbers to hold when no `limit` is given: a payload that goes
   * on past it (a stream, a huge fixed payload) fails with a `too-many`
   * error instead of filling memory. A `limit` replaces it (`limit:
   * Infinity` too): the caller has said how many to hold; so does
   * `maxNumbers: Infinity`. Read streams with `limit`, or batch by batch
   * with `streamNumbers`, which holds nothing.
   *
   * @default {FETCH_MAX_NUMBERS}
   */
  maxNumbers?: number;
}

/**
 * Connects, reads the whole payload (or `limit` numbers) and returns the
 * numbers. Without a `limit` it holds at most `maxNumbers` (10^7 unless told
 * otherwise): against a server that never stops (`--stream`) it fails with
 * code `too-many` once one more has arrived, rather than running out of
 * memory.
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
 * @param options Where to connect, how many to read, the timeout, and the
 * most numbers to hold.
 * @returns The numbers, in the order they were sent.
 * @throws {OptionError} When an option cannot be honoured, before
 * connecting.
 * @throws {RandportError} For every failure, with a code telling which.
 */
export async function fetchNumbers(
  options: FetchNumbersOptions = {},
): Promise<number[]> {
  const { maxNumbers = FETCH_MAX_NUMBERS, ...fetchOptions } = options;
  // Infinity: no bound, the caller's choice (as an explicit limit is).
  if (maxNumbers !== Infinity) {
    checkInteger("maxNumbers", maxNumbers, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER - 1,
    });
  }
  const bounded = fetchOptions.limit === undefined && maxNumbers !== Infinity;
  // One more than the bound tells a payload of exactly maxNumbers from a
  // longer one.
  if (bounded) fetchOptions.limit = maxNumbers + 1;
  const numbers: number[] = [];
  for await (const batch of streamNumbers(fetchOptions)) {
    for (const n of batch) numbers.push(n);
  }
  if (bounded && numbers.length > maxNumbers) {
    throw new RandportError(
      "too-many",
      `more than ${maxNumbers} numbers arrived and no limit was given ` +
        "(is it a stream?): pass limit to read that many, raise maxNumbers, " +
        "or read batch by batch with streamNumbers",
    );
  }
  return numbers;
}
