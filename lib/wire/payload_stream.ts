/**
 * A payload as a `ReadableStream` of chunks, generated as it is read.
 *
 * @module
 */

import {
  DEFAULT_CHUNK_SIZE,
  maxPayloadBytes,
  PayloadEncoder,
  type PayloadEncoderOptions,
} from "./encoder.ts";
import type { PayloadSpec } from "./payload_spec.ts";

/** Options for {@linkcode payloadStream}. */
export interface PayloadStreamOptions extends PayloadEncoderOptions {
  /**
   * The size of each chunk the stream produces, in bytes.
   *
   * @default {16384}
   */
  chunkSize?: number;
}

/**
 * A byte stream of one payload, generated only as fast as it is read.
 * Useful with `new Response(payloadStream(spec))` or `pipeTo`.
 *
 * @example Usage
 * ```ts
 * import { payloadStream, resolvePayloadSpec } from "@randport/randport/wire";
 *
 * const spec = resolvePayloadSpec({ count: 1000, format: "lines" });
 * const text = await new Response(payloadStream(spec)).text();
 * console.log(text.split("\n").length); // 1001: a '\n' ends every line
 * ```
 *
 * @param spec The payload; a stream spec gives a never-ending stream.
 * @param options Chunk size, ordinal and randomness source.
 * @returns The stream of encoded chunks.
 */
export function payloadStream(
  spec: PayloadSpec,
  options: PayloadStreamOptions = {},
): ReadableStream<Uint8Array> {
  const encoder = new PayloadEncoder(spec, options);
  const chunkSize = Math.max(
    Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, maxPayloadBytes(spec)),
    encoder.minBufferBytes,
  );
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      // A fresh chunk each time: the reader may keep the previous one.
      const chunk = new Uint8Array(chunkSize);
      const length = encoder.encodeInto(chunk);
      if (length > 0) controller.enqueue(chunk.subarray(0, length));
      if (encoder.done) controller.close();
    },
  }, { highWaterMark: 0 });
}
