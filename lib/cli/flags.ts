/**
 * Flag parsing shared by `server.ts` and `client.ts`, on top of
 * `node:util`'s `parseArgs`, and value readers that name the flag in their
 * errors.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { describeIntegerRange, MAX_TIMER_MS } from "../errors/option_error.ts";
import { UsageError } from "./usage_error.ts";

/** A flag's declaration, as `node:util` `parseArgs` takes it. */
export interface FlagDeclaration {
  /** Whether the flag takes a value. */
  type: "string" | "boolean";
  /** A one-letter alias. */
  short?: string;
  /** Whether the flag may be given more than once (its value is a list). */
  multiple?: boolean;
}

/** Parsed flag values by name. */
export type FlagValues = Record<
  string,
  string | boolean | (string | boolean)[] | undefined
>;

const NEGATIVE_NUMBER = /^-\d/;

/**
 * Parses `args` strictly: unknown flags, missing values and positional
 * arguments are usage errors.
 *
 * `parseArgs` refuses `--min -5` as ambiguous (it cannot tell a negative
 * number from a flag), so a value-taking flag followed by something that
 * looks like a negative number is joined first (`--min=-5`), which is how
 * users type negative ranges.
 *
 * @example Usage
 * ```ts
 * import { parseFlags } from "./flags.ts";
 *
 * const values = parseFlags(["--min", "-5"], { min: { type: "string" } });
 * console.log(values.min); // "-5"
 * ```
 *
 * @param args The command-line arguments.
 * @param declarations The flags the program knows.
 * @returns The values given, by flag name.
 * @throws {UsageError} With a one-line message naming the flag.
 */
export function parseFlags(
  args: string[],
  declarations: Record<string, FlagDeclaration>,
): FlagValues {
  const takesValue = new Set<string>();
  for (const [name, declaration] of Object.entries(declarations)) {
    if (declaration.type === "string") {
      takesValue.add(`--${name}`);
      if (declaration.short) takesValue.add(`-${declaration.short}`);
    }
  }
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    if (
      takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  try {
    return parseArgs({ args: joined, options: declarations, strict: true })
      .values;
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  // parseArgs quotes a flag with its alias, as in '-h, --help'.
  const words = quoted.split(/[ ,]+/);
  const flag = words.find((word) => word.startsWith("--")) ?? words[0];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${flag} (see --help for the flags there are)`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${
        JSON.stringify(quoted)
      }: every option is a --flag (see --help)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) {
        return `${flag}: takes no value`;
      }
      return `${flag}: expected a value after it`;
  }
  return message.split("\n")[0];
}

/** Options for {@linkcode integerFlag}. */
export interface IntegerFlagOptions {
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
 * Reads a flag's value as an integer in a range.
 *
 * @example Usage
 * ```ts
 * import { integerFlag } from "./flags.ts";
 *
 * console.log(integerFlag("--port", "8080", { min: 0, max: 65535 })); // 8080
 * ```
 *
 * @param flag The flag's name, for the error message.
 * @param value What the user typed.
 * @param options The accepted range.
 * @returns The integer.
 * @throws {UsageError} When the value is not a plain integer in the range.
 */
export function integerFlag(
  flag: string,
  value: string,
  options: IntegerFlagOptions = {},
): number {
  const min = options.min ?? -Number.MAX_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expected = describeIntegerRange(options);
  const number = Number(value);
  if (
    // Exactly as typed: " 80" is as wrong as "0x10".
    !/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(number) ||
    number < min || number > max
  ) {
    throw new UsageError(
      `${flag}: expected ${expected}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/**
 * Reads a duration given in seconds (fractions allowed) as milliseconds.
 *
 * @example Usage
 * ```ts
 * import { secondsFlag } from "./flags.ts";
 *
 * console.log(secondsFlag("--timeout", "1.5")); // 1500
 * ```
 *
 * @param flag The flag's name, for the error message.
 * @param value What the user typed.
 * @returns Milliseconds; 0 means no limit.
 * @throws {UsageError} When the value is not a plain decimal from 0 to
 * 2147483 (about 24.8 days).
 */
export function secondsFlag(flag: string, value: string): number {
  const seconds = Number(value);
  // Plain decimals only: Number() would also take "0x10", "1e3" and "".
  // Timers overflow past 2^31−1 ms (about 24.8 days).
  if (!/^(\d+\.?\d*|\.\d+)$/.test(value) || seconds > MAX_SECONDS) {
    throw new UsageError(
      `${flag}: expected a number of seconds from 0 to ${MAX_SECONDS}, got ${
        JSON.stringify(value)
      }`,
    );
  }
  // Round up, so that a tiny positive value never becomes 0 (no limit).
  return Math.ceil(seconds * 1000);
}

const MAX_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/**
 * Reads a host name or address; brackets around an IPv6 address are kept
 * for the caller to remove.
 *
 * @example Usage
 * ```ts
 * import { hostFlag } from "./flags.ts";
 *
 * console.log(hostFlag("--host", "::1")); // "::1"
 * ```
 *
 * @param flag The flag's name, for the error message.
 * @param value What the user typed.
 * @returns The value.
 * @throws {UsageError} When the value is empty or contains whitespace.
 */
export function hostFlag(flag: string, value: string): string {
  if (!/^\S+$/.test(value)) {
    throw new UsageError(
      `${flag}: expected a host name or address, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Options for {@linkcode choiceFlag}. */
export interface ChoiceFlagOptions<T extends string> {
  /** The accepted words. */
  choices: readonly T[];
}

/**
 * Reads a flag whose value must be one of a few words.
 *
 * @example Usage
 * ```ts
 * import { choiceFlag } from "./flags.ts";
 *
 * const choices = ["csv", "lines", "json"] as const;
 * console.log(choiceFlag("--format", "json", { choices })); // "json"
 * ```
 *
 * @param flag The flag's name, for the error message.
 * @param value What the user typed.
 * @param options The accepted words.
 * @returns The value, typed as one of the choices.
 * @throws {UsageError} When the value is not one of the choices.
 */
export function choiceFlag<T extends string>(
  flag: string,
  value: string,
  options: ChoiceFlagOptions<T>,
): T {
  const { choices } = options;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(
      `${flag}: expected one of ${choices.join(", ")}, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return value as T;
}

/**
 * Reads a `MIN..MAX` flag (`--range 1..100`): two integers, MIN <= MAX.
 *
 * @example Usage
 * ```ts
 * import { rangeFlag } from "./flags.ts";
 *
 * console.log(rangeFlag("--range", "-5..5")); // { min: -5, max: 5 }
 * ```
 *
 * @param flag The flag's name, for the message.
 * @param value What the user typed.
 * @returns The range.
 * @throws {UsageError} Naming the flag when it is not MIN..MAX.
 */
export function rangeFlag(
  flag: string,
  value: string,
): { min: number; max: number } {
  const match = /^(-?\d+)\.\.(-?\d+)$/.exec(value);
  if (!match) {
    throw new UsageError(
      `${flag}: expected MIN..MAX, such as 1..100, got ${
        JSON.stringify(value)
      }`,
    );
  }
  const min = integerFlag(flag, match[1]);
  const max = integerFlag(flag, match[2]);
  if (min > max) {
    throw new UsageError(
      `${flag}: expected MIN <= MAX, got ${JSON.stringify(value)}`,
    );
  }
  return { min, max };
}
