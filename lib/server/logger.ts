/**
 * Where the server's log lines go: the levels, the logger interface, and a
 * logger for stderr.
 *
 * @module
 */

/**
 * Every {@linkcode LogLevel}, most severe first.
 *
 * @example Usage
 * ```ts
 * import { LOG_LEVELS } from "@randport/randport/server";
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
 * import { serve, stderrLogger } from "@randport/randport/server";
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
