/**
 * Seeded payloads are byte-identical to the ones recorded in
 * testdata/golden_payloads.json before lib/ was regrouped (issue 10): the
 * encoder, the samplers and the server's chunking, for every format, ranges
 * from one value to ±(2^53−1), unique draws, streams and chunk sizes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type GoldenCase, goldenDigest } from "./_golden.ts";

import recorded from "./testdata/golden_payloads.json" with { type: "json" };

const golden = recorded as (GoldenCase & { sha256: string })[];

Deno.test("golden: the recorded grid is all there", () => {
  assert.ok(golden.length >= 500, `only ${golden.length} golden cases`);
  assert.ok(golden.some((c) => c.kind === "server"));
  assert.ok(golden.some((c) => c.spec.unique));
  assert.ok(golden.some((c) => c.spec.stream));
});

Deno.test("golden: seeded encoder payloads are byte-identical", async () => {
  const changed = [];
  for (const c of golden.filter((c) => c.kind === "encoder")) {
    const { sha256, ...rest } = c;
    if (await goldenDigest(rest) !== sha256) changed.push(JSON.stringify(rest));
  }
  assert.deepEqual(changed, [], `${changed.length} payloads changed`);
});

Deno.test("golden: seeded server payloads are byte-identical", async () => {
  const changed = [];
  for (const c of golden.filter((c) => c.kind === "server")) {
    const { sha256, ...rest } = c;
    if (await goldenDigest(rest) !== sha256) changed.push(JSON.stringify(rest));
  }
  assert.deepEqual(changed, [], `${changed.length} payloads changed`);
});
