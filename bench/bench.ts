/**
 * `deno task bench`: how fast the real randport server is, next to
 * references measured in the same run, on loopback.
 *
 * Every figure comes from a load generator that validates every byte it
 * receives (bench/c/loader.c, compiled with gcc; bench/deno_loader.ts where
 * there is no gcc). Each measurement starts a fresh server process and reads
 * its peak memory and CPU from /proc.
 *
 * Servers:
 * - randport: `server.ts` as users run it, default limits and timeouts on
 *   (max connections, write timeout, linger, shutdown grace).
 * - randport, no linger: the same with `--linger-timeout 0` (short
 *   connections only), to show what waiting for the client's close costs.
 * - tutorial: bench/tutorial_server.ts, a first Deno port of the exercise
 *   (Math.random, Array.join, TextEncoder); a stream is one write per 10
 *   numbers, the classic payload repeated. "tutorial, batched" writes 4096
 *   numbers per write instead, to show how much of the gap is batching.
 *   "tutorial Deno, lingering" (short connections) adds randport's linger
 *   and nothing else (`--linger`): what the linger costs Deno itself.
 * - ceiling: bench/ceiling_server.ts, a Deno server writing one constant,
 *   pre-filled buffer in the same chunks: the I/O ceiling.
 * - C: bench/c/epoll_server.c (short connections) and
 *   bench/c/stream_server.c (streams), when gcc is there.
 *
 * Then the request port (PROTOCOL.md §5, bench/_request_port.ts): the real
 * server's RESP port against a real Redis (Debian's redis-server, started
 * here) and a Deno RESP ceiling (bench/resp_ceiling_server.ts), all driven
 * by redis-benchmark, and one reply of a million numbers timed to its last
 * byte. Without redis-benchmark or redis-server, that part says so in one
 * line and goes on without it.
 *
 * Then signed draws (bench/_signed.ts): `RANDINT 10 1 100 SIGNED` against
 * `RANDINT 10 1 100` on one signing server with a SQLite draw log, where a
 * signed draw's time goes (Ed25519, SHA-256, the fsync of the commit), and
 * `verifyDraw` per second.
 *
 * ```sh
 * deno task bench             # the full run, about 4 minutes
 * deno task bench --quick     # shorter measurements, fewer of them
 * deno task bench --json      # one JSON document on stdout
 * deno task bench --billion   # 10^9 numbers through one stream, RSS watched
 * deno task bench --requests  # only the request port against Redis
 * deno task bench --signed    # only signed draws (sign + SQLite commit)
 * ```
 *
 * Loopback only; every measurement is bounded in time and stops by itself.
 * It runs with --allow-all because Deno grants reads of /proc (memory and
 * CPU of the servers) to nothing less; it also runs subprocesses, which
 * --allow-run would let do anything anyway.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fixed, median, table } from "./_format.ts";
import { buildNative, type NativeBuild, removeBuild } from "./_native.ts";
import {
  benchRequestPort,
  describeRequestPort,
  requestPortRatioLines,
  type RequestPortReport,
} from "./_request_port.ts";
import {
  benchSigned,
  describeSigned,
  signedRatioLines,
  type SignedReport,
} from "./_signed.ts";
import { benchTls, tlsLines, type TlsReport } from "./_tls.ts";
import {
  cpuSeconds,
  machineBusySeconds,
  runCommand,
  sampleMemory,
  type ServerProcess,
  startServer,
} from "./_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MB = 1e6;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    billion: { type: "boolean", default: false },
    requests: { type: "boolean", default: false },
    "no-requests": { type: "boolean", default: false },
    signed: { type: "boolean", default: false },
    "no-signed": { type: "boolean", default: false },
    tls: { type: "boolean", default: false },
    "no-tls": { type: "boolean", default: false },
    seconds: { type: "string" },
    warmup: { type: "string" },
    "deno-loader": { type: "boolean", default: false },
    "no-c": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (flags.help) {
  console.log(
    `Usage: deno task bench [--quick] [--json] [--billion] [--requests]
  --quick         1 s per figure instead of 2.4, fewer scenarios (~70 s with
                  the request port part)
  --json          print one JSON document on stdout (progress goes to stderr)
  --billion       only: stream 10^9 numbers through one connection and check
                  that the server's memory stays flat (<= 100 MB)
  --requests      only: the request port against Redis (redis-benchmark,
                  5 runs of 1 s per figure; --quick 3 of 0.4 s)
  --no-requests   skip the request port part
  --signed        only: signed draws (redis-benchmark -c 8, RANDINT SIGNED
                  against RANDINT on one signing server; sign, hash and
                  SQLite commit timed in-process; verifications/s); with
                  --requests, both parts
  --no-signed     skip the signed draws part
  --tls           only: randport with TLS against itself in plaintext and a
                  Deno.listenTls ceiling (one stream, short connections)
  --no-tls        skip the TLS part
  --seconds S     seconds measured per figure (default 2.4, --quick 1), in
                  rounds that take turns between the servers
  --warmup S      seconds before a server's first round counts (default 0.5)
  --deno-loader   use the Deno load generator even if gcc is available
  --no-c          skip the C reference servers`,
  );
  Deno.exit(0);
}

/** Seconds measured per figure, in ROUNDS rounds. */
const SECONDS = Number(flags.seconds ?? (flags.quick ? 1 : 2.4));
const ROUNDS = flags.quick ? 2 : 3;
/** Seconds before the first round of a server starts counting, and later. */
const WARMUP = Number(flags.warmup ?? (flags.quick ? 0.3 : 0.5));
const ROUND_WARMUP = 0.2;
/** The request port: redis-benchmark runs per figure, seconds per run. */
const REQUEST_ROUNDS = flags.quick ? 3 : 5;
const REQUEST_SECONDS = flags.quick ? 0.4 : 1;
/** Only some parts: --requests and --signed name the ones to run. */
const ONLY = flags.requests || flags.signed || flags.tls;

/** What a server sends. */
interface Payload {
  min: number;
  max: number;
  format: "csv" | "lines";
  stream: boolean;
  count: number;
}

const CLASSIC: Payload = {
  min: 1,
  max: 100,
  format: "csv",
  stream: false,
  count: 10,
};

/** One kind of load. */
interface Scenario {
  id: string;
  title: string;
  kind: "conn" | "stream";
  /** Clients in flight (conn) or parallel streams (stream). */
  clients: number;
  payload: Payload;
}

type Subject =
  | "randport"
  | "nolinger"
  | "workers"
  | "tutorial"
  | "tutlinger"
  | "batched"
  | "ceiling"
  | "unvalidated"
  | "c";

const SUBJECT_NAMES: Record<Subject, string> = {
  randport: "randport",
  nolinger: "randport, no linger",
  workers: "randport, 2 workers",
  tutorial: "tutorial Deno",
  tutlinger: "tutorial Deno, lingering",
  batched: "tutorial, batched",
  ceiling: "I/O ceiling",
  unvalidated: "I/O ceiling, unvalidated",
  c: "C",
};

function streamScenario(
  id: string,
  title: string,
  clients: number,
  payload: Partial<Payload>,
): Scenario {
  return {
    id,
    title,
    kind: "stream",
    clients,
    payload: { ...CLASSIC, stream: true, ...payload },
  };
}

const SCENARIOS: Scenario[] = [
  {
    id: "conn-32",
    title: "short connections",
    kind: "conn",
    clients: 32,
    payload: CLASSIC,
  },
  {
    id: "conn-256",
    title: "short connections",
    kind: "conn",
    clients: 256,
    payload: CLASSIC,
  },
  streamScenario("csv-1", "1..100 csv", 1, {}),
  streamScenario("lines-1", "1..100 lines", 1, { format: "lines" }),
  streamScenario("wide-1", "0..2^53−1 csv", 1, { min: 0, max: MAX_SAFE }),
  streamScenario("csv-8", "1..100 csv", 8, {}),
  streamScenario("lines-8", "1..100 lines", 8, { format: "lines" }),
  streamScenario("wide-8", "0..2^53−1 csv", 8, { min: 0, max: MAX_SAFE }),
];

/** What the loader reports (see bench/c/loader.c). */
interface LoaderResult {
  mode: "conn" | "stream";
  seconds: number;
  connections?: number;
  numbers: number;
  /** Stream mode: every number received, warm-up included. */
  total_numbers?: number;
  bytes: number;
  errors: number;
  invalid: number;
  p50_us?: number;
  p99_us?: number;
  chi2: number;
  bins: number;
  cpu: number;
  wall: number;
  problem: string;
}

/** One measurement: one server, one scenario, one or more loaders. */
interface Row {
  scenario: string;
  subject: Subject;
  server: string;
  kind: "conn" | "stream";
  clients: number;
  loaders: number;
  seconds: number;
  /** Connections per second (conn) or numbers per second (stream). */
  rate: number;
  numbersPerSecond: number;
  megabytesPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Peak RSS of the serving process, bytes (VmHWM, and sampled VmRSS). */
  peakRss: number;
  /** CPU used during the run, in cores (1 = one core fully busy). */
  serverCpu: number;
  loaderCpu: number;
  otherCpu: number;
  errors: number;
  invalid: number;
  uniform: boolean | undefined;
  problem: string;
}

function log(message: string): void {
  // Progress goes to stderr, so that --json output stays clean.
  console.error(message);
}

function payloadArgs(payload: Payload, subject: Subject): string[] {
  const args: string[] = [];
  if (payload.stream) args.push("--stream");
  if (subject !== "c") {
    if (payload.format !== "csv") args.push("--format", payload.format);
    if (payload.min !== 1) args.push("--min", String(payload.min));
    if (payload.max !== 100) args.push("--max", String(payload.max));
    if (!payload.stream && payload.count !== 10) {
      args.push("--count", String(payload.count));
    }
  }
  return args;
}

function serverCommand(
  subject: Subject,
  scenario: Scenario,
  native: NativeBuild,
): { command: string[]; marker: string } | string {
  const deno = Deno.execPath();
  const payload = scenario.payload;
  const args = payloadArgs(payload, subject);
  switch (subject) {
    case "randport":
    case "nolinger":
    case "workers":
      // As users start it: only where to listen, and what to send; the
      // second one closes right after the payload, as the classic server;
      // the third runs two workers on the same port (deno task
      // serve-workers).
      if (subject === "nolinger") args.push("--linger-timeout", "0");
      if (subject === "workers") args.push("--workers", "2");
      return {
        command: [
          deno,
          "run",
          "--allow-net",
          ...(subject === "workers"
            ? [`--allow-read=${ROOT}lib/`, "--unstable-net"]
            : []),
          `${ROOT}server.ts`,
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "--request-port",
          "off",
          ...args,
        ],
        marker: "server.ts",
      };
    case "tutorial":
    case "tutlinger":
    case "batched":
    case "ceiling":
    case "unvalidated": {
      const name = subject === "ceiling" || subject === "unvalidated"
        ? "ceiling"
        : "tutorial";
      const script = `${ROOT}bench/${name}_server.ts`;
      if (subject === "batched") args.push("--batch", "4096");
      if (subject === "tutlinger") args.push("--linger");
      return {
        command: [deno, "run", "--allow-net", script, "--port", "0", ...args],
        marker: `${name}_server.ts`,
      };
    }
    case "c": {
      const program = scenario.kind === "conn"
        ? "epoll_server"
        : "stream_server";
      const path = native.paths[program];
      if (!path) return `${program}: ${native.missing[program]}`;
      const command = scenario.kind === "conn" ? [path, "0"] : [
        path,
        "0",
        String(payload.min),
        String(payload.max),
        payload.format,
      ];
      return { command, marker: path };
    }
  }
}

function loaderCommand(
  native: NativeBuild,
  scenario: Scenario,
  port: number,
  clients: number,
  options: {
    seconds: number;
    warmup: number;
    numbers?: number;
    validate?: boolean;
  },
): string[] {
  const payload = scenario.payload;
  const args = [
    scenario.kind,
    "--port",
    String(port),
    scenario.kind === "conn" ? "--concurrency" : "--streams",
    String(clients),
    "--seconds",
    String(options.seconds),
    "--warmup",
    String(options.warmup),
    "--min",
    String(payload.min),
    "--max",
    String(payload.max),
    "--format",
    payload.format,
    "--count",
    String(payload.count),
  ];
  if (options.numbers) args.push("--numbers", String(options.numbers));
  if (options.validate === false) args.push("--validator", "none");
  if (native.paths.loader && !flags["deno-loader"]) {
    return [native.paths.loader, ...args];
  }
  // All: it reads its own CPU time from /proc, which Deno grants to no less.
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    `${ROOT}bench/deno_loader.ts`,
    ...args,
  ];
}

/**
 * The chi-square value that a uniform sample exceeds with probability
 * 1e-6 (Wilson–Hilferty), for a sanity check of the distribution.
 */
function chiSquareCritical(df: number): number {
  const z = 4.753; // the standard normal's 1 − 1e-6 quantile
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** One run of the loader(s) against one server. */
interface Sample {
  results: LoaderResult[];
  wall: number;
  serverCpu: number;
  busy: number;
}

async function sample(
  server: ServerProcess,
  scenario: Scenario,
  subject: Subject,
  native: NativeBuild,
  options: { loaders: number; seconds: number; warmup: number },
): Promise<Sample> {
  const cpuBefore = cpuSeconds(server.pid);
  const busyBefore = machineBusySeconds();
  const started = performance.now();
  const perLoader = Math.max(1, Math.round(scenario.clients / options.loaders));
  const results = (await Promise.all(
    Array.from(
      { length: options.loaders },
      () =>
        runCommand(
          loaderCommand(native, scenario, server.port, perLoader, {
            seconds: options.seconds,
            warmup: options.warmup,
            validate: subject !== "unvalidated",
          }),
          { timeoutMs: (options.seconds + options.warmup + 30) * 1000 },
        ),
    ),
  )).map((stdout) => JSON.parse(stdout) as LoaderResult);
  const wall = (performance.now() - started) / 1000;
  return {
    results,
    wall,
    serverCpu: cpuSeconds(server.pid) - cpuBefore,
    busy: machineBusySeconds() - busyBefore,
  };
}

/** Sums the samples of one server into a row. */
function rowOf(
  scenario: Scenario,
  subject: Subject,
  loaders: number,
  samples: Sample[],
  peakRss: number,
): Row {
  const results = samples.flatMap((s) => s.results);
  // Loaders of one sample run side by side, samples one after another.
  const seconds = samples.reduce(
    (total, s) => total + Math.max(...s.results.map((r) => r.seconds)),
    0,
  );
  const total = (f: (r: LoaderResult) => number) =>
    results.reduce((sum, r) => sum + f(r), 0);
  const wall = samples.reduce((sum, s) => sum + s.wall, 0);
  const serverCpu = samples.reduce((sum, s) => sum + s.serverCpu, 0) / wall;
  const loaderCpu = total((r) => r.cpu) / wall;
  const busy = samples.reduce((sum, s) => sum + s.busy, 0) / wall;
  const bins = results[0].bins;
  const conn = scenario.kind === "conn";
  const numbersPerSecond = total((r) => r.numbers) / seconds;
  return {
    scenario: scenario.id,
    subject,
    server: SUBJECT_NAMES[subject],
    kind: scenario.kind,
    clients: scenario.clients,
    loaders,
    seconds,
    rate: conn ? total((r) => r.connections!) / seconds : numbersPerSecond,
    numbersPerSecond,
    megabytesPerSecond: total((r) => r.bytes) / seconds / MB,
    p50Ms: conn ? median(results.map((r) => r.p50_us!)) / 1000 : undefined,
    p99Ms: conn ? median(results.map((r) => r.p99_us!)) / 1000 : undefined,
    peakRss,
    serverCpu,
    loaderCpu,
    otherCpu: Math.max(0, busy - serverCpu - loaderCpu),
    errors: total((r) => r.errors),
    invalid: total((r) => r.invalid),
    // The ceiling repeats one buffer: its numbers are not meant to be.
    uniform: bins > 1 && subject !== "ceiling" && subject !== "unvalidated"
      ? results.every((r) => r.chi2 <= chiSquareCritical(bins - 1))
      : undefined,
    problem: results.map((r) => r.problem).filter(Boolean).join("; "),
  };
}

/**
 * Measures one scenario on several servers at once: all are started, then
 * loaded in turn, round after round, so that a change in the machine's
 * background load during the scenario touches every server alike.
 */
async function measureScenario(
  scenario: Scenario,
  subjects: Subject[],
  native: NativeBuild,
  options: { rounds: number; loaders?: number },
): Promise<{ rows: Row[]; skipped: string[] }> {
  const skipped: string[] = [];
  const servers: { subject: Subject; server: ServerProcess }[] = [];
  try {
    for (const subject of subjects) {
      const spec = serverCommand(subject, scenario, native);
      if (typeof spec === "string") {
        skipped.push(spec);
        continue;
      }
      servers.push({
        subject,
        server: await startServer(SUBJECT_NAMES[subject], spec.command, {
          cwd: ROOT,
          marker: spec.marker,
        }),
      });
    }
    const memory = servers.map(({ server }) => sampleMemory(server.pid));
    const samples: Sample[][] = servers.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        // Rotate who goes first, so that no server always follows another.
        const i = (k + round) % servers.length;
        const { subject, server } = servers[i];
        log(
          `${scenario.id}: ${SUBJECT_NAMES[subject]}` +
            (options.loaders ? `, ${options.loaders} loaders` : "") +
            ` (round ${round + 1} of ${options.rounds})`,
        );
        samples[i].push(
          await sample(server, scenario, subject, native, {
            loaders: options.loaders ?? 1,
            seconds: SECONDS / options.rounds,
            // The first round warms the server up; then it is warm.
            warmup: round === 0 ? WARMUP : ROUND_WARMUP,
          }),
        );
      }
    }
    const rows = servers.map(({ subject }, i) =>
      rowOf(
        scenario,
        subject,
        options.loaders ?? 1,
        samples[i],
        memory[i].stop().peak,
      )
    );
    return { rows, skipped };
  } finally {
    for (const { server } of servers) await server.stop();
  }
}

// ---------------------------------------------------------------------------
// Output

function status(row: Row): string {
  if (row.subject === "unvalidated") return "diagnostic: bytes only counted";
  if (row.invalid > 0) return `INVALID: ${row.problem}`;
  if (row.errors > 0) return `errors: ${row.errors} (${row.problem})`;
  if (row.uniform === false) return "chi-square: not uniform?";
  const notes: string[] = [];
  if (row.loaderCpu >= 0.9 * row.loaders && row.kind === "stream") {
    notes.push("loader-bound");
  }
  if (row.otherCpu > 0.2) notes.push(`other load ${fixed(row.otherCpu, 1)}`);
  return notes.join(", ");
}

function connTable(rows: Row[]): string {
  return table(
    [
      "server",
      "clients",
      "conn/s",
      "p50 ms",
      "p99 ms",
      "peak RSS MB",
      "server CPU",
      "loader CPU",
      "note",
    ],
    rows.map((r) => [
      r.server + (r.loaders > 1 ? ` (${r.loaders} loaders)` : ""),
      String(r.clients),
      fixed(r.rate, 0),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(r.peakRss / MB, 0),
      fixed(r.serverCpu, 2),
      fixed(r.loaderCpu, 2),
      status(r),
    ]),
  );
}

function streamTable(rows: Row[]): string {
  return table(
    [
      "payload",
      "server",
      "streams",
      "M numbers/s",
      "MB/s",
      "peak RSS MB",
      "server CPU",
      "loader CPU",
      "note",
    ],
    rows.map((r) => [
      SCENARIOS.find((s) => s.id === r.scenario)!.title,
      r.server + (r.loaders > 1 ? ` (${r.loaders} loaders)` : ""),
      String(r.clients),
      r.subject === "unvalidated" ? "—" : fixed(r.numbersPerSecond / 1e6, 1),
      fixed(r.megabytesPerSecond, 0),
      fixed(r.peakRss / MB, 0),
      fixed(r.serverCpu, 2),
      fixed(r.loaderCpu, 2),
      status(r),
    ]),
  );
}

/** The one-loader measurement of `subject` in scenario `id`, if any. */
function findRow(rows: Row[], id: string, subject: Subject): Row | undefined {
  return rows.find((r) =>
    r.scenario === id && r.subject === subject && r.loaders === 1
  );
}

/** `ours`' figure (randport's unless said) over another server's, per scenario. */
function ratios(
  rows: Row[],
  ours: Subject = "randport",
): Record<string, Partial<Record<Subject, number>>> {
  const out: Record<string, Partial<Record<Subject, number>>> = {};
  for (const scenario of SCENARIOS) {
    const mine = findRow(rows, scenario.id, ours);
    if (!mine) continue;
    const entry: Partial<Record<Subject, number>> = {};
    for (
      const subject of [
        "tutorial",
        "tutlinger",
        "batched",
        "ceiling",
        "unvalidated",
        "c",
      ] as const
    ) {
      const theirs = findRow(rows, scenario.id, subject);
      if (!theirs) continue;
      // Unvalidated, the reader counts bytes only.
      const [a, b] = subject === "unvalidated"
        ? [mine.megabytesPerSecond, theirs.megabytesPerSecond]
        : [mine.rate, theirs.rate];
      if (b > 0) entry[subject] = a / b;
    }
    out[scenario.id] = entry;
  }
  return out;
}

/** A target of the performance issue and whether this run meets it. */
interface Target {
  name: string;
  value: number | undefined;
  goal: string;
  met: boolean | undefined;
  note?: string;
}

function targets(
  rows: Row[],
  ratio: Record<string, Partial<Record<Subject, number>>>,
): Target[] {
  const list: Target[] = [];
  const noLinger = ratios(rows, "nolinger");
  for (const id of ["conn-32", "conn-256"]) {
    const value = ratio[id]?.tutorial;
    list.push({
      name: `${id}: randport / tutorial conn/s`,
      value,
      goal: ">= 1.0x",
      met: value === undefined ? undefined : value >= 1,
    });
    const withoutLinger = noLinger[id]?.tutorial;
    if (withoutLinger !== undefined) {
      list.push({
        name: `${id}: randport --linger-timeout 0 / tutorial conn/s`,
        value: withoutLinger,
        goal: ">= 1.0x",
        met: withoutLinger >= 1,
      });
    }
    const tutorial = findRow(rows, id, "tutorial");
    const lingering = findRow(rows, id, "tutlinger");
    if (tutorial && lingering && tutorial.rate > 0) {
      list.push({
        name: `${id}: tutorial lingering / tutorial conn/s`,
        value: lingering.rate / tutorial.rate,
        goal: "none: reported",
        met: undefined,
        note: "the same linger in the tutorial server: what it costs Deno",
      });
    }
  }
  for (const id of ["conn-32", "conn-256", "csv-8"]) {
    const one = findRow(rows, id, "randport");
    const two = findRow(rows, id, "workers");
    if (one && two && one.rate > 0) {
      list.push({
        name: `${id}: 2 workers / 1 worker`,
        value: two.rate / one.rate,
        goal: "none: reported",
        met: undefined,
        note:
          `${navigator.hardwareConcurrency} cores here, shared with the load generator`,
      });
    }
  }
  const csvTutorial = ratio["csv-1"]?.tutorial;
  list.push({
    name: "1..100 csv stream: randport / tutorial",
    value: csvTutorial,
    goal: ">= 10x",
    met: csvTutorial === undefined ? undefined : csvTutorial >= 10,
  });
  const csvCeiling = ratio["csv-1"]?.ceiling;
  const ceiling = findRow(rows, "csv-1", "ceiling");
  list.push({
    name: "1..100 csv stream: randport / I/O ceiling",
    value: csvCeiling,
    goal: ">= 0.45x",
    met: csvCeiling === undefined ? undefined : csvCeiling >= 0.45,
    note: ceiling && ceiling.loaderCpu >= 0.9
      ? "the ceiling is loader-bound: the validating reader, not the " +
        "server, limits it (see loader CPU)" +
        (ratio["csv-1"]?.unvalidated
          ? `; against the ceiling read without validation randport ` +
            `reaches ${fixed(ratio["csv-1"].unvalidated, 2)}x (bytes/s)`
          : "")
      : undefined,
  });
  const invalid = rows.reduce((n, r) => n + r.invalid, 0);
  list.push({
    name: "payloads validated, none invalid",
    value: invalid,
    goal: "0 invalid",
    met: invalid === 0,
  });
  return list;
}

function describeTargets(list: Target[]): string {
  return list.map((t) => {
    const verdict = t.met === undefined ? "n/a " : t.met ? "MET " : "MISS";
    const value = t.value === undefined
      ? "—"
      : t.goal.endsWith("x") || t.name.includes(" / ")
      ? `${fixed(t.value, 2)}x`
      : String(t.value);
    return `  ${verdict} ${t.name}: ${value} (goal ${t.goal})` +
      (t.note ? `\n       ${t.note}` : "");
  }).join("\n");
}

async function machine(native: NativeBuild) {
  // Deno wants --allow-all to read /proc/cpuinfo itself; cat may.
  const cpuInfo = await runCommand(["cat", "/proc/cpuinfo"]).catch(() => "");
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuInfo)?.[1] ?? "unknown",
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    gcc: native.compiler ?? "none",
    loader: native.paths.loader && !flags["deno-loader"]
      ? "C (bench/c/loader.c)"
      : "Deno (bench/deno_loader.ts)",
  };
}

// ---------------------------------------------------------------------------
// Runs

async function runAll(native: NativeBuild) {
  const rows: Row[] = [];
  const skipped: string[] = [];
  const scenarios = flags.quick
    ? SCENARIOS.filter((s) => !["lines-8", "wide-8"].includes(s.id))
    : SCENARIOS;
  const subjects: Subject[] = ["randport", "tutorial", "ceiling"];
  if (!flags["no-c"]) subjects.push("c");
  for (const scenario of scenarios) {
    // How much batching the tutorial gains, and how much validating costs
    // the reader: once, for the main figure.
    const extra: Subject[] = scenario.id === "csv-1" && !flags.quick
      ? ["batched", "unvalidated"]
      : [];
    // What waiting for the client's close (PROTOCOL.md, step 4) costs,
    // randport and the tutorial server alike.
    const linger: Subject[] = scenario.kind === "conn"
      ? ["nolinger", "tutlinger"]
      : [];
    // One worker against two, where there is load to share.
    const workers: Subject[] = scenario.clients > 1 ? ["workers"] : [];
    const result = await measureScenario(
      scenario,
      [subjects[0], ...linger, ...workers, ...subjects.slice(1), ...extra],
      native,
      {
        rounds: ROUNDS,
      },
    );
    rows.push(...result.rows);
    for (const reason of result.skipped) {
      if (!skipped.includes(reason)) skipped.push(reason);
    }
  }
  // Is the load generator the bottleneck? Split the same clients over two
  // loader processes: if the figure rises, the loader was limiting it.
  if (!flags.quick) {
    for (const id of ["conn-256", "csv-8"]) {
      const scenario = SCENARIOS.find((s) => s.id === id)!;
      const checked: Subject[] = ["randport", "tutorial"];
      if (!flags["no-c"]) checked.push("c");
      const result = await measureScenario(scenario, checked, native, {
        rounds: 1,
        loaders: 2,
      });
      rows.push(...result.rows);
    }
  }
  return { rows, skipped };
}

function loaderChecks(rows: Row[]): string[] {
  const notes: string[] = [];
  for (const two of rows.filter((r) => r.loaders === 2)) {
    const one = findRow(rows, two.scenario, two.subject);
    if (!one) continue;
    const change = two.rate / one.rate - 1;
    const verdict = change > 0.1
      ? "the single loader was limiting this figure"
      : "one loader is not the bottleneck";
    notes.push(
      `${two.scenario} ${two.server}: two loaders ${fixed(two.rate, 0)} vs ` +
        `one ${fixed(one.rate, 0)} (${change >= 0 ? "+" : ""}${
          fixed(change * 100, 0)
        }%): ${verdict}`,
    );
  }
  for (const row of rows) {
    if (row.kind === "stream" && row.loaders === 1 && row.clients === 1) {
      if (row.loaderCpu >= 0.9) {
        notes.push(
          `${row.scenario} ${row.server}: the loader used ${
            fixed(row.loaderCpu * 100, 0)
          }% of a core: loader-bound (raise the figure with a faster reader)`,
        );
      }
    }
  }
  return notes;
}

async function runBillion(native: NativeBuild) {
  const scenario = SCENARIOS.find((s) => s.id === "csv-1")!;
  const spec = serverCommand("randport", scenario, native);
  if (typeof spec === "string") throw new Error(spec);
  const server = await startServer("randport", spec.command, {
    cwd: ROOT,
    marker: spec.marker,
  });
  const samples: { t: number; rss: number }[] = [];
  const started = performance.now();
  const timer = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${server.pid}/status`);
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
      samples.push({ t: (performance.now() - started) / 1000, rss });
    } catch {
      // Exited.
    }
  }, 250);
  try {
    log("streaming 10^9 numbers through one connection...");
    const result = JSON.parse(
      await runCommand(
        loaderCommand(native, scenario, server.port, 1, {
          seconds: 300,
          warmup: 0,
          numbers: 1e9,
        }),
        { timeoutMs: 330_000 },
      ),
    ) as LoaderResult;
    clearInterval(timer);
    const peak = Deno.readTextFileSync(`/proc/${server.pid}/status`);
    const hwm = Number(/^VmHWM:\s+(\d+)/m.exec(peak)?.[1] ?? 0) * 1024;
    const rss = samples.map((s) => s.rss);
    const tenth = rss.slice(0, Math.max(1, Math.floor(rss.length / 10)));
    const lastTenth = rss.slice(-Math.max(1, Math.floor(rss.length / 10)));
    return {
      numbers: result.total_numbers ?? result.numbers,
      seconds: result.seconds,
      numbersPerSecond: result.numbers / result.seconds,
      megabytesPerSecond: result.bytes / result.seconds / MB,
      invalid: result.invalid,
      errors: result.errors,
      problem: result.problem,
      peakRss: Math.max(hwm, ...rss),
      rssFirstTenth: Math.max(...tenth),
      rssLastTenth: Math.max(...lastTenth),
      samples: samples.filter((_, i) => i % 4 === 0),
    };
  } finally {
    clearInterval(timer);
    await server.stop();
  }
}

// The request port part alone needs none of the C programs.
const native: NativeBuild = ONLY
  ? { paths: {}, missing: {}, compiler: undefined, dir: undefined }
  : await buildNative();
try {
  const info = await machine(native);
  log(
    `randport benchmark: ${info.cpus} CPUs (${info.cpuModel}), Linux ${info.kernel}, ` +
      `deno ${info.deno}, gcc ${info.gcc}; loader: ${info.loader}`,
  );
  if (flags.billion) {
    const billion = await runBillion(native);
    const met = billion.invalid === 0 && billion.errors === 0 &&
      billion.numbers >= 1e9 && billion.peakRss <= 100 * MB;
    if (flags.json) {
      console.log(JSON.stringify({ machine: info, billion, met }, null, 2));
    } else {
      console.log(
        [
          `10^9 numbers (1..100 csv) through one stream: ${
            fixed(billion.numbers / 1e9, 3)
          } billion in ${fixed(billion.seconds, 1)} s, ` +
          `${fixed(billion.numbersPerSecond / 1e6, 1)} M numbers/s, ${
            fixed(billion.megabytesPerSecond, 0)
          } MB/s`,
          `server RSS: peak ${fixed(billion.peakRss / MB, 1)} MB; ` +
          `largest in the first tenth ${
            fixed(billion.rssFirstTenth / MB, 1)
          } MB, in the last tenth ${fixed(billion.rssLastTenth / MB, 1)} MB`,
          `${met ? "MET " : "MISS"} flat memory: peak RSS <= 100 MB, all ` +
          `10^9 numbers received and valid${
            billion.problem ? ` (${billion.problem})` : ""
          }`,
        ].join("\n"),
      );
    }
    Deno.exitCode = met ? 0 : 1;
  } else {
    const pushPort = !ONLY;
    const { rows, skipped } = pushPort
      ? await runAll(native)
      : { rows: [], skipped: [] };
    // The request port (PROTOCOL.md §5) against Redis, after the push port.
    const requests: RequestPortReport | undefined =
      flags["no-requests"] || (ONLY && !flags.requests)
        ? undefined
        : await benchRequestPort({
          root: ROOT,
          rounds: REQUEST_ROUNDS,
          seconds: REQUEST_SECONDS,
          bigReplies: REQUEST_ROUNDS + 2,
          log,
        });
    // Signed draws (PROTOCOL.md §6): sign + durable commit, verification.
    const signed: SignedReport | undefined =
      flags["no-signed"] || (ONLY && !flags.signed)
        ? undefined
        : await benchSigned({
          root: ROOT,
          rounds: REQUEST_ROUNDS,
          seconds: REQUEST_SECONDS,
          records: flags.quick ? 1000 : 2000,
          pieceSeconds: flags.quick ? 1 : 3,
          log,
        });
    // TLS (README, TLS): what node:tls over Deno.listen costs.
    const tls: TlsReport | undefined = flags["no-tls"] || (ONLY && !flags.tls)
      ? undefined
      : await benchTls({
        root: ROOT,
        rounds: REQUEST_ROUNDS,
        seconds: REQUEST_SECONDS,
        log,
      });
    const ratio = ratios(rows);
    const goals = [
      ...(pushPort ? targets(rows, ratio) : []),
      ...(requests?.targets ?? []),
    ];
    const checks = loaderChecks(rows);
    if (flags.json) {
      console.log(JSON.stringify(
        {
          machine: info,
          config: {
            seconds: SECONDS,
            rounds: ROUNDS,
            warmup: WARMUP,
            quick: flags.quick,
          },
          rows,
          ratios: ratio,
          requestPort: requests,
          signed,
          tls,
          targets: goals,
          loaderChecks: checks,
          skipped,
        },
        null,
        2,
      ));
    } else {
      const conn = rows.filter((r) => r.kind === "conn");
      const streams = rows.filter((r) => r.kind === "stream");
      const ratioLines = Object.entries(ratio).map(([id, r]) =>
        `  ${id.padEnd(9)} vs tutorial ${fixed(r.tutorial, 2)}x, ` +
        (r.tutlinger
          ? `vs tutorial lingering ${fixed(r.tutlinger, 2)}x, `
          : "") +
        (r.batched ? `vs tutorial batched ${fixed(r.batched, 2)}x, ` : "") +
        `vs I/O ceiling ${fixed(r.ceiling, 2)}x, ` +
        (r.unvalidated
          ? `vs the ceiling unvalidated ${fixed(r.unvalidated, 2)}x (bytes), `
          : "") +
        `vs C ${fixed(r.c, 2)}x`
      );
      if (requests) ratioLines.push(...requestPortRatioLines(requests));
      if (signed) ratioLines.push(...signedRatioLines(signed));
      if (tls) ratioLines.push(...tlsLines(tls));
      console.log(
        [
          `randport benchmark: ${info.cpus} CPUs (${info.cpuModel}), ` +
          `Linux ${info.kernel}, deno ${info.deno}` +
          (pushPort
            ? `; loader: ${info.loader}; ${SECONDS} s per figure in ` +
              `${ROUNDS} rounds taking turns, after ${WARMUP} s warm-up`
            : ""),
          ...(pushPort
            ? [
              "",
              "Short connections: 10 numbers in 1..100, csv; latency from " +
              "connect to end of payload; C = hand-written epoll server",
              connTable(conn),
              "",
              "Streams: aggregate over all connections; C = straightforward " +
              "thread-per-client server (digit loop, buffered getrandom)",
              streamTable(streams),
            ]
            : []),
          ...(requests ? ["", describeRequestPort(requests)] : []),
          ...(signed ? ["", describeSigned(signed)] : []),
          ...(ratioLines.length
            ? ["", "randport relative to the references (same run):"]
            : []),
          ...ratioLines,
          ...(goals.length ? ["", "Targets:", describeTargets(goals)] : []),
          ...(checks.length ? ["", "Load generator checks:", ...checks] : []),
          ...(skipped.length ? ["", "Skipped:", ...skipped] : []),
        ].join("\n"),
      );
    }
    Deno.exitCode = rows.some((r) =>
        r.invalid > 0
      ) || (requests?.invalid ?? 0) > 0 || (signed?.invalid ?? 0) > 0
      ? 1
      : 0;
  }
} finally {
  await removeBuild(native);
}
