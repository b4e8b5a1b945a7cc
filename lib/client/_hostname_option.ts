/**
 * The one check of the `hostname` option, shared by the client's option
 * resolvers.
 *
 * @module
 */

import { checkHostname } from "../errors/option_error.ts";
import { unbracketHost } from "../net/address.ts";

/**
 * Checks a `hostname` option and returns it without IPv6 brackets.
 *
 * @param hostname The host name given.
 * @returns The host name, unbracketed.
 * @throws {OptionError} If it names no host.
 */
export function resolveHostnameOption(hostname: string): string {
  // Checked without the brackets: "[]" is no host either.
  checkHostname(
    "hostname",
    typeof hostname === "string" ? unbracketHost(hostname) : hostname,
  );
  return unbracketHost(hostname);
}
