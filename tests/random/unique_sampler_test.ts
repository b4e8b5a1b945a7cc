import assert from "node:assert/strict";
import {
  randomBelow,
  type RandomSource,
  SeededRandomSource,
  UniqueSampler,
} from "../../lib/random/mod.ts";
import { ALPHA, chiSquareEqual, draw, MAX, TWO_53 } from "./_random.ts";

// ---------------------------------------------------------------------------
// UniqueSampler

Deno.test("UniqueSampler never repeats a value", () => {
  for (
    const [min, max, count] of [[1, 1000, 500], [-10, 10, 15], [0, 65536, 5000]]
  ) {
    const values = draw(
      new UniqueSampler(min, max, { source: new SeededRandomSource(count) }),
      count,
    );
    assert.equal(new Set(values).size, count);
    assert.ok(values.every((v) => Number.isInteger(v) && v >= min && v <= max));
  }
});

Deno.test("UniqueSampler with count equal to the range size gives a permutation", () => {
  for (
    const [min, max] of [[5, 5], [1, 2], [-3, 3], [1, 1000], [MAX - 99, MAX]]
  ) {
    const size = max - min + 1;
    const values = draw(
      new UniqueSampler(min, max, { source: new SeededRandomSource(size) }),
      size,
    );
    const sorted = [...values].sort((a, b) => a - b);
    assert.deepEqual(sorted, Array.from({ length: size }, (_, i) => min + i));
  }
});

Deno.test("UniqueSampler keeps values distinct across several fills", () => {
  const sampler = new UniqueSampler(1, 50, {
    source: new SeededRandomSource(8),
  });
  const values = [
    ...draw(sampler, 7),
    ...draw(sampler, 1),
    ...draw(sampler, 0),
    ...draw(sampler, 30),
    ...draw(sampler, 12),
  ];
  assert.equal(values.length, 50);
  assert.equal(new Set(values).size, 50);
  assert.throws(() => draw(sampler, 1), RangeError);
});

Deno.test("UniqueSampler throws when asked for more values than are left", () => {
  assert.throws(() => draw(new UniqueSampler(1, 3), 4), RangeError);
  assert.throws(() => draw(new UniqueSampler(-1, -1), 2), RangeError);
  const sampler = new UniqueSampler(1, 10);
  draw(sampler, 5);
  assert.throws(() => draw(sampler, 6), RangeError);
  // A failed request takes nothing: the five left can still be drawn.
  assert.equal(new Set(draw(sampler, 5)).size, 5);
});

Deno.test("UniqueSampler works over huge ranges", () => {
  for (const [min, max] of [[0, MAX], [1, MAX], [-MAX, MAX], [-MAX, 0]]) {
    const values = draw(
      new UniqueSampler(min, max, { source: new SeededRandomSource(min) }),
      20_000,
    );
    assert.equal(new Set(values).size, 20_000, `${min}..${max}`);
    assert.ok(
      values.every((v) => Number.isSafeInteger(v) && v >= min && v <= max),
    );
    const middle = min / 2 + max / 2;
    const low = values.filter((v) => v < middle).length;
    assert.ok(low > 9000 && low < 11_000, `${min}..${max}: ${low} low`);
  }
});

Deno.test("UniqueSampler rejects ranges that are not min <= max within ±(2^53−1)", () => {
  assert.throws(() => new UniqueSampler(3, 2), RangeError);
  assert.throws(() => new UniqueSampler(0, TWO_53), RangeError);
  assert.throws(() => new UniqueSampler(0.5, 2), RangeError);
});

/** The textbook mistake: swapping every position with any position. */
function naiveShuffle(values: number[], source: RandomSource): number[] {
  const out = [...values];
  for (let i = 0; i < out.length; i++) {
    const j = randomBelow(out.length, { source });
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function orderCounts(
  shuffle: () => number[],
  trials: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let t = 0; t < trials; t++) {
    const key = shuffle().join(",");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

Deno.test("UniqueSampler orders 1..3 uniformly: all 6 permutations equally often", () => {
  const source = new SeededRandomSource(2024);
  const counts = orderCounts(
    () => draw(new UniqueSampler(1, 3, { source }), 3),
    60_000,
  );
  assert.equal(counts.size, 6);
  const ours = chiSquareEqual([...counts.values()]);
  assert.ok(
    ours.p > ALPHA,
    `UniqueSampler: chi2 ${ours.statistic}, p ${ours.p}`,
  );

  // The same check catches a biased shuffle (4/27 vs 5/27 per permutation).
  const naive = orderCounts(() => naiveShuffle([1, 2, 3], source), 60_000);
  assert.equal(naive.size, 6);
  const biased = chiSquareEqual([...naive.values()]);
  assert.ok(biased.p < ALPHA, `naive: chi2 ${biased.statistic}, p ${biased.p}`);
});

Deno.test("UniqueSampler makes every ordered pair of 1..5 equally likely", () => {
  const source = new SeededRandomSource(77);
  const counts = orderCounts(
    () => draw(new UniqueSampler(1, 5, { source }), 2),
    60_000,
  );
  assert.equal(counts.size, 20);
  const { statistic, p } = chiSquareEqual([...counts.values()]);
  assert.ok(p > ALPHA, `chi2 ${statistic}, p ${p}`);
});

Deno.test("UniqueSampler with the crypto source orders 1..4 uniformly", () => {
  const counts = orderCounts(() => draw(new UniqueSampler(1, 4), 4), 48_000);
  assert.equal(counts.size, 24);
  const { statistic, p } = chiSquareEqual([...counts.values()]);
  // A false alarm has probability 1e-6 per run.
  assert.ok(p > ALPHA, `chi2 ${statistic}, p ${p}`);
});
