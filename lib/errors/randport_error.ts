/**
 * The one error type the client side reports, with a code for each failure
 * class a caller may want to tell apart.
 *
 * @module
 */

/**
 * What went wrong, as {@linkcode RandportError.code}:
 * - `refused`: nothing listens at the address.
 * - `unknown-host`: the host name does not resolve.
 * - `timeout`: connecting, or a silence while reading (while replies are
 *   due, for a request client), took too long.
 * - `reset`: the server reset the connection, or closed it while replies
 *   to requests were still due.
 * - `busy`: the server is at its connection limit (an `ERR busy` reply, or
 *   `ERR max number of clients reached` from the request port).
 * - `server-error`: the server sent another `ERR` reply (on the request
 *   port, to one request: the connection goes on).
 * - `malformed`: the payload breaks the grammar in PROTOCOL.md, or a reply
 *   breaks RESP or is not of the type its request gets.
 * - `truncated`: the payload ended in the middle.
 * - `too-many`: more numbers arrived than the caller would hold
 *   (`fetchNumbers`' `maxNumbers`).
 * - `closed`: a request client was used after `close()`, or after its
 *   connection had ended or failed.
 * - `tls`: the TLS handshake failed: the server's certificate is not
 *   trusted or does not name the host, or the server does not speak TLS.
 * - `network`: any other network failure.
 */
export type RandportErrorCode =
  | "refused"
  | "unknown-host"
  | "timeout"
  | "reset"
  | "busy"
  | "server-error"
  | "malformed"
  | "truncated"
  | "too-many"
  | "closed"
  | "tls"
  | "network";

/** Options for {@linkcode RandportError}. */
export interface RandportErrorOptions {
  /**
   * For payload errors, the byte offset (from 0) where the problem was found.
   *
   * @default {undefined}
   */
  offset?: number;
  /**
   * For `malformed` payloads, the numbers completed in the same chunk before
   * the offending byte (those of earlier chunks were returned already).
   *
   * @default {[]}
   */
  numbers?: readonly number[];
  /**
   * The underlying error.
   *
   * @default {undefined}
   */
  cause?: unknown;
}

/**
 * A failure while fetching or parsing numbers. Its message is one line meant
 * for people; its `code` is meant for programs.
 *
 * @example Usage
 * ```ts
 * import { fetchNumbers } from "@randport/randport/client";
 * import { RandportError } from "@randport/randport/errors";
 *
 * try {
 *   await fetchNumbers({ port: 1 });
 * } catch (error) {
 *   if (error instanceof RandportError) console.log(error.code); // "refused"
 * }
 * ```
 */
export class RandportError extends Error {
  /** The failure class. */
  readonly code: RandportErrorCode;
  /** For payload errors, the byte offset where the problem was found. */
  readonly offset: number | undefined;
  /**
   * For `malformed` payloads from `PayloadParser.push`, the numbers
   * completed in the same chunk before the offending byte; empty otherwise.
   * `streamNumbers` yields them before it throws, and its errors carry
   * none, so that nothing is counted twice.
   */
  readonly numbers: readonly number[];

  /**
   * Creates the error.
   *
   * @param code The failure class.
   * @param message One line, for people.
   * @param options Byte offset and cause.
   */
  constructor(
    code: RandportErrorCode,
    message: string,
    options: RandportErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "RandportError";
    this.code = code;
    this.offset = options.offset;
    this.numbers = options.numbers ?? [];
  }
}
