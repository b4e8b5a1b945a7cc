/**
 * Opening a draw ledger from where it lives: a SQLite file or a PostgreSQL
 * URL, as `--draw-log` names it.
 *
 * @module
 */

import type { DrawLedger } from "./draw_ledger.ts";
import { SqliteLedger } from "./sqlite_ledger.ts";

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Why a ledger could not be opened; its message is one line, `cannot open
 * LOCATION: CAUSE`, with any password in the location hidden.
 *
 * @example Usage
 * ```ts
 * import { LedgerOpenError } from "@randport/randport/ledger";
 *
 * const error = new LedgerOpenError("postgres://u:pw@db/x", "connection refused");
 * console.log(error.message); // cannot open postgres://u:***@db/x: connection refused
 * ```
 */
export class LedgerOpenError extends Error {
  /** The location, with its password hidden. */
  readonly location: string;

  /**
   * Creates the error.
   *
   * @param location Where the ledger was to be.
   * @param why The cause, in one line.
   * @param cause The error underneath, if any.
   */
  constructor(location: string, why: string, cause?: unknown) {
    const shown = displayLocation(location);
    // Its first line: a cause from a module loader goes on with hints.
    super(`cannot open ${shown}: ${why.split("\n")[0]}`, { cause });
    this.name = "LedgerOpenError";
    this.location = shown;
  }
}

/**
 * A ledger location fit to print: a URL's password becomes `***`.
 *
 * @example Usage
 * ```ts
 * import { displayLocation } from "@randport/randport/ledger";
 *
 * console.log(displayLocation("postgres://randport:secret@db/draws")); // postgres://randport:***@db/draws
 * console.log(displayLocation("draws.db")); // draws.db
 * ```
 *
 * @param location A file path or a URL.
 * @returns The same, without the password.
 */
export function displayLocation(location: string): string {
  const scheme = POSTGRES_URL.exec(location)?.[0];
  if (scheme === undefined) return location;
  // By hand, not through URL, so that a URL it refuses is hidden too: a
  // password may hold a raw "@" or "/", so it runs to the last "@" before
  // the query (hiding too much, should a database name hold an "@").
  const rest = location.slice(scheme.length);
  const query = rest.search(/[?#]/);
  const at = (query < 0 ? rest : rest.slice(0, query)).lastIndexOf("@");
  const colon = rest.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return location;
  return scheme + rest.slice(0, colon) + ":***" + rest.slice(at);
}

/**
 * Opens the draw ledger at `location`: a {@linkcode SqliteLedger} for a
 * file path (or `:memory:`), or a PostgreSQL ledger for a `postgres://` or
 * `postgresql://` URL (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`, table
 * `draws`, made if missing). The PostgreSQL client is loaded only then, so
 * a server that logs to SQLite loads no npm package.
 *
 * Permissions: a file needs `--allow-read` and `--allow-write` for it; a
 * URL needs `--allow-net` for its host and port, and nothing else.
 *
 * @example Usage
 * ```ts
 * import { openLedger } from "@randport/randport/ledger";
 *
 * const ledger = await openLedger(":memory:");
 * console.log(await ledger.head("00".repeat(16))); // undefined
 * await ledger.close();
 * ```
 *
 * @param location A SQLite file path, or a PostgreSQL URL.
 * @returns The open ledger.
 * @throws {LedgerOpenError} Where it cannot be opened (a missing
 * permission, an unreachable database, bad credentials), saying why in one
 * line.
 */
export async function openLedger(location: string): Promise<DrawLedger> {
  if (POSTGRES_URL.test(location)) {
    try {
      const { PostgresLedger } = await import("./postgres_ledger.ts");
      return await PostgresLedger.open(location);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new LedgerOpenError(location, why, error);
    }
  }
  try {
    return new SqliteLedger(location);
  } catch (error) {
    throw new LedgerOpenError(
      location,
      error instanceof Deno.errors.NotCapable
        ? `no permission (run with --allow-read=${location} --allow-write=${location})`
        : error instanceof Error
        ? error.message
        : String(error),
      error,
    );
  }
}
