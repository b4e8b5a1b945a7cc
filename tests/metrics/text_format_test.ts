/**
 * The metrics package's text exposition format (0.0.4): HELP and TYPE
 * lines, escaping, number spelling, cumulative histogram buckets, and the
 * registry's checks of names and labels. Exact strings throughout: a
 * scraper parses these bytes.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Counter,
  escapeHelp,
  escapeLabelValue,
  formatSampleValue,
  Gauge,
  Histogram,
  MetricsRegistry,
  registerProcessMetrics,
} from "../../lib/metrics/mod.ts";

Deno.test("text format: HELP escapes backslash and line feed only", () => {
  assert.equal(escapeHelp('a\\b\nc "d"'), 'a\\\\b\\nc "d"');
  assert.equal(escapeHelp("plain"), "plain");
});

Deno.test("text format: label values escape backslash, quote and line feed", () => {
  assert.equal(escapeLabelValue('a\\b"c"\nd'), 'a\\\\b\\"c\\"\\nd');
  assert.equal(escapeLabelValue("tab\tstays"), "tab\tstays");
  assert.equal(escapeLabelValue(""), "");
});

Deno.test("text format: values spell infinities and NaN as Prometheus does", () => {
  assert.equal(formatSampleValue(Infinity), "+Inf");
  assert.equal(formatSampleValue(-Infinity), "-Inf");
  assert.equal(formatSampleValue(NaN), "NaN");
  assert.equal(formatSampleValue(0), "0");
  assert.equal(formatSampleValue(-0), "0");
  assert.equal(formatSampleValue(42), "42");
  assert.equal(formatSampleValue(0.1), "0.1");
  assert.equal(formatSampleValue(2 ** 53), "9007199254740992");
  assert.equal(formatSampleValue(1e21), "1e+21");
  assert.equal(formatSampleValue(1e-7), "1e-7");
});

Deno.test("counter: HELP, TYPE, one line per series in first-use order, escaped", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter({
    name: "app_requests_total",
    help: "Requests\\answered\nby command.",
    labelNames: ["command", "peer"],
  });
  counter.labels({ command: "get", peer: 'a"b' }).inc();
  counter.labels({ peer: "x\ny", command: "set\\" }).inc(2.5);
  counter.labels({ command: "get", peer: 'a"b' }).inc();
  assert.equal(
    registry.render(),
    "# HELP app_requests_total Requests\\\\answered\\nby command.\n" +
      "# TYPE app_requests_total counter\n" +
      'app_requests_total{command="get",peer="a\\"b"} 2\n' +
      'app_requests_total{command="set\\\\",peer="x\\ny"} 2.5\n',
  );
});

Deno.test("counter: without labels it is scraped as 0 before its first inc", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter({ name: "app_total", help: "H." });
  assert.equal(
    registry.render(),
    "# HELP app_total H.\n# TYPE app_total counter\napp_total 0\n",
  );
  counter.inc();
  assert.equal(counter.value, 1);
  assert.ok(registry.render().endsWith("\napp_total 1\n"));
});

Deno.test("counter: with labels and no series yet it writes HELP and TYPE only", () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "app_total", help: "H.", labelNames: ["k"] });
  assert.equal(
    registry.render(),
    "# HELP app_total H.\n# TYPE app_total counter\n",
  );
});

Deno.test("counter: never goes down", () => {
  const counter = new Counter({ name: "app_total", help: "H." });
  assert.throws(() => counter.inc(-1), RangeError);
  assert.throws(() => counter.inc(NaN), RangeError);
  assert.equal(counter.value, 0);
});

Deno.test("labels: exactly the declared names, string values", () => {
  const counter = new Counter({
    name: "app_total",
    help: "H.",
    labelNames: ["a", "b"],
  });
  assert.throws(() => counter.labels({ a: "1" }), /expected labels \{a, b\}/);
  assert.throws(() => counter.labels({ a: "1", b: "2", c: "3" }), TypeError);
  assert.throws(() => counter.labels({ a: "1", c: "2" }), TypeError);
  assert.throws(
    () => counter.labels({ a: "1", b: 2 as unknown as string }),
    /label b must be a string/,
  );
  assert.throws(() => counter.inc(), /needs labels a, b/);
});

Deno.test("names: metric and label names are checked when declared", () => {
  const bad = (options: { name: string; labelNames?: string[] }) =>
    assert.throws(() => new Counter({ help: "H.", ...options }), TypeError);
  bad({ name: "" });
  bad({ name: "1abc" });
  bad({ name: "app-total" });
  bad({ name: "app_total", labelNames: ["__reserved"] });
  bad({ name: "app_total", labelNames: ["bad-label"] });
  bad({ name: "app_total", labelNames: ["a", "a"] });
  new Counter({ name: "ns:app_total", help: "H.", labelNames: ["_x", "le"] });
  assert.throws(
    () =>
      new Histogram({ name: "app_seconds", help: "H.", labelNames: ["le"] }),
    /invalid label name "le"/,
  );
});

Deno.test("gauge: set, inc, dec; negative and fractional values", () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge({
    name: "app_temperature_celsius",
    help: "T.",
    labelNames: ["room"],
  });
  const hall = gauge.labels({ room: "hall" });
  hall.set(-3);
  hall.inc(0.5);
  hall.dec();
  assert.equal(hall.value, -3.5);
  assert.equal(
    registry.render(),
    "# HELP app_temperature_celsius T.\n# TYPE app_temperature_celsius gauge\n" +
      'app_temperature_celsius{room="hall"} -3.5\n',
  );
});

Deno.test("collect: values read at each scrape; such a metric has no series of its own", () => {
  const registry = new MetricsRegistry();
  const stats = { open: 1, served: 10 };
  const open = registry.gauge({
    name: "app_open",
    help: "Open.",
    labelNames: ["port"],
    collect: () => [[{ port: "a" }, stats.open], [{ port: "b" }, NaN]],
  });
  const served = registry.counter({
    name: "app_served_total",
    help: "Served.",
    collect: () => stats.served,
  });
  stats.open = 7;
  stats.served = 12;
  assert.equal(
    registry.render(),
    "# HELP app_open Open.\n# TYPE app_open gauge\n" +
      'app_open{port="a"} 7\napp_open{port="b"} NaN\n' +
      "# HELP app_served_total Served.\n# TYPE app_served_total counter\n" +
      "app_served_total 12\n",
  );
  assert.equal(served.value, 12);
  assert.throws(() => served.inc(), /its values come from collect/);
  assert.throws(() => open.labels({ port: "a" }), /come from collect/);
  // What collect returns is checked like any labels.
  const wrong = new Gauge({
    name: "app_wrong",
    help: "W.",
    labelNames: ["port"],
    collect: () => [[{ other: "x" }, 1]],
  });
  assert.throws(() => wrong.render(), TypeError);
});

Deno.test("histogram: cumulative _bucket lines, +Inf, _sum and _count", () => {
  const registry = new MetricsRegistry();
  const histogram = registry.histogram({
    name: "app_duration_seconds",
    help: "D.",
    labelNames: ["op"],
    buckets: [0.001, 0.01, 0.1],
  });
  const read = histogram.labels({ op: "read" });
  // A value equal to a bound belongs to that bucket: le is "<=".
  for (const value of [0.0005, 0.001, 0.005, 0.05, 0.5, 2]) read.observe(value);
  histogram.labels({ op: 'w"x' }).observe(0.25);
  assert.equal(read.count, 6);
  assert.deepEqual(read.cumulativeCounts(), [2, 3, 4, 6]);
  assert.equal(
    registry.render(),
    "# HELP app_duration_seconds D.\n# TYPE app_duration_seconds histogram\n" +
      'app_duration_seconds_bucket{op="read",le="0.001"} 2\n' +
      'app_duration_seconds_bucket{op="read",le="0.01"} 3\n' +
      'app_duration_seconds_bucket{op="read",le="0.1"} 4\n' +
      'app_duration_seconds_bucket{op="read",le="+Inf"} 6\n' +
      `app_duration_seconds_sum{op="read"} ${
        0.0005 + 0.001 + 0.005 + 0.05 + 0.5 + 2
      }\n` +
      'app_duration_seconds_count{op="read"} 6\n' +
      'app_duration_seconds_bucket{op="w\\"x",le="0.001"} 0\n' +
      'app_duration_seconds_bucket{op="w\\"x",le="0.01"} 0\n' +
      'app_duration_seconds_bucket{op="w\\"x",le="0.1"} 0\n' +
      'app_duration_seconds_bucket{op="w\\"x",le="+Inf"} 1\n' +
      'app_duration_seconds_sum{op="w\\"x"} 0.25\n' +
      'app_duration_seconds_count{op="w\\"x"} 1\n',
  );
});

Deno.test("histogram: without labels, default buckets, empty until observed", () => {
  const registry = new MetricsRegistry();
  const histogram = registry.histogram({ name: "app_seconds", help: "S." });
  assert.deepEqual(histogram.buckets, [
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
  ]);
  const lines = registry.render().split("\n");
  assert.equal(lines[2], 'app_seconds_bucket{le="0.005"} 0');
  assert.equal(lines[13], 'app_seconds_bucket{le="+Inf"} 0');
  assert.equal(lines[14], "app_seconds_sum 0");
  assert.equal(lines[15], "app_seconds_count 0");
  assert.equal(lines.length, 17);
  histogram.observe(100);
  assert.ok(registry.render().includes('app_seconds_bucket{le="10"} 0\n'));
  assert.ok(registry.render().includes('app_seconds_bucket{le="+Inf"} 1\n'));
});

Deno.test("histogram: bounds must be finite and increasing", () => {
  for (const buckets of [[1, 1], [2, 1], [1, Infinity], [NaN]]) {
    assert.throws(
      () => new Histogram({ name: "app_seconds", help: "S.", buckets }),
      /finite and increasing/,
    );
  }
});

Deno.test("registry: a name is registered once, a histogram's suffixes included", () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "app_total", help: "H." });
  assert.throws(
    () => registry.gauge({ name: "app_total", help: "H." }),
    /registered already/,
  );
  registry.histogram({ name: "app_seconds", help: "S." });
  assert.throws(
    () => registry.counter({ name: "app_seconds_count", help: "C." }),
    /app_seconds_count is registered already/,
  );
  registry.gauge({ name: "app_latency", help: "L." });
  assert.throws(
    () => registry.histogram({ name: "app_latency", help: "L." }),
    /registered already/,
  );
  assert.ok(registry.get("app_seconds") instanceof Histogram);
  assert.equal(registry.get("nothing"), undefined);
});

Deno.test("process metrics: memory from Deno.memoryUsage, start time", () => {
  const registry = new MetricsRegistry();
  registerProcessMetrics(registry);
  const values = new Map(
    registry.render().split("\n").filter((line) => line && line[0] !== "#")
      .map((line) => {
        const [name, value] = line.split(" ");
        return [name, Number(value)];
      }),
  );
  assert.deepEqual([...values.keys()], [
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "deno_heap_total_bytes",
    "deno_heap_used_bytes",
    "deno_external_memory_bytes",
  ]);
  assert.ok(values.get("process_resident_memory_bytes")! > 1e6);
  const started = values.get("process_start_time_seconds")!;
  assert.ok(started <= Date.now() / 1000 && started > Date.now() / 1000 - 3600);
  assert.ok(
    values.get("deno_heap_used_bytes")! <= values.get("deno_heap_total_bytes")!,
  );
});
