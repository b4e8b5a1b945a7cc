import assert from "node:assert/strict";
import { MetricsRegistry } from "../../lib/metrics/registry.ts";
import { mergeExpositions } from "../../lib/metrics/merge_expositions.ts";

function registry(hits: number, latency: number[], memory: number): string {
  const r = new MetricsRegistry();
  r.counter({ name: "hits_total", help: "Hits.", labelNames: ["port"] })
    .labels({ port: "a b" }).inc(hits);
  const h = r.histogram({
    name: "latency_seconds",
    help: "Latency.",
    buckets: [0.1, 1],
  });
  for (const value of latency) h.observe(value);
  r.gauge({ name: "process_resident_memory_bytes", help: "RSS." }).set(memory);
  return r.render();
}

Deno.test("mergeExpositions: adds samples, histogram series included, keeps shared gauges once", () => {
  const merged = mergeExpositions([
    registry(2, [0.05, 5], 1000),
    registry(3, [0.5], 1000),
  ]);
  const expected = registry(5, [0.05, 5, 0.5], 1000);
  // Sums are floating point: compare the sum sample by value.
  const strip = (text: string) =>
    text.replace(
      /^latency_seconds_sum (.*)$/m,
      (_, v) => `SUM ${Number(v).toFixed(9)}`,
    );
  assert.equal(strip(merged), strip(expected));
  assert.match(merged, /^hits_total\{port="a b"\} 5$/m);
  assert.match(merged, /^latency_seconds_bucket\{le="\+Inf"\} 3$/m);
  assert.match(merged, /^process_resident_memory_bytes 1000$/m);
});

Deno.test("mergeExpositions: a line that is not a sample is refused, naming it", () => {
  assert.throws(
    () => mergeExpositions(["# TYPE a counter\na 1\n", "a one\n"]),
    /input 1: not a sample line: "a one"/,
  );
  assert.equal(mergeExpositions([]), "");
  assert.equal(mergeExpositions(["x +Inf\n", "x 1\n"]), "x +Inf\n");
});
