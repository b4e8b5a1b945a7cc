/**
 * Where signed draws are kept (PROTOCOL.md §6): the {@linkcode DrawLedger}
 * interface, one chain per key id; {@linkcode SqliteLedger}, its durable
 * SQLite store; and {@linkcode openLedger}, which opens a SQLite file or,
 * for a `postgres://` URL, a PostgreSQL database that several servers
 * share (its client is loaded only then).
 *
 * ```ts
 * import { SqliteLedger } from "@randport/randport/ledger";
 *
 * const ledger = new SqliteLedger(":memory:");
 * console.log((await ledger.range("00".repeat(16), 1, 10)).length); // 0
 * await ledger.close();
 * ```
 *
 * @module
 */

export * from "./draw_ledger.ts";
export * from "./open_ledger.ts";
export * from "./sqlite_ledger.ts";
