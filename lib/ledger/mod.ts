/**
 * Where signed draws are kept (PROTOCOL.md §6): the {@linkcode DrawLedger}
 * interface, one chain per key id, and {@linkcode SqliteLedger}, its
 * durable SQLite store.
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
export * from "./sqlite_ledger.ts";
