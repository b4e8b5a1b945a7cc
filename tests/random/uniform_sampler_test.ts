import assert from "node:assert/strict";
import { SeededRandomSource, UniformSampler } from "../../lib/random/mod.ts";
import { draw, MAX, ScriptedSource, TWO_32, TWO_53 } from "./_random.ts";

// ---------------------------------------------------------------------------
// UniformSampler

const RANGES: [number, number][] = [
  [1, 1],
  [0, 0],
  [-5, -5],
  [MAX, MAX],
  [-MAX, -MAX],
  [1, 2],
  [1, 6],
  [1, 100],
  [-100, -1],
  [-50, 50],
  [0, 65535],
  [-(2 ** 31), 2 ** 31 - 1],
  [0, TWO_32 - 1],
  [0, TWO_32],
  [1, TWO_32 + 1],
  [-(3 * 2 ** 32), 7],
  [0, MAX],
  [-MAX, 0],
  [MAX - 9, MAX],
  [-MAX, -MAX + 9],
  [-MAX, MAX],
  [-MAX, MAX - 1],
  [-MAX + 1, MAX],
];

Deno.test("UniformSampler stays within min..max for every kind of range", () => {
  for (const [min, max] of RANGES) {
    const sampler = new UniformSampler(min, max, {
      source: new SeededRandomSource(min, { sequence: 1 }),
    });
    const values = draw(sampler, 5000);
    for (const value of values) {
      assert.ok(
        Number.isSafeInteger(value) && value >= min && value <= max,
        `${value} outside ${min}..${max}`,
      );
    }
    const size = max - min + 1;
    if (size <= 100) {
      // 5000 draws miss one of at most 100 values with probability < 1e-19.
      assert.equal(new Set(values).size, size, `${min}..${max}`);
    } else {
      // Wide ranges: both halves are reached (2^-4999 to fail by chance).
      const middle = min / 2 + max / 2;
      assert.ok(values.some((value) => value < middle), `${min}..${max}`);
      assert.ok(values.some((value) => value > middle), `${min}..${max}`);
    }
  }
});

Deno.test("UniformSampler with the crypto source stays in range", () => {
  for (const [min, max] of [[1, 100], [0, MAX], [-MAX, MAX]]) {
    for (const value of draw(new UniformSampler(min, max), 2000)) {
      assert.ok(Number.isSafeInteger(value) && value >= min && value <= max);
    }
  }
});

Deno.test("UniformSampler packs several base-n digits into one word", () => {
  // 100^4 <= 2^32 < 100^5: one word below 4.2e9 gives four numbers, lowest
  // base-100 digit first; words at or above 4.2e9 are rejected.
  const word = 305419896; // 0x12345678: digits 96, 98, 41, 5 (from the bottom)
  const source = new ScriptedSource([4_200_000_000, TWO_32 - 1, word]);
  const sampler = new UniformSampler(1, 100, { source });
  assert.deepEqual(draw(sampler, 4), [97, 99, 42, 6]);
  assert.equal(source.left, 0);
});

Deno.test("UniformSampler(min, min) needs no randomness", () => {
  const sampler = new UniformSampler(-7, -7, {
    source: new ScriptedSource([]),
  });
  assert.deepEqual(draw(sampler, 5), [-7, -7, -7, -7, -7]);
});

Deno.test("UniformSampler rejects ranges that are not min <= max within ±(2^53−1)", () => {
  const bad: [number, number][] = [
    [2, 1],
    [0, TWO_53],
    [-TWO_53, 0],
    [0.5, 1],
    [0, NaN],
    [-Infinity, 0],
  ];
  for (const [min, max] of bad) {
    assert.throws(
      () => new UniformSampler(min, max),
      RangeError,
      `${min}..${max}`,
    );
  }
});

// A fill that stops mid-word keeps that word's other digits for the next
// fill; they must come out in the same order as in one big fill.
Deno.test("UniformSampler's seeded sequence does not depend on how it is chunked", () => {
  const ranges: [number, number][] = [
    [1, 6],
    [1, 10],
    [1, 100],
    [-50, 50],
    [0, 65535],
    [0, 65536],
    [0, TWO_32 - 1],
    [1, 2 ** 40],
    [0, MAX],
    [-MAX, MAX],
  ];
  const sizes = new SeededRandomSource(99);
  for (const [min, max] of ranges) {
    const whole = draw(
      new UniformSampler(min, max, { source: new SeededRandomSource(5) }),
      1000,
    );
    const sampler = new UniformSampler(min, max, {
      source: new SeededRandomSource(5),
    });
    const pieces: number[] = [];
    while (pieces.length < 1000) {
      const size = Math.min(
        1 + (sizes.nextUint32() % 17),
        1000 - pieces.length,
      );
      pieces.push(...draw(sampler, size));
    }
    const at = pieces.findIndex((value, i) => value !== whole[i]);
    assert.equal(
      at,
      -1,
      `${min}..${max}: pieces differ from one fill at #${at}: ` +
        `${pieces.slice(at, at + 4)} vs ${whole.slice(at, at + 4)}`,
    );
  }
});
