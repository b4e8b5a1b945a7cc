/**
 * The client's summaries and manners: `--stats` (against numbers computed
 * here independently), `--histogram` (exact snapshots of seeded runs), the
 * progress line (only on a terminal: the client runs under a pseudo-terminal
 * made with Python's `pty` module), the long-read note, Ctrl-C, colours and
 * NO_COLOR, `--help` and the advice in every error line.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import jStat from "jstat";
import {
  createColors,
  errorHint,
  formatHistogram,
  formatStats,
  interruptedNote,
  longReadNote,
  ReadProgress,
  readSession,
} from "../lib/cli/mod.ts";
import { serve } from "../lib/server/mod.ts";
import {
  chiSquareUniform,
  StreamStats,
  Tally,
  uniformityTest,
  uniformityTestMinimum,
} from "../lib/stats/mod.ts";
import {
  assertOneLineError,
  CLIENT_TS,
  freePort,
  readRawText,
  runClient,
  startPython,
  startRawPythonServer,
  startServer,
} from "./_util.ts";

const CLIENT = /^randport client: /;
const ESC = "\x1b";
/** Every ANSI escape sequence, for replace and split. */
const ESCAPES = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}[78]`, "g");

function hasEscapes(text: string): boolean {
  return text.includes(ESC);
}

function plain(text: string): string {
  return text.replace(ESCAPES, "");
}

function close(actual: number, expected: number, relative = 1e-6): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  assert.ok(
    Math.abs(actual - expected) / scale <= relative,
    `${actual} is not within ${relative} of ${expected}`,
  );
}

// Tally -----------------------------------------------------------------------

Deno.test("Tally: a small range is counted value by value", () => {
  const tally = new Tally();
  tally.addAll([3, 1, 2, 2, 3, 3]);
  assert.equal(tally.width, 1);
  assert.deepEqual(tally.groups(1, 3, { groups: 3 }), [
    { from: 1, to: 1, values: 1, count: 1 },
    { from: 2, to: 2, values: 1, count: 2 },
    { from: 3, to: 3, values: 1, count: 3 },
  ]);
});

Deno.test("Tally: widening merges whole bins and keeps every count", () => {
  const tally = new Tally({ bins: 8 });
  const values = [-20, -9, -1, 0, 1, 7, 8, 15, 16, 100];
  tally.addAll(values);
  assert.ok(tally.width > 1);
  assert.equal(tally.total, values.length);
  const groups = tally.groups(-20, 100, { groups: 1 });
  assert.deepEqual(groups, [{
    from: -20,
    to: 100,
    values: 121,
    count: values.length,
  }]);
});

Deno.test("Tally: memory stays bounded across the whole 53-bit range", () => {
  const tally = new Tally({ bins: 1024 });
  const max = Number.MAX_SAFE_INTEGER;
  tally.addAll([-max, max, 0, 1, -1]);
  const groups = tally.groups(-max, max, { groups: 20 });
  assert.ok(groups.length <= 20 && groups.length >= 10, `${groups.length}`);
  assert.equal(groups[0].from, -max);
  assert.equal(groups.at(-1)!.to, max);
  assert.equal(groups.reduce((sum, g) => sum + g.count, 0), 5);
});

Deno.test("Tally: groups cover the range without gaps and count like brute force (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), {
        minLength: 1,
        maxLength: 300,
      }),
      fc.integer({ min: 1, max: 64 }),
      fc.integer({ min: 1, max: 50 }),
      // bins: 1 is rounded up to 2, the fewest that hold any range.
      (values, bins, wanted) => {
        const tally = new Tally({ bins });
        tally.addAll(values);
        const min = Math.min(...values);
        const max = Math.max(...values);
        const groups = tally.groups(min, max, { groups: wanted });
        assert.ok(groups.length <= wanted);
        assert.equal(groups[0].from, min);
        assert.equal(groups.at(-1)!.to, max);
        for (let i = 0; i < groups.length; i++) {
          const g = groups[i];
          if (i > 0) assert.equal(g.from, groups[i - 1].to + 1);
          assert.equal(g.values, g.to - g.from + 1);
          const expected = values.filter((v) => v >= g.from && v <= g.to);
          assert.equal(g.count, expected.length);
        }
      },
    ),
    { numRuns: 300 },
  );
});

// StreamStats and the chi-square test ----------------------------------------------

Deno.test("StreamStats: count, min, max, mean and sample standard deviation", () => {
  const stats = new StreamStats();
  stats.add([1, 6]);
  stats.add([3, 4]);
  assert.equal(stats.count, 4);
  assert.equal(stats.min, 1);
  assert.equal(stats.max, 6);
  assert.equal(stats.mean, 3.5);
  close(stats.standardDeviation, Math.sqrt(13 / 3), 1e-12);
  assert.deepEqual(stats.range, { min: 1, max: 6 });
  assert.equal(stats.rangeObserved, true);
});

Deno.test("StreamStats: Welford keeps full precision on a long, far-off-zero stream", () => {
  const base = 9_000_000_000_000;
  const offsets = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 1000);
  const stats = new StreamStats();
  for (let i = 0; i < offsets.length; i += 997) {
    stats.add(offsets.slice(i, i + 997).map((o) => base + o));
  }
  // The reference works on the small offsets, where sums are exact.
  const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
  const variance = offsets.reduce((a, b) => a + (b - mean) ** 2, 0) /
    (offsets.length - 1);
  close(stats.mean, base + mean, 1e-15);
  close(stats.standardDeviation, Math.sqrt(variance), 1e-12);
});

Deno.test("StreamStats: no numbers gives NaN and no range; one number no deviation", () => {
  const stats = new StreamStats();
  assert.ok(Number.isNaN(stats.mean) && Number.isNaN(stats.min));
  assert.equal(stats.range, undefined);
  assert.deepEqual(stats.groups(20), []);
  stats.add([7]);
  assert.ok(Number.isNaN(stats.standardDeviation));
});

Deno.test("StreamStats: numbers outside a given range are counted apart", () => {
  const stats = new StreamStats({ range: { min: 1, max: 10 } });
  stats.add([0, 1, 5, 10, 11, 12]);
  assert.equal(stats.below, 1);
  assert.equal(stats.above, 2);
  assert.equal(stats.count, 6);
  assert.equal(stats.groups(10).reduce((sum, g) => sum + g.count, 0), 3);
  assert.throws(
    () => new StreamStats({ range: { min: 2, max: 1 } }),
    RangeError,
  );
});

Deno.test("chiSquareUniform: the statistic by hand, and p-values as SciPy gives them", () => {
  const result = chiSquareUniform([
    { from: 1, to: 1, values: 1, count: 48 },
    { from: 2, to: 2, values: 1, count: 52 },
  ])!;
  close(result.statistic, 0.16, 1e-12);
  assert.equal(result.degreesOfFreedom, 1);
  // scipy.stats.chi2.sf(0.16, 1)
  close(result.pValue, 0.6891565167793516, 1e-9);

  // Unequal groups expect shares by size: 30 values vs 10 values.
  const unequal = chiSquareUniform([
    { from: 1, to: 30, values: 30, count: 70 },
    { from: 31, to: 40, values: 10, count: 30 },
  ])!;
  close(unequal.statistic, (70 - 75) ** 2 / 75 + (30 - 25) ** 2 / 25, 1e-12);

  // scipy.stats.chi2.sf(x, df) for a spread of cases.
  const reference: [number, number, number][] = [
    [38.5, 19, 5.123038e-03],
    [57.5, 19, 9.553221e-06],
    [99.5, 99, 4.669835e-01],
    [129.2, 99, 2.240581e-02],
    [198.5, 99, 1.212096e-08],
    [999.5, 999, 4.895893e-01],
  ];
  for (const [x, df, p] of reference) {
    const groups = Array.from({ length: df + 1 }, (_, i) => ({
      from: i,
      to: i,
      values: 1,
      count: 0,
    }));
    // Build counts whose statistic is exactly x: all bins expect 100, and
    // two bins move by d in opposite directions (2d²/100 = x).
    const d = Math.sqrt(x * 100 / 2);
    for (const g of groups) g.count = 100;
    groups[0].count += d;
    groups[1].count -= d;
    const result = chiSquareUniform(groups)!;
    close(result.statistic, x, 1e-9);
    close(result.pValue, p, 1e-5);
  }
});

Deno.test("chiSquareUniform: merges bins expecting under 5, and gives up below two bins", () => {
  const groups = Array.from({ length: 10 }, (_, i) => ({
    from: i,
    to: i,
    values: 1,
    count: 2,
  }));
  const result = chiSquareUniform(groups)!;
  // Each value expects 2: bins of 3, 3 and 3 values, the last value merged
  // into the third.
  assert.deepEqual(result.bins.map((b) => b.values), [3, 3, 4]);
  assert.equal(result.bins.reduce((sum, b) => sum + b.values, 0), 10);
  assert.equal(
    chiSquareUniform([{ from: 1, to: 2, values: 2, count: 9 }]),
    undefined,
  );
});

Deno.test("uniformityTest: one bin per value when each expects 5, fewer otherwise", () => {
  const stats = new StreamStats({ range: { min: 1, max: 10 } });
  stats.add(Array.from({ length: 100 }, (_, i) => (i % 10) + 1));
  const perValue = uniformityTest(stats)!;
  assert.equal(perValue.bins.length, 10);
  assert.equal(perValue.statistic, 0);
  assert.equal(perValue.pValue, 1);

  const few = new StreamStats({ range: { min: 1, max: 100 } });
  few.add(Array.from({ length: 30 }, (_, i) => i * 3 + 1));
  // 6 groups of 17 values, the last cut to 15 (expecting 4.5) and merged.
  assert.equal(uniformityTest(few)!.bins.length, 5);
  const tooFew = new StreamStats();
  tooFew.add([1, 2, 3]);
  assert.equal(uniformityTest(tooFew), undefined);
});

// Reports ---------------------------------------------------------------------

Deno.test("formatStats: verdicts for uniform, biased, too few, outside and empty", () => {
  const fair = new StreamStats({ range: { min: 1, max: 4 } });
  fair.add(Array.from({ length: 400 }, (_, i) => (i % 4) + 1));
  assert.match(formatStats(fair), /verdict +looks uniform/);

  const biased = new StreamStats({ range: { min: 1, max: 4 } });
  biased.add(Array.from({ length: 400 }, (_, i) => i % 5 === 0 ? 1 : 2));
  const text = formatStats(biased);
  assert.match(text, /verdict +not uniform/);
  assert.match(text, /p-value +< 1e-12/);

  // 400 numbers, 2 values: 160 vs 240 gives chi-square 16 (p ≈ 6e-5); 185
  // vs 215 gives 2.25 (p ≈ 0.13); 172 vs 228 gives 7.84 (p ≈ 0.005).
  const doubtful = new StreamStats({ range: { min: 1, max: 2 } });
  doubtful.add(Array.from({ length: 400 }, (_, i) => i < 172 ? 1 : 2));
  assert.match(formatStats(doubtful), /verdict +doubtful: .* 0\.51% of/);

  const few = new StreamStats();
  few.add([5, 9]);
  assert.match(formatStats(few), /verdict +too few numbers/);

  const outside = new StreamStats({ range: { min: 1, max: 10 } });
  outside.add([1, 2, 99]);
  const report = formatStats(outside);
  assert.match(report, /outside +1 +0 below 1, 1 above 10/);
  assert.match(report, /verdict +not from 1\.\.10: 1 of the numbers/);

  assert.equal(
    formatStats(new StreamStats()),
    "count       0\nverdict     no numbers to judge\n",
  );
});

Deno.test("formatStats: colours only when asked", () => {
  const stats = new StreamStats();
  stats.add(Array.from({ length: 100 }, (_, i) => (i % 10) + 1));
  assert.ok(!hasEscapes(formatStats(stats)));
  const coloured = formatStats(stats, {
    colors: createColors({ enabled: true }),
  });
  assert.ok(coloured.includes(`${ESC}[32mlooks uniform`), coloured);
  assert.equal(plain(coloured), formatStats(stats));
});

Deno.test("formatHistogram: layout of a small range (snapshot)", () => {
  const stats = new StreamStats({ range: { min: 1, max: 3 } });
  stats.add([1, 2, 2, 3, 3, 3]);
  assert.equal(
    formatHistogram(stats, { width: 40 }),
    [
      "6 numbers in 1..3: one row per value",
      "1  ████████▋                   1  16.7%",
      "2  █████████████████▍          2  33.3%",
      "3  ██████████████████████████  3  50.0%",
      "",
    ].join("\n"),
  );
});

Deno.test("formatHistogram: rows per value up to 40 values, about 20 beyond, outside rows apart", () => {
  const small = new StreamStats();
  small.add(Array.from({ length: 40 }, (_, i) => i + 1));
  assert.equal(formatHistogram(small).trimEnd().split("\n").length, 41);

  const wide = new StreamStats();
  wide.add(Array.from({ length: 41 }, (_, i) => i + 1));
  const rows = formatHistogram(wide).trimEnd().split("\n").length - 1;
  assert.ok(rows > 10 && rows <= 20, `${rows} rows`);

  const outside = new StreamStats({ range: { min: 1, max: 5 } });
  outside.add([-3, 1, 2, 9]);
  const lines = formatHistogram(outside).trimEnd().split("\n");
  assert.match(lines[1], /^< 1 +1 +25\.0%$/);
  assert.match(lines.at(-1)!, /^> 5 +1 +25\.0%$/);
  assert.equal(formatHistogram(new StreamStats()), "no numbers to chart\n");
});

Deno.test("formatHistogram: every line fits the width, the widest bar fills it", () => {
  const stats = new StreamStats();
  stats.add(
    Array.from({ length: 5000 }, (_, i) => (i * 7919) % 1_000_003 - 500_000),
  );
  for (const width of [40, 57, 80, 132, 200]) {
    const lines = formatHistogram(stats, { width }).trimEnd().split("\n");
    for (const line of lines) {
      assert.ok(line.length <= width - 1, `${line.length} > ${width - 1}`);
    }
    assert.ok(lines.some((line) => line.length === width - 1));
  }
});

// Progress --------------------------------------------------------------------

class FakeTerminal {
  text = "";
  constructor(readonly isTTY: boolean, readonly columns = 80) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

Deno.test("ReadProgress: a bar, percentage, count, rate and ETA when the total is known", () => {
  const stream = new FakeTerminal(true, 70);
  const progress = new ReadProgress({ total: 1000, delay: 0, stream });
  progress.update(250);
  progress.update(500);
  progress.stop();
  const drawn = stream.text.split(ESCAPES);
  const line = drawn.find((l) => l.includes("500/1,000"))!;
  assert.match(line, /^█+░+ +50% +500\/1,000 +\S+\/s +ETA \d+s$/);
  assert.ok(line.length <= 69, line);
  // stop() clears the line it drew.
  assert.ok(stream.text.endsWith(`${ESC}[2K`), JSON.stringify(stream.text));
});

Deno.test("ReadProgress: a live count, rate and hint when the total is unknown", () => {
  const stream = new FakeTerminal(true, 80);
  const progress = new ReadProgress({ delay: 0, stream, hint: "Ctrl-C stops" });
  progress.update(1234567);
  progress.stop();
  assert.match(stream.text, /1,234,567 numbers +\S+\/s +Ctrl-C stops/);
});

Deno.test("ReadProgress: nothing on a non-terminal, before the delay, or after stop", () => {
  const pipe = new FakeTerminal(false);
  const onPipe = new ReadProgress({ total: 10, delay: 0, stream: pipe });
  onPipe.update(5);
  onPipe.stop();
  assert.equal(pipe.text, "");

  const terminal = new FakeTerminal(true);
  const slow = new ReadProgress({ total: 10, delay: 60_000, stream: terminal });
  slow.update(5);
  slow.stop();
  slow.update(6);
  assert.equal(terminal.text, "");
});

// readSession ----------------------------------------------------------------------

Deno.test("readSession: numbers to the sink, the long-read note once, an abort is an interruption", async () => {
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    payload: { stream: true, format: "lines" },
  });
  try {
    const port = server.addr.port;
    const notes: number[] = [];
    const limited = await readSession(() => {}, {
      hostname: "127.0.0.1",
      port,
      limit: 50_000,
      noteAfter: 1000,
      onLongRead: (count) => notes.push(count),
    });
    assert.deepEqual(limited, { count: 50_000, interrupted: false });
    assert.equal(notes.length, 1);
    assert.ok(notes[0] >= 1000 && notes[0] < 50_000);

    const controller = new AbortController();
    let received = 0;
    const stopped = await readSession((numbers) => {
      received += numbers.length;
      if (received > 100_000) controller.abort();
    }, { hostname: "127.0.0.1", port, signal: controller.signal });
    assert.equal(stopped.interrupted, true);
    assert.equal(stopped.count, received);

    // A limit reached exactly is not "more coming": no note.
    const exact: number[] = [];
    await readSession(() => {}, {
      hostname: "127.0.0.1",
      port,
      limit: 1000,
      noteAfter: 1000,
      onLongRead: (count) => exact.push(count),
    });
    assert.deepEqual(exact, []);
  } finally {
    await server.shutdown();
  }
});

// Hints -----------------------------------------------------------------------

Deno.test("hints: every error class has advice; refused names the port to start", () => {
  assert.match(errorHint("refused"), /`deno task serve`/);
  assert.match(
    errorHint("refused", { port: 9000 }),
    /deno task serve --port 9000/,
  );
  assert.match(
    errorHint("refused", { hostname: "example.org" }),
    /on example\.org/,
  );
  assert.match(
    errorHint("malformed", { hostname: "::1", port: 9000 }),
    /`nc ::1 9000`/,
  );
  for (
    const code of [
      "unknown-host",
      "timeout",
      "reset",
      "busy",
      "server-error",
      "truncated",
      "network",
    ] as const
  ) {
    assert.ok(errorHint(code).length > 10, code);
  }
  assert.match(longReadNote(100), /Ctrl-C stops; --limit N/);
  assert.match(longReadNote(100, { summary: true }), /prints the summary/);
  assert.equal(interruptedNote(0), "interrupted before any number arrived");
  assert.equal(
    interruptedNote(1),
    "interrupted after 1 number; --limit N reads N numbers and stops by itself",
  );
});

// The real client ------------------------------------------------------------------

/** Parses `--stats` output into label → the rest of the line. */
function statsLines(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.trimEnd().split("\n")) {
    const match =
      /^(count|min|max|mean|std dev|chi-square|p-value|verdict) +(.*)$/
        .exec(line);
    if (match) lines.set(match[1], match[2]);
  }
  return lines;
}

Deno.test("client --stats: the numbers of a seeded payload, computed here independently", async () => {
  const flags = [
    "--seed",
    "42",
    "--count",
    "5000",
    "--min",
    "-20",
    "--max",
    "29",
  ];
  await using twin = await startServer(flags);
  await using server = await startServer(flags);
  const numbers = (await readRawText(twin.port)).split(",").map(Number);
  assert.equal(numbers.length, 5000);

  const n = numbers.length;
  const mean = numbers.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(
    numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1),
  );
  const counts = new Map<number, number>();
  for (const v of numbers) counts.set(v, (counts.get(v) ?? 0) + 1);
  let chi = 0;
  for (let v = -20; v <= 29; v++) {
    chi += ((counts.get(v) ?? 0) - n / 50) ** 2 / (n / 50);
  }
  const p = 1 - jStat.chisquare.cdf(chi, 49);

  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--stats",
    "--range",
    "-20..29",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const lines = statsLines(result.stdout);
  assert.equal(lines.get("count"), "5000");
  assert.deepEqual(lines.get("min")!.split(/ +/), [
    String(Math.min(...numbers)),
    "-20",
  ]);
  assert.deepEqual(lines.get("max")!.split(/ +/), [
    String(Math.max(...numbers)),
    "29",
  ]);
  const [observedMean, uniformMean] = lines.get("mean")!.split(/ +/).map(
    Number,
  );
  close(observedMean, mean);
  assert.equal(uniformMean, 4.5);
  const [observedSd, uniformSd] = lines.get("std dev")!.split(/ +/).map(Number);
  close(observedSd, sd);
  close(uniformSd, Math.sqrt((50 * 50 - 1) / 12));
  const chiLine = /^(\S+) with (\d+) degrees of freedom \(50 bins of 1 value\)$/
    .exec(lines.get("chi-square")!);
  assert.ok(chiLine, lines.get("chi-square"));
  close(Number(chiLine[1]), chi);
  assert.equal(chiLine[2], "49");
  close(Number(lines.get("p-value")), p, 5e-3);
  assert.match(lines.get("verdict")!, /^looks uniform|^doubtful|^not uniform/);
});

Deno.test("client --stats: without --range the observed min..max is the range", async () => {
  await using server = await startServer(["--seed", "7", "--count", "3"]);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--stats",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /observed +uniform (\d+)\.\.(\d+) \(observed\)/);
  assert.match(result.stdout, /verdict +too few numbers/);
});

Deno.test("client --stats: a 53-bit range is binned, in fixed memory", async () => {
  await using server = await startServer([
    "--seed",
    "42",
    "--count",
    "20000",
    "--min",
    "0",
    "--max",
    "9007199254740991",
  ]);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--stats",
    "--histogram",
    "--range",
    "0..9007199254740991",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const lines = statsLines(result.stdout);
  assert.equal(lines.get("count"), "20000");
  const chi = /with (\d+) degrees of freedom \((\d+) bins of about \d+ values\)/
    .exec(lines.get("chi-square")!);
  assert.ok(chi, lines.get("chi-square"));
  assert.ok(Number(chi[2]) > 500 && Number(chi[2]) <= 1000, chi[2]);
  assert.ok(Number(lines.get("p-value")) > 1e-6, lines.get("p-value"));
  const rows = result.stdout.split("\n").filter((l) => /\d+\.\d%$/.test(l));
  assert.ok(rows.length >= 10 && rows.length <= 20, `${rows.length} rows`);
});

Deno.test("client --histogram: seeded run, one row per value (snapshot)", async () => {
  await using server = await startServer([
    "--seed",
    "42",
    "--count",
    "1000",
    "--max",
    "30",
  ]);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--histogram",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    `1000 numbers in 1..30 (observed): one row per value
 1  ████████████████████████████████████████████████████████▌          40  4.0%
 2  ███████████████████████████████████████▋                           28  2.8%
 3  ████████████████████████████████████████████████                   34  3.4%
 4  █████████████████████████████████████████████████████▊             38  3.8%
 5  ████████████████████████████████████████████████                   34  3.4%
 6  ████████████████████████████████████████████████████▎              37  3.7%
 7  ███████████████████████████████████████▋                           28  2.8%
 8  █████████████████████████████████████████                          29  2.9%
 9  ██████████████████████████████████████████████████▉                36  3.6%
10  ███████████████████████████████████████████▊                       31  3.1%
11  ████████████████████████████████████▊                              26  2.6%
12  ████████████████████████████████████████████████████████▌          40  4.0%
13  █████████████████████████████████████████████▎                     32  3.2%
14  █████████████████████████████████████████████▎                     32  3.2%
15  ███████████████████████████████████▍                               25  2.5%
16  ███████████████████████████████████████████████████████▏           39  3.9%
17  ██████████████████████████████████████████████████▉                36  3.6%
18  ███████████████████████████████████████████████████████▏           39  3.9%
19  █████████████████████████████████████████████████████████████████  46  4.6%
20  ███████████████████████████████████████▋                           28  2.8%
21  █████████████████████████████████▉                                 24  2.4%
22  ████████████████████████████████████████████████                   34  3.4%
23  ███████████████████████████████████████████████████████▏           39  3.9%
24  ████████████████████████████████████████████████████████▌          40  4.0%
25  ████████████████████████████████████████████████                   34  3.4%
26  ██████████████████████████████████████████▍                        30  3.0%
27  ███████████████████████████████▏                                   22  2.2%
28  █████████████████████████████████████████████████▌                 35  3.5%
29  █████████████████████████████████████████████▎                     32  3.2%
30  █████████████████████████████████████████████▎                     32  3.2%
`,
  );
});

Deno.test("client --stats --histogram --range: seeded run, 20 rows and the report (snapshot)", async () => {
  await using server = await startServer(["--seed", "42", "--count", "10000"]);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--stats",
    "--histogram",
    "--range",
    "1..100",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.equal(
    result.stdout,
    `10000 numbers in 1..100: 20 rows of 5 values
 1..5    █████████████████████████████████████████████████████▉       490  4.9%
 6..10   ████████████████████████████████████████████████████████▏    511  5.1%
11..15   █████████████████████████████████████████████████████▌       487  4.9%
16..20   ████████████████████████████████████████████████████████▏    511  5.1%
21..25   ███████████████████████████████████████████████████████▎     503  5.0%
26..30   █████████████████████████████████████████████████████▌       487  4.9%
31..35   ████████████████████████████████████████████████████████▎    512  5.1%
36..40   ██████████████████████████████████████████████████▉          463  4.6%
41..45   ████████████████████████████████████████████████████████▊    517  5.2%
46..50   ████████████████████████████████████████████████████████▉    518  5.2%
51..55   ████████████████████████████████████████████████████████▉    518  5.2%
56..60   ████████████████████████████████████████████████████         473  4.7%
61..65   █████████████████████████████████████████████████████▌       487  4.9%
66..70   ██████████████████████████████████████████████████████████   528  5.3%
71..75   ██████████████████████████████████████████████████████▏      493  4.9%
76..80   ██████████████████████████████████████████████████▍          458  4.6%
81..85   ████████████████████████████████████████████████████████▍    513  5.1%
86..90   ██████████████████████████████████████████████████████▉      499  5.0%
91..95   ██████████████████████████████████████████████████████▍      495  5.0%
96..100  ███████████████████████████████████████████████████████████  537  5.4%

count       10000
            observed  uniform 1..100
min         1         1
max         100       100
mean        50.6287   50.5
std dev     28.94485  28.86607
chi-square  83.58 with 99 degrees of freedom (100 bins of 1 value)
p-value     0.867
verdict     looks uniform: a fair source is this uneven or more 87% of the time
`,
  );
});

// Under a terminal -----------------------------------------------------------------

/**
 * Runs the client with a pseudo-terminal as stdin and stderr (and stdout,
 * unless `stdout` is "file"), of the given size, and collects what the
 * terminal showed. `interruptOn` sends SIGINT once the terminal shows text
 * matching it. NO_COLOR is removed unless `noColor` is set.
 */
const PTY_RUNNER = `
import fcntl, json, os, re, select, signal, struct, subprocess, sys, tempfile, termios, time
cfg = json.loads(sys.argv[1])
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cfg["cols"], 0, 0))
env = dict(os.environ)
env.pop("NO_COLOR", None)
if cfg["noColor"]:
    env["NO_COLOR"] = "1"
out = tempfile.TemporaryFile()
child = subprocess.Popen(cfg["argv"], stdin=slave,
    stdout=out if cfg["stdout"] == "file" else slave, stderr=slave, env=env,
    start_new_session=True)
os.close(slave)
shown = b""
interrupted = False
deadline = time.time() + cfg["timeout"]
while time.time() < deadline:
    ready, _, _ = select.select([master], [], [], 0.05)
    if ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    if cfg["interruptOn"] and not interrupted and re.search(cfg["interruptOn"].encode(), shown):
        interrupted = True
        child.send_signal(signal.SIGINT)
    if not ready and child.poll() is not None:
        break
if child.poll() is None:
    child.kill()
code = child.wait()
out.seek(0)
print(json.dumps({"code": code, "shown": shown.decode("utf-8", "replace"),
    "stdout": out.read().decode("utf-8", "replace")}))
`;

interface TerminalRun {
  code: number;
  /** What the terminal showed, less Deno's own start-up clearing codes. */
  shown: string;
  /** The client's stdout, when it went to a file. */
  stdout: string;
}

async function runOnTerminal(
  args: string[],
  options: {
    stdout?: "terminal" | "file";
    cols?: number;
    noColor?: boolean;
    interruptOn?: string;
    timeout?: number;
  } = {},
): Promise<TerminalRun> {
  const config = {
    argv: [Deno.execPath(), "run", "--allow-net", CLIENT_TS, ...args],
    stdout: options.stdout ?? "terminal",
    cols: options.cols ?? 80,
    noColor: options.noColor ?? false,
    interruptOn: options.interruptOn ?? "",
    timeout: options.timeout ?? 30,
  };
  const output = await new Deno.Command("python3", {
    args: ["-c", PTY_RUNNER, JSON.stringify(config)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const run = JSON.parse(new TextDecoder().decode(output.stdout));
  // Deno clears its own download/check progress line on a terminal.
  const shown = run.shown.replaceAll(`${ESC}[0G${ESC}[2K${ESC}[J`, "");
  // Only --allow-net: a permission prompt would show up here (and hang).
  assert.doesNotMatch(shown, /Deno requests|--allow-/);
  return { code: run.code, shown, stdout: run.stdout };
}

/**
 * A server that sends 1, 2, 3, ... one per line, `count` of them at `rate`
 * per second, then closes: a read that lasts long enough for progress.
 */
const SLOW_SERVER = `
import socket, sys, time
count, rate = int(sys.argv[1]), float(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
print(srv.getsockname()[1], flush=True)
while True:
    conn, _ = srv.accept()
    try:
        sent = 0
        while sent < count:
            k = min(10, count - sent)
            conn.sendall("".join(f"{sent + i + 1}\\n" for i in range(k)).encode())
            sent += k
            time.sleep(k / rate)
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(5)
        while conn.recv(1024):
            pass
    except OSError:
        pass
    conn.close()
`;

function local(port: number, ...args: string[]): string[] {
  return ["--host", "127.0.0.1", "--port", String(port), ...args];
}

Deno.test("progress: on a terminal, a bar with percentage, rate and ETA for --limit; stdout untouched", async () => {
  await using slow = await startPython(SLOW_SERVER, ["400", "250"]);
  const run = await runOnTerminal(local(slow.port, "--limit", "400"), {
    stdout: "file",
    cols: 72,
  });
  assert.equal(run.code, 0, run.shown);
  const lines = run.shown.split(ESCAPES).filter((l) => l.includes("/400"));
  assert.ok(lines.length > 0, JSON.stringify(run.shown));
  for (const line of lines) {
    assert.match(line, /^█*░* +\d+% +\d+\/400 +\S+\/s +ETA \S+/);
    assert.ok(line.length <= 71, line);
  }
  // The line is cleared at the end; the numbers went to stdout, untouched.
  assert.ok(
    run.shown.endsWith(`${ESC}[2K`),
    JSON.stringify(run.shown.slice(-40)),
  );
  assert.equal(
    run.stdout,
    Array.from({ length: 400 }, (_, i) => `${i + 1}\n`).join(""),
  );
});

Deno.test("progress: on a terminal without --limit, a live count and rate; --stats prints after it", async () => {
  await using slow = await startPython(SLOW_SERVER, ["375", "250"]);
  const run = await runOnTerminal(local(slow.port, "--stats"));
  assert.equal(run.code, 0, run.shown);
  assert.match(
    run.shown,
    /\d+ numbers +\S+\/s +Ctrl-C stops and prints the summary/,
  );
  const after = run.shown.slice(run.shown.lastIndexOf(`${ESC}[2K`));
  assert.match(plain(after), /^count +375\r\n/);
});

Deno.test("progress: nothing on stderr when it is not a terminal", async () => {
  await using slow = await startPython(SLOW_SERVER, ["375", "250"]);
  for (const extra of [["--limit", "375"], ["--stats"]]) {
    const result = await runClient(local(slow.port, ...extra));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.ok(!hasEscapes(result.stdout));
  }
});

Deno.test("progress: --quiet keeps the terminal silent", async () => {
  await using slow = await startPython(SLOW_SERVER, ["375", "250"]);
  const run = await runOnTerminal(local(slow.port, "--quiet"), {
    stdout: "file",
  });
  assert.equal(run.code, 0);
  assert.equal(run.shown, "");
  assert.equal(run.stdout.split("\n").length, 376);
});

Deno.test("progress: not drawn over numbers printed to the same terminal", async () => {
  await using slow = await startPython(SLOW_SERVER, ["375", "250"]);
  const run = await runOnTerminal(local(slow.port, "--limit", "375"));
  assert.equal(run.code, 0);
  assert.doesNotMatch(run.shown, /ETA|numbers/);
  assert.match(run.shown, /^1\r\n2\r\n/);
});

Deno.test("stream on a terminal: a note says how to stop, Ctrl-C stops with exit 130", async () => {
  await using server = await startServer(["--stream", "--format", "lines"]);
  const run = await runOnTerminal(local(server.port), {
    interruptOn: "more coming",
  });
  assert.equal(run.code, 130, run.shown.slice(-500));
  assert.match(
    run.shown,
    /\r\nrandport client: \d+ numbers so far and more coming \(a --stream server\?\): Ctrl-C stops; --limit N reads N numbers and stops\r\n/,
  );
  assert.match(
    run.shown,
    /\r\nrandport client: interrupted after \d+ numbers; --limit N reads N numbers and stops by itself\r\n$/,
  );
});

Deno.test("Ctrl-C with --stats on a terminal: the summary so far, then one line, exit 130", async () => {
  await using server = await startServer(["--stream"]);
  const run = await runOnTerminal(local(server.port, "--stats"), {
    interruptOn: "Ctrl-C stops and prints the summary",
  });
  assert.equal(run.code, 130, run.shown.slice(-500));
  const summary = plain(run.shown.slice(run.shown.lastIndexOf(`${ESC}[2K`)));
  const count = Number(/^count +(\d+)\r\n/.exec(summary)?.[1]);
  assert.ok(count > 0, summary);
  assert.match(summary, /\r\nverdict +.+\r\n/);
  assert.ok(
    summary.endsWith(
      `randport client: interrupted after ${count} numbers; --limit N reads N numbers and stops by itself\r\n`,
    ),
    summary,
  );
});

Deno.test("Ctrl-C in a pipe: the numbers so far, properly ended, one stderr line, exit 130", async () => {
  await using server = await startServer(["--stream"]);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      CLIENT_TS,
      ...local(server.port, "--format", "json"),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  // Numbers arriving means the client is reading, its Ctrl-C handler set.
  let stdout = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (stdout.length < 100_000) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  child.kill("SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  const status = await child.status;
  assert.equal(status.code, 130, await stderr);
  const numbers: number[] = JSON.parse(stdout);
  assert.ok(numbers.length > 0);
  assert.equal(
    await stderr,
    `randport client: interrupted after ${numbers.length} numbers; --limit N reads N numbers and stops by itself\n`,
  );
});

Deno.test("colours: on a terminal unless NO_COLOR; never in a pipe", async () => {
  await using server = await startServer(["--count", "1000"]);
  const args = local(server.port, "--stats", "--histogram");
  const coloured = await runOnTerminal(args);
  assert.equal(coloured.code, 0);
  assert.ok(coloured.shown.includes(`${ESC}[36m█`));
  assert.ok(
    [31, 32, 33].some((c) => coloured.shown.includes(`${ESC}[${c}mlooks`)) ||
      /verdict +\S*(doubtful|not uniform)/.test(plain(coloured.shown)),
  );

  const noColor = await runOnTerminal(args, { noColor: true });
  assert.equal(noColor.code, 0);
  assert.ok(!/\[3\dm/.test(noColor.shown), noColor.shown);

  // A pipe, with NO_COLOR unset.
  const piped = await new Deno.Command("env", {
    args: [
      "-u",
      "NO_COLOR",
      Deno.execPath(),
      "run",
      "--allow-net",
      CLIENT_TS,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(piped.code, 0);
  assert.ok(!hasEscapes(new TextDecoder().decode(piped.stdout)));
});

Deno.test("histogram: fits the terminal's width", async () => {
  await using server = await startServer(["--count", "2000", "--max", "1000"]);
  const run = await runOnTerminal(local(server.port, "--histogram"), {
    cols: 50,
    noColor: true,
  });
  assert.equal(run.code, 0);
  const lines = plain(run.shown).split("\r\n").filter((l) => l !== "");
  assert.ok(lines.length > 10);
  for (const line of lines) assert.ok(line.length <= 49, line);
  assert.ok(lines.some((line) => line.length === 49));
});

// Help and errors --------------------------------------------------------------------

Deno.test("client --help: flags and an example of every mode", async () => {
  const result = await runClient(["--help"]);
  assert.equal(result.code, 0);
  for (
    const pattern of [
      /--stats/,
      /--histogram/,
      /--range MIN\.\.MAX/,
      /--quiet/,
      /deno task client +#/,
      /--format csv/,
      /--format json/,
      /--limit 1000 /,
      /--stats --histogram --limit/,
      /--stats --range 1\.\.100/,
      /--histogram +#/,
      /--stats --histogram/,
      /> out\.txt/,
      /NO_COLOR/,
      /Ctrl-C/,
    ]
  ) {
    assert.match(result.stdout, pattern);
  }
});

const BAD_FLAGS: [string[], RegExp][] = [
  [
    ["--stats", "--range", "1-100"],
    /--range: expected MIN\.\.MAX, such as 1\.\.100, got "1-100"/,
  ],
  [
    ["--stats", "--range", "5..1"],
    /--range: expected MIN <= MAX, got "5\.\.1"/,
  ],
  [["--stats", "--range", "-5..x"], /--range: expected MIN\.\.MAX/],
  [
    ["--stats", "--range", "0..9007199254740992"],
    /--range: expected an integer within/,
  ],
  [["--range", "1..100"], /--range: only with --stats or --histogram/],
  [["--histogram", "--format", "csv"], /--format: only for printed numbers/],
  [["--stats=yes"], /--stats: takes no value/],
  [["--quiet=1"], /--quiet: takes no value/],
];

for (const [flags, pattern] of BAD_FLAGS) {
  Deno.test(`client ${JSON.stringify(flags)}: exit 2, one line naming the flag`, async () => {
    const result = await runClient(local(freePort(), ...flags));
    assertOneLineError(result, 2, CLIENT, pattern);
    assert.equal(result.stdout, "");
  });
}

Deno.test("client --range takes negative bounds as typed", async () => {
  await using server = await startServer([
    "--min",
    "-5",
    "--max",
    "5",
    "--count",
    "100",
  ]);
  const result = await runClient(
    local(server.port, "--stats", "--range", "-5..5"),
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /uniform -5\.\.5\n/);
});

Deno.test("errors teach: refused names the command to start a server on that port", async () => {
  const port = freePort();
  const result = await runClient(local(port, "--stats"));
  assertOneLineError(
    result,
    1,
    CLIENT,
    /refused/,
    new RegExp(
      `Start one in another terminal with \`deno task serve --port ${port}\``,
    ),
  );
  assert.equal(result.stdout, "");
});

Deno.test("errors teach: unknown host suggests checking --host", async () => {
  // 64-character label: rejected by the resolver locally, no DNS query.
  const host = `${"a".repeat(64)}.invalid`;
  const result = await runClient([
    "--host",
    host,
    "--port",
    "27679",
    "--stats",
  ]);
  assertOneLineError(
    result,
    1,
    CLIENT,
    /unknown host/,
    /check the spelling of --host/,
  );
});

Deno.test("errors teach: a malformed payload suggests looking with nc", async () => {
  await using python = await startRawPythonServer("hello");
  const result = await runClient(local(python.port, "--histogram"));
  assertOneLineError(
    result,
    1,
    CLIENT,
    /malformed payload at byte 0/,
    new RegExp(`\`nc 127\\.0\\.0\\.1 ${python.port}\` shows what it sends`),
  );
  assert.equal(result.stdout, "");
});

Deno.test("errors teach: a timeout suggests --timeout", async () => {
  await using python = await startRawPythonServer("", "silent");
  const result = await runClient(local(python.port, "--timeout", "0.3"));
  assertOneLineError(result, 1, CLIENT, /timed out/, /--timeout SECONDS/);
});

Deno.test("--stats --histogram on an empty payload print zeros and dashes, never NaN", async () => {
  await using server = await startServer(["--count", "0"]);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--stats",
    "--histogram",
    "--range",
    "1..5",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /NaN/);
  assert.match(result.stdout, /^count\s+0$/m);
  assert.match(result.stdout, /^1 .* 0 {2}0\.0%$/m);
});

Deno.test("uniformityTestMinimum: the test runs from exactly that many numbers, not one fewer", () => {
  for (let values = 2; values <= 120; values++) {
    const range = { min: 1, max: values };
    const needed = uniformityTestMinimum(new StreamStats({ range }))!;
    assert.ok(needed >= 10, `1..${values}: ${needed}`);
    for (
      const [count, runs] of [[needed, true], [needed - 1, false]] as const
    ) {
      const stats = new StreamStats({ range });
      stats.add(Array.from({ length: count }, (_, i) => 1 + (i % values)));
      assert.equal(
        uniformityTest(stats) !== undefined,
        runs,
        `1..${values} with ${count} numbers`,
      );
    }
  }
  assert.equal(
    uniformityTestMinimum(new StreamStats({ range: { min: 1, max: 11 } })),
    11,
  );
  assert.equal(
    uniformityTestMinimum(new StreamStats({ range: { min: 1, max: 3 } })),
    15,
  );
  assert.equal(uniformityTestMinimum(new StreamStats()), undefined);
  assert.equal(
    uniformityTestMinimum(new StreamStats({ range: { min: 4, max: 4 } })),
    undefined,
  );
});

Deno.test("client --stats: 10 numbers over 1..11 do not claim that 10 are too few", async () => {
  await using peer = await startRawPythonServer("1,2,3,4,5,6,7,8,9,11");
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(peer.port),
    "--stats",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /count +10\n/);
  // The halves of 1..11 hold 6 and 5 values: 5 of 10 numbers' worth
  // expected in the smaller is below 5, so 11 are needed.
  assert.match(
    result.stdout,
    /verdict +too few numbers for a chi-square test of 1\.\.11 \(at least 11 needed\)/,
  );
});
