/**
 * Which random source and which sampler a payload is drawn with: the one
 * place that turns a {@linkcode PayloadSpec} (and a connection's ordinal)
 * into numbers, so that the encoder, the server and any other dialect draw
 * a seeded payload the same way.
 *
 * @module
 */

import { cryptoRandomSource } from "../random/crypto_random_source.ts";
import type { IntegerSampler } from "../random/integer_sampler.ts";
import type { RandomSource } from "../random/random_source.ts";
import { SeededRandomSource } from "../random/seeded_random_source.ts";
import { UniformSampler } from "../random/uniform_sampler.ts";
import { UniqueSampler } from "../random/unique_sampler.ts";
import type { PayloadSpec } from "./payload_spec.ts";

/** Options for {@linkcode payloadSampler}. */
export interface PayloadSamplerOptions {
  /**
   * Which connection this payload is for, counted from 0 since the server
   * started. A seeded payload is a function of the seed and this ordinal.
   *
   * @default {0}
   */
  ordinal?: number;
  /**
   * Where random words come from. Overrides `spec.seed` when given.
   *
   * @default {spec.seed === undefined ? cryptoRandomSource() : new SeededRandomSource(spec.seed, { sequence: ordinal })}
   */
  source?: RandomSource;
}

/**
 * The sampler a payload's numbers are drawn with: uniform, or without
 * repeats for a `unique` spec, over `spec.min..spec.max`; its words come
 * from the CSPRNG, or for a seeded spec from sequence `ordinal` of the seed
 * (PROTOCOL.md §2.4).
 *
 * @example Usage
 * ```ts
 * import { payloadSampler, resolvePayloadSpec } from "@randport/randport/wire";
 *
 * const spec = resolvePayloadSpec({ count: 3, seed: 42 });
 * const out = new Float64Array(3);
 * payloadSampler(spec, { ordinal: 0 }).fill(out, 3);
 * console.log(out); // the numbers of the first connection to `--seed 42`
 * ```
 *
 * @param spec The payload.
 * @param options The connection's ordinal, or a source of one's own.
 * @returns A fresh sampler.
 */
export function payloadSampler(
  spec: PayloadSpec,
  options: PayloadSamplerOptions = {},
): IntegerSampler {
  const source = options.source ??
    (spec.seed === undefined
      ? cryptoRandomSource()
      : new SeededRandomSource(spec.seed, { sequence: options.ordinal ?? 0 }));
  return spec.unique
    ? new UniqueSampler(spec.min, spec.max, { source })
    : new UniformSampler(spec.min, spec.max, { source });
}
