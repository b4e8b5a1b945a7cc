/**
 * The {@linkcode DrawLedger} contract as one suite, run against every
 * store: SQLite (`sqlite_ledger_test.ts`) and PostgreSQL
 * (`postgres_ledger_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { DrawLedger } from "../../lib/ledger/mod.ts";
import {
  CHAIN_START,
  type DrawRecord,
  generateSigningKey,
  signDraw,
  type SigningKey,
} from "../../lib/signed/mod.ts";

/** A fresh, empty store, and connections to it. */
export interface LedgerStore {
  /**
   * A connection to the store. Two of them are two connections to one
   * database where the store has them (PostgreSQL); for SQLite's
   * `:memory:`, views of the one database.
   */
  connect(): Promise<DrawLedger>;
  /** Whether what was stored is still there once every connection closed. */
  persistent: boolean;
  /** Closes every connection and removes the store. */
  close(): Promise<void>;
}

/** One case of the contract. */
export interface ContractCase {
  name: string;
  /** Whether it needs a {@linkcode LedgerStore.persistent} store. */
  persistent?: boolean;
  fn: (store: LedgerStore) => Promise<void>;
}

/** A key and a chain of `length` records signed with it. */
export async function signedChain(
  length: number,
  key?: SigningKey,
): Promise<{ key: SigningKey; records: DrawRecord[] }> {
  key ??= (await generateSigningKey()).key;
  const records: DrawRecord[] = [];
  for (let serial = 1; serial <= length; serial++) {
    records.push(
      await signDraw({
        v: 1,
        key_id: key.keyId,
        serial,
        time: new Date(Date.UTC(2026, 11, 2, 12, 0, serial)).toISOString(),
        request: ["RANDINT", "1", "1", "6"],
        result: `*1\r\n:${1 + serial % 6}\r\n`,
        // What a store must keep byte for byte: quotes, a backslash, a
        // line break, a NUL (jsonb refuses it), and more than ASCII.
        data: serial % 2 ? `raffle "${serial}" \\ \n\u0000 Zürich 🎲` : "",
        previous: records.at(-1)?.hash ?? CHAIN_START,
      }, key),
    );
  }
  return { key, records };
}

/** A record for `serial` that is not the chain's: a rival's. */
function rival(record: DrawRecord): DrawRecord {
  return { ...record, data: `rival of ${record.serial}`, hash: "f".repeat(64) };
}

/** Checks a refusal: a RangeError saying which serial was expected. */
const NEXT = (expected: number, got: number) => (error: Error) => {
  assert.ok(error instanceof RangeError, String(error));
  assert.equal(
    error.message,
    `serial: expected ${expected}, the next of the chain, got ${got}`,
  );
  return true;
};

/** The cases every store must pass. */
export const LEDGER_CONTRACT: ContractCase[] = [
  {
    name: "an empty chain has no head and no records",
    async fn(store) {
      const ledger = await store.connect();
      const keyId = "00".repeat(16);
      assert.equal(await ledger.head(keyId), undefined);
      assert.equal(await ledger.get(keyId, 1), undefined);
      assert.deepEqual(await ledger.range(keyId, 1, 1000), []);
    },
  },
  {
    name: "appended records come back exactly: head, get, range",
    async fn(store) {
      const ledger = await store.connect();
      const { key, records } = await signedChain(6);
      for (const record of records) await ledger.append(record);
      assert.deepEqual(await ledger.head(key.keyId), {
        serial: 6,
        hash: records[5].hash,
      });
      for (const record of records) {
        const stored = await ledger.get(key.keyId, record.serial);
        // The same JSON text, key order and all: GETDRAW replies it.
        assert.equal(JSON.stringify(stored), JSON.stringify(record));
      }
      assert.equal(await ledger.get(key.keyId, 7), undefined);
      assert.equal(await ledger.get(key.keyId, 0), undefined);
      assert.deepEqual(
        await ledger.range(key.keyId, 2, 4),
        records.slice(1, 4),
      );
      assert.deepEqual(
        await ledger.range(key.keyId, 5, 1000),
        records.slice(4),
      );
      assert.deepEqual(await ledger.range(key.keyId, 7, 9), []);
      assert.deepEqual(await ledger.range(key.keyId, 4, 3), []);
    },
  },
  {
    name:
      "a serial that is not the next of its chain is refused, and not stored",
    async fn(store) {
      const ledger = await store.connect();
      const { key, records } = await signedChain(3);
      await assert.rejects(ledger.append(records[1]), NEXT(1, 2));
      await ledger.append(records[0]);
      // Taken already, whether the same record or another.
      await assert.rejects(ledger.append(records[0]), NEXT(2, 1));
      await assert.rejects(ledger.append(rival(records[0])), NEXT(2, 1));
      // A gap.
      await assert.rejects(ledger.append(records[2]), NEXT(2, 3));
      assert.deepEqual(await ledger.range(key.keyId, 1, 10), [records[0]]);
      await ledger.append(records[1]);
      await ledger.append(records[2]);
      assert.equal((await ledger.head(key.keyId))?.serial, 3);
      assert.deepEqual(await ledger.range(key.keyId, 1, 10), records);
    },
  },
  {
    name: "two key ids keep two independent chains",
    async fn(store) {
      const ledger = await store.connect();
      const a = await signedChain(4);
      const b = await signedChain(2);
      await ledger.append(a.records[0]);
      await ledger.append(a.records[1]);
      // Serial 1 again, under another key: a chain of its own.
      await ledger.append(b.records[0]);
      await ledger.append(a.records[2]);
      await ledger.append(b.records[1]);
      await ledger.append(a.records[3]);
      // The next serial of one chain is not the other's.
      const c = await signedChain(5, b.key);
      await assert.rejects(ledger.append(c.records[4]), NEXT(3, 5));
      assert.deepEqual(await ledger.head(a.key.keyId), {
        serial: 4,
        hash: a.records[3].hash,
      });
      assert.deepEqual(await ledger.head(b.key.keyId), {
        serial: 2,
        hash: b.records[1].hash,
      });
      assert.deepEqual(await ledger.range(a.key.keyId, 1, 10), a.records);
      assert.deepEqual(await ledger.range(b.key.keyId, 1, 10), b.records);
      assert.deepEqual(await ledger.get(b.key.keyId, 3), undefined);
    },
  },
  {
    name: "two connections append to two chains at once, and see each other's",
    async fn(store) {
      const [one, two] = await Promise.all([store.connect(), store.connect()]);
      const a = await signedChain(40);
      const b = await signedChain(40);
      const appendAll = async (ledger: DrawLedger, records: DrawRecord[]) => {
        for (const record of records) await ledger.append(record);
      };
      await Promise.all([appendAll(one, a.records), appendAll(two, b.records)]);
      for (const ledger of [one, two]) {
        assert.deepEqual(await ledger.range(a.key.keyId, 1, 100), a.records);
        assert.deepEqual(await ledger.range(b.key.keyId, 1, 100), b.records);
      }
    },
  },
  {
    name: "two connections racing for one serial: exactly one record is stored",
    async fn(store) {
      const [one, two] = await Promise.all([store.connect(), store.connect()]);
      const { key, records } = await signedChain(20);
      for (const record of records) {
        const outcomes = await Promise.allSettled([
          one.append(record),
          two.append(rival(record)),
        ]);
        const won = outcomes.filter((o) => o.status === "fulfilled");
        assert.equal(won.length, 1, `serial ${record.serial}`);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            NEXT(record.serial + 1, record.serial)(outcome.reason);
          }
        }
        // The chain goes on from whichever was stored.
        const stored = await two.get(key.keyId, record.serial);
        assert.ok(stored);
        if (outcomes[1].status === "fulfilled") {
          assert.equal(stored.data, `rival of ${record.serial}`);
        } else assert.deepEqual(stored, record);
      }
      assert.equal((await one.head(key.keyId))?.serial, 20);
    },
  },
  {
    name: "what was stored is there after reopening",
    persistent: true,
    async fn(store) {
      const { key, records } = await signedChain(3);
      const first = await store.connect();
      for (const record of records) await first.append(record);
      await first.close();
      const again = await store.connect();
      assert.deepEqual(await again.head(key.keyId), {
        serial: 3,
        hash: records[2].hash,
      });
      assert.deepEqual(await again.range(key.keyId, 1, 3), records);
    },
  },
];
