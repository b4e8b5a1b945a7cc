/**
 * The draw ledger in PostgreSQL, against a real server (`_postgres.ts`
 * starts a throwaway one from Debian's `postgresql`; CI installs it, and
 * where it is missing these tests are ignored and say so in their names):
 * the {@linkcode DrawLedger} contract that SQLite passes too, opening and
 * its errors, and two `server.ts` sharing one database, each signing its
 * own chain.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests, type RequestClient } from "../../lib/client/mod.ts";
import {
  type DrawLedger,
  LedgerOpenError,
  openLedger,
} from "../../lib/ledger/mod.ts";
import { PostgresLedger } from "../../lib/ledger/postgres_ledger.ts";
import {
  CHAIN_START,
  type DrawRecord,
  verifyRecordSignature,
} from "../../lib/signed/mod.ts";
import {
  assertOneLineError,
  freePort,
  run,
  SERVER_TS,
  startServer,
} from "../_util.ts";
import { readSigningLine, type SigningServer } from "../_signing.ts";
import { LEDGER_CONTRACT, type LedgerStore } from "./_ledger_contract.ts";
import {
  POSTGRES_NOTE,
  startPostgres,
  type ThrowawayPostgres,
} from "./_postgres.ts";

/** Long enough for any one subprocess here; only there so that a hang ends. */
const DEADLINE_MS = 30_000;

/** A fresh database, and the connections opened to it. */
async function databaseStore(pg: ThrowawayPostgres): Promise<LedgerStore> {
  const url = await pg.createDatabase();
  const open = new Set<DrawLedger>();
  return {
    async connect() {
      const ledger = await openLedger(url);
      open.add(ledger);
      return {
        head: (keyId) => ledger.head(keyId),
        append: (record) => ledger.append(record),
        get: (keyId, serial) => ledger.get(keyId, serial),
        range: (keyId, from, to) => ledger.range(keyId, from, to),
        close: () => {
          open.delete(ledger);
          return ledger.close();
        },
      };
    },
    persistent: true,
    async close() {
      await Promise.all([...open].map((ledger) => ledger.close()));
    },
  };
}

/** Expects `openLedger(url)` to fail with one line matching `pattern`. */
async function assertOpenFails(url: string, pattern: RegExp): Promise<void> {
  await assert.rejects(openLedger(url), (error: Error) => {
    assert.ok(error instanceof LedgerOpenError, String(error));
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

Deno.test({
  name: `PostgresLedger: the DrawLedger contract, and opening${POSTGRES_NOTE}`,
  ignore: POSTGRES_NOTE !== "",
  async fn(t) {
    await using pg = await startPostgres();
    for (const { name, fn } of LEDGER_CONTRACT) {
      await t.step(name, async () => {
        const store = await databaseStore(pg);
        try {
          await fn(store);
        } finally {
          await store.close();
        }
      });
    }

    await t.step(
      "servers starting at once on a new database make one table",
      async () => {
        for (let round = 0; round < 3; round++) {
          const url = await pg.createDatabase();
          const ledgers = await Promise.all(
            Array.from({ length: 6 }, () => PostgresLedger.open(url)),
          );
          await Promise.all(ledgers.map((ledger) => ledger.close()));
        }
      },
    );

    await t.step(
      "what cannot be opened says why in one line, password hidden",
      async () => {
        const url = new URL(await pg.createDatabase());
        const at = (change: (url: URL) => void) => {
          const copy = new URL(url);
          change(copy);
          return copy.href;
        };
        const shown =
          `postgres://randport:\\*\\*\\*@127\\.0\\.0\\.1:${pg.port}`;
        await assertOpenFails(
          at((u) => u.password = "not-the-password"),
          new RegExp(
            `^cannot open ${shown}/draws_\\d+: password authentication failed for user "randport"$`,
          ),
        );
        await assertOpenFails(
          at((u) => u.pathname = "/no_such_db"),
          new RegExp(
            `^cannot open ${shown}/no_such_db: database "no_such_db" does not exist$`,
          ),
        );
        const closed = freePort();
        await assertOpenFails(
          at((u) => u.port = String(closed)),
          new RegExp(`: connection refused \\(127\\.0\\.0\\.1:${closed}\\)$`),
        );
        await assertOpenFails(
          at((u) => u.username = ""),
          /: no user name in it \(postgres:\/\/USER@HOST\/DATABASE\)$/,
        );
        // A commit that returns before it is on disk is not a ledger's.
        await assertOpenFails(
          at((u) => u.search = "?synchronous_commit=off"),
          /: synchronous_commit is off: a commit would return before it is durable$/,
        );
        // A server that accepts and never answers: the deadline ends it (the
        // client alone would wait, reconnecting, for ever).
        const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const accepted: Deno.Conn[] = [];
        const accepting = (async () => {
          for await (const conn of silent) accepted.push(conn);
        })();
        try {
          const started = Date.now();
          await assertOpenFails(
            at((u) => {
              u.port = String(silent.addr.port);
              u.search = "?connect_timeout=1";
            }),
            /: no answer within 1 s$/,
          );
          assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
        } finally {
          silent.close();
          await accepting.catch(() => {});
          for (const conn of accepted) conn.close();
        }
      },
    );
  },
});

// ---------------------------------------------------------------------------
// Two servers, one database.

/** A `mktemp -d` directory for the keys, removed on disposal. */
async function keyDir(): Promise<{ path: string } & AsyncDisposable> {
  const made = await run("mktemp", ["-d"], { timeoutMs: 5_000 });
  assert.equal(made.code, 0, made.stderr);
  const path = made.stdout.trim();
  // rm -rf on whatever mktemp printed: make sure it is a fresh temp dir.
  assert.match(path, /^\/.+\/tmp\.[A-Za-z0-9]+$/);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await run("rm", ["-rf", "--", path], { timeoutMs: 10_000 });
    },
  };
}

/** `server.ts --keygen > path` (through sh: this process may not write). */
async function keygenInto(path: string): Promise<void> {
  const made = await run("sh", [
    "-c",
    'exec "$0" run "$1" --keygen > "$2"',
    Deno.execPath(),
    SERVER_TS,
    path,
  ], { timeoutMs: DEADLINE_MS });
  assert.equal(made.code, 0, made.stderr);
}

/**
 * `server.ts` signing with `key` into the database at `url`, with no
 * permission but the network and reading its key: a PostgreSQL draw log
 * needs no file, and no environment variable.
 */
async function startSigning(key: string, url: string): Promise<SigningServer> {
  const server = await startServer(
    ["--request-port", "0", "--signing-key", key, "--draw-log", url],
    { permissions: [`--allow-read=${key}`] },
  );
  return await readSigningLine(server);
}

function connect(port: number): Promise<RequestClient> {
  return connectRequests({ hostname: "127.0.0.1", port, timeout: 10_000 });
}

const CLIENTS = 4;
const DRAWS_PER_CLIENT = 15;

/** `CLIENTS` clients each make `DRAWS_PER_CLIENT` signed draws at once. */
async function drawSigned(signing: SigningServer): Promise<DrawRecord[]> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => connect(signing.requestPort)),
  );
  try {
    const replies = await Promise.all(
      clients.flatMap((client, c) =>
        Array.from(
          { length: DRAWS_PER_CLIENT },
          (_, n) =>
            client.command([
              ...(n % 2
                ? ["RANDINT", "2", "1", "49"]
                : ["SHUFFLE", "a", "b", "c", "SEED", `s${n}`]),
              "SIGNED",
              "DATA",
              `client ${c} draw ${n}`,
            ]),
        )
      ),
    );
    return replies.map((reply) => JSON.parse(reply as string) as DrawRecord);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** Checks that `records` are a whole chain of `signing`'s key, 1..n. */
async function assertOwnChain(
  signing: SigningServer,
  records: DrawRecord[],
): Promise<void> {
  records = [...records].sort((a, b) => a.serial - b.serial);
  assert.deepEqual(
    records.map((record) => record.serial),
    Array.from({ length: records.length }, (_, i) => i + 1),
  );
  for (const [i, record] of records.entries()) {
    assert.equal(record.key_id, signing.keyId);
    assert.equal(record.previous, i === 0 ? CHAIN_START : records[i - 1].hash);
    assert.equal(
      await verifyRecordSignature(record, signing.publicKey),
      undefined,
      `serial ${record.serial}`,
    );
  }
}

Deno.test({
  name:
    `two server.ts with their own keys share one PostgreSQL draw log, each its own chain${POSTGRES_NOTE}`,
  ignore: POSTGRES_NOTE !== "",
  async fn() {
    await using pg = await startPostgres();
    await using dir = await keyDir();
    const url = await pg.createDatabase();
    const keys = [`${dir.path}/a.pem`, `${dir.path}/b.pem`];
    await Promise.all(keys.map(keygenInto));
    // At once: the first start on a new database makes its table.
    let servers = await Promise.all(keys.map((key) => startSigning(key, url)));
    try {
      assert.notEqual(servers[0].keyId, servers[1].keyId);
      const drawn = await Promise.all(servers.map(drawSigned));
      const total = CLIENTS * DRAWS_PER_CLIENT;
      for (const [i, signing] of servers.entries()) {
        await assertOwnChain(signing, drawn[i]);
        const mine = [...drawn[i]].sort((a, b) => a.serial - b.serial);
        await using client = await connect(signing.requestPort);
        // Each server's GETDRAW and DRAWS read its own key's chain.
        const range = await client.command(["DRAWS", "1", String(total + 5)]);
        assert.deepEqual(range, mine.map((record) => JSON.stringify(record)));
        assert.equal(
          await client.command(["GETDRAW", "7"]),
          JSON.stringify(mine[6]),
        );
        assert.equal(
          await client.command(["GETDRAW", String(total + 1)]),
          null,
        );
      }
      // Both chains are in the one database, under their key ids.
      const ledger = await openLedger(url);
      try {
        for (const [i, signing] of servers.entries()) {
          assert.deepEqual(
            await ledger.range(signing.keyId, 1, total + 5),
            [...drawn[i]].sort((a, b) => a.serial - b.serial),
          );
        }
      } finally {
        await ledger.close();
      }

      // A restart goes on from the newest stored record.
      const stopped = await servers[0].server.stop("SIGTERM");
      assert.equal(stopped.code, 0, stopped.stderr);
      servers = [await startSigning(keys[0], url), servers[1]];
      await using client = await connect(servers[0].requestPort);
      const next = JSON.parse(
        await client.command(["UUID", "1", "SIGNED"]) as string,
      ) as DrawRecord;
      assert.equal(next.serial, total + 1);
      const newest = drawn[0].find((record) => record.serial === total)!;
      assert.equal(next.previous, newest.hash);
      assert.equal(
        await verifyRecordSignature(next, servers[0].publicKey),
        undefined,
      );
    } finally {
      for (const { server } of servers) await server.stop("SIGKILL");
    }
  },
});

Deno.test({
  name:
    `server.ts --draw-log postgres://...: a database it cannot open is one line, exit 2, password hidden${POSTGRES_NOTE}`,
  ignore: POSTGRES_NOTE !== "",
  async fn() {
    await using pg = await startPostgres();
    await using dir = await keyDir();
    const key = `${dir.path}/key.pem`;
    await keygenInto(key);
    const url = new URL(await pg.createDatabase());
    const serve = (drawLog: string) =>
      run(Deno.execPath(), [
        "run",
        "--allow-net",
        `--allow-read=${key}`,
        SERVER_TS,
        "--request-port",
        "0",
        "--signing-key",
        key,
        "--draw-log",
        drawLog,
      ], { timeoutMs: DEADLINE_MS });

    const wrong = new URL(url);
    wrong.password = "hunter2-not-it";
    const refused = await serve(wrong.href);
    const line = assertOneLineError(
      refused,
      2,
      new RegExp(
        `^randport server: --draw-log: cannot open postgres://randport:\\*\\*\\*@127\\.0\\.0\\.1:${pg.port}/draws_\\d+: password authentication failed for user "randport"$`,
      ),
    );
    assert.ok(!line.includes("hunter2"), line);
    assert.ok(!line.includes(pg.password), line);

    const unreachable = new URL(url);
    unreachable.port = String(freePort());
    assertOneLineError(
      await serve(unreachable.href),
      2,
      /^randport server: --draw-log: cannot open postgres:\/\/randport:\*\*\*@127\.0\.0\.1:\d+\/draws_\d+: connection refused \(127\.0\.0\.1:\d+\)$/,
    );
  },
});

Deno.test({
  name:
    `kill -9 of a server logging to PostgreSQL under load: no acknowledged record lost, the chain continues${POSTGRES_NOTE}`,
  ignore: POSTGRES_NOTE !== "",
  async fn() {
    await using pg = await startPostgres();
    await using dir = await keyDir();
    const url = await pg.createDatabase();
    const key = `${dir.path}/key.pem`;
    await keygenInto(key);
    let signing = await startSigning(key, url);
    const acknowledged = new Map<string, string>();
    try {
      const clients = await Promise.all(
        Array.from({ length: CLIENTS }, () => connect(signing.requestPort)),
      );
      let killing: Promise<unknown> | undefined;
      const deadline = setTimeout(() => {
        killing ??= signing.server.stop("SIGKILL");
      }, 20_000);
      // Each client keeps 4 draws in flight, so that the kill lands mid-commit.
      await Promise.all(
        clients.flatMap((client, c) =>
          Array.from({ length: 4 }, async (_, s) => {
            for (let n = 0; killing === undefined; n++) {
              const tag = `client ${c} slot ${s} draw ${n}`;
              try {
                const text = await client.command([
                  "RANDINT",
                  "1",
                  "1",
                  "6",
                  "SIGNED",
                  "DATA",
                  tag,
                ]) as string;
                acknowledged.set(tag, text);
                if (acknowledged.size >= 200) {
                  killing ??= signing.server.stop("SIGKILL");
                }
              } catch {
                // After the kill every draw in flight fails: that is the point.
                return;
              }
            }
          })
        ),
      );
      clearTimeout(deadline);
      await Promise.all(clients.map((client) => client.close()));
      const killed = await signing.server.stop(null);
      assert.equal(killed.signal, "SIGKILL", killed.stderr);
      assert.ok(acknowledged.size >= 200, `only ${acknowledged.size} draws`);

      signing = await startSigning(key, url);
      await using client = await connect(signing.requestPort);
      const texts: string[] = [];
      for (let from = 1;; from += 1000) {
        const page = await client.command([
          "DRAWS",
          String(from),
          String(from + 999),
        ]) as string[];
        texts.push(...page);
        if (page.length < 1000) break;
      }
      const records = texts.map((text) => JSON.parse(text) as DrawRecord);
      await assertOwnChain(signing, records);
      const stored = new Map(records.map((r, i) => [r.data, texts[i]]));
      for (const [tag, text] of acknowledged) {
        assert.equal(stored.get(tag), text, `acknowledged ${tag}`);
      }
      const next = JSON.parse(
        await client.command(["UUID", "1", "SIGNED"]) as string,
      ) as DrawRecord;
      assert.equal(next.serial, records.length + 1);
      assert.equal(next.previous, records.at(-1)!.hash);
    } finally {
      await signing.server.stop("SIGKILL");
    }
  },
});
