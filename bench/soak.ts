/**
 * `deno task soak`: a bounded mixed load against the real server, reporting
 * what was served, errors by class and the server's memory over time. It
 * fails (exit 1) if any payload was wrong, a normal client failed, or memory
 * kept growing.
 *
 * Loopback only; every loop is bounded by --duration and the run stops by
 * itself. Not part of CI.
 *
 *   deno task soak [--duration 60] [--stalled 3000] [--write-timeout 5]
 *                  [--slow-streams 2000]
 *
 * Phase 0 opens --slow-streams clients that read a --stream server slowly
 * (their kernel buffers full most of the time), and times new clients that
 * each read 1000 numbers meanwhile: their wait must not grow with the number
 * of streams (target: median under 50 ms with 2000 streams). Phase 1 opens --stalled clients that never read a --stream server and
 * measures what they cost the server (RSS per client), while a normal client
 * is timed. Phase 2 runs normal, slow, stalled and resetting clients plus
 * connection bursts for --duration seconds, sampling the server's RSS every
 * second.
 *
 * @module
 */

import { parseArgs } from "node:util";

const HOST = "127.0.0.1";
const SERVER_TS = new URL("../server.ts", import.meta.url).pathname;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "60" },
    stalled: { type: "string", default: "3000" },
    "write-timeout": { type: "string", default: "5" },
    "slow-streams": { type: "string", default: "2000" },
  },
});
function positive(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text ?? "") || !(value > 0)) {
    console.error(`soak: --${flag}: expected a positive number, got ${text}`);
    Deno.exit(2);
  }
  return value;
}
const DURATION_MS = positive("duration", values.duration) * 1000;
const STALLED = Math.round(positive("stalled", values.stalled));
const WRITE_TIMEOUT = positive("write-timeout", values["write-timeout"]);
const SLOW_STREAMS = Math.round(
  positive("slow-streams", values["slow-streams"]),
);

/** Kinds of client, and what happened to them. */
const served: Record<string, number> = {
  normal: 0,
  slow: 0,
  stalled: 0,
  resetting: 0,
  burst: 0,
};
const errors: Record<string, number> = {};
let wrongPayloads = 0;

function countError(kind: string, error: unknown): void {
  const name = error instanceof Error ? error.name : String(error);
  const key = `${kind}: ${name}`;
  errors[key] = (errors[key] ?? 0) + 1;
}

const NUMBER_1_100 = /^(?:[1-9]\d?|100)$/;

/** Checks a csv stream prefix: its complete numbers, each in 1..100. */
function validPrefix(text: string): boolean {
  const parts = text.split(",");
  parts.pop(); // The last number may continue.
  return parts.every((part) => NUMBER_1_100.test(part));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Deno asks for --allow-all to read /proc, so ask ps (--allow-run).
async function rssKiB(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
  }).output();
  return Number(new TextDecoder().decode(stdout).trim());
}

async function startServer(): Promise<
  { child: Deno.ChildProcess; port: number }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      SERVER_TS,
      "--host",
      HOST,
      "--port",
      "0",
      "--request-port",
      "off",
      "--stream",
      "--write-timeout",
      String(WRITE_TIMEOUT),
      "--log-level",
      "info",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("server exited before listening");
    text += value;
  }
  reader.releaseLock();
  const port = Number(/:(\d+)\n/.exec(text)![1]);
  return { child, port };
}

/** Connects, reads `numbers` numbers, validates them; returns ms taken. */
async function normalClient(port: number, numbers: number): Promise<number> {
  const start = performance.now();
  const conn = await Deno.connect({ hostname: HOST, port });
  const buf = new Uint8Array(65536);
  const decoder = new TextDecoder();
  let text = "";
  let commas = 0;
  try {
    while (commas < numbers) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("closed early");
      const chunk = decoder.decode(buf.subarray(0, n), { stream: true });
      for (let i = 0; i < chunk.length; i++) {
        if (chunk.charCodeAt(i) === 44) commas++;
      }
      text += chunk;
    }
  } finally {
    conn.close();
  }
  if (!validPrefix(text)) wrongPayloads++;
  return performance.now() - start;
}

async function slowClient(port: number, until: number): Promise<void> {
  const conn = await Deno.connect({ hostname: HOST, port });
  const buf = new Uint8Array(64);
  const decoder = new TextDecoder();
  let text = "";
  try {
    const stop = Math.min(until, Date.now() + 2000);
    while (Date.now() < stop) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("closed early");
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      await sleep(50);
    }
  } finally {
    conn.close();
  }
  if (!validPrefix(text)) wrongPayloads++;
}

async function resettingClient(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: HOST, port });
  await conn.read(new Uint8Array(1024));
  conn.close(); // Unread data: the kernel answers with a reset.
}

/** Opens a client that never reads and holds it for `holdMs`. */
async function stalledClient(port: number, holdMs: number): Promise<void> {
  const conn = await Deno.connect({ hostname: HOST, port });
  await sleep(holdMs);
  conn.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const { child, port } = await startServer();
const pid = child.pid;
// Whatever happens below, the --stream server must not outlive the soak.
globalThis.addEventListener("unload", () => {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
});
globalThis.addEventListener("unhandledrejection", () => {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
});
const samples: { t: number; rss: number }[] = [];
const started = Date.now();
const sampler = setInterval(async () => {
  const rss = await rssKiB(pid);
  if (rss > 0) samples.push({ t: (Date.now() - started) / 1000, rss });
}, 1000);

// Phase 0: many streams read slowly; how long does a newcomer wait?
const slowConns: Deno.TcpConn[] = [];
for (let i = 0; i < SLOW_STREAMS; i += 500) {
  slowConns.push(
    ...await Promise.all(
      Array.from(
        { length: Math.min(500, SLOW_STREAMS - i) },
        () => Deno.connect({ hostname: HOST, port }),
      ),
    ),
  );
}
/** Streams the server closed (it must not: they are read, if slowly). */
const ended = new Set<number>();
/** Reads 2 KiB from each slow stream in turn, for `ms`. */
async function readSlowly(ms: number): Promise<void> {
  const end = performance.now() + ms;
  const small = new Uint8Array(2048);
  for (let i = 0; performance.now() < end; i++) {
    const k = i % slowConns.length;
    if (ended.has(k)) continue;
    if (await slowConns[k].read(small) === null) ended.add(k);
    if (i % 200 === 199) await sleep(1);
  }
}
// The slow streams are read all along, newcomers included.
const reading = readSlowly(3000 + 10 * 400);
await sleep(3000);
const newcomers: number[] = [];
for (let i = 0; i < 10; i++) {
  newcomers.push(await normalClient(port, 1000));
  await sleep(300);
}
await reading;
for (const conn of slowConns) conn.close();
const newcomerMedian = median(newcomers);
console.log(
  `phase 0: with ${SLOW_STREAMS} slowly read streams (${
    SLOW_STREAMS - ended.size
  } still open at the end), a new client read 1000 numbers in ${
    newcomerMedian.toFixed(1)
  } ms (median of 10; max ${
    Math.max(...newcomers).toFixed(1)
  } ms; target under 50 ms)`,
);
await sleep(1000);

// Phase 1: many clients that never read.
const baseline = await rssKiB(pid);
console.log(`server pid ${pid}, port ${port}, baseline RSS ${baseline} KiB`);
const holdMs = (WRITE_TIMEOUT + 10) * 1000;
const stalledConns: Deno.TcpConn[] = [];
for (let i = 0; i < STALLED; i += 500) {
  const wave = await Promise.all(
    Array.from(
      { length: Math.min(500, STALLED - i) },
      () => Deno.connect({ hostname: HOST, port }),
    ),
  );
  stalledConns.push(...wave);
}
await sleep(2000);
const loaded = await rssKiB(pid);
const perClient = (loaded - baseline) / STALLED;
const promptness: number[] = [];
for (let i = 0; i < 5; i++) promptness.push(await normalClient(port, 1000));
console.log(
  `phase 1: ${STALLED} stalled stream clients: RSS ${loaded} KiB, ` +
    `${perClient.toFixed(1)} KiB per client; a normal client meanwhile read ` +
    `1000 numbers in ${median(promptness).toFixed(1)} ms (median of 5)`,
);
await sleep(WRITE_TIMEOUT * 1000 + 3000);
for (const conn of stalledConns) {
  try {
    conn.close();
  } catch {
    // Closed.
  }
}
served.stalled += STALLED;
await sleep(1000);
const afterStalled = await rssKiB(pid);
console.log(
  `phase 1: after the write timeout dropped them: RSS ${afterStalled} KiB`,
);

// Phase 2: a mixed load for the duration.
const phase2Start = Date.now();
const until = phase2Start + DURATION_MS;
const latencies: number[] = [];
/** Repeats `body` until the end; it resolves to how many clients it served. */
async function loop(
  kind: string,
  body: () => Promise<number>,
  pauseMs: number,
) {
  while (Date.now() < until) {
    try {
      served[kind] += await body();
    } catch (error) {
      countError(kind, error);
    }
    await sleep(pauseMs);
  }
}
const workers: Promise<void>[] = [];
for (let i = 0; i < 8; i++) {
  workers.push(loop("normal", async () => {
    latencies.push(await normalClient(port, 1000));
    return 1;
  }, 5));
}
for (let i = 0; i < 4; i++) {
  workers.push(loop("slow", async () => {
    await slowClient(port, until);
    return 1;
  }, 0));
}
for (let i = 0; i < 4; i++) {
  workers.push(loop("resetting", async () => {
    await resettingClient(port);
    return 1;
  }, 10));
}
workers.push(loop("stalled", async () => {
  const hold = Math.max(0, Math.min(holdMs, until - Date.now()));
  await Promise.all(
    Array.from({ length: 50 }, () => stalledClient(port, hold)),
  );
  return 50;
}, 0));
workers.push(loop("burst", async () => {
  await Promise.all(
    Array.from({ length: 1000 }, () => normalClient(port, 100)),
  );
  await sleep(5000);
  return 1000;
}, 0));
await Promise.all(workers);
clearInterval(sampler);

child.kill("SIGTERM");
const status = await child.status;

// Memory must level off: compare the last third of phase 2 with its middle.
const phase2 = samples.filter((s) => s.t * 1000 >= phase2Start - started);
const third = Math.floor(phase2.length / 3);
const middle = phase2.slice(third, 2 * third).map((s) => s.rss);
const last = phase2.slice(2 * third).map((s) => s.rss);
const middleMedian = median(middle);
const lastMedian = median(last);
const peak = Math.max(...samples.map((s) => s.rss));
const final = samples.at(-1)?.rss ?? NaN;
const growing = lastMedian > middleMedian * 1.2 &&
  lastMedian - middleMedian > 10 * 1024;

console.log("\nserver RSS over time (KiB):");
for (
  let i = 0;
  i < samples.length;
  i += Math.max(1, Math.floor(samples.length / 20))
) {
  console.log(
    `  t=${samples[i].t.toFixed(0).padStart(4)} s  ${samples[i].rss}`,
  );
}
console.log(`\nduration: ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log("connections served by kind:", served);
console.log("errors by class:", errors);
console.log(`wrong payloads: ${wrongPayloads}`);
console.log(
  `normal client latency (1000 numbers): p50 ${
    median(latencies).toFixed(1)
  } ms, ` +
    `max ${Math.max(...latencies).toFixed(1)} ms`,
);
console.log(
  `server RSS: baseline ${baseline} KiB, peak ${peak} KiB, final ${final} KiB; ` +
    `phase 2 middle third ${middleMedian} KiB, last third ${lastMedian} KiB`,
);
console.log(`server exit code: ${status.code}`);

const failures: string[] = [];
if (wrongPayloads > 0) failures.push(`${wrongPayloads} wrong payloads`);
if (Object.keys(errors).some((key) => key.startsWith("normal"))) {
  failures.push("normal clients failed");
}
if (growing) failures.push("memory kept growing");
if (perClient > 64) failures.push(`stalled clients cost ${perClient} KiB each`);
if (status.code !== 0) failures.push(`server exited ${status.code}`);
if (newcomerMedian >= 50) {
  failures.push(`new clients waited ${newcomerMedian.toFixed(1)} ms`);
}
if (ended.size > 0) failures.push(`${ended.size} slow streams were closed`);
if (failures.length > 0) {
  console.log(`\nSOAK FAILED: ${failures.join("; ")}`);
  Deno.exit(1);
}
console.log("\nsoak passed");
