/**
 * The request port's part of `deno task bench` (PROTOCOL.md §5): randport's
 * RESP port against a real Redis, in the same run, driven by the same
 * `redis-benchmark`.
 *
 * - Small requests: `redis-benchmark -c 32` (without and with `-P 16`)
 *   sends randport `RANDINT 10 1 100` and Redis `SRANDMEMBER numbers -10`
 *   on the set 1..100 (Redis's own draw of 10 numbers in 1..100, with
 *   repetition), and both `PING` (redis-benchmark's PING_MBULK: a RESP
 *   array, as client libraries send it). Runs take turns between the
 *   subjects, round after round; each figure is the median of its runs.
 *   The server's CPU per request comes from /proc/PID/stat.
 * - One big reply: `RANDINT 1000000 1 100` (an array of integers, and the
 *   same as one csv bulk string) and Redis `SRANDMEMBER numbers -1000000`
 *   (an array of bulk strings; Redis does not cap the count), timed from
 *   the request's write to the reply's last byte by a raw socket client
 *   here (a `PING` follows the request; its `+PONG` marks the end), which
 *   checks every number afterwards. Also taking turns; medians.
 * - A third subject, the Deno RESP ceiling (bench/resp_ceiling_server.ts),
 *   answers every request with a constant `RANDINT 10`-shaped reply through
 *   the same I/O pattern: what the runtime allows, for scale.
 *
 * Redis is Debian's `redis-server` (one thread serves every command),
 * started here on a free loopback port without persistence. Where it or
 * `redis-benchmark` is missing, the part that needs it is skipped with one
 * line saying so. The machine's two cores are shared: redis-benchmark is
 * single-threaded and takes about one, the server the other.
 *
 * @module
 */

import { fixed, median, table } from "./_format.ts";
import {
  cpuSeconds,
  machineBusySeconds,
  runCommand,
  type ServerProcess,
  startServer,
} from "./_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MB = 1e6;
const CR = 0x0d;
const LF = 0x0a;

/** The set Redis draws from. */
const SET_KEY = "numbers";
const BIG = 1_000_000;

/** How the request port part runs. */
export interface RequestPortOptions {
  /** The repository's root (where server.ts is). */
  root: string;
  /** redis-benchmark runs per figure (after one warm-up run). */
  rounds: number;
  /** Seconds one redis-benchmark run should take (its -n is sized to it). */
  seconds: number;
  /** Timed big replies per subject (after one warm-up). */
  bigReplies: number;
  /** Progress, to stderr. */
  log(message: string): void;
}

type Server = "randport" | "redis" | "ceiling";

/** One redis-benchmark workload. */
interface Workload {
  id: string;
  server: Server;
  /** What is asked, for the report. */
  label: string;
  /** redis-benchmark's arguments after the connection ones. */
  args: string[];
  pipeline: number;
}

/** One redis-benchmark run, as it and /proc report it. */
interface Run {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  wall: number;
  serverCpu: number;
  /** redis-benchmark's CPU seconds (NaN without bash and timeout). */
  clientCpu: number;
  busy: number;
}

/** A workload's figures over its runs. */
export interface WorkloadRow {
  id: string;
  server: Server;
  label: string;
  pipeline: number;
  runs: number;
  /** Median requests per second of the runs. */
  rps: number;
  /** Every run's requests per second, in order. */
  rpsRuns: number[];
  p50Ms: number;
  p99Ms: number;
  /** Server CPU seconds per request, over all runs. */
  cpuPerRequest: number;
  /** Server CPU in cores (1 = one core busy) while it was loaded. */
  serverCpu: number;
  /** redis-benchmark's CPU, in cores. */
  clientCpu: number;
  /** The rest of the machine (other processes), in cores. */
  otherCpu: number;
  problem: string;
}

/** One big reply's figures. */
export interface BigReplyRow {
  id: string;
  server: Server;
  label: string;
  /** Bytes of one reply. */
  bytes: number;
  numbers: number;
  /** Median milliseconds from the request's write to the last byte. */
  ms: number;
  msRuns: number[];
  numbersPerSecond: number;
  megabytesPerSecond: number;
  /** Server CPU milliseconds per reply (10 ms ticks, averaged). */
  serverCpuMs: number;
  invalid: number;
  problem: string;
}

/** A target of the request port issue (the shape of bench.ts' targets). */
export interface RequestTarget {
  name: string;
  value: number | undefined;
  goal: string;
  met: boolean | undefined;
  note?: string;
}

/** What the request port part found. */
export interface RequestPortReport {
  redisBenchmark: string | undefined;
  redisServer: string | undefined;
  /** One line per part skipped, saying why. */
  skipped: string[];
  config: { clients: number; rounds: number; seconds: number; big: number };
  workloads: WorkloadRow[];
  big: BigReplyRow[];
  ratios: Record<string, number>;
  targets: RequestTarget[];
  /** Replies checked by this client that were wrong (0 expected). */
  invalid: number;
  /** Seconds the whole part took. */
  elapsed: number;
}

// ---------------------------------------------------------------------------
// RESP over a raw socket

function command(args: string[]): Uint8Array {
  let text = `*${args.length}\r\n`;
  for (const arg of args) {
    text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
  }
  return encoder.encode(text);
}

/** A reply read to its end: its bytes, and when its last byte came. */
interface Received {
  bytes: Uint8Array;
  /** Milliseconds from the request's write to the last byte. */
  ms: number;
}

/** The reply to the PING sent after each request: it marks the reply's end. */
const PONG = encoder.encode("+PONG\r\n");

/**
 * Sends one request, then a `PING`, and reads until the `+PONG` that
 * answers the PING: then the reply before it is complete (replies come in
 * order, and none of the replies here can end in `+PONG`). That is the least
 * a client can do to know a reply of a million elements is complete: a check
 * of the last bytes of each read, not a parse. The reply is read into one
 * buffer without copies; its numbers are checked afterwards, outside the
 * timing.
 */
async function exchange(
  port: number,
  args: string[],
  timeoutMs = 30_000,
): Promise<Received> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    conn.setNoDelay(true);
    const request = new Uint8Array([...command(args), ...command(["PING"])]);
    let buffer = new Uint8Array(1 << 20);
    let length = 0;
    const started = performance.now();
    let written = 0;
    while (written < request.length) {
      written += await conn.write(request.subarray(written));
    }
    const ended = () => {
      if (length < PONG.length) return false;
      for (let i = 1; i <= PONG.length; i++) {
        if (buffer[length - i] !== PONG[PONG.length - i]) return false;
      }
      return true;
    };
    do {
      if (length === buffer.length) {
        const larger = new Uint8Array(buffer.length * 4);
        larger.set(buffer);
        buffer = larger;
      }
      const n = await conn.read(buffer.subarray(length));
      if (n === null) {
        throw new Error(`connection closed after ${length} bytes`);
      }
      length += n;
    } while (!ended());
    const ms = performance.now() - started;
    return { bytes: buffer.subarray(0, length - PONG.length), ms };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

/** Reads a decimal integer ending in CRLF at `at`; [value, next index]. */
function integerAt(bytes: Uint8Array, at: number): [number, number] {
  let negative = false;
  if (bytes[at] === 0x2d) {
    negative = true;
    at++;
  }
  const start = at;
  let value = 0;
  while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) {
    value = value * 10 + bytes[at] - 0x30;
    at++;
  }
  if (at === start || bytes[at] !== CR || bytes[at + 1] !== LF) {
    throw new Error(`expected an integer and CRLF at byte ${start}`);
  }
  return [negative ? -value : value, at + 2];
}

/** The reply's first line, for error messages. */
function firstLine(bytes: Uint8Array): string {
  const end = bytes.indexOf(CR);
  return decoder.decode(bytes.subarray(0, end < 0 ? 80 : Math.min(end, 80)));
}

/**
 * Checks a reply holding `count` numbers in min..max: an array of RESP
 * integers (`:7`), an array of bulk strings (`$1 7`), or with `csv` one bulk
 * string `7,42,...`. Throws what is wrong.
 */
function checkNumbers(
  bytes: Uint8Array,
  count: number,
  min: number,
  max: number,
  csv = false,
): void {
  const inRange = (value: number) => {
    if (!(value >= min && value <= max)) {
      throw new Error(`number ${value} outside ${min}..${max}`);
    }
  };
  if (csv) {
    if (bytes[0] !== 0x24) {
      throw new Error(`not a bulk string: ${firstLine(bytes)}`);
    }
    const [length, start] = integerAt(bytes, 1);
    if (start + length + 2 !== bytes.length) {
      throw new Error(`bulk of ${length} bytes in a reply of ${bytes.length}`);
    }
    const text = decoder.decode(bytes.subarray(start, start + length));
    const values = text.split(",");
    if (values.length !== count) {
      throw new Error(`${values.length} numbers, expected ${count}`);
    }
    for (const value of values) {
      if (!/^(0|-?[1-9][0-9]*)$/.test(value)) {
        throw new Error(`not a number: '${value.slice(0, 20)}'`);
      }
      inRange(Number(value));
    }
    return;
  }
  if (bytes[0] !== 0x2a) throw new Error(`not an array: ${firstLine(bytes)}`);
  let [n, at] = integerAt(bytes, 1);
  if (n !== count) throw new Error(`${n} elements, expected ${count}`);
  for (let i = 0; i < n; i++) {
    const type = bytes[at];
    let value: number;
    if (type === 0x3a) {
      [value, at] = integerAt(bytes, at + 1);
    } else if (type === 0x24) {
      let length: number;
      [length, at] = integerAt(bytes, at + 1);
      const end = at + length;
      [value, at] = integerAt(bytes, at);
      if (at !== end + 2) {
        throw new Error(`bulk of ${length} bytes is no number`);
      }
    } else {
      throw new Error(`element ${i}: unexpected type byte ${type}`);
    }
    inRange(value);
  }
  if (at !== bytes.length) {
    throw new Error(`${bytes.length - at} bytes too many`);
  }
}

// ---------------------------------------------------------------------------
// Servers

async function version(program: string): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return output.success
      ? decoder.decode(output.stdout).trim().split("\n")[0]
      : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts Debian's redis-server on a free loopback port, without persistence
 * (no RDB, no AOF, in a temporary directory), fills the set 1..100 and
 * waits until it answers.
 */
async function startRedis(): Promise<ServerProcess> {
  const dir = await Deno.makeTempDir({ prefix: "randport-bench-redis-" });
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--loglevel",
      "warning",
    ],
    cwd: dir,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Gone already.
      }
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Gone already.
        }
      }, 3000);
      await child.status;
      clearTimeout(killer);
      await stderr;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
    return stopped;
  };
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      const pong = await exchange(port, ["PING"], 2000);
      if (firstLine(pong.bytes) === "+PONG") break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const members = Array.from({ length: 100 }, (_, i) => String(i + 1));
  const added = await exchange(port, ["SADD", SET_KEY, ...members]);
  if (firstLine(added.bytes) !== ":100") {
    await stop();
    throw new Error(`SADD replied ${firstLine(added.bytes)}`);
  }
  return {
    name: "Redis",
    port,
    line: "",
    pid: child.pid,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function startRandport(root: string): Promise<ServerProcess> {
  const server = await startServer("randport", [
    Deno.execPath(),
    "run",
    "--allow-net",
    `${root}server.ts`,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--request-port",
    "0",
  ], { cwd: root, marker: "server.ts" });
  const match = /requests on \S+:(\d+)/.exec(server.line);
  if (!match) {
    await server.stop();
    throw new Error(`randport printed no request port: ${server.line}`);
  }
  // The same process; what the benchmark talks to is the request port.
  return { ...server, name: "randport", port: Number(match[1]) };
}

// ---------------------------------------------------------------------------
// Measurements

function workloads(hasRedis: boolean): Workload[] {
  const list: Workload[] = [];
  for (const pipeline of [1, 16]) {
    const p = pipeline > 1 ? `-P${pipeline}` : "";
    list.push({
      id: `randint${p}`,
      server: "randport",
      label: "RANDINT 10 1 100",
      args: ["RANDINT", "10", "1", "100"],
      pipeline,
    });
    if (hasRedis) {
      list.push({
        id: `srandmember${p}`,
        server: "redis",
        label: `SRANDMEMBER ${SET_KEY} -10`,
        args: ["SRANDMEMBER", SET_KEY, "-10"],
        pipeline,
      });
    }
    list.push({
      id: `ceiling${p}`,
      server: "ceiling",
      label: "RANDINT 10 1 100",
      args: ["RANDINT", "10", "1", "100"],
      pipeline,
    });
    list.push({
      id: `ping-randport${p}`,
      server: "randport",
      label: "PING (PING_MBULK)",
      args: ["-t", "ping_mbulk"],
      pipeline,
    });
    if (hasRedis) {
      list.push({
        id: `ping-redis${p}`,
        server: "redis",
        label: "PING (PING_MBULK)",
        args: ["-t", "ping_mbulk"],
        pipeline,
      });
    }
  }
  return list;
}

const CLIENTS = 32;

/**
 * redis-benchmark under bash, so that bash's `times` reports its CPU (it is
 * the shell's only child), and under coreutils' `timeout`, so that a run
 * that hangs (redis-benchmark waits forever for a server that does not
 * answer) is killed with its process, not only the shell in front of it.
 */
const WRAPPER = 'timeout -k 2 "$0" "$@"; status=$?; times; exit $status';

/** Whether bash and timeout are there to measure the client's CPU. */
let wrapped: boolean | undefined;

async function canWrap(): Promise<boolean> {
  if (wrapped === undefined) {
    try {
      await runCommand(["bash", "-c", WRAPPER, "5", "bash", "-c", ":"]);
      wrapped = true;
    } catch {
      wrapped = false;
    }
  }
  return wrapped;
}

/** Seconds from bash's `0m1.234s`. */
function shellSeconds(text: string): number {
  const match = /(\d+)m([\d.]+)s/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
}

async function benchmarkRun(
  workload: Workload,
  server: ServerProcess,
  requests: number,
  seconds: number,
): Promise<Run> {
  const command = [
    "redis-benchmark",
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-c",
    String(CLIENTS),
    "-n",
    String(requests),
    "-P",
    String(workload.pipeline),
    "--csv",
    ...workload.args,
  ];
  // Runs are sized to `seconds`; ten times that is a server in trouble.
  const limit = Math.ceil(15 + 10 * seconds);
  const wrap = await canWrap();
  const cpuBefore = cpuSeconds(server.pid);
  const busyBefore = machineBusySeconds();
  const started = performance.now();
  const stdout = await runCommand(
    wrap ? ["bash", "-c", WRAPPER, String(limit), ...command] : command,
    { timeoutMs: (limit + 5) * 1000 },
  );
  const wall = (performance.now() - started) / 1000;
  const serverCpu = cpuSeconds(server.pid) - cpuBefore;
  const busy = machineBusySeconds() - busyBefore;
  const lines = stdout.trim().split("\n");
  // `times`: the shell's user and system time, then its children's.
  const clientCpu = wrap
    ? shellSeconds(lines.at(-1) ?? "") +
      shellSeconds((lines.at(-1) ?? "").split(" ")[1] ?? "")
    : NaN;
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",
  // "p95_latency_ms","p99_latency_ms","max_latency_ms", then one line.
  const line =
    lines.findLast((l) => l.startsWith('"') && !l.startsWith('"test"')) ??
      "";
  const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const rps = Number(fields[1]);
  if (!(rps > 0)) throw new Error(`redis-benchmark printed ${stdout.trim()}`);
  return {
    requests,
    rps,
    p50Ms: Number(fields[4]),
    p99Ms: Number(fields[6]),
    wall,
    serverCpu,
    clientCpu,
    busy,
  };
}

/** One reply of each small workload, checked before the runs. */
async function checkSmall(
  servers: Record<Server, ServerProcess | undefined>,
): Promise<string[]> {
  const problems: string[] = [];
  const check = async (
    server: ServerProcess | undefined,
    args: string[],
    verify: (bytes: Uint8Array) => void,
  ) => {
    if (!server) return;
    try {
      verify((await exchange(server.port, args)).bytes);
    } catch (error) {
      problems.push(`${server.name} ${args.join(" ")}: ${error}`);
    }
  };
  const pong = (bytes: Uint8Array) => {
    if (firstLine(bytes) !== "+PONG") throw new Error(firstLine(bytes));
  };
  await check(
    servers.randport,
    ["RANDINT", "10", "1", "100"],
    (b) => checkNumbers(b, 10, 1, 100),
  );
  await check(
    servers.redis,
    ["SRANDMEMBER", SET_KEY, "-10"],
    (b) => checkNumbers(b, 10, 1, 100),
  );
  await check(servers.randport, ["PING"], pong);
  await check(servers.redis, ["PING"], pong);
  return problems;
}

async function measureWorkloads(
  list: Workload[],
  servers: Record<Server, ServerProcess | undefined>,
  options: RequestPortOptions,
): Promise<WorkloadRow[]> {
  const runs: Run[][] = list.map(() => []);
  const problems: string[] = list.map(() => "");
  // Requests per run, sized from the previous run to take `seconds`; the
  // first, uncounted, run warms the server up (and its JIT compiler).
  const sizes: number[] = list.map((w) => w.pipeline > 1 ? 50_000 : 10_000);
  for (let round = 0; round <= options.rounds; round++) {
    for (let k = 0; k < list.length; k++) {
      // Rotate who goes first, so that no subject always follows another.
      const i = (k + round) % list.length;
      const workload = list[i];
      if (problems[i]) continue;
      options.log(
        `requests: ${workload.server} ${workload.label}, -P ${workload.pipeline} ` +
          (round === 0 ? "(warm-up)" : `(round ${round} of ${options.rounds})`),
      );
      try {
        const run = await benchmarkRun(
          workload,
          servers[workload.server]!,
          sizes[i],
          options.seconds,
        );
        if (round > 0) runs[i].push(run);
        sizes[i] = Math.max(
          1000,
          Math.round(run.rps * options.seconds / 1000) * 1000,
        );
      } catch (error) {
        problems[i] = String(error).split("\n")[0];
      }
    }
  }
  return list.map((workload, i) => {
    const mine = runs[i];
    const total = (f: (r: Run) => number) =>
      mine.reduce((sum, r) => sum + f(r), 0);
    const wall = total((r) => r.wall);
    const serverCpu = total((r) => r.serverCpu);
    return {
      id: workload.id,
      server: workload.server,
      label: workload.label,
      pipeline: workload.pipeline,
      runs: mine.length,
      rps: mine.length ? median(mine.map((r) => r.rps)) : NaN,
      rpsRuns: mine.map((r) => r.rps),
      p50Ms: mine.length ? median(mine.map((r) => r.p50Ms)) : NaN,
      p99Ms: mine.length ? median(mine.map((r) => r.p99Ms)) : NaN,
      cpuPerRequest: serverCpu / total((r) => r.requests),
      serverCpu: serverCpu / wall,
      clientCpu: total((r) => r.clientCpu) / wall,
      otherCpu: Math.max(
        0,
        total((r) => r.busy) - serverCpu -
          (wrapped ? total((r) => r.clientCpu) : 0),
      ) / wall,
      problem: problems[i],
    };
  });
}

/** One big reply to measure. */
interface BigReply {
  id: string;
  server: Server;
  args: string[];
  csv: boolean;
}

function bigReplies(hasRedis: boolean): BigReply[] {
  const list: BigReply[] = [{
    id: "randint-1m",
    server: "randport",
    args: ["RANDINT", String(BIG), "1", "100"],
    csv: false,
  }];
  if (hasRedis) {
    list.push({
      id: "srandmember-1m",
      server: "redis",
      args: ["SRANDMEMBER", SET_KEY, String(-BIG)],
      csv: false,
    });
  }
  list.push({
    id: "randint-1m-csv",
    server: "randport",
    args: ["RANDINT", String(BIG), "1", "100", "FORMAT", "csv"],
    csv: true,
  });
  return list;
}

async function measureBig(
  list: BigReply[],
  servers: Record<Server, ServerProcess | undefined>,
  options: RequestPortOptions,
): Promise<BigReplyRow[]> {
  const times: number[][] = list.map(() => []);
  const cpu = list.map(() => 0);
  const sizes = list.map(() => 0);
  const invalid = list.map(() => 0);
  const problems: string[] = list.map(() => "");
  for (let round = 0; round <= options.bigReplies; round++) {
    for (let k = 0; k < list.length; k++) {
      const i = (k + round) % list.length;
      const reply = list[i];
      // A reply that failed (not one that was merely wrong) is not retried.
      if (problems[i] && !invalid[i]) continue;
      const server = servers[reply.server]!;
      try {
        const before = cpuSeconds(server.pid);
        const received = await exchange(server.port, reply.args);
        const used = cpuSeconds(server.pid) - before;
        try {
          checkNumbers(received.bytes, BIG, 1, 100, reply.csv);
        } catch (error) {
          invalid[i]++;
          problems[i] ||= String(error);
        }
        // The first round warms up and is not counted.
        if (round > 0) {
          times[i].push(received.ms);
          cpu[i] += used;
        }
        sizes[i] = received.bytes.length;
      } catch (error) {
        problems[i] = String(error);
      }
    }
  }
  return list.map((reply, i) => {
    const ms = times[i].length ? median(times[i]) : NaN;
    return {
      id: reply.id,
      server: reply.server,
      label: reply.args.join(" "),
      bytes: sizes[i],
      numbers: BIG,
      ms,
      msRuns: times[i],
      numbersPerSecond: BIG / (ms / 1000),
      megabytesPerSecond: sizes[i] / MB / (ms / 1000),
      serverCpuMs: cpu[i] * 1000 / Math.max(1, times[i].length),
      invalid: invalid[i],
      problem: problems[i],
    };
  });
}

function ratio(a: number | undefined, b: number | undefined) {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** Runs the request port part: both servers, both measurements. */
export async function benchRequestPort(
  options: RequestPortOptions,
): Promise<RequestPortReport> {
  const [redisBenchmark, redisServer] = await Promise.all([
    version("redis-benchmark"),
    version("redis-server"),
  ]);
  const skipped: string[] = [];
  if (!redisBenchmark) {
    skipped.push(
      "redis-benchmark not found (Debian: apt-get install redis-tools): " +
        "request rates skipped",
    );
  }
  if (!redisServer) {
    skipped.push(
      "redis-server not found (Debian: apt-get install redis-server): " +
        "no Redis reference, no ratios",
    );
  }
  const servers: Record<Server, ServerProcess | undefined> = {
    randport: undefined,
    redis: undefined,
    ceiling: undefined,
  };
  const report: RequestPortReport = {
    redisBenchmark,
    redisServer,
    skipped,
    config: {
      clients: CLIENTS,
      rounds: options.rounds,
      seconds: options.seconds,
      big: options.bigReplies,
    },
    workloads: [],
    big: [],
    ratios: {},
    targets: [],
    invalid: 0,
    elapsed: 0,
  };
  const started = performance.now();
  try {
    servers.randport = await startRandport(options.root);
    servers.ceiling = await startServer("Deno RESP ceiling", [
      Deno.execPath(),
      "run",
      "--allow-net",
      `${options.root}bench/resp_ceiling_server.ts`,
      "--port",
      "0",
    ], { cwd: options.root, marker: "resp_ceiling_server.ts" });
    if (redisServer) {
      try {
        servers.redis = await startRedis();
      } catch (error) {
        skipped.push(
          `redis-server did not start (${error}): no Redis reference`,
        );
      }
    }
    const hasRedis = servers.redis !== undefined;
    const problems = await checkSmall(servers);
    report.invalid += problems.length;
    skipped.push(...problems.map((p) => `INVALID reply: ${p}`));
    if (redisBenchmark) {
      report.workloads = await measureWorkloads(
        workloads(hasRedis),
        servers,
        options,
      );
    }
    report.big = await measureBig(bigReplies(hasRedis), servers, options);
    report.invalid += report.big.reduce((n, r) => n + r.invalid, 0);
  } finally {
    for (const server of Object.values(servers)) await server?.stop();
  }
  report.elapsed = (performance.now() - started) / 1000;
  const rps = (id: string) =>
    report.workloads.find((w) => w.id === id && w.runs > 0)?.rps;
  const cpu = (id: string) =>
    report.workloads.find((w) => w.id === id && w.runs > 0)?.cpuPerRequest;
  const big = (id: string) =>
    report.big.find((b) => b.id === id && b.msRuns.length > 0);
  const entries: [string, number | undefined][] = [
    ["randint/srandmember", ratio(rps("randint"), rps("srandmember"))],
    [
      "randint/srandmember -P16",
      ratio(rps("randint-P16"), rps("srandmember-P16")),
    ],
    ["cpu randint/srandmember", ratio(cpu("randint"), cpu("srandmember"))],
    [
      "cpu randint/srandmember -P16",
      ratio(cpu("randint-P16"), cpu("srandmember-P16")),
    ],
    ["randint/ceiling", ratio(rps("randint"), rps("ceiling"))],
    ["randint/ceiling -P16", ratio(rps("randint-P16"), rps("ceiling-P16"))],
    ["ceiling/srandmember", ratio(rps("ceiling"), rps("srandmember"))],
    [
      "ceiling/srandmember -P16",
      ratio(rps("ceiling-P16"), rps("srandmember-P16")),
    ],
    ["ping", ratio(rps("ping-randport"), rps("ping-redis"))],
    ["ping -P16", ratio(rps("ping-randport-P16"), rps("ping-redis-P16"))],
    [
      "big array numbers/s",
      ratio(
        big("randint-1m")?.numbersPerSecond,
        big("srandmember-1m")?.numbersPerSecond,
      ),
    ],
    [
      "big csv numbers/s",
      ratio(
        big("randint-1m-csv")?.numbersPerSecond,
        big("srandmember-1m")?.numbersPerSecond,
      ),
    ],
  ];
  for (const [key, value] of entries) {
    if (value !== undefined) report.ratios[key] = value;
  }
  if (redisBenchmark && servers.redis) {
    for (
      const [key, pipelining, goal] of [
        ["randint/srandmember", "without pipelining", 0.8],
        ["randint/srandmember -P16", "with -P 16", 0.5],
      ] as const
    ) {
      const value = report.ratios[key];
      report.targets.push({
        name: `request port: RANDINT 10 1 100 / Redis SRANDMEMBER -10 ` +
          `requests/s, ${pipelining}`,
        value,
        goal: `>= ${goal}x`,
        met: value === undefined ? undefined : value >= goal,
      });
    }
  }
  report.targets.push({
    name: "request port replies checked, none invalid",
    value: report.invalid,
    goal: "0 invalid",
    met: report.invalid === 0,
  });
  return report;
}

// ---------------------------------------------------------------------------
// Report

const SERVER_NAMES: Record<Server, string> = {
  randport: "randport",
  redis: "Redis",
  ceiling: "Deno RESP ceiling",
};

/** The part's text: its tables and the lines it skipped. */
export function describeRequestPort(report: RequestPortReport): string {
  const out: string[] = [];
  const server = (s: Server) => SERVER_NAMES[s];
  if (report.workloads.length) {
    const c = report.config;
    out.push(
      `Request port (RESP; this part took ${fixed(report.elapsed, 0)} s): ` +
        `${report.redisBenchmark}, ${c.clients} clients, ` +
        `about ${c.seconds} s per run, median of ${c.rounds} runs taking ` +
        `turns after a warm-up run; ` +
        (report.redisServer
          ? `Redis ${
            /v=(\S+)/.exec(report.redisServer)?.[1] ?? ""
          } (redis-server, no persistence)`
          : "no Redis"),
      table(
        [
          "request",
          "server",
          "pipeline",
          "requests/s",
          "p50 ms",
          "p99 ms",
          "server CPU",
          "µs CPU/request",
          "client CPU",
          "note",
        ],
        report.workloads.map((w) => [
          w.label,
          server(w.server),
          String(w.pipeline),
          fixed(w.rps, 0),
          fixed(w.p50Ms, 3),
          fixed(w.p99Ms, 3),
          fixed(w.serverCpu, 2),
          fixed(w.cpuPerRequest * 1e6, 2),
          fixed(w.clientCpu, 2),
          w.problem ||
          (w.otherCpu > 0.2 ? `other load ${fixed(w.otherCpu, 1)}` : ""),
        ]),
        3,
      ),
      "",
    );
  }
  if (report.big.length) {
    out.push(
      `One big reply, from the request's write to its last byte (one ` +
        `connection each, median of ${report.config.big} taking turns ` +
        `after a warm-up; every number checked afterwards)`,
      table(
        [
          "request",
          "server",
          "reply MB",
          "ms",
          "M numbers/s",
          "MB/s",
          "server CPU ms",
          "note",
        ],
        report.big.map((b) => [
          b.label,
          server(b.server),
          fixed(b.bytes / MB, 2),
          fixed(b.ms, 1),
          fixed(b.numbersPerSecond / 1e6, 1),
          fixed(b.megabytesPerSecond, 0),
          fixed(b.serverCpuMs, 0),
          b.problem,
        ]),
      ),
      "",
    );
  }
  for (const line of report.skipped) out.push(`Request port: ${line}`);
  return out.join("\n").trimEnd();
}

/** The part's ratios, as lines for "randport relative to the references". */
export function requestPortRatioLines(report: RequestPortReport): string[] {
  const r = report.ratios;
  const x = (key: string) => `${fixed(r[key], 2)}x`;
  const lines: string[] = [];
  if (r["randint/srandmember"] !== undefined) {
    lines.push(
      `  requests  RANDINT 10 1 100 vs Redis SRANDMEMBER -10: ` +
        `${x("randint/srandmember")} (no pipelining), ` +
        `${x("randint/srandmember -P16")} (-P 16)`,
      `  requests  server CPU per request, randport's RANDINT over Redis's ` +
        `SRANDMEMBER: ${x("cpu randint/srandmember")} (no pipelining), ` +
        `${x("cpu randint/srandmember -P16")} (-P 16)`,
      `  requests  PING vs Redis PING: ${x("ping")} (no pipelining), ` +
        `${x("ping -P16")} (-P 16)`,
    );
  }
  if (r["randint/ceiling"] !== undefined) {
    lines.push(
      `  requests  RANDINT 10 1 100 vs the Deno RESP ceiling: ` +
        `${x("randint/ceiling")} (no pipelining), ` +
        `${x("randint/ceiling -P16")} (-P 16)` +
        (r["ceiling/srandmember"] === undefined
          ? ""
          : `; the ceiling vs Redis SRANDMEMBER: ` +
            `${x("ceiling/srandmember")}, ${x("ceiling/srandmember -P16")}`),
    );
  }
  if (r["big array numbers/s"] !== undefined) {
    lines.push(
      `  big reply RANDINT 1000000 1 100 vs Redis SRANDMEMBER -1000000: ` +
        `${x("big array numbers/s")} (numbers/s); as one csv bulk string ` +
        `${x("big csv numbers/s")}`,
    );
  }
  return lines;
}
