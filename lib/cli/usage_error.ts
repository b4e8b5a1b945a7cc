/**
 * A mistake on the command line, and how the library's option errors become
 * one that names the flag.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";

/**
 * A mistake on the command line; the program prints its message and exits
 * with code 2.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 *
 * const error = new UsageError("--port: expected an integer from 0 to 65535");
 * console.log(error.message);
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message One line naming the flag and what was expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The command line's version of a library error: an {@linkcode OptionError}
 * becomes a {@linkcode UsageError} that names the flag the option came
 * from (`maxConnections: ...` becomes `--max-connections: ...`); any other
 * error is returned as it is.
 *
 * @example Usage
 * ```ts
 * import { OptionError } from "../errors/option_error.ts";
 * import { asUsageError } from "./usage_error.ts";
 *
 * const error = new OptionError("maxConnections", "expected an integer >= 1, got 0");
 * const usage = asUsageError(error, { maxConnections: "--max-connections" });
 * console.log((usage as Error).message);
 * // "--max-connections: expected an integer >= 1, got 0"
 * ```
 *
 * @param error What the library threw.
 * @param flags The flag of each option the command line sets.
 * @returns The error to throw.
 */
export function asUsageError(
  error: unknown,
  flags: Readonly<Record<string, string>>,
): unknown {
  if (!(error instanceof OptionError)) return error;
  const flag = flags[error.field] ?? error.field;
  return new UsageError(`${flag}: ${error.detail}`);
}
