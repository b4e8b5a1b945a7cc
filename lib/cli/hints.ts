/**
 * What to try next: the second half of every error line the client prints,
 * and the notes that teach a first-time user how to stop an endless stream.
 *
 * @module
 */

import type { RandportErrorCode } from "../errors/randport_error.ts";
import { REQUEST_CLIENT_DEFAULTS } from "../client/request_client_options.ts";
import { unbracketHost } from "../net/address.ts";
import { DEFAULT_PORT } from "../wire/default_port.ts";

/** Options for {@linkcode errorHint}. */
export interface ErrorHintOptions {
  /**
   * The host the client tried, to name it in the advice.
   *
   * @default {"localhost"}
   */
  hostname?: string;
  /**
   * The port the client tried, so that the advice to start a server names
   * the same port.
   *
   * @default {27679}
   */
  port?: number;
  /**
   * Whether the client tried the request port: the advice then names
   * `--request-port` rather than `--port`, with its default of 27680.
   *
   * @default {false}
   */
  requestPort?: boolean;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * The advice printed after an error of the given class.
 *
 * @example Usage
 * ```ts
 * import { errorHint } from "./hints.ts";
 *
 * console.log(errorHint("refused", { port: 9000 }));
 * // "is the server running? Start one with `deno task serve --port 9000` ..."
 * ```
 *
 * @param code The failure class.
 * @param options The address tried.
 * @returns One sentence, without a final period.
 */
export function errorHint(
  code: RandportErrorCode,
  options: ErrorHintOptions = {},
): string {
  const hostname = options.hostname ?? "localhost";
  const defaultPort = options.requestPort
    ? REQUEST_CLIENT_DEFAULTS.port
    : DEFAULT_PORT;
  const port = options.port ?? defaultPort;
  const portFlag = port === defaultPort
    ? ""
    : ` ${options.requestPort ? "--request-port" : "--port"} ${port}`;
  switch (code) {
    case "refused":
      return LOCAL_HOSTS.has(hostname)
        ? "is the server running? Start one in another terminal with " +
          `\`deno task serve${portFlag}\`, or point --host/--port at a running one`
        : `is the server running on ${hostname}? Start it there with ` +
          `\`deno task serve${portFlag}\`, or check --host and --port`;
    case "unknown-host":
      return "check the spelling of --host, or try --host localhost for a " +
        "server on this machine";
    case "timeout":
      return "check that --host and --port are right and reachable, or " +
        "allow longer with --timeout SECONDS (0 waits forever)";
    case "reset":
      return "the server dropped the connection (it may have stopped); " +
        "try again";
    case "busy":
      return "try again in a moment";
    case "server-error":
      return "the server could not serve this connection; try again later";
    case "malformed":
      return "is something other than a randport server listening there? " +
        `\`nc ${unbracketHost(hostname)} ${port}\` shows what ` +
        "it sends";
    case "truncated":
      return "the server stopped in the middle of the payload; try again";
    case "too-many":
      return "read part of it with --limit N";
    case "closed":
      return "the connection had ended already; connect again";
    case "tls":
      return "the README's TLS section shows how a client trusts a server";
    case "network":
      return "check the network path to the server, and --host and --port";
  }
}

/** Options for {@linkcode longReadNote}. */
export interface LongReadNoteOptions {
  /**
   * Whether the client is summarizing (`--stats`, `--histogram`) rather than
   * printing numbers: Ctrl-C then prints the summary so far.
   *
   * @default {false}
   */
  summary?: boolean;
}

/**
 * The one-line note printed when a payload has not ended after many
 * numbers and nothing bounds it: probably a `--stream` server, which sends
 * until the client stops.
 *
 * @example Usage
 * ```ts
 * import { longReadNote } from "./hints.ts";
 *
 * console.log(longReadNote(100000));
 * // "100000 numbers so far and more coming (a --stream server?): Ctrl-C stops; --limit N reads N numbers and stops"
 * ```
 *
 * @param count Numbers read so far.
 * @param options Whether the client prints a summary at the end.
 * @returns The note, without a final period.
 */
export function longReadNote(
  count: number,
  options: LongReadNoteOptions = {},
): string {
  const stop = options.summary
    ? "Ctrl-C stops and prints the summary so far"
    : "Ctrl-C stops";
  return `${count} numbers so far and more coming (a --stream server?): ` +
    `${stop}; --limit N reads N numbers and stops`;
}

/**
 * The line printed when Ctrl-C ended a read.
 *
 * @example Usage
 * ```ts
 * import { interruptedNote } from "./hints.ts";
 *
 * console.log(interruptedNote(5)); // "interrupted after 5 numbers; --limit N reads N numbers and stops by itself"
 * ```
 *
 * @param count Numbers read before the interruption.
 * @returns The line, without a final period.
 */
export function interruptedNote(count: number): string {
  if (count === 0) return "interrupted before any number arrived";
  return `interrupted after ${count} number${count === 1 ? "" : "s"}; ` +
    "--limit N reads N numbers and stops by itself";
}

/**
 * The note for a payload without numbers: the server closed at once (or
 * sent `[]`). It is a valid payload, so the exit code stays 0.
 *
 * @example Usage
 * ```ts
 * import { emptyPayloadNote } from "./hints.ts";
 *
 * console.log(emptyPayloadNote()); // "the server sent no numbers (an empty payload) ..."
 * ```
 *
 * @returns One sentence, without a final period.
 */
export function emptyPayloadNote(): string {
  return "the server sent no numbers (an empty payload); a randport server " +
    "sends none only with --count 0";
}
