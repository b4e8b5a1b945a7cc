/**
 * The draw ledger in SQLite, through Deno's built-in `node:sqlite`: WAL
 * with synchronous commits, so that a record is on disk before `append`
 * returns.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { DrawRecord } from "../signed/draw_record.ts";
import type { ChainHead, DrawLedger } from "./draw_ledger.ts";

/**
 * A {@linkcode DrawLedger} in one SQLite file. The server needs
 * `--allow-read` and `--allow-write` for that file (SQLite's `-wal` and
 * `-shm` files beside it come with it).
 *
 * @example Usage
 * ```ts
 * import { SqliteLedger } from "@randport/randport/ledger";
 *
 * const ledger = new SqliteLedger(":memory:");
 * console.log(await ledger.head("00".repeat(16))); // undefined
 * await ledger.close();
 * ```
 */
export class SqliteLedger implements DrawLedger {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #head: StatementSync;
  readonly #get: StatementSync;
  readonly #range: StatementSync;

  /**
   * Opens (or creates) the ledger.
   *
   * @param path The SQLite file, or `:memory:`.
   */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    // FULL: each commit is fsynced, WAL and all, before it returns.
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS draws (
        key_id TEXT NOT NULL,
        serial INTEGER NOT NULL,
        hash TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (key_id, serial)
      ) WITHOUT ROWID;
    `);
    this.#insert = this.#db.prepare(
      "INSERT INTO draws (key_id, serial, hash, record) VALUES (?, ?, ?, ?)",
    );
    this.#head = this.#db.prepare(
      "SELECT serial, hash FROM draws WHERE key_id = ? ORDER BY serial DESC LIMIT 1",
    );
    this.#get = this.#db.prepare(
      "SELECT record FROM draws WHERE key_id = ? AND serial = ?",
    );
    this.#range = this.#db.prepare(
      "SELECT record FROM draws WHERE key_id = ? AND serial BETWEEN ? AND ? ORDER BY serial",
    );
  }

  // node:sqlite is synchronous: each method does its work before it
  // returns its promise, a commit's fsync included.
  head(keyId: string): Promise<ChainHead | undefined> {
    const row = this.#head.get(keyId) as
      | { serial: number; hash: string }
      | undefined;
    return Promise.resolve(
      row && { serial: Number(row.serial), hash: String(row.hash) },
    );
  }

  append(record: DrawRecord): Promise<void> {
    // The check and the insert in one synchronous turn: with an await
    // between them, two appends of one serial would both pass the check.
    const head = this.#head.get(record.key_id) as
      | { serial: number }
      | undefined;
    const expected = Number(head?.serial ?? 0) + 1;
    if (record.serial !== expected) {
      return Promise.reject(
        new RangeError(
          `serial: expected ${expected}, the next of the chain, got ${record.serial}`,
        ),
      );
    }
    this.#insert.run(
      record.key_id,
      record.serial,
      record.hash,
      JSON.stringify(record),
    );
    return Promise.resolve();
  }

  get(keyId: string, serial: number): Promise<DrawRecord | undefined> {
    const row = this.#get.get(keyId, serial) as { record: string } | undefined;
    return Promise.resolve(row && JSON.parse(row.record));
  }

  range(keyId: string, from: number, to: number): Promise<DrawRecord[]> {
    return Promise.resolve(
      (this.#range.all(keyId, from, to) as { record: string }[])
        .map((row) => JSON.parse(row.record)),
    );
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
