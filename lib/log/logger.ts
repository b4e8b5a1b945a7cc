/**
 * Where the server's log lines go: the levels, the logger interface, and a
 * logger for stderr.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";

/**
 * Every {@linkcode LogLevel}, most severe first.
 *
 * @example Usage
 * ```ts
 * import { LOG_LEVELS } from "@randport/randport/log";
 *
 * console.log(LOG_LEVELS.join("|")); // "error|info|debug"
 * ```
 */
export const LOG_LEVELS = ["error", "info", "debug"] as const;

/** Severity of a {@linkcode ServerLogger} line. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Where the server writes its log lines. */
export interface ServerLogger {
  /**
   * Writes one line.
   *
   * @param level How severe it is.
   * @param message One line, without a trailing newline.
   */
  log(level: LogLevel, message: string): void;
}

/**
 * A logger that writes lines at `threshold` and more severe to stderr, each
 * with a timestamp and its level.
 *
 * @example Usage
 * ```ts
 * import { serve } from "@randport/randport/server";
 * import { stderrLogger } from "@randport/randport/log";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, logger: stderrLogger("info") });
 * await server.shutdown(); // logs "info stopped: ..."
 * ```
 *
 * @param threshold The least severe level written.
 * @returns The logger.
 */
export function stderrLogger(threshold: LogLevel): ServerLogger {
  const rank = LOG_LEVELS.indexOf(threshold);
  return {
    log(level, message) {
      if (LOG_LEVELS.indexOf(level) <= rank) {
        console.error(`${new Date().toISOString()} ${level} ${message}`);
      }
    },
  };
}

/**
 * The logger `serve()` and `serveRequests()` use unless told otherwise:
 * errors to stderr, as they are, and nothing else.
 *
 * @example Usage
 * ```ts
 * import { errorsToStderr } from "@randport/randport/log";
 *
 * errorsToStderr.log("info", "not written");
 * ```
 */
export const errorsToStderr: ServerLogger = Object.freeze({
  log(level: LogLevel, message: string) {
    if (level === "error") console.error(message);
  },
});

/**
 * Checks that an option, when given, is a logger: an object with a `log`
 * method; the default is {@linkcode errorsToStderr}.
 *
 * @example Usage
 * ```ts
 * import { checkLogger, errorsToStderr } from "@randport/randport/log";
 *
 * console.log(checkLogger("logger", undefined) === errorsToStderr); // true
 * ```
 *
 * @param field The option's name, for the message.
 * @param value The option's value.
 * @returns The logger to use.
 * @throws {OptionError} When the value is given and has no `log` method.
 */
export function checkLogger(field: string, value: unknown): ServerLogger {
  if (value === undefined) return errorsToStderr;
  if (typeof (value as ServerLogger | null)?.log !== "function") {
    throw new OptionError(field, "expected an object with a log method");
  }
  return value as ServerLogger;
}
