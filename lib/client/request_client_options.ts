/**
 * The request client's options: what each means, its default, and the one
 * check of every value.
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
import {
  REPLY_PARSER_DEFAULTS,
  type ReplyParserOptions,
} from "../resp/reply_parser.ts";

/** Options for `connectRequests`. */
export interface RequestClientOptions {
  /**
   * The server's host name or address.
   *
   * @default {"localhost"}
   */
  hostname?: string;
  /**
   * The request port, 1 to 65535.
   *
   * @default {27680}
   */
  port?: number;
  /**
   * Milliseconds allowed for connecting, and for each silence of the
   * server while replies are due (the greeting's included), up to 2^31−1;
   * 0 waits forever. A silence that long fails every pending call and ends
   * the connection: which reply came next would be unknown.
   *
   * @default {10000}
   */
  timeout?: number;
  /**
   * The RESP version to speak, 2 or 3 (`HELLO 2` or `HELLO 3` on
   * connecting). The methods return the same values in both; raw
   * `command` replies differ (RESP3 has maps, doubles, booleans, `_`).
   *
   * @default {2}
   */
  protocol?: 2 | 3;
  /**
   * The limits on what the server may send (longest bulk string, longest
   * line, most elements, deepest nesting); a reply beyond one fails with
   * code `malformed`.
   *
   * @default {REPLY_PARSER_DEFAULTS}
   */
  replyLimits?: ReplyParserOptions;
  /**
   * Aborting it closes the connection at once; pending calls, and
   * `connectRequests` while it connects, then reject with the signal's
   * reason (not a `RandportError`), as `fetch` does.
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
 * The defaults of {@linkcode RequestClientOptions} (the reply limits are
 * `REPLY_PARSER_DEFAULTS` of the resp package).
 *
 * @example Usage
 * ```ts
 * import { REQUEST_CLIENT_DEFAULTS } from "@randport/randport/client";
 *
 * console.log(REQUEST_CLIENT_DEFAULTS.port, REQUEST_CLIENT_DEFAULTS.timeout); // 27680 10000
 * ```
 */
export const REQUEST_CLIENT_DEFAULTS: {
  readonly hostname: string;
  readonly port: number;
  readonly timeout: number;
  readonly protocol: 2 | 3;
} = Object.freeze({
  hostname: "localhost",
  // The request port of PROTOCOL.md §5: the push port's plus one.
  port: 27680,
  timeout: 10000,
  protocol: 2,
});

/** {@linkcode RequestClientOptions} with every default filled in and checked. */
export interface ResolvedRequestClientOptions {
  /** The server's host, brackets removed from an IPv6 address. */
  hostname: string;
  /** The request port. */
  port: number;
  /** Milliseconds for connecting and each silence; 0 for none. */
  timeout: number;
  /** The RESP version. */
  protocol: 2 | 3;
  /** The limits on replies, every one given. */
  replyLimits: Required<ReplyParserOptions>;
  /** Aborting it closes the connection. */
  signal: AbortSignal | undefined;
  /** TLS, checked; `undefined` for plaintext. */
  tls: ClientTlsOptions | undefined;
}

const PORT: CheckIntegerOptions = { min: 1, max: 65535 };

/**
 * Fills in the defaults of {@linkcode RequestClientOptions} and checks every
 * value, as `connectRequests` does before it connects.
 *
 * @example Usage
 * ```ts
 * import { resolveRequestClientOptions } from "@randport/randport/client";
 *
 * const options = resolveRequestClientOptions({ hostname: "[::1]" });
 * console.log(options.hostname, options.port, options.protocol); // "::1" 27680 2
 * ```
 *
 * @param options The options given.
 * @returns Every option, resolved.
 * @throws {OptionError} Naming the first option that cannot be honoured.
 */
export function resolveRequestClientOptions(
  options: RequestClientOptions = {},
): ResolvedRequestClientOptions {
  const hostname = resolveHostnameOption(
    options.hostname ?? REQUEST_CLIENT_DEFAULTS.hostname,
  );
  const protocol = options.protocol ?? REQUEST_CLIENT_DEFAULTS.protocol;
  if (protocol !== 2 && protocol !== 3) {
    throw new OptionError(
      "protocol",
      `expected 2 or 3, got ${JSON.stringify(protocol)}`,
    );
  }
  const given = options.replyLimits ?? {};
  if (typeof given !== "object" || given === null) {
    throw new OptionError("replyLimits", "expected an object of limits");
  }
  const limit = (field: keyof ReplyParserOptions) =>
    checkInteger(
      `replyLimits.${field}`,
      given[field] ?? REPLY_PARSER_DEFAULTS[field],
      { min: 1 },
    );
  return {
    hostname,
    port: checkInteger(
      "port",
      options.port ?? REQUEST_CLIENT_DEFAULTS.port,
      PORT,
    ),
    timeout: checkMilliseconds(
      "timeout",
      options.timeout ?? REQUEST_CLIENT_DEFAULTS.timeout,
    ),
    protocol,
    replyLimits: {
      maxBulkBytes: limit("maxBulkBytes"),
      maxElements: limit("maxElements"),
      maxLineBytes: limit("maxLineBytes"),
      maxDepth: limit("maxDepth"),
    },
    signal: checkSignal("signal", options.signal),
    tls: resolveClientTls(options.tls),
  };
}
