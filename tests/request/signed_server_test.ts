/**
 * Signed draws through the real `server.ts` (issue 12): the crash test
 * (`kill -9` under load from 8 clients, restart, the chain continues), and
 * the command line of `--signing-key`, `--draw-log` and `--keygen`.
 *
 * The test task runs without --allow-read and --allow-write, so files are
 * made, read and removed by subprocesses (mktemp, sh, cat, rm), and the
 * server gets its own permissions, scoped to its two files as an operator's
 * would be.
 *
 * @module
 */

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { connectRequests, type RequestClient } from "../../lib/client/mod.ts";
import {
  CHAIN_START,
  type DrawRecord,
  encodeDrawRecord,
  importSigningKey,
  keyIdOf,
  verifyRecordSignature,
} from "../../lib/signed/mod.ts";
import {
  assertOneLineError,
  type Finished,
  LineReader,
  run,
  SERVER_TS,
  startServer,
  tempDir,
} from "../_util.ts";
import { readSigningLine, type SigningServer } from "../_signing.ts";

const DENO_JSON = new URL("../../deno.json", import.meta.url).pathname;

/** Long enough for any one subprocess here; only there so that a hang ends. */
const DEADLINE_MS = 20_000;

const OPENSSL = await run("openssl", ["version"], { timeoutMs: 5_000 })
  .then((result) => result.code === 0, () => false);
const OPENSSL_NOTE = OPENSSL ? "" : " [ignored: openssl is not installed]";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function base64(bytes: Uint8Array): string {
  return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
}

/** Runs a shell script; `$0`, `$1`, … are `args`, so paths need no quoting. */
async function sh(
  script: string,
  args: string[],
  stdin?: string,
): Promise<Finished> {
  const result = await run("sh", ["-c", script, ...args], {
    timeoutMs: DEADLINE_MS,
    stdin,
  });
  assert.equal(result.code, 0, `sh -c ${script}: ${result.stderr}`);
  return result;
}

/** Writes `text` to `path` (through `cat`: this process may not write). */
async function writeFile(path: string, text: string): Promise<void> {
  await sh('cat > "$0"', [path], text);
}

/** `server.ts --keygen > path`, as an operator makes a key. */
async function keygenInto(path: string): Promise<void> {
  await sh('exec "$0" run "$1" --keygen > "$2"', [
    Deno.execPath(),
    SERVER_TS,
    path,
  ]);
}

/** The raw public key of a PEM private key, as openssl derives it. */
async function opensslPublicKey(pem: string): Promise<string> {
  const der = (await sh(
    "openssl pkey -pubout -outform DER | od -An -tx1 -v",
    [],
    pem,
  )).stdout.replace(/\s+/g, "");
  // An Ed25519 SubjectPublicKeyInfo: a fixed 12-byte header, then the key.
  assert.match(der, /^302a300506032b6570032100[0-9a-f]{64}$/);
  return der.slice(24);
}

/** The files of a signing server: its key and its draw log. */
interface SigningFiles {
  key: string;
  log: string;
}

/** The run flags that let the server read the key and keep the log. */
function signingPermissions({ key, log }: SigningFiles): string[] {
  return [`--allow-read=${key},${log}`, `--allow-write=${log}`];
}

async function startSigningServer(files: SigningFiles): Promise<SigningServer> {
  const server = await startServer(
    [
      "--request-port",
      "0",
      "--signing-key",
      files.key,
      "--draw-log",
      files.log,
    ],
    { permissions: signingPermissions(files) },
  );
  return await readSigningLine(server);
}

function connect(port: number): Promise<RequestClient> {
  // Short: a killed server resets at once, and a hung one must fail the test.
  return connectRequests({ hostname: "127.0.0.1", port, timeout: 5_000 });
}

// ---------------------------------------------------------------------------
// The crash test.

const CLIENTS = 8;
/** Draws each client keeps in flight, so that the kill lands mid-request. */
const DEPTH = 4;
/** Acknowledged records per cycle before the kill. */
const TARGET = 300;
const CYCLES = 3;
/** The most one cycle's load may take before the test gives up. */
const LOAD_DEADLINE_MS = 10_000;
/** DRAWS page size: below its 1000 limit, so that reading takes pages. */
const PAGE = 256;

/** A draw a client asked for, and the reply it got in full. */
interface Acknowledged {
  /** The request's DATA: unique, so a record says which request it is. */
  tag: string;
  /** The request without SIGNED and DATA, as the record should hold it. */
  request: string[];
  /** The reply, exactly as received. */
  text: string;
}

/** Varied draws: the record format must hold up for every kind of result. */
function drawArgs(n: number): string[] {
  switch (n % 6) {
    case 0:
      return ["RANDINT", "3", "1", "6"];
    case 1:
      return ["uuid", "2"];
    case 2:
      return ["SHUFFLE", "a", "b", "c", "d"];
    case 3:
      return ["RANDSTRING", "2", "8"];
    case 4:
      return ["RANDINT", "1", "1", "100", "SEED", `seed ${n}`];
    default:
      return ["RANDBYTES", "8", "HEX"];
  }
}

interface LoadResult {
  acknowledged: Acknowledged[];
  /** Tags of the draws sent but not yet answered when the kill was sent. */
  inFlightAtKill: Set<string>;
  killed: Finished;
  sent: number;
}

/**
 * 8 clients draw, pipelined, until `TARGET` replies have arrived; then the
 * server gets SIGKILL while draws are in flight.
 */
async function drawUntilKilled(
  signing: SigningServer,
  cycle: number,
): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => connect(signing.requestPort)),
  );
  const acknowledged: Acknowledged[] = [];
  const inFlight = new Set<string>();
  let inFlightAtKill: Set<string> | undefined;
  let killing: Promise<Finished> | undefined;
  const failures: string[] = [];
  let sent = 0;
  const kill = () => {
    inFlightAtKill ??= new Set(inFlight);
    killing ??= signing.server.stop("SIGKILL");
  };
  const deadline = setTimeout(() => {
    failures.push(
      `only ${acknowledged.length} of ${TARGET} draws acknowledged within ${LOAD_DEADLINE_MS} ms`,
    );
    kill();
  }, LOAD_DEADLINE_MS);
  const slot = async (client: RequestClient, c: number, s: number) => {
    for (let n = 0; killing === undefined; n++) {
      const tag = `cycle ${cycle} client ${c} slot ${s} draw ${n}`;
      const request = drawArgs(n + s);
      inFlight.add(tag);
      sent++;
      try {
        const text = await client.command([
          ...request,
          "SIGNED",
          "DATA",
          tag,
        ]) as string;
        acknowledged.push({ tag, request, text });
        if (acknowledged.length >= TARGET) kill();
      } catch (error) {
        // After the kill every pending draw fails: that is the point.
        if (killing === undefined) {
          failures.push(`${tag}: ${(error as Error).message}`);
          kill();
        }
        return;
      } finally {
        inFlight.delete(tag);
      }
    }
  };
  try {
    await Promise.all(
      clients.flatMap((client, c) =>
        Array.from({ length: DEPTH }, (_, s) => slot(client, c, s))
      ),
    );
  } finally {
    clearTimeout(deadline);
    await Promise.all(clients.map((client) => client.close()));
  }
  const killed = await killing!;
  assert.deepEqual(failures, [], "draws failed before the kill");
  return { acknowledged, inFlightAtKill: inFlightAtKill!, killed, sent };
}

/** Every stored record, read back with DRAWS a page at a time. */
async function readLog(client: RequestClient): Promise<string[]> {
  const texts: string[] = [];
  for (let from = 1;; from += PAGE) {
    const page = await client.command([
      "DRAWS",
      String(from),
      String(from + PAGE - 1),
    ]) as string[];
    texts.push(...page);
    if (page.length < PAGE) return texts;
  }
}

/**
 * Checks the whole stored chain against every reply acknowledged so far,
 * and returns its records.
 */
async function checkLog(
  signing: SigningServer,
  client: RequestClient,
  acknowledged: Map<string, Acknowledged>,
  unanswered: Set<string>,
): Promise<DrawRecord[]> {
  const texts = await readLog(client);
  const records = texts.map((text) => JSON.parse(text) as DrawRecord);
  assert.deepEqual(
    records.map((r) => r.serial),
    Array.from({ length: records.length }, (_, i) => i + 1),
    "serials are 1..M without gaps",
  );
  assert.ok(
    records.length >= acknowledged.size,
    `${records.length} stored, ${acknowledged.size} acknowledged`,
  );
  const byTag = new Map<string, DrawRecord>();
  for (const [i, record] of records.entries()) {
    assert.equal(
      record.previous,
      i === 0 ? CHAIN_START : records[i - 1].hash,
      `record ${record.serial}'s previous`,
    );
    assert.equal(record.key_id, signing.keyId);
    assert.ok(!byTag.has(record.data), `${record.data} stored twice`);
    byTag.set(record.data, record);
  }
  const problems = await Promise.all(
    records.map((record) => verifyRecordSignature(record, signing.publicKey)),
  );
  for (const [i, problem] of problems.entries()) {
    assert.equal(problem, undefined, `record ${i + 1} verifies`);
  }
  for (const [tag, ack] of acknowledged) {
    const record = byTag.get(tag);
    assert.ok(record, `acknowledged draw ${tag} is missing from the log`);
    assert.equal(
      texts[record.serial - 1],
      ack.text,
      `record ${record.serial} as stored and as acknowledged`,
    );
    assert.deepEqual(record.request, [
      ack.request[0].toUpperCase(),
      ...ack.request.slice(1),
    ]);
  }
  // A record nobody was told of is fine only if its draw was in flight.
  for (const record of records) {
    if (!acknowledged.has(record.data)) {
      assert.ok(
        unanswered.has(record.data),
        `record ${record.serial} (${record.data}) was never asked for, or was in no kill's flight`,
      );
    }
  }
  assert.equal(
    await client.command(["GETDRAW", String(records.length + 1)]),
    null,
  );
  return records;
}

Deno.test("crash: kill -9 while 8 clients make signed draws, restart, and no acknowledged record is lost, the chain continues gapless", async () => {
  await using dir = await tempDir();
  const files = { key: `${dir.path}/key.pem`, log: `${dir.path}/draws.db` };
  await keygenInto(files.key);
  const started = Date.now();
  const acknowledged = new Map<string, Acknowledged>();
  const unanswered = new Set<string>();
  let signing = await startSigningServer(files);
  const { keyId, publicKey } = signing;
  assert.equal(keyId, await keyIdOf(publicKey));
  try {
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const loadStarted = Date.now();
      const load = await drawUntilKilled(signing, cycle);
      const loadMs = Date.now() - loadStarted;
      assert.equal(
        load.killed.signal,
        "SIGKILL",
        `the server ended before the kill: exit ${load.killed.code}, ${load.killed.stderr}`,
      );
      assert.equal(load.killed.stderr, "", "the server logged no error");
      for (const ack of load.acknowledged) {
        assert.equal(JSON.parse(ack.text).data, ack.tag, "reply matched up");
        acknowledged.set(ack.tag, ack);
      }
      for (const tag of load.inFlightAtKill) {
        if (!acknowledged.has(tag)) unanswered.add(tag);
      }
      assert.ok(load.inFlightAtKill.size > 0, "draws were in flight");

      const restarted = Date.now();
      signing = await startSigningServer(files);
      assert.equal(signing.keyId, keyId);
      assert.equal(hex(signing.publicKey), hex(publicKey));
      await using client = await connect(signing.requestPort);
      const records = await checkLog(
        signing,
        client,
        acknowledged,
        unanswered,
      );
      const last = records.at(-1)!;
      const tag = `after restart ${cycle}`;
      const text = await client.command([
        "RANDINT",
        "1",
        "1",
        "6",
        "SIGNED",
        "DATA",
        tag,
      ]) as string;
      const next = JSON.parse(text) as DrawRecord;
      assert.equal(next.serial, last.serial + 1, "the chain continues");
      assert.equal(next.previous, last.hash);
      assert.equal(await verifyRecordSignature(next, publicKey), undefined);
      acknowledged.set(tag, { tag, request: ["RANDINT", "1", "1", "6"], text });
      const thisCycle = load.acknowledged.length;
      const storedThisCycle = records.filter((r) =>
        r.data.startsWith(`cycle ${cycle} `)
      ).length;
      console.log(
        `cycle ${cycle}: ${load.sent} sent, ${thisCycle} acknowledged, ${load.inFlightAtKill.size} in flight at the kill (${loadMs} ms); ` +
          `${storedThisCycle} of this cycle's stored (${
            storedThisCycle - thisCycle
          } unacknowledged), log 1..${records.length}; next serial ${next.serial} ` +
          `(restart and check ${Date.now() - restarted} ms)`,
      );
    }
    const final = await signing.server.stop("SIGTERM");
    assert.equal(final.code, 0, final.stderr);
  } finally {
    await signing.server.stop("SIGKILL");
  }
  console.log(`crash test: ${CYCLES} cycles in ${Date.now() - started} ms`);
});

// ---------------------------------------------------------------------------
// The command line.

/** Runs `server.ts` (with `permissions` for `deno run`) to its exit. */
function runSigningServer(
  args: string[],
  permissions: string[] = [],
): Promise<Finished> {
  return run(Deno.execPath(), [
    "run",
    "--allow-net",
    ...permissions,
    SERVER_TS,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--request-port",
    "0",
    ...args,
  ], { timeoutMs: DEADLINE_MS });
}

Deno.test({
  name:
    `CLI: an openssl genpkey Ed25519 key is accepted, with openssl's public key, and its records verify with openssl${OPENSSL_NOTE}`,
  ignore: !OPENSSL,
  fn: async () => {
    await using dir = await tempDir();
    const files = { key: `${dir.path}/key.pem`, log: `${dir.path}/draws.db` };
    await sh('openssl genpkey -algorithm ed25519 -out "$0"', [files.key]);
    const pem = (await sh('cat "$0"', [files.key])).stdout;
    const expected = await opensslPublicKey(pem);
    const signing = await startSigningServer(files);
    try {
      assert.equal(hex(signing.publicKey), expected);
      assert.equal(signing.keyId, await keyIdOf(signing.publicKey));
      await using client = await connect(signing.requestPort);
      assert.deepEqual(await client.command(["PUBKEY"]), [
        "algorithm",
        "Ed25519",
        "key_id",
        signing.keyId,
        "public_key",
        expected,
      ]);
      const record = JSON.parse(
        await client.command([
          "SAMPLE",
          "2",
          "x",
          "y",
          "z",
          "SIGNED",
          "DATA",
          "openssl",
        ]) as string,
      ) as DrawRecord;
      assert.equal(record.serial, 1);
      assert.equal(
        await verifyRecordSignature(record, signing.publicKey),
        undefined,
      );
      // A second implementation of Ed25519 agrees: openssl checks the
      // signature over the record's signed bytes with its own public key.
      const bytes = `${dir.path}/record.bin`;
      const signature = `${dir.path}/record.sig`;
      const publicPem = `${dir.path}/public.pem`;
      await sh('base64 -d > "$0"', [bytes], base64(encodeDrawRecord(record)));
      await sh('base64 -d > "$0"', [signature], record.signature);
      await sh('openssl pkey -in "$0" -pubout -out "$1"', [
        files.key,
        publicPem,
      ]);
      const verified = await sh(
        'openssl pkeyutl -verify -pubin -inkey "$0" -rawin -in "$1" -sigfile "$2"',
        [publicPem, bytes, signature],
      );
      assert.match(verified.stdout, /Signature Verified Successfully/);
    } finally {
      await signing.server.stop("SIGKILL");
    }
  },
});

Deno.test("CLI: --keygen (and deno task keygen, with no permissions) prints a new Ed25519 PKCS#8 PEM key", async () => {
  assert.equal(denoJson.tasks.keygen, "deno run server.ts --keygen");
  const outputs = await Promise.all([
    run(Deno.execPath(), ["run", SERVER_TS, "--keygen"], {
      timeoutMs: DEADLINE_MS,
    }),
    run(Deno.execPath(), ["task", "-q", "--config", DENO_JSON, "keygen"], {
      timeoutMs: DEADLINE_MS,
    }),
  ]);
  const keyIds = new Set<string>();
  for (const output of outputs) {
    assert.equal(output.code, 0, output.stderr);
    assert.equal(output.stderr, "");
    assert.match(
      output.stdout,
      /^-----BEGIN PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END PRIVATE KEY-----\n$/,
    );
    const key = await importSigningKey(output.stdout);
    assert.equal(key.publicKey.length, 32);
    keyIds.add(key.keyId);
    if (OPENSSL) {
      assert.equal(await opensslPublicKey(output.stdout), hex(key.publicKey));
    }
  }
  assert.equal(keyIds.size, 2, "each run makes a new key");
});

Deno.test("CLI: signing mistakes are one line on stderr, exit 2, naming the flag (and what to do)", async () => {
  await using dir = await tempDir();
  const path = (name: string) => `${dir.path}/${name}`;
  const log = path("draws.db");
  await keygenInto(path("key.pem"));
  await writeFile(path("notes.txt"), "not a key\n");
  await writeFile(path("empty.pem"), "");
  // Valid PEM armour and base64, but not a whole PKCS#8 key.
  await writeFile(
    path("truncated.pem"),
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
  );
  // Keys of other algorithms in the same PKCS#8 PEM form.
  const rsa = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign"],
  ) as CryptoKeyPair;
  const p256 = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign"],
  ) as CryptoKeyPair;
  for (
    const [name, pair] of [["rsa-webcrypto.pem", rsa], [
      "p256.pem",
      p256,
    ]] as const
  ) {
    const der = new Uint8Array(
      await crypto.subtle.exportKey("pkcs8", pair.privateKey),
    );
    await writeFile(
      path(name),
      `-----BEGIN PRIVATE KEY-----\n${
        base64(der).match(/.{1,64}/g)!.join("\n")
      }\n-----END PRIVATE KEY-----\n`,
    );
  }
  if (OPENSSL) {
    await sh('openssl genpkey -algorithm rsa -out "$0" 2>/dev/null', [
      path("rsa.pem"),
    ]);
    await sh('openssl pkey -in "$0" -pubout -out "$1"', [
      path("key.pem"),
      path("public.pem"),
    ]);
  } else {
    console.log(
      "openssl is not installed: its RSA key and public key cases are skipped",
    );
  }
  const scoped = (key: string) => signingPermissions({ key: path(key), log });
  const cases: {
    what: string;
    args: string[];
    permissions: string[];
    patterns: RegExp[];
  }[] = [
    {
      what: "--signing-key without --draw-log",
      args: ["--signing-key", path("key.pem")],
      permissions: scoped("key.pem"),
      patterns: [/^randport server: --signing-key: needs --draw-log FILE/],
    },
    {
      what: "--draw-log without --signing-key",
      args: ["--draw-log", log],
      permissions: scoped("key.pem"),
      patterns: [/^randport server: --draw-log: only with --signing-key$/],
    },
    {
      what: "a key file that does not exist",
      args: ["--signing-key", path("missing.pem"), "--draw-log", log],
      permissions: scoped("missing.pem"),
      patterns: [
        /^randport server: --signing-key: cannot read \S+\/missing\.pem: no such file$/,
      ],
    },
    ...["notes.txt", "empty.pem", ...(OPENSSL ? ["public.pem"] : [])].map(
      (name) => ({
        what: `${name}: not a PEM private key`,
        args: ["--signing-key", path(name), "--draw-log", log],
        permissions: scoped(name),
        patterns: [
          new RegExp(
            `^randport server: --signing-key: \\S+/${name}: expected a PEM private key \\(-----BEGIN PRIVATE KEY-----\\)`,
          ),
        ],
      }),
    ),
    ...[
      "truncated.pem",
      "rsa-webcrypto.pem",
      "p256.pem",
      ...(OPENSSL ? ["rsa.pem"] : []),
    ].map((name) => ({
      what: `${name}: not an Ed25519 key`,
      args: ["--signing-key", path(name), "--draw-log", log],
      permissions: scoped(name),
      patterns: [
        new RegExp(
          `^randport server: --signing-key: \\S+/${name}: expected an Ed25519 private key`,
        ),
      ],
    })),
    {
      what: "no read permission at all",
      args: ["--signing-key", path("key.pem"), "--draw-log", log],
      permissions: [],
      patterns: [
        /^randport server: --signing-key: cannot read \S+\/key\.pem: no permission/,
        new RegExp(`run with --allow-read=${literal(path("key.pem"))}\\)$`),
      ],
    },
    {
      what: "the key readable, the log not",
      args: ["--signing-key", path("key.pem"), "--draw-log", log],
      permissions: [`--allow-read=${path("key.pem")}`],
      patterns: [
        /^randport server: --draw-log: cannot open \S+\/draws\.db: no permission/,
        new RegExp(
          `--allow-read=${literal(log)} --allow-write=${literal(log)}\\)$`,
        ),
      ],
    },
    {
      what: "the log readable, not writable",
      args: ["--signing-key", path("key.pem"), "--draw-log", log],
      permissions: [`--allow-read=${path("key.pem")},${log}`],
      patterns: [
        /^randport server: --draw-log: cannot open \S+\/draws\.db: no permission/,
        new RegExp(`--allow-write=${literal(log)}\\)$`),
      ],
    },
    {
      what: "--request-port off",
      args: [
        "--signing-key",
        path("key.pem"),
        "--draw-log",
        log,
        "--request-port",
        "off",
      ],
      permissions: scoped("key.pem"),
      patterns: [
        /^randport server: --signing-key: the request port is off, and signed draws are made there$/,
      ],
    },
  ];
  const results = await Promise.all(
    cases.map(({ args, permissions }) => runSigningServer(args, permissions)),
  );
  for (const [i, { what, patterns }] of cases.entries()) {
    try {
      assertOneLineError(results[i], 2, ...patterns);
      assert.equal(results[i].stdout, "", "no listening line");
    } catch (error) {
      throw new Error(`${what}: ${(error as Error).message}`);
    }
  }
  // None of the mistakes left a draw log behind.
  const left = (await sh('ls -A "$0"', [dir.path])).stdout.split("\n")
    .filter((name) => name !== "");
  assert.ok(
    !left.some((name) => name.startsWith("draws.db")),
    `left behind: ${left.join(" ")}`,
  );
});

/** `deno task serve ARGS`, killed if it outlives the deadline. */
function spawnTask(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", DENO_JSON, "serve", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

Deno.test("CLI: deno task serve is --allow-net only and signs nothing; with signing flags it says which --allow-read to add", async () => {
  // The task is the contract: no file permission at all.
  assert.equal(denoJson.tasks.serve, "deno run --allow-net server.ts");
  const child = spawnTask([
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--request-port",
    "0",
  ]);
  // SIGTERM first: deno task passes it on, where SIGKILL would orphan the
  // server it started.
  const deadline = setTimeout(() => {
    child.kill("SIGTERM");
    setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    }, 2_000);
  }, DEADLINE_MS);
  const stderr = new Response(child.stderr).text();
  const lines = new LineReader(child.stdout);
  try {
    const banner = await lines.next();
    const match =
      /^listening on 127\.0\.0\.1:\d+, requests on 127\.0\.0\.1:(\d+)$/
        .exec(banner ?? "");
    // Not assert.ok: its message would wait for stderr, that is the exit.
    if (!match) {
      throw new Error(`unexpected first line: ${banner}: ${await stderr}`);
    }
    await using client = await connect(Number(match[1]));
    const drawn = await client.command(["RANDINT", "1", "1", "6"]);
    assert.ok(Array.isArray(drawn) && drawn.length === 1);
    for (
      const args of [
        ["RANDINT", "1", "1", "6", "SIGNED"],
        ["UUID", "SIGNED", "DATA", "x"],
        ["PUBKEY"],
        ["GETDRAW", "1"],
        ["DRAWS", "1", "2"],
      ]
    ) {
      await assert.rejects(
        client.command(args),
        /signs no draws \(it needs --signing-key and --draw-log\)/,
        args.join(" "),
      );
    }
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const status = await child.status;
    clearTimeout(deadline);
    const rest = await lines.rest();
    assert.equal(status.code, 0, await stderr);
    assert.equal(rest, "", "no signing line");
  }

  await using dir = await tempDir();
  const key = `${dir.path}/key.pem`;
  await keygenInto(key);
  const refused = spawnTask([
    "--port",
    "0",
    "--request-port",
    "0",
    "--signing-key",
    key,
    "--draw-log",
    `${dir.path}/draws.db`,
  ]);
  const timer = setTimeout(() => refused.kill("SIGTERM"), DEADLINE_MS);
  const output = await refused.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  assertOneLineError(
    {
      code: output.code,
      signal: output.signal,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    },
    2,
    new RegExp(
      `^randport server: --signing-key: cannot read ${
        literal(key)
      }: no permission to read it \\(run with --allow-read=${literal(key)}\\)$`,
    ),
  );
});
