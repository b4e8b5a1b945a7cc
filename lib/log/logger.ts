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

/**
 * What a log line is about, for programs: `event` names it (the README's
 * Logs section lists every event), `conn` and `peer` say which connection
 * (its number on its listener, and the client's real address: behind a
 * PROXY header, the one the header names), and the rest are the event's
 * figures.
 */
export interface LogFields {
  /** What happened, as a dotted name: `connection.served`, `server.stopped`. */
  event: string;
  /** The listener: `push` or `request`. */
  listener?: "push" | "request";
  /** The connection's number on its listener, from 0 (push) or 1 (request). */
  conn?: number;
  /** The client's address, `host:port`. */
  peer?: string;
  /** The event's figures and names. */
  [field: string]: string | number | boolean | undefined;
}

/** Where the server writes its log lines. */
export interface ServerLogger {
  /**
   * Writes one line.
   *
   * @param level How severe it is.
   * @param message One line for people, without a trailing newline.
   * @param fields The same, for programs (JSON logs write them).
   */
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /**
   * Whether lines at `level` are written at all, so that a server builds
   * per-connection lines only when someone reads them. Left out: every
   * level is.
   */
  enabled?(level: LogLevel): boolean;
}

/** The formats {@linkcode stderrLogger} writes: one line per event each. */
export const LOG_FORMATS = ["text", "json"] as const;

/** A {@linkcode LOG_FORMATS} entry. */
export type LogFormat = typeof LOG_FORMATS[number];

/** Options for {@linkcode stderrLogger}. */
export interface StderrLoggerOptions {
  /**
   * `text`: `<time> <level> <message>`; `json`: one object per line with
   * `time`, `level`, `event`, `message` and the event's fields (README,
   * Logs).
   *
   * @default {"text"}
   */
  format?: LogFormat;
}

/**
 * A logger that writes lines at `threshold` and more severe to stderr, each
 * with a timestamp and its level, as text or as JSON lines.
 *
 * @example Usage
 * ```ts
 * import { serve } from "@randport/randport/server";
 * import { stderrLogger } from "@randport/randport/log";
 *
 * const server = serve({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   logger: stderrLogger("info", { format: "json" }),
 * });
 * await server.shutdown(); // {"time":"...","level":"info","event":"server.stopped",...}
 * ```
 *
 * @param threshold The least severe level written.
 * @param options The format.
 * @returns The logger.
 * @throws {OptionError} Naming `format` when it is not one of
 * {@linkcode LOG_FORMATS}.
 */
export function stderrLogger(
  threshold: LogLevel,
  options: StderrLoggerOptions = {},
): ServerLogger {
  const rank = LOG_LEVELS.indexOf(threshold);
  const format = options.format ?? "text";
  if (!LOG_FORMATS.includes(format)) {
    throw new OptionError("format", `expected ${LOG_FORMATS.join(" or ")}`);
  }
  const enabled = (level: LogLevel) => LOG_LEVELS.indexOf(level) <= rank;
  const write = format === "json"
    ? (level: LogLevel, message: string, fields?: LogFields) =>
      console.error(jsonLine(level, message, fields))
    : (level: LogLevel, message: string) =>
      console.error(`${new Date().toISOString()} ${level} ${message}`);
  return {
    log(level, message, fields) {
      if (enabled(level)) write(level, message, fields);
    },
    enabled,
  };
}

/** One JSON log line: the time, level and event first, as people look. */
function jsonLine(
  level: LogLevel,
  message: string,
  fields: LogFields | undefined,
): string {
  const { event = "message", ...rest } = fields ?? {};
  return JSON.stringify({
    time: new Date().toISOString(),
    level,
    event,
    ...rest,
    message,
  });
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
  enabled(level: LogLevel) {
    return level === "error";
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
