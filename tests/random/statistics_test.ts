/**
 * Chi-square goodness-of-fit tests of the samplers on 10^6 draws each, and
 * of deliberately biased samplers, to show that the very same check would
 * catch modulo bias and floating-point rounding.
 *
 * Every bin here has exactly the same probability under the null hypothesis
 * (the bin count divides the range size), so a failure is never an artefact
 * of unequal bins. A sample fails at p < 1e-6: with a seeded source the
 * outcome is fixed; with the CSPRNG a false alarm has probability 1e-6 per
 * check.
 */

import assert from "node:assert/strict";
import jStat from "jstat";
import {
  cryptoRandomSource,
  type IntegerSampler,
  type RandomSource,
  SeededRandomSource,
  UniformSampler,
} from "../../lib/random/mod.ts";

const ALPHA = 1e-6;
const DRAWS = 1_000_000;
const TWO_32 = 2 ** 32;
const MAX = Number.MAX_SAFE_INTEGER;

function chiSquareCdf(statistic: number, df: number): number {
  return jStat.chisquare.cdf(statistic, df);
}

function chiSquareQuantile(probability: number, df: number): number {
  return jStat.chisquare.inv(probability, df);
}

/** Equal-probability bins over min..max. */
interface Binning {
  name: string;
  bins: number;
  binOf(value: number): number;
}

/** One bin per value, for small ranges. */
function valueBins(min: number, max: number): Binning {
  return { name: "value", bins: max - min + 1, binOf: (value) => value - min };
}

/**
 * `bins` contiguous blocks of equal width: this is what catches modulo bias,
 * which favours the low part of the range.
 */
function blockBins(min: number, max: number, bins: number): Binning {
  const size = BigInt(max) - BigInt(min) + 1n;
  assert.equal(size % BigInt(bins), 0n, "blocks must be exactly equal");
  const width = size / BigInt(bins);
  if (size <= BigInt(MAX)) {
    const w = Number(width);
    return {
      name: `${bins} blocks`,
      bins,
      binOf: (value) => Math.floor((value - min) / w),
    };
  }
  // value - min can exceed 2^53 here, so it is done exactly.
  const bigMin = BigInt(min);
  return {
    name: `${bins} blocks`,
    bins,
    binOf: (value) => Number((BigInt(value) - bigMin) / width),
  };
}

/**
 * Offsets modulo `bins`: this is what catches a floating-point sampler, whose
 * few reachable values sit on a regular lattice.
 */
function residueBins(min: number, max: number, bins: number): Binning {
  const size = BigInt(max) - BigInt(min) + 1n;
  assert.equal(size % BigInt(bins), 0n, "residues must be exactly equal");
  const minResidue = ((min % bins) + bins) % bins;
  return {
    name: `residues mod ${bins}`,
    bins,
    binOf: (value) => (((value % bins) - minResidue) + 2 * bins) % bins,
  };
}

interface ChiSquareResult {
  binning: string;
  statistic: number;
  df: number;
  p: number;
  critical: number;
}

function chiSquareEqual(
  counts: Float64Array,
  binning: string,
): ChiSquareResult {
  let total = 0;
  for (const count of counts) total += count;
  const expected = total / counts.length;
  let statistic = 0;
  for (const count of counts) statistic += (count - expected) ** 2 / expected;
  const df = counts.length - 1;
  return {
    binning,
    statistic,
    df,
    p: 1 - chiSquareCdf(statistic, df),
    critical: chiSquareQuantile(1 - ALPHA, df),
  };
}

function describe(results: ChiSquareResult[]): string {
  return results
    .map((r) =>
      `${r.binning}: chi2 ${r.statistic.toFixed(1)} (df ${r.df}, ` +
      `critical ${r.critical.toFixed(1)}), p ${r.p.toExponential(2)}`
    )
    .join("; ");
}

/** Draws `draws` numbers and runs one chi-square test per binning. */
function uniformity(
  sampler: IntegerSampler,
  draws: number,
  binnings: Binning[],
): ChiSquareResult[] {
  const counts = binnings.map((b) => new Float64Array(b.bins));
  const batch = new Float64Array(65536);
  for (let done = 0; done < draws;) {
    const n = Math.min(batch.length, draws - done);
    sampler.fill(batch, n);
    for (let b = 0; b < binnings.length; b++) {
      const { binOf } = binnings[b];
      const bins = counts[b];
      for (let i = 0; i < n; i++) bins[binOf(batch[i])]++;
    }
    done += n;
  }
  return binnings.map((b, i) => chiSquareEqual(counts[i], b.name));
}

function assertUniform(results: ChiSquareResult[]): void {
  for (const r of results) {
    assert.ok(r.p > ALPHA && r.statistic < r.critical, describe(results));
  }
}

function assertRejected(result: ChiSquareResult, all: ChiSquareResult[]): void {
  assert.ok(
    result.statistic > result.critical && result.p < ALPHA,
    describe(all),
  );
}

/** The classic mistake: one word, reduced modulo the range size. */
class ModuloSampler implements IntegerSampler {
  constructor(
    readonly min: number,
    readonly max: number,
    readonly source: RandomSource,
  ) {}
  fill(out: Float64Array, count: number): void {
    const size = this.max - this.min + 1;
    for (let i = 0; i < count; i++) {
      out[i] = this.min + (this.source.nextUint32() % size);
    }
  }
}

/** The other classic mistake: scaling a 32-bit fraction by the range size. */
class FloatSampler implements IntegerSampler {
  constructor(
    readonly min: number,
    readonly max: number,
    readonly source: RandomSource,
  ) {}
  fill(out: Float64Array, count: number): void {
    const size = this.max - this.min + 1;
    for (let i = 0; i < count; i++) {
      const u = this.source.nextUint32() / TWO_32;
      out[i] = this.min + Math.floor(u * size);
    }
  }
}

function seeded(seed: number): RandomSource {
  return new SeededRandomSource(seed);
}

Deno.test("jStat's chi-square distribution matches published tables", () => {
  // Standard table values: the 95% point of chi2(99) and the 1e-6 upper
  // tail of chi2(1) (= the square of the normal's 4.8916 sigma).
  assert.ok(Math.abs(chiSquareQuantile(0.95, 99) - 123.2252) < 1e-3);
  assert.ok(Math.abs(chiSquareQuantile(1 - 1e-6, 1) - 23.9281) < 1e-3);
  assert.ok(Math.abs(1 - chiSquareCdf(29.588, 10) - 0.001) < 1e-6);
});

Deno.test("1..100 is uniform (seeded and CSPRNG)", () => {
  const binnings = [valueBins(1, 100)];
  assertUniform(
    uniformity(
      new UniformSampler(1, 100, { source: seeded(1) }),
      DRAWS,
      binnings,
    ),
  );
  assertUniform(
    uniformity(
      new UniformSampler(1, 100, { source: cryptoRandomSource() }),
      DRAWS,
      binnings,
    ),
  );
});

Deno.test("1..6 is uniform (seeded and CSPRNG)", () => {
  const binnings = [valueBins(1, 6)];
  assertUniform(
    uniformity(
      new UniformSampler(1, 6, { source: seeded(6) }),
      DRAWS,
      binnings,
    ),
  );
  assertUniform(
    uniformity(
      new UniformSampler(1, 6, { source: cryptoRandomSource() }),
      DRAWS,
      binnings,
    ),
  );
});

// n = 3·2^30: 2^32 mod n = 2^30, so `word % n` hits 0..2^30−1 twice as often
// as the rest, and floor(word/2^32 · n) = floor(3·word/4) hits multiples of 3
// twice as often. Neither bias is subtle; both must be caught.
const N_MODULO = 3 * 2 ** 30;

Deno.test("0..3·2^30−1: ours is uniform, word % n and floor(u·n) are caught", () => {
  const min = 0;
  const max = N_MODULO - 1;
  const binnings = [blockBins(min, max, 96), residueBins(min, max, 96)];

  assertUniform(
    uniformity(
      new UniformSampler(min, max, { source: seeded(30) }),
      DRAWS,
      binnings,
    ),
  );
  assertUniform(
    uniformity(
      new UniformSampler(min, max, { source: cryptoRandomSource() }),
      DRAWS,
      binnings,
    ),
  );

  const modulo = uniformity(
    new ModuloSampler(min, max, seeded(30)),
    DRAWS,
    binnings,
  );
  assertRejected(modulo[0], modulo);
  const float = uniformity(
    new FloatSampler(min, max, seeded(30)),
    DRAWS,
    binnings,
  );
  assertRejected(float[1], float);
});

Deno.test("a range of 3·2^32 + 3·2^20 values (two words per number) is uniform", () => {
  // Not a power of two, wider than one word, straddling zero.
  const min = -6_000_000_000;
  const max = min + 3 * TWO_32 + 3 * 2 ** 20 - 1;
  const binnings = [blockBins(min, max, 96), residueBins(min, max, 96)];
  assertUniform(
    uniformity(
      new UniformSampler(min, max, { source: seeded(32) }),
      DRAWS,
      binnings,
    ),
  );
  assertUniform(
    uniformity(
      new UniformSampler(min, max, { source: cryptoRandomSource() }),
      DRAWS,
      binnings,
    ),
  );
});

Deno.test("1..3·2^32: ours is uniform, floor(u·n) with a 32-bit u is caught", () => {
  // A 32-bit fraction reaches only 2^32 of the 3·2^32 values: exactly the
  // offsets 3·word, so every residue mod 3 but 0 is missing.
  const min = 1;
  const max = 3 * TWO_32;
  const binnings = [blockBins(min, max, 96), residueBins(min, max, 96)];
  assertUniform(
    uniformity(
      new UniformSampler(min, max, { source: seeded(33) }),
      DRAWS,
      binnings,
    ),
  );
  const float = uniformity(
    new FloatSampler(min, max, seeded(33)),
    DRAWS,
    binnings,
  );
  assertRejected(float[1], float);
});

Deno.test("the whole ±(2^53−1) range (2^54−1 values, BigInt path) is uniform", () => {
  // 2^54−1 = 3^4·7·19·73·87211·262657, so 63 bins divide it exactly.
  const binnings = [blockBins(-MAX, MAX, 63), residueBins(-MAX, MAX, 63)];
  assertUniform(
    uniformity(
      new UniformSampler(-MAX, MAX, { source: seeded(54) }),
      DRAWS,
      binnings,
    ),
  );
});

/**
 * Consecutive numbers as non-overlapping pairs, one bin per ordered pair
 * (overlapping pairs would not be independent, and chi2 would not apply).
 */
class PairSampler implements IntegerSampler {
  #scratch = new Float64Array(0);
  constructor(readonly inner: IntegerSampler, readonly size: number) {}
  fill(out: Float64Array, count: number): void {
    if (this.#scratch.length < 2 * count) {
      this.#scratch = new Float64Array(2 * count);
    }
    this.inner.fill(this.#scratch, 2 * count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#scratch[2 * i] * this.size + this.#scratch[2 * i + 1];
    }
  }
}

/**
 * Every number is uniform on its own, but never equal to its predecessor:
 * a serial dependence that only a test over pairs can see.
 */
class NoRepeatSampler implements IntegerSampler {
  #previous = -1;
  constructor(readonly size: number, readonly source: RandomSource) {}
  fill(out: Float64Array, count: number): void {
    const step = new UniformSampler(1, this.size - 1, { source: this.source });
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      if (this.#previous < 0) {
        this.#previous = Math.floor(
          this.source.nextUint32() / TWO_32 * this.size,
        );
      } else {
        step.fill(one, 1);
        this.#previous = (this.#previous + one[0]) % this.size;
      }
      out[i] = this.#previous;
    }
  }
}

Deno.test("consecutive numbers of 0..9 are independent: pairs are uniform", () => {
  const pairs = [valueBins(0, 99)];
  // 0..9 packs 9 digits per word, so pairs fall both inside a word and
  // across words.
  assertUniform(
    uniformity(
      new PairSampler(new UniformSampler(0, 9, { source: seeded(10) }), 10),
      DRAWS,
      pairs,
    ),
  );
  assertUniform(
    uniformity(
      new PairSampler(
        new UniformSampler(0, 9, { source: cryptoRandomSource() }),
        10,
      ),
      DRAWS,
      pairs,
    ),
  );

  // The check has teeth: a sampler uniform number by number but serially
  // dependent passes the one-number test and fails the pair test.
  const dependent = new NoRepeatSampler(10, seeded(10));
  assertUniform(uniformity(dependent, DRAWS, [valueBins(0, 9)]));
  const pairResults = uniformity(new PairSampler(dependent, 10), DRAWS, pairs);
  assertRejected(pairResults[0], pairResults);
});
