/**
 * The wire format of the push port, in code: the payload description
 * ({@linkcode resolvePayloadSpec}), how a payload is drawn
 * ({@linkcode payloadSampler}) and written ({@linkcode PayloadEncoder},
 * {@linkcode encodePayload}, {@linkcode payloadStream}), how it is read back
 * ({@linkcode PayloadParser}, {@linkcode parsePayload}), and the `ERR`
 * reply. PROTOCOL.md is the specification; this package is its one
 * implementation.
 *
 * ```ts
 * import {
 *   encodePayload,
 *   parsePayload,
 *   resolvePayloadSpec,
 * } from "@randport/randport/wire";
 *
 * const spec = resolvePayloadSpec({ count: 6, min: 1, max: 49, unique: true, seed: 7 });
 * const bytes = encodePayload(spec); // what a `--seed 7` server sends its first client
 * console.log(new TextDecoder().decode(bytes)); // six distinct numbers, comma-separated
 * console.log(parsePayload(bytes).length); // 6
 * ```
 *
 * @module
 */

export * from "./default_port.ts";
export * from "./encode_payload.ts";
export * from "./format_payload.ts";
export * from "./encoder.ts";
export * from "./err_reply.ts";
export * from "./parse_payload.ts";
export * from "./parser.ts";
export * from "./payload_sampler.ts";
export * from "./payload_spec.ts";
export * from "./payload_stream.ts";
