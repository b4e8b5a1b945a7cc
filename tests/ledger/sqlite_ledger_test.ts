/**
 * The draw ledger's contract (`_ledger_contract.ts`) against
 * {@linkcode SqliteLedger} in `:memory:` (the test task may not write a
 * file; `tests/request/signed_server_test.ts` keeps one on disk through a
 * real server).
 *
 * @module
 */

import { type DrawLedger, SqliteLedger } from "../../lib/ledger/mod.ts";
import { LEDGER_CONTRACT, type LedgerStore } from "./_ledger_contract.ts";

function memoryStore(): LedgerStore {
  const ledger = new SqliteLedger(":memory:");
  return {
    // Each `:memory:` connection is a database of its own: the views share
    // the one, and closing one closes nothing.
    connect: () =>
      Promise.resolve<DrawLedger>({
        head: (keyId) => ledger.head(keyId),
        append: (record) => ledger.append(record),
        get: (keyId, serial) => ledger.get(keyId, serial),
        range: (keyId, from, to) => ledger.range(keyId, from, to),
        close: () => Promise.resolve(),
      }),
    persistent: false,
    close: () => ledger.close(),
  };
}

for (const { name, persistent, fn } of LEDGER_CONTRACT) {
  Deno.test({
    name: `SqliteLedger: ${name}${
      persistent ? " [ignored: :memory: keeps nothing once closed]" : ""
    }`,
    ignore: persistent,
    async fn() {
      const store = memoryStore();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    },
  });
}
