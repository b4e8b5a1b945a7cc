/**
 * A draw log that fails after storing (a database whose commit went
 * through but whose reply was lost): the server's chain goes on from what
 * was stored, without a gap or a serial used twice.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests } from "../../lib/client/mod.ts";
import { type DrawLedger, SqliteLedger } from "../../lib/ledger/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import {
  CHAIN_START,
  type DrawRecord,
  generateSigningKey,
} from "../../lib/signed/mod.ts";

Deno.test("SIGNED: an append that stored but failed does not stop the chain", async () => {
  const { key } = await generateSigningKey();
  const store = new SqliteLedger(":memory:");
  let appends = 0;
  const ledger: DrawLedger = {
    head: (keyId) => store.head(keyId),
    async append(record) {
      await store.append(record);
      if (++appends === 3) throw new Error("connection lost before the reply");
    },
    get: (keyId, serial) => store.get(keyId, serial),
    range: (keyId, from, to) => store.range(keyId, from, to),
    close: () => store.close(),
  };
  const server = serveRequests({ port: 0, signing: { key, ledger } });
  try {
    await using client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    const draw = () => client.command(["RANDINT", "1", "1", "6", "SIGNED"]);
    const serials: number[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        serials.push((JSON.parse(await draw() as string) as DrawRecord).serial);
      } catch (error) {
        assert.match((error as Error).message, /connection lost/);
        serials.push(0);
      }
    }
    // The third was stored, though its client got an error; the fourth
    // draw is serial 4, not a second try at 3.
    assert.deepEqual(serials, [1, 2, 0, 4, 5, 6]);
    const records = await store.range(key.keyId, 1, 10);
    assert.deepEqual(records.map((r) => r.serial), [1, 2, 3, 4, 5, 6]);
    for (const [i, record] of records.entries()) {
      assert.equal(record.previous, i ? records[i - 1].hash : CHAIN_START);
    }
  } finally {
    await server.shutdown();
    await store.close();
  }
});
