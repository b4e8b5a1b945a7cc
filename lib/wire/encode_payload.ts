/**
 * A whole fixed-size payload in one call.
 *
 * @module
 */

import {
  maxPayloadBytes,
  PayloadEncoder,
  type PayloadEncoderOptions,
} from "./encoder.ts";
import type { PayloadSpec } from "./payload_spec.ts";

/**
 * Encodes a whole fixed-size payload at once.
 *
 * @example Usage
 * ```ts
 * import { encodePayload, resolvePayloadSpec } from "@randport/randport/wire";
 *
 * const spec = resolvePayloadSpec({ count: 5, seed: 1 });
 * console.log(new TextDecoder().decode(encodePayload(spec))); // always the same 5 numbers
 * ```
 *
 * @param spec A payload that is not a stream.
 * @param options Which connection it is for, and where randomness comes from.
 * @returns The payload's bytes.
 */
export function encodePayload(
  spec: PayloadSpec,
  options: PayloadEncoderOptions = {},
): Uint8Array {
  if (spec.stream) {
    throw new RangeError("spec: a stream has no end; use payloadStream");
  }
  const encoder = new PayloadEncoder(spec, options);
  const buf = new Uint8Array(
    Math.max(maxPayloadBytes(spec), encoder.minBufferBytes),
  );
  const length = encoder.encodeInto(buf);
  return buf.subarray(0, length);
}
