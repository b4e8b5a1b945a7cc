/**
 * The load generator in Deno, for machines without gcc: the same command
 * line and JSON output as bench/c/loader.c, the same checks (every byte of
 * every payload: digits, an optional '-', the separator, no leading zeros,
 * no -0, every number within min..max), in a plain loop over bytes. It is
 * several times slower than the C loader, so the benchmark says when it is
 * the one in use.
 *
 * ```sh
 * deno run --allow-net bench/deno_loader.ts conn --port P --concurrency C --seconds S
 * deno run --allow-net bench/deno_loader.ts stream --port P --streams K --seconds S
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    concurrency: { type: "string", default: "32" },
    streams: { type: "string", default: "1" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "0.5" },
    count: { type: "string", default: "10" },
    min: { type: "string", default: "1" },
    max: { type: "string", default: "100" },
    format: { type: "string", default: "csv" },
    numbers: { type: "string", default: "0" },
    validator: { type: "string", default: "bytes" },
  },
});

const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const HISTOGRAM_MAX = 4096;

const min = Number(values.min);
const max = Number(values.max);
const separator = values.format === "lines" ? 0x0a : 0x2c;
const maxDigits = Math.max(
  String(Math.abs(min)).length,
  String(Math.abs(max)).length,
);
const bins = max - min + 1 <= HISTOGRAM_MAX ? max - min + 1 : 0;

/** Follows one byte stream of numbers, each ended by the separator. */
class Checker {
  numbers = 0;
  bytes = 0;
  bad = -1;
  #value = 0;
  #digits = 0;
  #negative = false;
  #leadingZero = false;
  constructor(readonly histogram: Float64Array | undefined) {}

  /** Completes the number read so far; false if it is not valid. */
  finish(): boolean {
    if (this.#digits === 0 || this.#digits > maxDigits) return false;
    if (this.#leadingZero && this.#digits > 1) return false;
    if (this.#negative && this.#value === 0) return false;
    const value = this.#negative ? -this.#value : this.#value;
    if (value < min || value > max) return false;
    if (this.histogram) this.histogram[value - min]++;
    this.numbers++;
    this.#value = 0;
    this.#digits = 0;
    this.#negative = false;
    return true;
  }

  get pending(): boolean {
    return this.#digits > 0 || this.#negative;
  }

  feed(chunk: Uint8Array): void {
    if (this.bad >= 0) return;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte >= ZERO && byte <= NINE) {
        if (this.#digits === 0) this.#leadingZero = byte === ZERO;
        // Past 16 digits the value is wrong, but finish() rejects it.
        this.#value = this.#value * 10 + (byte - ZERO);
        this.#digits++;
      } else if (byte === separator) {
        if (!this.finish()) {
          this.bad = this.bytes + i;
          return;
        }
      } else if (byte === MINUS && this.#digits === 0 && !this.#negative) {
        this.#negative = true;
      } else {
        this.bad = this.bytes + i;
        return;
      }
    }
    this.bytes += chunk.length;
  }
}

function chiSquare(histogram: Float64Array | undefined): number {
  if (!histogram || histogram.length < 2) return 0;
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return 0;
  const expected = total / histogram.length;
  let statistic = 0;
  for (const count of histogram) {
    statistic += (count - expected) ** 2 / expected;
  }
  return statistic;
}

function cpuSeconds(): number {
  const stat = Deno.readTextFileSync(`/proc/${Deno.pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const connectOptions = {
  hostname: values.host,
  port: Number(values.port),
};
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const start = performance.now() / 1000;
const measureFrom = start + warmup;
const end = measureFrom + seconds;
const now = () => performance.now() / 1000;

async function runConn(): Promise<Record<string, unknown>> {
  const histogram = bins ? new Float64Array(bins) : undefined;
  const latencies: number[] = [];
  let done = 0, errors = 0, invalid = 0, numbers = 0, bytes = 0;
  let problem = "";
  const expected = Number(values.count);
  // Each worker reads into its own buffer: reads are in flight together.
  async function one(buf: Uint8Array): Promise<void> {
    const started = now();
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect(connectOptions);
    } catch {
      errors++;
      return;
    }
    const checker = new Checker(undefined);
    const payload: Uint8Array[] = [];
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        payload.push(buf.slice(0, n));
      }
    } catch {
      errors++;
      return;
    } finally {
      conn.close();
    }
    const finished = now();
    let all = new Uint8Array(payload.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of payload) {
      all.set(part, offset);
      offset += part.length;
    }
    const json = values.format === "json";
    let ok = true;
    if (json) {
      ok = all.length >= 2 && all[0] === 0x5b && all.at(-1) === 0x5d;
      all = all.subarray(1, all.length - 1);
    }
    checker.feed(all);
    ok &&= checker.bad < 0;
    if (ok && values.format === "lines") ok = !checker.pending;
    else if (ok && all.length > 0) ok = checker.finish();
    ok &&= checker.numbers === expected;
    if (!ok) {
      invalid++;
      problem ||= new TextDecoder().decode(all.subarray(0, 60));
      return;
    }
    if (started >= measureFrom && finished < end) {
      done++;
      numbers += checker.numbers;
      bytes += all.length;
      latencies.push((finished - started) * 1e6);
      if (histogram) {
        const again = new Checker(histogram);
        again.feed(all);
        if (values.format !== "lines" && all.length > 0) again.finish();
      }
    }
  }
  const workers = Array.from(
    { length: Number(values.concurrency) },
    async () => {
      const buf = new Uint8Array(65536);
      while (now() < end) await one(buf);
    },
  );
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.floor(latencies.length * q)] ?? 0;
  return {
    mode: "conn",
    concurrency: Number(values.concurrency),
    seconds,
    connections: done,
    errors,
    invalid,
    numbers,
    bytes,
    p50_us: pick(0.5),
    p99_us: pick(0.99),
    max_us: latencies.at(-1) ?? 0,
    chi2: chiSquare(histogram),
    bins,
    cpu: cpuSeconds(),
    wall: now() - start,
    problem: problem.replace(/[^ -~]/g, "?"),
  };
}

async function runStream(): Promise<Record<string, unknown>> {
  const limit = Number(values.numbers);
  const states = await Promise.all(
    Array.from({ length: Number(values.streams) }, async () => {
      const histogram = bins ? new Float64Array(bins) : undefined;
      const checker = new Checker(histogram);
      const state = {
        checker,
        histogram,
        numbersAtStart: 0,
        bytesAtStart: 0,
        from: measureFrom,
        to: 0,
        error: "",
      };
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect(connectOptions);
      } catch (error) {
        state.error = `connect: ${error}`;
        return state;
      }
      const buf = new Uint8Array(256 * 1024);
      let measuring = false;
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) {
            state.error = "server closed the stream";
            break;
          }
          // --validator none: count bytes only (a diagnostic).
          if (values.validator === "none") checker.bytes += n;
          else checker.feed(buf.subarray(0, n));
          if (checker.bad >= 0) break;
          const t = now();
          if (!measuring && t >= measureFrom) {
            measuring = true;
            state.numbersAtStart = checker.numbers;
            state.bytesAtStart = checker.bytes;
            state.from = t;
          }
          if (t >= end || (limit > 0 && checker.numbers >= limit)) {
            state.to = t;
            break;
          }
        }
      } catch (error) {
        state.error = String(error);
      } finally {
        conn.close();
      }
      if (!measuring) state.from = start;
      state.to ||= now();
      return state;
    }),
  );
  let numbers = 0, bytes = 0, total = 0, errors = 0, invalid = 0;
  let from = Infinity, to = 0;
  let problem = "";
  const histogram = bins ? new Float64Array(bins) : undefined;
  states.forEach((state, i) => {
    numbers += state.checker.numbers - state.numbersAtStart;
    bytes += state.checker.bytes - state.bytesAtStart;
    total += state.checker.numbers;
    from = Math.min(from, state.from);
    to = Math.max(to, state.to);
    if (state.checker.bad >= 0) {
      invalid++;
      problem ||= `stream ${i}: bad byte at offset ${state.checker.bad}`;
    } else if (state.error) {
      errors++;
      problem ||= `stream ${i}: ${state.error}`;
    }
    state.histogram?.forEach((count, k) => histogram![k] += count);
  });
  return {
    mode: "stream",
    streams: states.length,
    seconds: Math.max(0, to - from),
    numbers,
    bytes,
    total_numbers: total,
    errors,
    invalid,
    chi2: chiSquare(histogram),
    bins,
    cpu: cpuSeconds(),
    wall: now() - start,
    problem,
  };
}

const mode = positionals[0];
if (mode !== "conn" && mode !== "stream") {
  console.error("usage: deno_loader.ts conn|stream --port P [options]");
  Deno.exit(2);
}
const result = mode === "conn" ? await runConn() : await runStream();
console.log(JSON.stringify(result));
