/**
 * `client.ts verify` end to end: records on stdin (or in a file, with
 * --allow-read), one line out, exit 0 when they hold and 1 naming the
 * record (its line and serial) and the field when one does not; and
 * `--from-server`, against the real server signing draws with its key.
 *
 * The test task runs without --allow-read and --allow-write, so files are
 * made and removed by subprocesses (mktemp, sh, rm), as in
 * tests/request/signed_server_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests } from "../../lib/client/mod.ts";
import { type DrawRecord, signDraw } from "../../lib/signed/mod.ts";
import {
  assertOneLineError,
  CLIENT_TS,
  type Finished,
  freePort,
  run,
  SERVER_TS,
  startServer,
  tempDir,
} from "../_util.ts";
import { fixture, hex, isSeeded } from "./_records.ts";

const DEADLINE_MS = 30_000;

const { key, records } = await fixture();
const PUBLIC_KEY = hex(key.publicKey);
const SEEDED = records.filter((r) => isSeeded(r.request)).length;

function jsonLines(list: readonly unknown[]): string {
  return list.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/** `deno run --allow-net client.ts verify ARGS < stdin`. */
function verify(
  args: string[],
  stdin: string,
  permissions: string[] = [],
): Promise<Finished> {
  return run(
    Deno.execPath(),
    ["run", "--allow-net", ...permissions, CLIENT_TS, "verify", ...args],
    { stdin, timeoutMs: DEADLINE_MS },
  );
}

function assertOk(result: Finished, line: RegExp): void {
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.match(result.stdout, /^[^\n]+\n$/);
  assert.match(result.stdout, line);
}

Deno.test("client verify: a good log on stdin is one ok line, exit 0", async () => {
  const result = await verify(["--public-key", PUBLIC_KEY], jsonLines(records));
  assertOk(
    result,
    new RegExp(
      `^ok: ${records.length} records, serials 1\\.\\.${records.length}, ` +
        `chain intact, key ${key.keyId}; ${SEEDED} seeded results recomputed`,
    ),
  );
  // One record, as GETDRAW gives it: no chain to begin at serial 1.
  const one = await verify(
    ["--public-key", PUBLIC_KEY],
    JSON.stringify(records[4], null, 2),
  );
  assertOk(one, new RegExp(`^ok: 1 record, serial 5, key ${key.keyId}`));
  const help = await verify(["--help"], "");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--allow-read/);
  assert.match(help.stdout, /proves less than a published/);
});

Deno.test("client verify: a tampered log is one line naming the record and the field, exit 1", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "changed data",
      jsonLines(records.with(4, { ...records[4], data: "changed" })),
      /^randport client: verify failed: record 5 of 13 \(line 5, serial 5\): hash: the record's fields do not match/,
    ],
    [
      "changed signature",
      jsonLines(records.with(2, {
        ...records[2],
        signature: records[1].signature,
      })),
      /record 3 of 13 \(line 3, serial 3\): signature: does not verify/,
    ],
    [
      "a blank line before, which the line number counts",
      "\n" + jsonLines(records.with(4, { ...records[4], time: "x" })),
      /record 5 of 13 \(line 6, serial 5\): time: expected/,
    ],
    [
      "a gap",
      jsonLines(records.toSpliced(2, 1)),
      /record 3 of 12 \(line 3, serial 4\): serial: 4 follows serial 2: expected 3: a gap/,
    ],
    [
      "a repeat",
      jsonLines(records.toSpliced(2, 0, records[1])),
      /record 3 of 14 \(line 3, serial 2\): serial: .*a repeat of serial 2/,
    ],
    [
      "two records wrong",
      jsonLines(
        records.with(1, { ...records[1], data: "x" }).with(7, {
          ...records[7],
          data: "y",
        }),
      ),
      /record 2 of 13 .*\(and 1 more record with problems\)$/,
    ],
    [
      "part of a chain",
      jsonLines(records.slice(4)),
      /record 1 of 9 \(line 1, serial 5\): serial: the chain begins at serial 1, not 5: to check part of a chain, give --mid-chain/,
    ],
  ];
  // Each case is a process of its own: they run side by side.
  await Promise.all(cases.map(async ([what, input, pattern]) => {
    const result = await verify(["--public-key", PUBLIC_KEY], input);
    assertOneLineError(result, 1, pattern);
    assert.equal(result.stdout, "", what);
  }));
  // The key's holder re-signs a seeded result: the seed gives it away.
  const seeded = records[0];
  const forged = await signDraw({
    ...seeded,
    result: "*6\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n",
  }, key);
  assertOneLineError(
    await verify(["--public-key", PUBLIC_KEY], jsonLines([forged])),
    1,
    /record 1 of 1 \(line 1, serial 1\): result: is not what the seed gives/,
  );
  const other = await fixture();
  assertOneLineError(
    await verify(
      ["--public-key", hex(other.key.publicKey)],
      jsonLines(records),
    ),
    1,
    /record 1 of 13 \(line 1, serial 1\): key_id: not the id of this public key/,
  );
});

Deno.test("client verify: part of a chain, with --mid-chain or --previous", async () => {
  const tail = jsonLines(records.slice(4));
  assertOk(
    await verify(["--public-key", PUBLIC_KEY, "--mid-chain"], tail),
    /^ok: 9 records, serials 5\.\.13, chain intact \(from serial 5: its previous hash taken on trust\), key /,
  );
  assertOk(
    await verify(
      ["--public-key", PUBLIC_KEY, "--previous", records[3].hash],
      tail,
    ),
    /^ok: 9 records, serials 5\.\.13, chain intact \(linked to the --previous hash\)/,
  );
  assertOneLineError(
    await verify(
      ["--public-key", PUBLIC_KEY, "--previous", records[2].hash],
      tail,
    ),
    1,
    /serial 5\): previous: not the hash given/,
  );
});

Deno.test("client verify: input that is not records, and bad flags", async () => {
  const lines = jsonLines(records).split("\n");
  lines[2] = lines[2].slice(0, -1);
  assertOneLineError(
    await verify(["--public-key", PUBLIC_KEY], lines.join("\n")),
    1,
    /^randport client: stdin, line 3: not JSON \(/,
  );
  assertOneLineError(
    await verify(["--public-key", PUBLIC_KEY], "\n \n"),
    1,
    /stdin: no records/,
  );
  const usage: [string[], RegExp][] = [
    [[], /--public-key HEX is needed/],
    [
      ["--public-key", "abc"],
      /^randport client: --public-key: expected 64 hex digits/,
    ],
    [["--public-key", PUBLIC_KEY, "--from-server"], /give one/],
    [
      ["--public-key", PUBLIC_KEY, "--port", "1"],
      /--port: only with --from-server/,
    ],
    [
      ["--public-key", PUBLIC_KEY, "--previous", "x"],
      /--previous: expected 64/,
    ],
    [["--public-key", PUBLIC_KEY, "a", "b"], /at most one FILE/],
    [["--public-key", PUBLIC_KEY, "--bogus"], /unknown flag --bogus/],
  ];
  await Promise.all(usage.map(async ([args, pattern]) => {
    assertOneLineError(await verify(args, jsonLines(records)), 2, pattern);
  }));
});

/** Runs a shell script; `$0`, `$1`, … are `args`, so paths need no quoting. */
async function sh(script: string, args: string[], stdin?: string) {
  const result = await run("sh", ["-c", script, ...args], {
    timeoutMs: DEADLINE_MS,
    stdin,
  });
  assert.equal(result.code, 0, `sh -c ${script}: ${result.stderr}`);
}

Deno.test("client verify FILE: needs --allow-read, and says so", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/draws.jsonl`;
  await sh('cat > "$0"', [file], jsonLines(records));
  assertOneLineError(
    await verify(["--public-key", PUBLIC_KEY, file], ""),
    2,
    /reading a file needs --allow-read .*or give it on stdin/,
  );
  assertOk(
    await verify(["--public-key", PUBLIC_KEY, file], "", [
      `--allow-read=${file}`,
    ]),
    /^ok: 13 records, serials 1\.\.13, chain intact/,
  );
  // "-" is stdin.
  assertOk(
    await verify(["--public-key", PUBLIC_KEY, "-"], jsonLines(records)),
    /^ok: 13 records/,
  );
  const tampered = records.with(8, { ...records[8], serial: 8 });
  await sh('cat > "$0"', [file], jsonLines(tampered));
  assertOneLineError(
    await verify(["--public-key", PUBLIC_KEY, file], "", [
      `--allow-read=${file}`,
    ]),
    1,
    new RegExp(
      `record 9 of 13 \\(${file} line 9, serial 8\\): hash: .*; serial: `,
    ),
  );
});

Deno.test("client verify --from-server: the real server's own records, and its PUBKEY", async () => {
  await using dir = await tempDir();
  const keyFile = `${dir.path}/key.pem`;
  const log = `${dir.path}/draws.db`;
  await sh('exec "$0" run "$1" --keygen > "$2"', [
    Deno.execPath(),
    SERVER_TS,
    keyFile,
  ]);
  await using server = await startServer(
    ["--request-port", "0", "--signing-key", keyFile, "--draw-log", log],
    { permissions: [`--allow-read=${keyFile},${log}`, `--allow-write=${log}`] },
  );
  const port = String(server.requestPort);
  const client = await connectRequests({
    hostname: "127.0.0.1",
    port: server.requestPort!,
    timeout: 10_000,
  });
  let exported: DrawRecord[];
  try {
    const draws = [
      ["RANDINT", "6", "1", "49", "SEED", "hello", "SIGNED", "DATA", "lottery"],
      ["UUID", "SIGNED"],
      ["SEQUENCE", "1", "5", "SIGNED", "SEED", "s"],
      ["GAUSS", "2", "0", "1", "SEED", "g", "SIGNED"],
      ["RANDBYTES", "4", "HEX", "SIGNED"],
    ];
    for (const draw of draws) await client.command(draw);
    const page = await client.command(["DRAWS", "1", String(draws.length)]);
    exported = (page as string[]).map((text) => JSON.parse(text));
  } finally {
    await client.close();
  }
  const result = await verify(
    ["--from-server", "--host", "127.0.0.1", "--port", port],
    jsonLines(exported),
  );
  assertOk(
    result,
    /^ok: 5 records, serials 1\.\.5, chain intact, key [0-9a-f]{32}; 3 seeded results recomputed from their seeds; the key came from 127\.0\.0\.1:\d+ itself \(PUBKEY\), which proves only that the records are that server's/,
  );
  assert.ok(result.stdout.includes(exported[0].key_id));
  // The key the server printed at start verifies them as well.
  const banner = await server.waitForStdout((s) => s.includes("\n"), 10_000);
  const printed = /public key ([0-9a-f]{64})/.exec(banner)?.[1];
  assert.ok(printed, banner);
  assertOk(
    await verify(["--public-key", printed], jsonLines(exported)),
    /^ok: 5 records/,
  );
  const tampered = exported.with(2, { ...exported[2], data: "x" });
  assertOneLineError(
    await verify(
      ["--from-server", "--port", port, "--host", "127.0.0.1"],
      jsonLines(tampered),
    ),
    1,
    /record 3 of 5 \(line 3, serial 3\): hash: /,
  );
});

Deno.test("client verify --from-server: a server without a key, and none at all", async () => {
  await using server = await startServer(["--request-port", "0"]);
  assertOneLineError(
    await verify(
      [
        "--from-server",
        "--host",
        "127.0.0.1",
        "--port",
        String(server.requestPort),
      ],
      jsonLines(records),
    ),
    1,
    /--from-server: 127\.0\.0\.1:\d+ gave no key: this server signs no draws/,
  );
  assertOneLineError(
    await verify(
      ["--from-server", "--host", "127.0.0.1", "--port", String(freePort())],
      jsonLines(records),
    ),
    1,
    /--from-server: connection refused/,
  );
});
