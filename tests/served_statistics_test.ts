/**
 * Chi-square tests on what the server actually sends: numbers read back
 * through the socket and the parser, from the CSPRNG (not seeded), for
 * ranges that take each of the encoder's paths (blocks through group
 * tables, one number per table entry, digit by digit). The sampler tests in
 * tests/random/ draw through `fill` alone; a bias planted in the block path
 * that the server's encoder takes for almost every number of a small range
 * would pass them and fail here.
 *
 * @module
 */

import assert from "node:assert/strict";
import jStat from "jstat";
import { streamNumbers } from "../lib/client/mod.ts";
import { serve } from "../lib/server/mod.ts";

const ALPHA = 1e-6;

interface Case {
  min: number;
  max: number;
  draws: number;
  /** Bins of equally many values (all values when 0). */
  bins: number;
}

const CASES: Case[] = [
  // 12 numbers per random word, groups of 4 per table entry.
  { min: 1, max: 6, draws: 600_000, bins: 0 },
  // 4 numbers per word, groups of 2.
  { min: 1, max: 100, draws: 1_000_000, bins: 0 },
  // 2 numbers per word, one per table entry.
  { min: 1, max: 16384, draws: 1_000_000, bins: 256 },
  // One number per word, no table: digit by digit.
  { min: -1_000_000_000, max: 1_000_000_000, draws: 500_000, bins: 250 },
];

for (const { min, max, draws, bins } of CASES) {
  Deno.test(`served numbers are uniform: ${min}..${max}, ${draws} from the CSPRNG`, async () => {
    const server = serve({
      hostname: "127.0.0.1",
      port: 0,
      payload: { stream: true, min, max },
      lingerTimeout: 0,
    });
    try {
      const size = max - min + 1;
      const count = bins || size;
      const per = size / count;
      const counts = new Float64Array(count);
      let seen = 0;
      for await (
        const batch of streamNumbers({
          hostname: "127.0.0.1",
          port: server.addr.port,
          limit: draws,
        })
      ) {
        for (const n of batch) {
          assert.ok(n >= min && n <= max, `${n} outside ${min}..${max}`);
          counts[Math.floor((n - min) / per)]++;
        }
        seen += batch.length;
      }
      assert.equal(seen, draws);
      const expected = draws / count;
      let statistic = 0;
      for (const c of counts) statistic += (c - expected) ** 2 / expected;
      const critical = jStat.chisquare.inv(1 - ALPHA, count - 1);
      assert.ok(
        statistic < critical,
        `chi-square ${statistic.toFixed(1)} at df ${count - 1} exceeds ${
          critical.toFixed(1)
        } (p < ${ALPHA})`,
      );
      // Too good to be true is as suspicious (a counter, not a generator).
      const low = jStat.chisquare.inv(ALPHA, count - 1);
      assert.ok(statistic > low, `chi-square ${statistic} below ${low}`);
    } finally {
      await server.shutdown();
    }
  });
}

Deno.test("served numbers: consecutive pairs of 1..6 are independent", async () => {
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    payload: { stream: true, min: 1, max: 6 },
    lingerTimeout: 0,
  });
  try {
    const counts = new Float64Array(36);
    let previous = 0;
    let pairs = 0;
    for await (
      const batch of streamNumbers({
        hostname: "127.0.0.1",
        port: server.addr.port,
        limit: 720_001,
      })
    ) {
      for (const n of batch) {
        if (previous > 0) {
          counts[(previous - 1) * 6 + n - 1]++;
          pairs++;
        }
        previous = n;
      }
    }
    const expected = pairs / 36;
    let statistic = 0;
    for (const c of counts) statistic += (c - expected) ** 2 / expected;
    const critical = jStat.chisquare.inv(1 - ALPHA, 35);
    assert.ok(statistic < critical, `pairs chi-square ${statistic}`);
  } finally {
    await server.shutdown();
  }
});
