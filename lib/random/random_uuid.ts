/**
 * Version 4 UUIDs (RFC 9562), from the CSPRNG or from a source's words:
 * `UUID`'s draw (PROTOCOL.md §5.4 for the seeded one).
 *
 * @module
 */

import type { SamplerOptions } from "./integer_sampler.ts";

/**
 * A version 4 UUID in its lower-case text form. With a `source`: 16 bytes
 * of its words (as `randomBytes` takes them), the version nibble
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
  // The 16 bytes of randomBytes(16): four words, each little-endian, read
  // here without an array per UUID.
  const w = [
    source.nextUint32(),
    source.nextUint32(),
    source.nextUint32(),
    source.nextUint32(),
  ];
  const x = HEX;
  const byte = (i: number) => (w[i >> 2] >>> ((i & 3) * 8)) & 0xff;
  // A table, not Uint8Array's toHex (the verifier runs this on Node.js 20
  // too) nor toString(16) per byte, which took most of a seeded UUID's time.
  return x[byte(0)] + x[byte(1)] + x[byte(2)] + x[byte(3)] + "-" +
    x[byte(4)] + x[byte(5)] + "-" +
    x[(byte(6) & 0x0f) | 0x40] + x[byte(7)] + "-" +
    x[(byte(8) & 0x3f) | 0x80] + x[byte(9)] + "-" +
    x[byte(10)] + x[byte(11)] + x[byte(12)] + x[byte(13)] + x[byte(14)] +
    x[byte(15)];
}

/** Each byte's two lowercase hex digits. */
const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).padStart(2, "0"),
);
