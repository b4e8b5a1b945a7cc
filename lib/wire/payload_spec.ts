/**
 * The payload description shared by the server, the encoder and (later) any
 * per-request dialect: what numbers a connection receives and how they are
 * written. See PROTOCOL.md for the bytes each format produces.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import { rangeSize } from "../random/range_size.ts";

/** The wire formats a payload can be written in. See PROTOCOL.md. */
export type PayloadFormat = "csv" | "lines" | "json";

/**
 * Every {@linkcode PayloadFormat}, in the order they are documented.
 *
 * @example Usage
 * ```ts
 * import { PAYLOAD_FORMATS } from "@randport/randport/wire";
 *
 * console.log(PAYLOAD_FORMATS.join("|")); // "csv|lines|json"
 * ```
 */
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = Object.freeze([
  "csv",
  "lines",
  "json",
]);

/**
 * The largest count `unique` accepts. Sampling without replacement has to
 * remember what it drew, so its state grows with the count (about 50 bytes per
 * number in the worst case); this bound keeps one connection's state under
 * about 50 MB.
 *
 * @example Usage
 * ```ts
 * import { MAX_UNIQUE_COUNT } from "@randport/randport/wire";
 *
 * console.log(MAX_UNIQUE_COUNT); // 1000000
 * ```
 */
export const MAX_UNIQUE_COUNT = 1_000_000;

/** One complete description of a payload. */
export interface PayloadSpec {
  /** How many numbers a fixed payload carries; ignored when `stream` is set. */
  count: number;
  /** The smallest number that may be drawn (inclusive). */
  min: number;
  /** The largest number that may be drawn (inclusive). */
  max: number;
  /** How the numbers are written on the wire. */
  format: PayloadFormat;
  /** Whether no value may repeat within one payload. */
  unique: boolean;
  /** Whether to keep sending until the reader goes away. */
  stream: boolean;
  /**
   * Seed of the deterministic generator; `undefined` draws from the operating
   * system's CSPRNG.
   */
  seed: number | undefined;
}

/** Options for {@linkcode resolvePayloadSpec}: any subset of a spec. */
export interface PayloadSpecOptions {
  /**
   * How many numbers a fixed payload carries; ignored when `stream` is set.
   *
   * @default {10}
   */
  count?: number;
  /**
   * The smallest number that may be drawn (inclusive), within ±(2^53−1).
   *
   * @default {1}
   */
  min?: number;
  /**
   * The largest number that may be drawn (inclusive), within ±(2^53−1).
   *
   * @default {100}
   */
  max?: number;
  /**
   * How the numbers are written on the wire.
   *
   * @default {"csv"}
   */
  format?: PayloadFormat;
  /**
   * Whether no value may repeat within one payload (count <= range size, not
   * with `stream`).
   *
   * @default {false}
   */
  unique?: boolean;
  /**
   * Whether to keep sending until the reader goes away (csv or lines only).
   *
   * @default {false}
   */
  stream?: boolean;
  /**
   * Seed of the deterministic generator, any safe integer; leave it out to
   * draw from the operating system's CSPRNG.
   *
   * @default {undefined}
   */
  seed?: number;
}

/**
 * Thrown by {@linkcode resolvePayloadSpec} for a field that cannot be
 * honoured. `field` names the offending field so that a command line can
 * name its flag.
 *
 * @example Usage
 * ```ts
 * import { PayloadSpecError, resolvePayloadSpec } from "@randport/randport/wire";
 *
 * try {
 *   resolvePayloadSpec({ min: 5, max: 1 });
 * } catch (error) {
 *   if (error instanceof PayloadSpecError) console.log(error.field); // "max"
 * }
 * ```
 */
export class PayloadSpecError extends OptionError {
  /** The {@linkcode PayloadSpec} field at fault. */
  declare readonly field: keyof PayloadSpec;

  /**
   * Creates the error.
   *
   * @param field The field at fault.
   * @param detail What was expected, without the field's name.
   */
  constructor(field: keyof PayloadSpec, detail: string) {
    super(field, detail);
    this.name = "PayloadSpecError";
  }
}

/**
 * Fills in defaults and checks that the described payload can be produced.
 *
 * @example Usage
 * ```ts
 * import { resolvePayloadSpec } from "@randport/randport/wire";
 *
 * const spec = resolvePayloadSpec({ count: 3, format: "json" });
 * console.log(spec.min, spec.max, spec.count); // 1 100 3
 * ```
 *
 * @param options The fields to set; the rest take their defaults.
 * @returns A complete, valid spec.
 * @throws {PayloadSpecError} When a field is out of range or the fields
 * contradict each other.
 */
export function resolvePayloadSpec(
  options: PayloadSpecOptions = {},
): PayloadSpec {
  const spec: PayloadSpec = {
    count: options.count ?? 10,
    min: options.min ?? 1,
    max: options.max ?? 100,
    format: options.format ?? "csv",
    unique: options.unique ?? false,
    stream: options.stream ?? false,
    seed: options.seed,
  };
  if (!Number.isSafeInteger(spec.count) || spec.count < 0) {
    throw new PayloadSpecError(
      "count",
      `expected an integer from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  for (const field of ["min", "max"] as const) {
    if (!Number.isSafeInteger(spec[field])) {
      throw new PayloadSpecError(
        field,
        "expected an integer within ±(2^53−1)",
      );
    }
  }
  if (spec.min > spec.max) {
    throw new PayloadSpecError(
      "max",
      `expected max >= min, got min ${spec.min} and max ${spec.max}`,
    );
  }
  if (!PAYLOAD_FORMATS.includes(spec.format)) {
    throw new PayloadSpecError(
      "format",
      `expected one of ${PAYLOAD_FORMATS.join(", ")}`,
    );
  }
  if (spec.seed !== undefined && !Number.isSafeInteger(spec.seed)) {
    throw new PayloadSpecError("seed", "expected an integer within ±(2^53−1)");
  }
  if (spec.stream && spec.format === "json") {
    throw new PayloadSpecError(
      "stream",
      "a stream never ends, so it cannot be one JSON array: use csv or lines",
    );
  }
  if (spec.unique) {
    if (spec.stream) {
      throw new PayloadSpecError(
        "unique",
        "a never-ending stream would run out of unique values: drop stream",
      );
    }
    if (BigInt(spec.count) > rangeSize(spec.min, spec.max)) {
      throw new PayloadSpecError(
        "unique",
        `count ${spec.count} exceeds the ${
          rangeSize(spec.min, spec.max)
        } values in ${spec.min}..${spec.max}`,
      );
    }
    if (spec.count > MAX_UNIQUE_COUNT) {
      throw new PayloadSpecError(
        "unique",
        `count ${spec.count} exceeds the unique limit of ${MAX_UNIQUE_COUNT}`,
      );
    }
  }
  return spec;
}
