/**
 * The text of a payload (PROTOCOL.md §2) for numbers already drawn: what
 * the request port's `RANDINT ... FORMAT csv|lines|json` replies, in the
 * push port's formats.
 *
 * @module
 */

import type { PayloadFormat } from "./payload_spec.ts";

/**
 * Writes `numbers` as a payload in `format`: csv (`1,2,3`, no newline),
 * lines (`1\n2\n3\n`) or json (`[1,2,3]`), exactly as the push port's
 * encoder writes a fixed payload.
 *
 * @example Usage
 * ```ts
 * import { formatPayload } from "@randport/randport/wire";
 *
 * console.log(formatPayload([58, 25, 73], "csv")); // "58,25,73"
 * console.log(formatPayload([58, 25, 73], "json")); // "[58,25,73]"
 * ```
 *
 * @param numbers The numbers, in order.
 * @param format The payload format.
 * @returns The payload's text.
 */
export function formatPayload(
  numbers: readonly number[],
  format: PayloadFormat,
): string {
  if (format === "json") return `[${numbers.join(",")}]`;
  if (format === "lines") return numbers.map((n) => `${n}\n`).join("");
  return numbers.join(",");
}
