/**
 * The client's options: what each means, its default, and the one check of
 * every value.
 *
 * @module
 */

import {
  checkInteger,
  type CheckIntegerOptions,
  checkMilliseconds,
  checkSignal,
  OptionError,
} from "../errors/option_error.ts";
import { resolveHostnameOption } from "./_hostname_option.ts";
import {
  type ClientTlsOptions,
  resolveClientTls,
} from "./client_tls_options.ts";
import { DEFAULT_PORT } from "../wire/default_port.ts";

/** Options for `streamNumbers` and `fetchNumbers`. */
export interface FetchOptions {
  /**
   * The server's host name or address.
   *
   * @default {"localhost"}
   */
  hostname?: string;
  /**
   * The server's port, 1 to 65535.
   *
   * @default {27679}
   */
  port?: number;
  /**
   * Stop after this many numbers and close the connection (how to read a
   * part of a never-ending stream): a non-negative integer, or Infinity.
   *
   * @default {Infinity}
   */
  limit?: number;
  /**
   * Milliseconds allowed for connecting, and for each silence while
   * reading, up to 2^31−1; 0 waits forever.
   *
   * @default {10000}
   */
  timeout?: number;
  /**
   * Aborting it closes the connection; the call then rejects with the
   * signal's reason (not a `RandportError`), as `fetch` does.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Speaks TLS: `true` trusts the system's CAs; `{ caCerts }` trusts
   * those (PEM) instead. The server's certificate must name `hostname`.
   *
   * @default {false}
   */
  tls?: boolean | ClientTlsOptions;
}

/**
 * The defaults of {@linkcode FetchOptions}.
 *
 * @example Usage
 * ```ts
 * import { FETCH_DEFAULTS } from "@randport/randport/client";
 *
 * console.log(FETCH_DEFAULTS.hostname, FETCH_DEFAULTS.timeout); // "localhost" 10000
 * ```
 */
export const FETCH_DEFAULTS: {
  readonly hostname: string;
  readonly port: number;
  readonly limit: number;
  readonly timeout: number;
} = Object.freeze({
  hostname: "localhost",
  port: DEFAULT_PORT,
  limit: Infinity,
  timeout: 10000,
});

/**
 * The accepted range of each integer option of {@linkcode FetchOptions}
 * (`limit` may also be Infinity).
 *
 * @example Usage
 * ```ts
 * import { FETCH_LIMITS } from "@randport/randport/client";
 *
 * console.log(FETCH_LIMITS.port); // { min: 1, max: 65535 }
 * ```
 */
export const FETCH_LIMITS: {
  readonly port: Readonly<CheckIntegerOptions>;
  readonly limit: Readonly<CheckIntegerOptions>;
} = Object.freeze({
  port: Object.freeze({ min: 1, max: 65535 }),
  limit: Object.freeze({ min: 0 }),
});

/** {@linkcode FetchOptions} with every default filled in and checked. */
export interface ResolvedFetchOptions {
  /** The server's host, brackets removed from an IPv6 address. */
  hostname: string;
  /** The server's port. */
  port: number;
  /** The most numbers to read. */
  limit: number;
  /** Milliseconds for connecting and each silence; 0 for none. */
  timeout: number;
  /** Aborting it ends the read. */
  signal: AbortSignal | undefined;
  /** TLS, checked; `undefined` for plaintext. */
  tls: ClientTlsOptions | undefined;
}

/**
 * Fills in the defaults of {@linkcode FetchOptions} and checks every value,
 * as `streamNumbers` and `fetchNumbers` do before they connect.
 *
 * @example Usage
 * ```ts
 * import { resolveFetchOptions } from "@randport/randport/client";
 *
 * const options = resolveFetchOptions({ hostname: "[::1]" });
 * console.log(options.hostname, options.port); // "::1" 27679
 * ```
 *
 * @param options The options given.
 * @returns Every option, resolved.
 * @throws {OptionError} Naming the first option that cannot be honoured.
 */
export function resolveFetchOptions(
  options: FetchOptions = {},
): ResolvedFetchOptions {
  const hostname = resolveHostnameOption(
    options.hostname ?? FETCH_DEFAULTS.hostname,
  );
  const limit = options.limit ?? FETCH_DEFAULTS.limit;
  if (
    limit !== Infinity &&
    !(Number.isSafeInteger(limit) && limit >= FETCH_LIMITS.limit.min!)
  ) {
    throw new OptionError(
      "limit",
      `expected a non-negative integer or Infinity, got ${limit}`,
    );
  }
  const signal = checkSignal("signal", options.signal);
  return {
    hostname,
    port: checkInteger(
      "port",
      options.port ?? FETCH_DEFAULTS.port,
      FETCH_LIMITS.port,
    ),
    limit,
    timeout: checkMilliseconds(
      "timeout",
      options.timeout ?? FETCH_DEFAULTS.timeout,
    ),
    signal,
    tls: resolveClientTls(options.tls),
  };
}
