/**
 * Version 4 UUIDs (RFC 9562), from the CSPRNG or from a source's words:
 * `UUID`'s draw (PROTOCOL.md §5.4 for the seeded one).
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";
import { randomBytes } from "./random_bytes.ts";

/**
 * A version 4 UUID in its lower-case text form. With a `source`: 16 bytes
 * of its words (as {@linkcode randomBytes} takes them), the version nibble
 * (byte 6) set to 4 and the variant bits (byte 8) to `10`; without one,
 * `crypto.randomUUID()`.
 *
 * @example Usage
 * ```ts
 * import { randomUuid } from "@randport/randport/random";
 *
 * console.log(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(randomUuid())); // true
 * ```
 *
 * @param options Where the words come from; the CSPRNG when none is given.
 * @returns The UUID, as `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
 */
export function randomUuid(options: SamplerOptions = {}): string {
  const source = options.source;
  if (source === undefined) return crypto.randomUUID();
  const b = randomBytes(16, { source });
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  // Not Uint8Array's toHex: the verifier runs this on Node.js 20 too.
  let h = "";
  for (const byte of b) h += (byte < 16 ? "0" : "") + byte.toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${
    h.slice(16, 20)
  }-${h.slice(20)}`;
}
