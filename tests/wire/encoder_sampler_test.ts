/**
 * The seam between the encoder and the samplers: what the encoder writes is
 * what the sampler's `fill` draws, number for number, whether the encoder
 * takes the numbers one by one or as blocks (`SamplerBlocks`), for fixed
 * seeds, many ranges, formats and buffer sizes. A change on either side of
 * the block contract (digit order, offset, the rejection limit of the block
 * path) makes these fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type IntegerSampler,
  type SamplerBlocks,
  SeededRandomSource,
  UniformSampler,
} from "../../lib/random/mod.ts";
import {
  parsePayload,
  PayloadEncoder,
  payloadSampler,
  resolvePayloadSpec,
} from "../../lib/wire/mod.ts";

const MAX = Number.MAX_SAFE_INTEGER;
const RANGES: [number, number][] = [
  [5, 5],
  [0, 1],
  [1, 2],
  [1, 6],
  [1, 10],
  [1, 49],
  [1, 100],
  [-50, 49],
  [0, 255],
  [1, 1000],
  [0, 9999],
  [1, 16384],
  [1, 16385],
  [-(2 ** 31), 2 ** 31 - 1],
  [0, 2 ** 32],
  [-MAX, MAX],
];

/** Wraps a sampler, counting the numbers that go through each path. */
class CountingSampler implements IntegerSampler {
  readonly #inner: IntegerSampler;
  readonly blocks: SamplerBlocks | undefined;
  filled = 0;
  blockNumbers = 0;

  constructor(inner: IntegerSampler) {
    this.#inner = inner;
    const blocks = inner.blocks;
    this.blocks = blocks && {
      size: blocks.size,
      radix: blocks.radix,
      offset: blocks.offset,
      get pending() {
        return blocks.pending;
      },
      fill: (out: Uint32Array, count: number) => {
        this.blockNumbers += count * blocks.size;
        blocks.fill(out, count);
      },
    };
  }

  fill(out: Float64Array, count: number): void {
    this.filled += count;
    this.#inner.fill(out, count);
  }
}

function reference(min: number, max: number, seed: number, count: number) {
  const sampler = new UniformSampler(min, max, {
    source: new SeededRandomSource(seed, { sequence: 3 }),
  });
  const out = new Float64Array(count);
  sampler.fill(out, count);
  return [...out];
}

Deno.test("encoder = sampler: what the encoder writes is what fill draws", () => {
  let viaBlocks = 0;
  let round = 0;
  for (const [min, max] of RANGES) {
    for (const format of ["csv", "lines", "json"] as const) {
      for (const seed of [1, 2, -77, MAX]) {
        const count = 3001;
        const spec = resolvePayloadSpec({ count, min, max, format, seed });
        const sampler = new CountingSampler(
          payloadSampler(spec, { ordinal: 3 }),
        );
        const encoder = new PayloadEncoder(spec, { sampler });
        const chunk = new Uint8Array([600, 16384, 64, 513][round++ % 4]);
        const parts: number[] = [];
        let text = "";
        while (!encoder.done) {
          const length = encoder.encodeInto(chunk);
          text += new TextDecoder().decode(chunk.subarray(0, length));
        }
        parts.push(...parsePayload(new TextEncoder().encode(text)));
        assert.deepEqual(
          parts,
          reference(min, max, seed, count),
          `${min}..${max} ${format} seed ${seed}`,
        );
        assert.equal(sampler.filled + sampler.blockNumbers, count);
        viaBlocks += sampler.blockNumbers;
      }
    }
  }
  // The block path is the server's: most numbers of small ranges go through it.
  assert.ok(viaBlocks > 100_000, `${viaBlocks} numbers via blocks`);
});

Deno.test("SamplerBlocks: a block's digits, lowest first, are the next numbers", () => {
  for (const [min, max] of RANGES) {
    const a = new UniformSampler(min, max, {
      source: new SeededRandomSource(99),
    });
    const b = new UniformSampler(min, max, {
      source: new SeededRandomSource(99),
    });
    const blocks = a.blocks;
    if (max - min + 1 > 2 ** 32 || min === max) {
      assert.equal(blocks, undefined, `${min}..${max}`);
      continue;
    }
    assert.ok(blocks, `${min}..${max} has blocks`);
    assert.equal(blocks.radix, max - min + 1);
    assert.equal(blocks.offset, min);
    assert.ok(blocks.size >= 1 && blocks.radix ** blocks.size <= 2 ** 32);
    assert.ok(blocks.radix ** (blocks.size + 1) > 2 ** 32, "as many as fit");
    const n = 500;
    const out = new Uint32Array(n);
    blocks.fill(out, n);
    const numbers = new Float64Array(n * blocks.size);
    b.fill(numbers, numbers.length);
    for (let i = 0; i < n; i++) {
      let block = out[i];
      for (let d = 0; d < blocks.size; d++) {
        assert.equal(
          blocks.offset + (block % blocks.radix),
          numbers[i * blocks.size + d],
          `${min}..${max} block ${i} digit ${d}`,
        );
        block = Math.floor(block / blocks.radix);
      }
    }
  }
});

Deno.test("SamplerBlocks: blocks wait until fill has handed out a word's spare numbers", () => {
  const sampler = new UniformSampler(1, 100, {
    source: new SeededRandomSource(5),
  });
  const blocks = sampler.blocks!;
  assert.equal(blocks.size, 4);
  sampler.fill(new Float64Array(1), 1);
  assert.equal(blocks.pending, 3);
  assert.throws(() => blocks.fill(new Uint32Array(1), 1), RangeError);
  sampler.fill(new Float64Array(3), 3);
  assert.equal(blocks.pending, 0);
  blocks.fill(new Uint32Array(1), 1);
});

Deno.test("encoder: a sampler whose blocks leave the spec's range is refused", () => {
  const spec = resolvePayloadSpec({ count: 10, min: 1, max: 100 });
  const sampler = new UniformSampler(995, 1004);
  assert.throws(
    () => new PayloadEncoder(spec, { sampler }),
    /sampler: its blocks span 995\.\.1004, outside the spec's 1\.\.100/,
  );
});
