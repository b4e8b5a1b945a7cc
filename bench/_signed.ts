/**
 * Signed draws' part of `deno task bench` (PROTOCOL.md §6): what signing
 * and the durable commit cost, and how fast records verify.
 *
 * - Requests: `redis-benchmark -c 8` sends `RANDINT 10 1 100 SIGNED` and
 *   `RANDINT 10 1 100` to one server started with `--signing-key` and a
 *   SQLite `--draw-log` in a temporary directory, runs taking turns, round
 *   after round, after a warm-up run; medians. One signed reply is checked
 *   with `verifyDraw` first. Without redis-benchmark, one line says so.
 * - Where the time goes, in this process, per record: the record's bytes,
 *   Ed25519 alone (`crypto.subtle.sign`), SHA-256 alone, `signDraw` (both,
 *   as the server does), the append to a {@linkcode SqliteLedger} on a
 *   temporary file (WAL, synchronous=FULL: an fsync per commit), the same
 *   insert with synchronous=OFF (no fsync), and `signDraw` then the append,
 *   one after the other as the server's signer does; and Ed25519
 *   verification alone, for scale with `verifyDraw`.
 * - Verifications per second: `verifyDraw` over unseeded and seeded
 *   records (a seeded one has its result recomputed from the seed).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { fixed, median, table } from "./_format.ts";
import {
  cpuSeconds,
  runCommand,
  type ServerProcess,
  startServer,
} from "./_process.ts";
import { connectRequests } from "../lib/client/mod.ts";
import { SqliteLedger } from "../lib/ledger/mod.ts";
import { drawReply } from "../lib/request/mod.ts";
import {
  CHAIN_START,
  type DrawRecord,
  encodeDrawRecord,
  generateSigningKey,
  importSigningKey,
  signDraw,
  type SigningKey,
  type UnsignedDrawRecord,
} from "../lib/signed/mod.ts";
import { verifyDraw } from "../lib/verify/mod.ts";

const CLIENTS = 8;
const DRAW = ["RANDINT", "10", "1", "100"];

/** How the signed part runs. */
export interface SignedOptions {
  /** The repository's root (where server.ts is). */
  root: string;
  /** redis-benchmark runs per figure (after one warm-up run). */
  rounds: number;
  /** Seconds one redis-benchmark run should take. */
  seconds: number;
  /** Records per in-process timing (fewer if `pieceSeconds` runs out). */
  records: number;
  /** The most seconds one in-process timing may take. */
  pieceSeconds: number;
  /** Progress, to stderr. */
  log(message: string): void;
}

/** One request's figures over its runs. */
export interface SignedWorkload {
  id: "signed" | "unsigned";
  label: string;
  runs: number;
  rps: number;
  rpsRuns: number[];
  p50Ms: number;
  p99Ms: number;
  /** Server CPU seconds per request, over all runs. */
  cpuPerRequest: number;
  problem: string;
}

/** One timed piece, in this process. */
export interface SignedPiece {
  id: string;
  label: string;
  records: number;
  /** Microseconds per record. */
  us: number;
}

/** What the signed part found. */
export interface SignedReport {
  redisBenchmark: string | undefined;
  skipped: string[];
  config: { clients: number; rounds: number; seconds: number };
  workloads: SignedWorkload[];
  pieces: SignedPiece[];
  /** Verifications per second, unseeded and seeded. */
  verify: { id: string; label: string; records: number; perSecond: number }[];
  ratios: Record<string, number>;
  /** Records that failed to verify (0 expected). */
  invalid: number;
  elapsed: number;
}

async function version(program: string): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return output.success
      ? new TextDecoder().decode(output.stdout).trim().split("\n")[0]
      : undefined;
  } catch {
    return undefined;
  }
}

async function startSigningServer(
  root: string,
  key: string,
  db: string,
): Promise<ServerProcess> {
  const server = await startServer("randport, signing", [
    Deno.execPath(),
    "run",
    "--allow-net",
    `--allow-read=${key},${db}`,
    `--allow-write=${db}`,
    `${root}server.ts`,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--request-port",
    "0",
    "--signing-key",
    key,
    "--draw-log",
    db,
  ], { cwd: root, marker: "server.ts" });
  const match = /requests on \S+:(\d+)/.exec(server.line);
  if (!match) {
    await server.stop();
    throw new Error(`randport printed no request port: ${server.line}`);
  }
  return { ...server, port: Number(match[1]) };
}

interface Run {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  serverCpu: number;
}

async function benchmarkRun(
  port: number,
  pid: number,
  args: string[],
  requests: number,
  seconds: number,
): Promise<Run> {
  const before = cpuSeconds(pid);
  const stdout = await runCommand([
    "redis-benchmark",
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-c",
    String(CLIENTS),
    "-n",
    String(requests),
    "--csv",
    ...args,
  ], { timeoutMs: (15 + 10 * seconds) * 1000 });
  const serverCpu = cpuSeconds(pid) - before;
  const line =
    stdout.trim().split("\n").findLast((l) =>
      l.startsWith('"') && !l.startsWith('"test"')
    ) ?? "";
  const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const rps = Number(fields[1]);
  if (!(rps > 0)) throw new Error(`redis-benchmark printed ${stdout.trim()}`);
  return {
    requests,
    rps,
    p50Ms: Number(fields[4]),
    p99Ms: Number(fields[6]),
    serverCpu,
  };
}

/** The requests part: signed against unsigned on one signing server. */
async function measureRequests(
  options: SignedOptions,
  dir: string,
  report: SignedReport,
): Promise<void> {
  const keyPath = `${dir}/signing.pem`;
  const pem = await runCommand(
    [Deno.execPath(), "run", `${options.root}server.ts`, "--keygen"],
    { cwd: options.root },
  );
  await Deno.writeTextFile(keyPath, pem);
  const publicKey = (await importSigningKey(pem)).publicKey;
  await using server = await startSigningServer(
    options.root,
    keyPath,
    `${dir}/draws.db`,
  );
  // One signed reply, checked as a verifier would.
  {
    await using client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.port,
    });
    const reply = await client.command([...DRAW, "SIGNED"]);
    const record = JSON.parse(String(reply)) as DrawRecord;
    const result = await verifyDraw(record, publicKey);
    if (!result.ok) {
      report.invalid++;
      report.skipped.push(
        `signed reply did not verify: ${JSON.stringify(result.problems)}`,
      );
    }
  }
  const list: { id: "signed" | "unsigned"; args: string[] }[] = [
    { id: "signed", args: [...DRAW, "SIGNED"] },
    { id: "unsigned", args: DRAW },
  ];
  const runs: Run[][] = list.map(() => []);
  const problems = list.map(() => "");
  const sizes = [500, 5000];
  for (let round = 0; round <= options.rounds; round++) {
    for (let k = 0; k < list.length; k++) {
      const i = (k + round) % list.length;
      if (problems[i]) continue;
      options.log(
        `signed: ${list[i].args.join(" ")} ` +
          (round === 0 ? "(warm-up)" : `(round ${round} of ${options.rounds})`),
      );
      try {
        const run = await benchmarkRun(
          server.port,
          server.pid,
          list[i].args,
          sizes[i],
          options.seconds,
        );
        if (round > 0) runs[i].push(run);
        sizes[i] = Math.max(
          200,
          Math.round(run.rps * options.seconds / 100) * 100,
        );
      } catch (error) {
        problems[i] = String(error).split("\n")[0];
      }
    }
  }
  report.workloads = list.map((w, i) => {
    const mine = runs[i];
    const sum = (f: (r: Run) => number) =>
      mine.reduce((total, r) => total + f(r), 0);
    return {
      id: w.id,
      label: w.args.join(" "),
      runs: mine.length,
      rps: mine.length ? median(mine.map((r) => r.rps)) : NaN,
      rpsRuns: mine.map((r) => r.rps),
      p50Ms: mine.length ? median(mine.map((r) => r.p50Ms)) : NaN,
      p99Ms: mine.length ? median(mine.map((r) => r.p99Ms)) : NaN,
      cpuPerRequest: sum((r) => r.serverCpu) / sum((r) => r.requests),
      problem: problems[i],
    };
  });
}

/**
 * Runs `step` for records 0, 1, ... until `count` or `seconds` is reached;
 * returns how many ran and the microseconds per record.
 */
async function timed(
  count: number,
  seconds: number,
  step: (i: number) => unknown,
): Promise<{ records: number; us: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let i = 0;
  while (i < count && (i % 16 !== 0 || performance.now() < deadline)) {
    await step(i);
    i++;
  }
  return { records: i, us: (performance.now() - started) * 1000 / i };
}

/** The unsigned records of a chain of `count` draws. */
async function drafts(
  key: SigningKey,
  count: number,
  seeded: boolean,
): Promise<UnsignedDrawRecord[]> {
  const list: UnsignedDrawRecord[] = [];
  for (let i = 0; i < count; i++) {
    const request = seeded ? [...DRAW, "SEED", `bench ${i}`] : [...DRAW];
    list.push({
      v: 1,
      key_id: key.keyId,
      serial: i + 1,
      time: new Date().toISOString(),
      request,
      result: await drawReply(request),
      data: "",
      previous: CHAIN_START,
    });
  }
  return list;
}

/** Signs the drafts as one chain (each `previous` the last one's hash). */
async function chain(
  key: SigningKey,
  list: UnsignedDrawRecord[],
): Promise<DrawRecord[]> {
  const records: DrawRecord[] = [];
  let previous = CHAIN_START;
  for (const draft of list) {
    const record = await signDraw({ ...draft, previous }, key);
    previous = record.hash;
    records.push(record);
  }
  return records;
}

async function measurePieces(
  options: SignedOptions,
  dir: string,
  report: SignedReport,
): Promise<void> {
  const { key } = await generateSigningKey();
  const n = options.records;
  const s = options.pieceSeconds;
  options.log(`signed: timing sign, hash and append for ${n} records`);
  const unsigned = await drafts(key, n, false);
  const bytes = unsigned.map((r) => encodeDrawRecord(r));
  const pieces: SignedPiece[] = [];
  const piece = (
    id: string,
    label: string,
    t: { records: number; us: number },
  ) => pieces.push({ id, label, ...t });
  piece(
    "encode",
    "record's signed bytes (encodeDrawRecord)",
    await timed(n, s, (i) => encodeDrawRecord(unsigned[i])),
  );
  piece(
    "ed25519",
    "Ed25519 sign alone (crypto.subtle.sign)",
    await timed(
      n,
      s,
      (i) => crypto.subtle.sign("Ed25519", key.privateKey, bytes[i]),
    ),
  );
  piece(
    "sha256",
    "SHA-256 of the signed bytes",
    await timed(n, s, (i) => crypto.subtle.digest("SHA-256", bytes[i])),
  );
  const signed: DrawRecord[] = [];
  let previous = CHAIN_START;
  piece(
    "signdraw",
    "signDraw (bytes, SHA-256 and Ed25519)",
    await timed(n, s, async (i) => {
      const record = await signDraw({ ...unsigned[i], previous }, key);
      previous = record.hash;
      signed.push(record);
    }),
  );
  {
    const ledger = new SqliteLedger(`${dir}/append.db`);
    piece(
      "append",
      "SqliteLedger.append, synchronous=FULL (fsync)",
      await timed(signed.length, s, (i) => ledger.append(signed[i])),
    );
    await ledger.close();
  }
  {
    // The same insert without the fsync: what the commit's fsync costs.
    const db = new DatabaseSync(`${dir}/nosync.db`);
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = OFF;
      CREATE TABLE draws (
        key_id TEXT NOT NULL, serial INTEGER NOT NULL, hash TEXT NOT NULL,
        record TEXT NOT NULL, PRIMARY KEY (key_id, serial)
      ) WITHOUT ROWID;
    `);
    const insert = db.prepare(
      "INSERT INTO draws (key_id, serial, hash, record) VALUES (?, ?, ?, ?)",
    );
    piece(
      "nosync",
      "the same insert, synchronous=OFF (no fsync)",
      await timed(signed.length, s, (i) => {
        const r = signed[i];
        insert.run(r.key_id, r.serial, r.hash, JSON.stringify(r));
      }),
    );
    db.close();
  }
  {
    const ledger = new SqliteLedger(`${dir}/whole.db`);
    let head = CHAIN_START;
    piece(
      "whole",
      "signDraw, then append (FULL), one after the other",
      await timed(n, s, async (i) => {
        const record = await signDraw({ ...unsigned[i], previous: head }, key);
        await ledger.append(record);
        head = record.hash;
      }),
    );
    await ledger.close();
  }
  {
    // Ed25519 verification alone, the key imported once.
    const publicKey = await crypto.subtle.importKey(
      "raw",
      key.publicKey as Uint8Array<ArrayBuffer>,
      "Ed25519",
      false,
      ["verify"],
    );
    const signatures = await Promise.all(
      bytes.map((b) => crypto.subtle.sign("Ed25519", key.privateKey, b)),
    );
    piece(
      "ed25519-verify",
      "Ed25519 verify alone (crypto.subtle.verify)",
      await timed(
        n,
        s,
        (i) =>
          crypto.subtle.verify("Ed25519", publicKey, signatures[i], bytes[i]),
      ),
    );
  }
  report.pieces = pieces;

  // Verifications per second.
  const verifyCount = Math.min(n, 2000);
  const sets: [string, string, DrawRecord[]][] = [
    ["unseeded", "verifyDraw, unseeded RANDINT 10 1 100", signed],
    [
      "seeded",
      "verifyDraw, seeded (result recomputed)",
      await chain(key, await drafts(key, verifyCount, true)),
    ],
  ];
  for (const [id, label, records] of sets) {
    options.log(`signed: verifying ${id} records`);
    const list = records.slice(0, verifyCount);
    let bad = 0;
    const t = await timed(list.length, s, async (i) => {
      if (!(await verifyDraw(list[i], key.publicKey)).ok) bad++;
    });
    report.invalid += bad;
    report.verify.push({
      id,
      label,
      records: t.records,
      perSecond: 1e6 / t.us,
    });
  }
}

/** Runs the signed part. */
export async function benchSigned(
  options: SignedOptions,
): Promise<SignedReport> {
  const started = performance.now();
  const redisBenchmark = await version("redis-benchmark");
  const report: SignedReport = {
    redisBenchmark,
    skipped: [],
    config: {
      clients: CLIENTS,
      rounds: options.rounds,
      seconds: options.seconds,
    },
    workloads: [],
    pieces: [],
    verify: [],
    ratios: {},
    invalid: 0,
    elapsed: 0,
  };
  const dir = await Deno.makeTempDir({ prefix: "randport-bench-signed-" });
  try {
    if (redisBenchmark) {
      await measureRequests(options, dir, report);
    } else {
      report.skipped.push(
        "no redis-benchmark on PATH: signed against unsigned requests skipped",
      );
    }
    await measurePieces(options, dir, report);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const rps = (id: string) =>
    report.workloads.find((w) => w.id === id && w.runs > 0)?.rps;
  const us = (id: string) => report.pieces.find((p) => p.id === id)?.us;
  const entries: [string, number | undefined][] = [
    ["signed/unsigned", ratio(rps("signed"), rps("unsigned"))],
    ["fsync share", share(us("append"), us("nosync"), us("whole"))],
    ["signing share", ratio(us("signdraw"), us("whole"))],
  ];
  for (const [key, value] of entries) {
    if (value !== undefined) report.ratios[key] = value;
  }
  report.elapsed = (performance.now() - started) / 1000;
  return report;
}

function ratio(a: number | undefined, b: number | undefined) {
  return a === undefined || b === undefined || !(b > 0) ? undefined : a / b;
}

/** The fsync's part of the whole: (append FULL − append OFF) / whole. */
function share(
  full: number | undefined,
  off: number | undefined,
  whole: number | undefined,
) {
  return full === undefined || off === undefined
    ? undefined
    : ratio(full - off, whole);
}

/** The part's text: its tables and the lines it skipped. */
export function describeSigned(report: SignedReport): string {
  const out: string[] = [];
  if (report.workloads.length) {
    const c = report.config;
    out.push(
      `Signed draws (this part took ${fixed(report.elapsed, 0)} s): ` +
        `${report.redisBenchmark}, ${c.clients} clients, one server with ` +
        `--signing-key and a SQLite --draw-log, about ${c.seconds} s per ` +
        `run, median of ${c.rounds} runs taking turns after a warm-up run`,
      table(
        ["request", "requests/s", "p50 ms", "p99 ms", "µs CPU/request", "note"],
        report.workloads.map((w) => [
          w.label,
          fixed(w.rps, 0),
          fixed(w.p50Ms, 3),
          fixed(w.p99Ms, 3),
          fixed(w.cpuPerRequest * 1e6, 1),
          w.problem,
        ]),
        1,
      ),
      "",
    );
  }
  if (report.pieces.length) {
    out.push(
      "Where a signed draw's time goes (in this process, one record after " +
        "another)",
      table(
        ["piece", "records", "µs/record", "per second"],
        report.pieces.map((p) => [
          p.label,
          String(p.records),
          fixed(p.us, 1),
          fixed(1e6 / p.us, 0),
        ]),
        1,
      ),
      "",
      table(
        ["verification", "records", "per second"],
        report.verify.map((v) => [
          v.label,
          String(v.records),
          fixed(v.perSecond, 0),
        ]),
        1,
      ),
      "",
    );
  }
  for (const line of report.skipped) out.push(`Signed draws: ${line}`);
  return out.join("\n").trimEnd();
}

/** The part's ratios, as lines for "randport relative to the references". */
export function signedRatioLines(report: SignedReport): string[] {
  const r = report.ratios;
  const lines: string[] = [];
  if (r["signed/unsigned"] !== undefined) {
    lines.push(
      `  signed    RANDINT 10 1 100 SIGNED vs RANDINT 10 1 100 (same ` +
        `server): ${fixed(r["signed/unsigned"], 3)}x requests/s`,
    );
  }
  if (r["fsync share"] !== undefined) {
    lines.push(
      `  signed    of signDraw + append: fsync ` +
        `${fixed(r["fsync share"] * 100, 0)}%, signing ` +
        `${fixed(r["signing share"] * 100, 0)}%`,
    );
  }
  return lines;
}
