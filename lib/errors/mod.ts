/**
 * The error types of randport: {@linkcode RandportError} for everything that
 * can go wrong talking to a server (with a `code` for programs), and
 * {@linkcode OptionError} for an option a library function cannot honour
 * (with the option's name in `field`).
 *
 * ```ts
 * import { OptionError, RandportError } from "@randport/randport/errors";
 *
 * const error = new RandportError("busy", "server replied busy");
 * console.log(error.code); // "busy"
 * console.log(new OptionError("limit", "expected an integer").field); // "limit"
 * ```
 *
 * @module
 */

export * from "./option_error.ts";
export * from "./randport_error.ts";
