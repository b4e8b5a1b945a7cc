/**
 * The error every library function throws for an option it cannot honour,
 * naming the option, so that a command line can name its flag.
 *
 * @module
 */

/**
 * An option that is out of range or contradicts another. `field` is the
 * option's name as the library spells it (`maxConnections`), `detail` what
 * was expected; the message is `field: detail`.
 *
 * @example Usage
 * ```ts
 * import { OptionError } from "@randport/randport/errors";
 *
 * const error = new OptionError("port", "expected an integer from 0 to 65535");
 * console.log(error.message); // "port: expected an integer from 0 to 65535"
 * console.log(error instanceof RangeError); // true
 * ```
 */
export class OptionError extends RangeError {
  /** The option at fault, as the library names it. */
  readonly field: string;
  /** What was expected, without the option's name. */
  readonly detail: string;

  /**
   * Creates the error.
   *
   * @param field The option at fault.
   * @param detail What was expected, without the option's name.
   */
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = "OptionError";
    this.field = field;
    this.detail = detail;
  }
}

/** Options for {@linkcode checkInteger}. */
export interface CheckIntegerOptions {
  /**
   * The smallest value accepted.
   *
   * @default {-Number.MAX_SAFE_INTEGER}
   */
  min?: number;
  /**
   * The largest value accepted.
   *
   * @default {Number.MAX_SAFE_INTEGER}
   */
  max?: number;
}

/**
 * What {@linkcode checkInteger} expects, in words: "an integer from 1 to
 * 65535", "an integer >= 1" or "an integer within ±(2^53−1)".
 *
 * @example Usage
 * ```ts
 * import { describeIntegerRange } from "@randport/randport/errors";
 *
 * console.log(describeIntegerRange({ min: 1 })); // "an integer >= 1"
 * ```
 *
 * @param options The accepted range.
 * @returns The words.
 */
export function describeIntegerRange(
  options: CheckIntegerOptions = {},
): string {
  const min = options.min ?? -Number.MAX_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (min === -Number.MAX_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER) {
    return "an integer within ±(2^53−1)";
  }
  if (max === Number.MAX_SAFE_INTEGER) return `an integer >= ${min}`;
  return `an integer from ${min} to ${max}`;
}

/**
 * Checks that an option is a safe integer in a range.
 *
 * @example Usage
 * ```ts
 * import { checkInteger, OptionError } from "@randport/randport/errors";
 *
 * try {
 *   checkInteger("backlog", 0, { min: 1, max: 65535 });
 * } catch (error) {
 *   if (error instanceof OptionError) console.log(error.message);
 *   // "backlog: expected an integer from 1 to 65535, got 0"
 * }
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @param options The accepted range.
 * @returns The value, typed as a number.
 * @throws {OptionError} When the value is not an integer in the range.
 */
export function checkInteger(
  field: string,
  value: unknown,
  options: CheckIntegerOptions = {},
): number {
  const min = options.min ?? -Number.MAX_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) || value < min ||
    value > max
  ) {
    throw new OptionError(
      field,
      `expected ${describeIntegerRange(options)}, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * The longest delay a timer takes, in milliseconds (2^31−1, about 24.8
 * days); longer ones overflow and fire at once.
 *
 * @example Usage
 * ```ts
 * import { MAX_TIMER_MS } from "@randport/randport/errors";
 *
 * console.log(MAX_TIMER_MS); // 2147483647
 * ```
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options for {@linkcode checkMilliseconds}. */
export interface CheckMillisecondsOptions {
  /**
   * Whether negative values are accepted (they mean "none" for the caller).
   *
   * @default {false}
   */
  negative?: boolean;
  /**
   * Whether `Infinity` is accepted: for a deadline that the caller checks
   * against the clock itself, where it means "never"; a timer would fire
   * it at once.
   *
   * @default {false}
   */
  infinite?: boolean;
}

/**
 * Checks that an option is a duration in milliseconds that a timer can wait:
 * a number from 0 to {@linkcode MAX_TIMER_MS} (or as the options allow,
 * negative, or `Infinity`).
 *
 * @example Usage
 * ```ts
 * import { checkMilliseconds } from "@randport/randport/errors";
 *
 * console.log(checkMilliseconds("timeout", 1500)); // 1500
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @param options Whether negative values are accepted.
 * @returns The value, typed as a number.
 * @throws {OptionError} When the value is not such a number.
 */
export function checkMilliseconds(
  field: string,
  value: unknown,
  options: CheckMillisecondsOptions = {},
): number {
  const min = options.negative ? -Infinity : 0;
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    value >= min && (value <= MAX_TIMER_MS ||
      (options.infinite === true && value === Infinity));
  if (!ok) {
    const range = options.negative
      ? `up to ${MAX_TIMER_MS} (0 or less for none)`
      : `from 0 to ${MAX_TIMER_MS}`;
    const infinity = options.infinite ? ", or Infinity" : "";
    throw new OptionError(
      field,
      `expected milliseconds ${range}${infinity}, got ${describe(value)}`,
    );
  }
  return value as number;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Checks that an option is a host name or address: a non-empty string
 * without whitespace (brackets around an IPv6 address are the caller's to
 * remove first).
 *
 * @example Usage
 * ```ts
 * import { checkHostname } from "@randport/randport/errors";
 *
 * console.log(checkHostname("hostname", "::1")); // "::1"
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @returns The value, typed as a string.
 * @throws {OptionError} When the value is not such a string.
 */
export function checkHostname(field: string, value: unknown): string {
  if (typeof value !== "string" || !/^\S+$/.test(value)) {
    throw new OptionError(
      field,
      `expected a host name or address without spaces, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks that an option, when given, is an `AbortSignal`.
 *
 * @example Usage
 * ```ts
 * import { checkSignal } from "@randport/randport/errors";
 *
 * console.log(checkSignal("signal", undefined)); // undefined
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @returns The value, typed.
 * @throws {OptionError} When the value is given and not an `AbortSignal`.
 */
export function checkSignal(
  field: string,
  value: unknown,
): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new OptionError(field, "expected an AbortSignal");
  }
  return value;
}

/**
 * Checks that an option, when given, is an instance of `type` (a shared
 * budget, a counter, a registry): the message names the class expected.
 *
 * @example Usage
 * ```ts
 * import { checkInstance } from "@randport/randport/errors";
 *
 * console.log(checkInstance("when", new Date(0), Date)?.getTime()); // 0
 * console.log(checkInstance("when", undefined, Date)); // undefined
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @param type The class it must be an instance of.
 * @returns The value, typed; `undefined` when it was not given.
 * @throws {OptionError} When the value is given and of another kind.
 */
export function checkInstance<T>(
  field: string,
  value: unknown,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  if (value === undefined || value instanceof type) return value;
  throw new OptionError(field, `expected a ${type.name}`);
}
