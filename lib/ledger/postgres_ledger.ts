/**
 * The draw ledger in PostgreSQL, through the `postgres` npm client, for
 * operators who want the chains of several servers in one database. Each
 * server still signs its own chain under its own key id; they share the
 * table, not a chain.
 *
 * @module
 */

import process from "node:process";
import postgres from "postgres";
import type { DrawRecord } from "../signed/draw_record.ts";
import type { ChainHead, DrawLedger } from "./draw_ledger.ts";

/** Options of {@linkcode PostgresLedger.open}. */
export interface PostgresLedgerOptions {
  /**
   * How long opening may take (connecting, signing in, creating the table),
   * in milliseconds. The URL's `connect_timeout` (in seconds, as libpq takes
   * it) sets it too; this option wins.
   *
   * @default {10000}
   */
  openTimeout?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 10_000;

// Parsed and planned once per connection, not once per draw.
const PREPARED = { prepare: true };

/** Error codes of the network layer, in words. */
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "no such host",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
};

// One statement, so one transaction: the primary key refuses a serial that
// is taken, and the WHERE refuses one whose predecessor is not stored (yet:
// a row another session has not committed is not seen, so it is refused
// too, never skipped). Together they admit only head + 1, with no window
// between a check and the insert.
const APPEND = `
  INSERT INTO draws (key_id, serial, hash, record)
  SELECT $1, $2::bigint, $3, $4
  WHERE $2::bigint = 1 OR EXISTS (
    SELECT 1 FROM draws WHERE key_id = $1 AND serial = $2::bigint - 1
  )`;

/**
 * A {@linkcode DrawLedger} in a PostgreSQL database: table `draws`, made if
 * missing, one chain per key id, shared safely by any number of servers.
 *
 * Durable: each append is one transaction, and PostgreSQL returns from a
 * commit only once its WAL is flushed to disk when `synchronous_commit` is
 * on (its default). The ledger sets it on for its own sessions and refuses
 * a server with `fsync` off, whose commits no setting makes durable.
 *
 * The URL is the whole configuration: the `PG*` environment variables
 * that libpq reads are not, so the server needs `--allow-net` alone.
 *
 * @example Usage
 * ```ts ignore
 * import { PostgresLedger } from "./postgres_ledger.ts";
 *
 * const ledger = await PostgresLedger.open(
 *   "postgres://randport:secret@db.example:5432/randport",
 * );
 * console.log(await ledger.head("00".repeat(16))); // undefined
 * await ledger.close();
 * ```
 */
export class PostgresLedger implements DrawLedger {
  readonly #sql: postgres.Sql;

  private constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  /**
   * Connects, checks that commits are durable, and creates the table if it
   * is missing. Fails, and leaves no connection open, if that takes longer
   * than `openTimeout`.
   *
   * @example Usage
   * ```ts ignore
   * import { PostgresLedger } from "./postgres_ledger.ts";
   *
   * const ledger = await PostgresLedger.open("postgres://randport@localhost/randport");
   * await ledger.close();
   * ```
   *
   * @param url A `postgres://` or `postgresql://` URL naming the user.
   * @param options How long it may take.
   * @returns The open ledger.
   */
  static async open(
    url: string,
    options: PostgresLedgerOptions = {},
  ): Promise<PostgresLedger> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError("not a valid URL");
    }
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
      throw new TypeError("expected a postgres:// or postgresql:// URL");
    }
    if (parsed.username === "") {
      // libpq would take the operating system's user name, which Deno
      // gives only with --allow-sys: naming it is clearer.
      throw new TypeError("no user name in it (postgres://USER@HOST/DATABASE)");
    }
    const fromUrl = Number(parsed.searchParams.get("connect_timeout"));
    const timeout = options.openTimeout ??
      (fromUrl > 0 ? fromUrl * 1000 : DEFAULT_OPEN_TIMEOUT_MS);
    const sql = client(url, timeout);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeout / 1000} s`)),
        timeout,
      );
    });
    try {
      // The client retries a connection that times out forever: only this
      // deadline ends the wait.
      await Promise.race([prepare(sql), deadline]);
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw new Error(describe(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return new PostgresLedger(sql);
  }

  async head(keyId: string): Promise<ChainHead | undefined> {
    const [row] = await this.#sql.unsafe<{ serial: string; hash: string }[]>(
      "SELECT serial, hash FROM draws WHERE key_id = $1 ORDER BY serial DESC LIMIT 1",
      [keyId],
      PREPARED,
    );
    return row && { serial: Number(row.serial), hash: row.hash };
  }

  async append(record: DrawRecord): Promise<void> {
    let inserted: number;
    try {
      const result = await this.#sql.unsafe(APPEND, [
        record.key_id,
        record.serial,
        record.hash,
        JSON.stringify(record),
      ], PREPARED);
      inserted = result.count;
    } catch (error) {
      // unique_violation: the serial is taken.
      if ((error as { code?: string }).code !== "23505") throw error;
      inserted = 0;
    }
    if (inserted === 1) return;
    const expected = ((await this.head(record.key_id))?.serial ?? 0) + 1;
    throw new RangeError(
      `serial: expected ${expected}, the next of the chain, got ${record.serial}`,
    );
  }

  async get(keyId: string, serial: number): Promise<DrawRecord | undefined> {
    const [row] = await this.#sql.unsafe<{ record: string }[]>(
      "SELECT record FROM draws WHERE key_id = $1 AND serial = $2::bigint",
      [keyId, serial],
      PREPARED,
    );
    return row && JSON.parse(row.record);
  }

  async range(keyId: string, from: number, to: number): Promise<DrawRecord[]> {
    const rows = await this.#sql.unsafe<{ record: string }[]>(
      "SELECT record FROM draws WHERE key_id = $1 AND serial BETWEEN $2::bigint AND $3::bigint ORDER BY serial",
      [keyId, from, to],
      PREPARED,
    );
    return rows.map((row) => JSON.parse(row.record));
  }

  async close(): Promise<void> {
    // Queries under way finish first; a few seconds, then they are cut.
    await this.#sql.end({ timeout: 5 });
  }
}

function client(url: string, timeoutMs: number): postgres.Sql {
  // postgres.js reads the PG* variables as it parses its options (and
  // PGAPPNAME whatever the options say), and under Deno each read needs
  // --allow-env. It parses synchronously, within this call, so the empty
  // environment it sees here is seen by nothing else.
  const env = process.env;
  process.env = {};
  try {
    return postgres(url, {
      max: 4,
      connect_timeout: Math.ceil(timeoutMs / 1000),
      // CREATE TABLE IF NOT EXISTS notices an existing table; the client
      // would print that on stdout.
      onnotice: () => {},
      // Only text and bigint travel: no need to ask for the server's types.
      fetch_types: false,
      // A log must be written: not a read-only standby.
      target_session_attrs: "read-write",
      connection: {
        application_name: "randport",
        synchronous_commit: "on",
        // What makes one INSERT ... SELECT safe (see APPEND), whatever the
        // database's default.
        default_transaction_isolation: "read committed",
      },
    });
  } finally {
    process.env = env;
  }
}

async function prepare(sql: postgres.Sql): Promise<void> {
  const [settings] = await sql.unsafe<
    { synchronous_commit: string; fsync: string }[]
  >(
    "SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync",
  );
  if (settings.fsync !== "on") {
    throw new Error(
      "the server runs with fsync off: no commit of it is durable",
    );
  }
  if (settings.synchronous_commit === "off") {
    throw new Error(
      "synchronous_commit is off: a commit would return before it is durable",
    );
  }
  await sql.begin(async (tx) => {
    // Two servers starting at once on a new database would both try to
    // create the table, and one would fail on PostgreSQL's catalog: the
    // lock makes the second wait and find it made.
    await tx.unsafe("SELECT pg_advisory_xact_lock(hashtext('randport draws'))");
    // text, not jsonb: GETDRAW returns the record's JSON exactly as it was
    // signed and replied (jsonb reorders keys, and refuses \u0000).
    await tx.unsafe(`
      CREATE TABLE IF NOT EXISTS draws (
        key_id text NOT NULL,
        serial bigint NOT NULL CHECK (serial > 0),
        hash text NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (key_id, serial)
      )`);
  });
}

/** One line for why opening failed. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  const denied = /^Requires net access to "([^"]+)"/.exec(error.message);
  if (denied) return `no permission (run with --allow-net=${denied[1]})`;
  const network = code === undefined ? undefined : NETWORK_CAUSES[code];
  if (network !== undefined) {
    const where = /\b(\S+:\d+)$/.exec(error.message)?.[1];
    return where === undefined ? network : `${network} (${where})`;
  }
  return error.message.split("\n")[0];
}
