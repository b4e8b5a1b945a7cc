/**
 * Signed draws on the request port (PROTOCOL.md §6): records, their chain
 * under concurrent clients, the ledger commands, and the errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests } from "../../lib/client/mod.ts";
import { SqliteLedger } from "../../lib/ledger/mod.ts";
import { drawReply, serveRequests } from "../../lib/request/mod.ts";
import {
  CHAIN_START,
  commitmentOf,
  type DrawRecord,
  generateSigningKey,
  type SigningKey,
  verifyRecordSignature,
} from "../../lib/signed/mod.ts";

async function withSigningServer(
  body: (port: number, key: SigningKey, ledger: SqliteLedger) => Promise<void>,
): Promise<void> {
  const { key } = await generateSigningKey();
  const ledger = new SqliteLedger(":memory:");
  const server = serveRequests({ port: 0, signing: { key, ledger } });
  try {
    await body(server.addr.port, key, ledger);
  } finally {
    await server.shutdown();
    await ledger.close();
  }
}

Deno.test("SIGNED: the reply is a record that verifies, binds DATA, and holds the unsigned reply", () =>
  withSigningServer(async (port, key) => {
    await using client = await connectRequests({ hostname: "127.0.0.1", port });
    const text = await client.command([
      "randint",
      "6",
      "1",
      "49",
      "UNIQUE",
      "SIGNED",
      "DATA",
      "raffle 12, Zürich",
    ]);
    const record = JSON.parse(text as string) as DrawRecord;
    assert.equal(await verifyRecordSignature(record, key.publicKey), undefined);
    assert.equal(record.serial, 1);
    assert.equal(record.previous, CHAIN_START);
    assert.equal(record.key_id, key.keyId);
    assert.deepEqual(record.request, ["RANDINT", "6", "1", "49", "UNIQUE"]);
    assert.equal(record.data, "raffle 12, Zürich");
    const drawn = record.result.match(/:(\d+)\r\n/g)!.map((l) =>
      Number(l.slice(1))
    );
    assert.equal(drawn.length, 6);
    assert.equal(new Set(drawn).size, 6);
    assert.ok(Math.abs(Date.parse(record.time) - Date.now()) < 60_000);
    // A seeded draw's record holds the seed, and the result it gives.
    const seeded = JSON.parse(
      await client.command(["UUID", "2", "SEED", "s", "SIGNED"]) as string,
    ) as DrawRecord;
    assert.deepEqual(seeded.request, ["UUID", "2", "SEED", "s"]);
    assert.equal(seeded.result, await drawReply(seeded.request));
    assert.equal(seeded.previous, record.hash);
  }));

Deno.test("SIGNED: 8 clients drawing at once get one gapless chain, and GETDRAW/DRAWS return it", () =>
  withSigningServer(async (port, key, ledger) => {
    const clients = await Promise.all(
      Array.from(
        { length: 8 },
        () => connectRequests({ hostname: "127.0.0.1", port }),
      ),
    );
    try {
      const replies = await Promise.all(
        clients.flatMap((client) =>
          Array.from(
            { length: 25 },
            () => client.command(["RANDINT", "3", "1", "6", "SIGNED"]),
          )
        ),
      );
      const records = replies.map((r) => JSON.parse(r as string) as DrawRecord)
        .sort((a, b) => a.serial - b.serial);
      assert.deepEqual(
        records.map((r) => r.serial),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      for (let i = 0; i < records.length; i++) {
        assert.equal(
          records[i].previous,
          i === 0 ? CHAIN_START : records[i - 1].hash,
        );
        assert.equal(
          await verifyRecordSignature(records[i], key.publicKey),
          undefined,
        );
      }
      const client = clients[0];
      assert.equal(
        await client.command(["GETDRAW", "17"]),
        JSON.stringify(records[16]),
      );
      assert.equal(await client.command(["GETDRAW", "201"]), null);
      const range = await client.command(["DRAWS", "190", "250"]) as string[];
      assert.deepEqual(
        range.map((r) => JSON.parse(r)),
        records.slice(189),
      );
      assert.deepEqual(await ledger.range(key.keyId, 1, 200), records);
      const pubkey = await client.command(["PUBKEY"]) as string[];
      assert.deepEqual(pubkey, [
        "algorithm",
        "Ed25519",
        "key_id",
        key.keyId,
        "public_key",
        Array.from(key.publicKey, (b) => b.toString(16).padStart(2, "0"))
          .join(""),
      ]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }));

Deno.test("SIGNED: what cannot be signed is refused, and takes no serial", () =>
  withSigningServer(async (port) => {
    await using client = await connectRequests({ hostname: "127.0.0.1", port });
    const refusals: [string[], RegExp][] = [
      [["RANDINT", "1", "1", "6", "DATA", "x"], /^ERR DATA: only with SIGNED$/],
      [
        ["RANDINT", "1", "1", "6", "SIGNED", "DATA", "x".repeat(1001)],
        /^ERR DATA: expected at most 1000 bytes, got 1001$/,
      ],
      [
        ["RANDBYTES", "4", "SIGNED"],
        /^ERR SIGNED: RANDBYTES needs HEX or BASE64 to be signed$/,
      ],
      [
        ["RANDINT", "1", "9", "1", "SIGNED"],
        /^ERR max: expected max >= min/,
      ],
    ];
    for (const [args, pattern] of refusals) {
      await assert.rejects(client.command(args), (error: Error) => {
        assert.match(error.message, pattern);
        return true;
      });
    }
    // Not UTF-8: the record's arguments are text.
    await assert.rejects(
      client.command([
        "SHUFFLE",
        new Uint8Array([0xff, 0xfe]),
        "SIGNED",
      ]),
      /a signed draw's arguments must be UTF-8 text/,
    );
    const first = JSON.parse(
      await client.command(["RANDBYTES", "4", "HEX", "SIGNED"]) as string,
    );
    assert.equal(first.serial, 1);
  }));

Deno.test("SIGNED, PUBKEY, GETDRAW and DRAWS on a server without a key are errors", async () => {
  const server = serveRequests({ port: 0 });
  try {
    await using client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    for (
      const args of [
        ["RANDINT", "1", "1", "6", "SIGNED"],
        ["PUBKEY"],
        ["GETDRAW", "1"],
        ["DRAWS", "1", "2"],
      ]
    ) {
      await assert.rejects(
        client.command(args),
        /signs no draws \(it needs --signing-key and --draw-log\)/,
      );
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("COMMIT, then REVEAL: the secret matches the commitment, after a restart too, and seeds a draw", async () => {
  const { key } = await generateSigningKey();
  const ledger = new SqliteLedger(":memory:");
  const start = () => serveRequests({ port: 0, signing: { key, ledger } });
  let server = start();
  try {
    let client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    const committed = JSON.parse(
      await client.command(["COMMIT", "DATA", "draw of 2027-01-01"]) as string,
    ) as DrawRecord;
    assert.deepEqual(committed.request, ["COMMIT"]);
    assert.equal(committed.data, "draw of 2027-01-01");
    const commitment =
      /^\$64\r\n([0-9a-f]{64})\r\n$/.exec(committed.result)![1];
    await assert.rejects(
      client.command(["REVEAL", "99"]),
      /ERR serial: record 99 is not a commitment/,
    );
    await client.close();
    // A restart: the secret is derived again from the key, not stored.
    await server.shutdown();
    server = start();
    client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    const revealed = JSON.parse(
      await client.command(["REVEAL", String(committed.serial)]) as string,
    ) as DrawRecord;
    assert.deepEqual(revealed.request, ["REVEAL", String(committed.serial)]);
    assert.equal(revealed.serial, committed.serial + 1);
    assert.equal(revealed.previous, committed.hash);
    const secret = /^\$64\r\n([0-9a-f]{64})\r\n$/.exec(revealed.result)![1];
    assert.equal(await commitmentOf(secret), commitment);
    assert.equal(
      await verifyRecordSignature(revealed, key.publicKey),
      undefined,
    );
    // What the secret seeds, anyone can recompute.
    const draw = await client.command([
      "RANDINT",
      "3",
      "1",
      "100",
      "SEED",
      secret,
    ]);
    assert.equal(
      await drawReply(["RANDINT", "3", "1", "100", "SEED", secret]),
      `*3\r\n${(draw as number[]).map((n) => `:${n}\r\n`).join("")}`,
    );
    await client.close();
  } finally {
    await server.shutdown();
    await ledger.close();
  }
});
