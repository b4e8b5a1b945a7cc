/**
 * Files named by flags (`--signing-key`, `--tls-cert`, `--ca`): read as
 * text, with a one-line error naming the flag, the path and why.
 *
 * @module
 */

import type { ClientTlsOptions } from "../client/client_tls_options.ts";
import type { FlagValues } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Reads the file a flag names.
 *
 * @example Usage
 * ```ts ignore
 * import { readFlagFile } from "./flag_file.ts";
 *
 * const pem = await readFlagFile("--ca", "ca.pem");
 * ```
 *
 * @param flag The flag, for the message.
 * @param path The file.
 * @returns Its text.
 * @throws {UsageError} Saying why it cannot be read: no such file, or no
 * permission (naming the `--allow-read=` to give).
 */
export async function readFlagFile(
  flag: string,
  path: string,
): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotCapable
      ? `no permission to read it (run with --allow-read=${path})`
      : error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new UsageError(`${flag}: cannot read ${path}: ${why}`);
  }
}

/**
 * The clients' `--tls` and `--ca FILE` as the library's `tls` option:
 * `--ca` implies `--tls`.
 *
 * @example Usage
 * ```ts
 * import { clientTlsFlags } from "./flag_file.ts";
 *
 * console.log(await clientTlsFlags({ tls: true })); // true
 * console.log(await clientTlsFlags({})); // undefined
 * ```
 *
 * @param values The parsed flags.
 * @returns `undefined` (plaintext), `true`, or `{ caCerts }`.
 * @throws {UsageError} When the CA file cannot be read.
 */
export async function clientTlsFlags(
  values: FlagValues,
): Promise<true | ClientTlsOptions | undefined> {
  const ca = values.ca;
  if (typeof ca === "string") {
    return { caCerts: [await readFlagFile("--ca", ca)] };
  }
  return values.tls === true ? true : undefined;
}
