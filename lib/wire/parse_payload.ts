/**
 * A complete payload parsed in one call.
 *
 * @module
 */

import { PayloadParser } from "./parser.ts";

/**
 * Parses a complete payload.
 *
 * @example Usage
 * ```ts
 * import { parsePayload } from "@randport/randport/wire";
 *
 * console.log(parsePayload(new TextEncoder().encode("[1,2,3]"))); // [1, 2, 3]
 * ```
 *
 * @param payload Every byte the server sent.
 * @returns The numbers.
 * @throws {RandportError} `malformed` or `truncated`, with the byte offset.
 */
export function parsePayload(payload: Uint8Array): number[] {
  const parser = new PayloadParser();
  const numbers = parser.push(payload);
  for (const n of parser.end()) numbers.push(n);
  return numbers;
}
