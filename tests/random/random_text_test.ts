import assert from "node:assert/strict";
import {
  randomBytes,
  randomString,
  randomUuid,
  seedSource,
} from "../../lib/random/mod.ts";
import { ScriptedSource } from "./_random.ts";

const encoder = new TextEncoder();

Deno.test("randomBytes: a source's words, four bytes each, little-endian first; the last word's low bytes", () => {
  const source = new ScriptedSource([0x04030201, 0x08070605, 0xddccbbaa]);
  assert.deepEqual(
    [...randomBytes(10, { source })],
    [1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 0xbb],
  );
  assert.equal(randomBytes(0).length, 0);
  // More than one getRandomValues call holds.
  const many = randomBytes(200_000);
  assert.equal(many.length, 200_000);
  assert.ok(many.some((b) => b !== 0));
});

Deno.test("randomUuid: version 4 from the CSPRNG; seeded, PROTOCOL.md's vector", async () => {
  const shape =
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(randomUuid(), shape);
  const source = await seedSource(encoder.encode("u"));
  assert.equal(
    randomUuid({ source }),
    "ae35c46d-f69c-421f-8852-7c872e59338e",
  );
  // Every bit but the version's and variant's from the words.
  const ones = randomUuid({
    source: new ScriptedSource(Array(4).fill(0xffffffff)),
  });
  assert.equal(ones, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  const zeros = randomUuid({ source: new ScriptedSource([0, 0, 0, 0]) });
  assert.equal(zeros, "00000000-0000-4000-8000-000000000000");
});

Deno.test("randomString: each character alphabet[randomBelow(size)], first to last; PROTOCOL.md's vector", async () => {
  const source = new ScriptedSource([0, 1, 2, 5]);
  assert.equal(randomString(4, ["a", "b", "c"], { source }), "abcc");
  assert.equal(randomString(0, []), "");
  assert.throws(() => randomString(1, []), RangeError);
  const bits = await seedSource(encoder.encode("bits"));
  assert.equal(randomString(12, ["0", "1"], { source: bits }), "110010000001");
});
