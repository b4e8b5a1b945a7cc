/**
 * Network errors a client causes by going away (a reset, a close in the
 * middle of a write, a read cut short): both servers end such a
 * connection quietly, and count it as the client's doing.
 *
 * @module
 */

const CLIENT_ERRORS = [
  Deno.errors.BrokenPipe,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.TimedOut,
  Deno.errors.UnexpectedEof,
  Deno.errors.BadResource,
  Deno.errors.Interrupted,
];

/**
 * Whether `error` is one a client causes by going away.
 *
 * @example Usage
 * ```ts
 * import { isClientError } from "@randport/randport/net";
 *
 * console.log(isClientError(new Deno.errors.ConnectionReset("reset"))); // true
 * console.log(isClientError(new TypeError("a bug"))); // false
 * ```
 *
 * @param error What a read, write or accept threw.
 * @returns Whether it is the client's doing.
 */
export function isClientError(error: unknown): boolean {
  return CLIENT_ERRORS.some((type) => error instanceof type);
}
