import assert from "node:assert/strict";
import { randomBelow, SeededRandomSource } from "../../lib/random/mod.ts";
import {
  ALPHA,
  chiSquareEqual,
  MAX,
  ScriptedSource,
  TWO_32,
  TWO_53,
} from "./_random.ts";

// ---------------------------------------------------------------------------
// randomBelow

Deno.test("randomBelow(1) is always 0", () => {
  const source = new SeededRandomSource(1);
  for (let i = 0; i < 100; i++) assert.equal(randomBelow(1, { source }), 0);
});

Deno.test("randomBelow(2) gives both 0 and 1, about equally", () => {
  const source = new SeededRandomSource(2);
  const counts = [0, 0];
  for (let i = 0; i < 10_000; i++) counts[randomBelow(2, { source })]++;
  assert.equal(counts[0] + counts[1], 10_000);
  assert.ok(chiSquareEqual(counts).p > ALPHA, `${counts}`);
});

Deno.test("randomBelow rejects exactly the words above the largest multiple", () => {
  // 2^32 mod 6 = 4: the four top words would favour 0..3, so they are redrawn.
  const limit = TWO_32 - 4;
  const source = new ScriptedSource([
    TWO_32 - 1,
    TWO_32 - 4,
    limit - 1,
    11,
  ]);
  assert.equal(randomBelow(6, { source }), (limit - 1) % 6);
  assert.equal(randomBelow(6, { source }), 5);
  assert.equal(source.left, 0);
});

Deno.test("randomBelow(2^32) uses each word as it is", () => {
  const source = new ScriptedSource([0, 1, TWO_32 - 1, 0x80000000]);
  const got = [0, 1, 2, 3].map(() => randomBelow(TWO_32, { source }));
  assert.deepEqual(got, [0, 1, TWO_32 - 1, 0x80000000]);
});

Deno.test("randomBelow(2^32 + 1) combines two words with exact rejection", () => {
  const bound = TWO_32 + 1;
  const limit = Number((1n << 53n) - ((1n << 53n) % BigInt(bound)));
  const split = (wide: number) => [Math.floor(wide / TWO_32), wide % TWO_32];
  const source = new ScriptedSource([
    ...split(limit), // rejected: would favour the low values
    ...split(limit - 1), // the largest accepted combination
    ...split(TWO_32), // exactly the bound's top value
    // Bits above the 21 used for the high part are ignored.
    0xffe00000,
    7,
  ]);
  assert.equal(randomBelow(bound, { source }), (limit - 1) % bound);
  assert.equal(randomBelow(bound, { source }), TWO_32);
  assert.equal(randomBelow(bound, { source }), 7);
  assert.equal(source.left, 0);
  const seeded = new SeededRandomSource(3);
  let aboveTwo32 = 0;
  for (let i = 0; i < 1000; i++) {
    const value = randomBelow(bound, { source: seeded });
    assert.ok(Number.isInteger(value) && value >= 0 && value <= TWO_32);
    if (value >= TWO_32 / 2) aboveTwo32++;
  }
  assert.ok(aboveTwo32 > 400 && aboveTwo32 < 600, `${aboveTwo32}`);
});

Deno.test("randomBelow(2^53) reaches the top of the safe range", () => {
  const source = new ScriptedSource([0xffffffff, 0xffffffff, 0, 0]);
  assert.equal(randomBelow(TWO_53, { source }), MAX);
  assert.equal(randomBelow(TWO_53, { source }), 0);
  const seeded = new SeededRandomSource(4);
  let highHalf = 0;
  for (let i = 0; i < 1000; i++) {
    const value = randomBelow(TWO_53, { source: seeded });
    assert.ok(Number.isSafeInteger(value) && value >= 0 && value < TWO_53);
    if (value >= 2 ** 52) highHalf++;
  }
  assert.ok(highHalf > 400 && highHalf < 600, `${highHalf}`);
});

Deno.test("randomBelow rejects bounds outside 1..2^53", () => {
  for (const bound of [0, -1, 1.5, NaN, Infinity, TWO_53 + 2, -TWO_53]) {
    assert.throws(() => randomBelow(bound), RangeError, `${bound}`);
  }
});

Deno.test("randomBelow draws from cryptoRandomSource by default", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(randomBelow(10));
  assert.deepEqual([...seen].sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
});
