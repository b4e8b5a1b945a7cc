/**
 * What to try next after a client failure: the second half of every error
 * line the client prints.
 *
 * @module
 */

import type { RandportErrorCode } from "./errors.ts";

const HINTS: Record<RandportErrorCode, string> = {
  "refused": "start a server with `deno task serve`, or point --host/--port " +
    "at a running one",
  "unknown-host": "check the spelling of --host, or try --host localhost",
  "timeout": "check that --host and --port are right and reachable, or " +
    "allow longer with --timeout SECONDS",
  "reset": "the server dropped the connection; try again",
  "busy": "the server is at its connection limit; try again in a moment",
  "server-error": "the server could not serve this connection",
  "malformed": "is something other than a randport server listening there?",
  "truncated": "the server stopped in the middle of the payload; try again",
  "network": "check the network path to the server",
};

/**
 * The advice printed after an error of the given class.
 *
 * @example Usage
 * ```ts
 * import { errorHint } from "./hints.ts";
 *
 * console.log(errorHint("refused")); // "start a server with `deno task serve`, ..."
 * ```
 *
 * @param code The failure class.
 * @returns One sentence, without a final period.
 */
export function errorHint(code: RandportErrorCode): string {
  return HINTS[code];
}
