/**
 * TLS for the clients of both ports: which certificates to trust.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";

/** How a client checks the server's TLS certificate. */
export interface ClientTlsOptions {
  /**
   * CA certificates (PEM) to trust instead of the system's store, for a
   * server whose certificate a private CA signed. The certificate must
   * name the `hostname` the client connects to.
   *
   * @default {undefined}
   */
  caCerts?: string[];
}

/**
 * Checks a client's `tls` option: `true` (the system's CAs), an object of
 * {@linkcode ClientTlsOptions}, or `false`/left out for plaintext.
 *
 * @example Usage
 * ```ts
 * import { resolveClientTls } from "@randport/randport/client";
 *
 * console.log(resolveClientTls(true)); // { caCerts: undefined }
 * console.log(resolveClientTls(undefined)); // undefined
 * ```
 *
 * @param value The option's value.
 * @returns The checked options, or `undefined` for plaintext.
 * @throws {OptionError} Naming `tls` or `tls.caCerts`.
 */
export function resolveClientTls(
  value: boolean | ClientTlsOptions | undefined,
): ClientTlsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { caCerts: undefined };
  if (typeof value !== "object" || value === null) {
    throw new OptionError("tls", "expected true, false or { caCerts }");
  }
  const { caCerts } = value;
  if (
    caCerts !== undefined &&
    !(Array.isArray(caCerts) && caCerts.length > 0 &&
      caCerts.every((cert) => typeof cert === "string"))
  ) {
    throw new OptionError(
      "tls.caCerts",
      "expected a non-empty list of PEM certificates",
    );
  }
  return { caCerts };
}
