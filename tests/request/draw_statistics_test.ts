/**
 * Statistics of every draw kind on what the request port sends over TCP:
 * the kinds that `serve_requests_test.ts` (plain RANDINT, SHUFFLE of three,
 * RANDBYTES, GAUSS) and `seed_test.ts` (seeded dice) leave out. A biased or
 * off-by-one sampler must fail here, so each test looks where such a bug
 * shows: the ordered outcomes of small draws (every permutation, every
 * ordered subset), the bits and value ranges of wide ones, characters
 * and digits by position, and seeded draws across many seeds. The one bug
 * no sample can show, a rejection limit off by one (one word in 2^32), is
 * tested exactly instead, on seeded words chosen to land on the limit.
 *
 * Every statistic is compared with its chi-square quantile at 1 − 10^-7:
 * with some sixty-five of them, the file fails on a correct server less
 * than once in 10^5 runs. The samples are sized so that the realistic
 * defects tried against it (biased reductions, naive shuffles, lost bits,
 * wrong masks) land far beyond that quantile, in a few seconds.
 *
 * @module
 */

import assert from "node:assert/strict";
import jStat from "jstat";
import { serveRequests } from "../../lib/request/mod.ts";
import { concatBytes, readWithin } from "../_util.ts";

const encoder = new TextEncoder();
const utf8 = new TextDecoder();
// One character per byte, so that offsets in the text are offsets in bytes.
const latin1 = new TextDecoder("latin1");
const MAX = Number.MAX_SAFE_INTEGER;
/** The false-failure probability of each statistic. */
const ALPHA = 1e-7;

type Reply = number | string | Reply[];

/**
 * RESP2 replies, read here rather than by the library's client, so that
 * what is tested is the bytes the port sent; and in one pass over the
 * whole response, several times faster than a streaming parser.
 */
function parseReplies(bytes: Uint8Array): Reply[] {
  const text = latin1.decode(bytes);
  const ascii = !bytes.some((b) => b >= 0x80);
  let at = 0;
  const line = () => {
    const end = text.indexOf("\r\n", at);
    assert.ok(end >= 0, `an unfinished line at byte ${at}`);
    const head = text.slice(at, end);
    at = end + 2;
    return head;
  };
  const next = (): Reply => {
    const type = text[at++];
    const head = line();
    if (type === ":") return Number(head);
    if (type === "+") return head;
    if (type === "$") {
      const start = at;
      at += Number(head) + 2;
      return ascii
        ? text.slice(start, at - 2)
        : utf8.decode(bytes.subarray(start, at - 2));
    }
    if (type === "*") {
      const items = new Array<Reply>(Number(head));
      for (let i = 0; i < items.length; i++) items[i] = next();
      return items;
    }
    throw new Error(`the server replied ${type}${head}`);
  };
  const replies: Reply[] = [];
  while (at < text.length) replies.push(next());
  return replies;
}

const PONG = encoder.encode("\r\n+PONG\r\n");

/**
 * Sends every request in one pipelined write to a fresh server and reads
 * the replies: thousands of draws cost about one round trip. A PING goes
 * last, and its PONG, which no draw here can send (they are digits, hex,
 * letters and the custom alphabet), marks the end.
 */
async function drawAll(requests: string[][]): Promise<Reply[]> {
  let text = "";
  for (const args of [...requests, ["PING"]]) {
    text += `*${args.length}\r\n`;
    for (const arg of args) {
      text += `$${encoder.encode(arg).length}\r\n${arg}\r\n`;
    }
  }
  const bytes = encoder.encode(text);
  const server = serveRequests({ port: 0 });
  try {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      // Written while reading: the server stops reading a client whose
      // replies pile up unread.
      const writing = (async () => {
        for (let at = 0; at < bytes.length;) {
          at += await conn.write(bytes.subarray(at));
        }
      })();
      const chunks: Uint8Array[] = [];
      let tail = new Uint8Array(0);
      while (
        !(tail.length >= PONG.length && PONG.every((b, i) => b === tail[i]))
      ) {
        const buf = new Uint8Array(1 << 18);
        const n = await readWithin(conn, buf);
        if (n === null) throw new Error("the server closed the connection");
        chunks.push(buf.subarray(0, n));
        tail = concatBytes([tail, buf.subarray(0, n)]).slice(-PONG.length);
      }
      await writing;
      const replies = parseReplies(concatBytes(chunks));
      assert.equal(replies.pop(), "PONG");
      assert.equal(replies.length, requests.length);
      return replies;
    } finally {
      conn.close();
    }
  } finally {
    await server.shutdown();
  }
}

/** One request's reply, for a draw asked for alone. */
async function drawOne(...args: string[]): Promise<Reply> {
  return (await drawAll([args]))[0];
}

function integers(reply: Reply, length?: number): number[] {
  assert.ok(Array.isArray(reply), `expected an array, got ${reply}`);
  assert.ok(reply.every(Number.isSafeInteger), `not integers: ${reply}`);
  if (length !== undefined) assert.equal(reply.length, length);
  return reply as number[];
}

function strings(reply: Reply, length?: number): string[] {
  assert.ok(Array.isArray(reply), `expected an array, got ${reply}`);
  assert.ok(reply.every((s) => typeof s === "string"), `not strings`);
  if (length !== undefined) assert.equal(reply.length, length);
  return reply as string[];
}

/** Pearson's statistic of counts whose cells are equally likely. */
function pearson(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) {
    statistic += (counts[i] - expected) ** 2 / expected;
  }
  return statistic;
}

/**
 * Pearson's statistic of a table whose rows are independent multinomials
 * over equally likely columns (a character's position, a digit's place):
 * the rows' statistics add up, with `rows × (columns − 1)` degrees.
 */
function rowsStatistic(table: Float64Array, columns: number): number {
  let statistic = 0;
  for (let at = 0; at < table.length; at += columns) {
    statistic += pearson(table.subarray(at, at + columns));
  }
  return statistic;
}

function assertChiSquare(what: string, statistic: number, df: number): void {
  const limit = jStat.chisquare.inv(1 - ALPHA, df);
  assert.ok(
    statistic < limit,
    `${what}: chi-square ${statistic.toFixed(1)} with ${df} degrees, ` +
      `above the ${limit.toFixed(1)} of p = ${ALPHA}`,
  );
}

/** Counts of keys (orders, tuples) and a test that all `cells` are even. */
class Outcomes {
  readonly counts = new Map<string, number>();

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  assertUniform(what: string, cells: string[]): void {
    const unexpected = [...this.counts.keys()].filter((k) =>
      !cells.includes(k)
    );
    assert.deepEqual(unexpected, [], `${what}: impossible outcomes`);
    const counts = cells.map((cell) => this.counts.get(cell) ?? 0);
    assertChiSquare(what, pearson(counts), cells.length - 1);
  }
}

/** Every ordered choice of `k` distinct items, as comma-joined keys. */
function orderedChoices(items: string[], k: number): string[] {
  if (k === 0) return [""];
  return items.flatMap((item, i) =>
    orderedChoices([...items.slice(0, i), ...items.slice(i + 1)], k - 1)
      .map((rest) => rest === "" ? item : `${item},${rest}`)
  );
}

/**
 * How often each of `m` items was among `k` drawn without replacement, over
 * `draws` draws. Each count is binomial, but the counts sum to `k × draws`,
 * which makes their covariance `m/(m − 1)` times a projection: scaled back,
 * the sum of squared standardized counts is chi-square with `m − 1` degrees.
 */
function assertInclusion(
  what: string,
  counts: ArrayLike<number>,
  draws: number,
  k: number,
): void {
  const m = counts.length;
  const p = k / m;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += (counts[i] - draws * p) ** 2;
  const statistic = sum * (m - 1) / (m * draws * p * (1 - p));
  assertChiSquare(what, statistic, m - 1);
}

/**
 * Position-by-value counts of `draws` uniform permutations of `n` items.
 * Each permutation matrix has covariance `1/(n − 1)` times a projection of
 * rank `(n − 1)²` (rows and columns both sum to one), so Pearson's sum,
 * times `(n − 1)/n`, is chi-square with `(n − 1)²` degrees; uncorrected it
 * would fail a correct shuffle far more often than ALPHA.
 */
function assertPositions(what: string, table: Float64Array, n: number): void {
  assertChiSquare(what, pearson(table) * (n - 1) / n, (n - 1) ** 2);
}

/**
 * Counts of ones, each over `trials` bits that should be fair coins: their
 * squared z-scores add up to chi-square with one degree per bit.
 */
function assertFairBits(
  what: string,
  ones: ArrayLike<number>,
  trials: number,
): void {
  let statistic = 0;
  for (let i = 0; i < ones.length; i++) {
    statistic += (ones[i] - trials / 2) ** 2 / (trials / 4);
  }
  assertChiSquare(what, statistic, ones.length);
}

/**
 * Where values of `min..max` fall: `bins` equal slices of the range, and
 * their residues modulo 768. The slices catch a biased reduction (one
 * without rejection doubles the weight of the range's low part when its
 * size is 3·2^k); the residues catch low bits that are not random and a
 * reduction that favours every third value (multiply-shift without
 * rejection, for those sizes). 768 = 3·2^8 divides every size tested here
 * but ±(2^53−1)'s, where some residues hold one value more than others in
 * about 2·10^13.
 */
function assertSpread(
  what: string,
  values: number[],
  min: number,
  max: number,
  bins: number,
): void {
  // In doubles: an offset past 2^53 may be off by a few units, which moves
  // a value to the next slice only within a few units of its edge.
  const size = max - min + 1;
  const slices = new Float64Array(bins);
  const residues = new Float64Array(768);
  const minResidue = ((min % 768) + 768) % 768;
  for (const v of values) {
    assert.ok(v >= min && v <= max, `${what}: ${v} outside ${min}..${max}`);
    slices[Math.min(bins - 1, Math.floor((v - min) / size * bins))]++;
    residues[(((v % 768) - minResidue) % 768 + 768) % 768]++;
  }
  assertChiSquare(`${what}: ${bins} slices`, pearson(slices), bins - 1);
  assertChiSquare(`${what}: residues mod 768`, pearson(residues), 767);
}

/** An ordered outcome (a permutation, an ordered sample) as one key. */
function tupleKey(values: (number | string)[]): string {
  return values.join(",");
}

Deno.test("RANDINT UNIQUE: all 60 ordered triples of 1..5 equally often, each value's inclusion even", async () => {
  const draws = 8_000;
  const replies = await drawAll(
    Array.from({ length: draws }, () => ["RANDINT", "3", "1", "5", "UNIQUE"]),
  );
  // Triples, not pairs: a sparse Fisher–Yates that updates its map wrongly
  // first shows at the third value.
  const triples = new Outcomes();
  const inclusion = new Float64Array(5);
  for (const reply of replies) {
    const values = integers(reply, 3);
    triples.add(tupleKey(values));
    for (const v of values) inclusion[v - 1]++;
  }
  triples.assertUniform(
    "ordered triples",
    orderedChoices(["1", "2", "3", "4", "5"], 3),
  );
  assertInclusion("inclusion of each value", inclusion, draws, 3);
});

Deno.test("RANDINT UNIQUE: distinct and uniform over wide ranges (one-word, two-word and 54-bit draws)", async () => {
  // Sizes 3·2^30 and 3·2^51 put a reduction without rejection at its worst
  // (a third of the values twice as likely); ±(2^53−1) is wider than 2^53.
  const ranges: [number, number][] = [
    [0, 3 * 2 ** 30 - 1],
    [0, 3 * 2 ** 51 - 1],
    [-MAX, MAX],
  ];
  const count = 20_000;
  const replies = await drawAll(
    ranges.map(([min, max]) => [
      "RANDINT",
      String(count),
      String(min),
      String(max),
      "UNIQUE",
    ]),
  );
  ranges.forEach(([min, max], i) => {
    const values = integers(replies[i], count);
    assert.equal(new Set(values).size, count, `${min}..${max}: a repeat`);
    assertSpread(`UNIQUE ${min}..${max}`, values, min, max, 192);
  });
});

Deno.test("RANDINT: wide ranges: every bit of 1..2^40 fair, slices and residues even up to ±(2^53−1)", async () => {
  const count = 20_000;
  const ranges: [number, number][] = [
    // One word per number, no packing: where rejection matters most.
    [0, 3 * 2 ** 30 - 1],
    [0, 3 * 2 ** 51 - 1],
    [-MAX, MAX],
  ];
  const replies = await drawAll([
    ["RANDINT", String(3 * count), "1", String(2 ** 40)],
    ...ranges.map(([min, max]) => [
      "RANDINT",
      String(count),
      String(min),
      String(max),
    ]),
  ]);
  const wide = integers(replies[0], 3 * count);
  const ones = new Float64Array(40);
  const top = new Float64Array(256);
  for (const v of wide) {
    assert.ok(v >= 1 && v <= 2 ** 40, `1..2^40: ${v}`);
    const offset = v - 1;
    const high = Math.floor(offset / 2 ** 20);
    const low = offset - high * 2 ** 20;
    for (let b = 0; b < 20; b++) {
      ones[b] += (low >>> b) & 1;
      ones[20 + b] += (high >>> b) & 1;
    }
    top[high >>> 12]++;
  }
  assertFairBits("1..2^40: each of the 40 bits", ones, wide.length);
  assertChiSquare("1..2^40: the top 8 bits", pearson(top), 255);
  ranges.forEach(([min, max], i) => {
    assertSpread(
      `RANDINT ${min}..${max}`,
      integers(replies[i + 1], count),
      min,
      max,
      192,
    );
  });
});

Deno.test("RANDINT: numbers packed several to a word are independent (pairs of 1..7)", async () => {
  // 1..7 packs 11 numbers into each accepted word; a slip in unpacking
  // them ties neighbours together while each stays uniform on its own.
  const count = 98_000;
  const values = integers(await drawOne("RANDINT", String(count), "1", "7"));
  const single = new Float64Array(7);
  const pairs = new Float64Array(49);
  const steps = new Float64Array(7);
  for (let i = 0; i < count; i++) {
    single[values[i] - 1]++;
    if (i % 2 === 1) pairs[(values[i - 1] - 1) * 7 + values[i] - 1]++;
    // Differences of i.i.d. uniform residues are themselves i.i.d. uniform,
    // so overlapping neighbours can be counted exactly.
    if (i > 0) steps[(values[i] - values[i - 1] + 7) % 7]++;
  }
  assertChiSquare("1..7: values", pearson(single), 6);
  assertChiSquare("1..7: disjoint pairs", pearson(pairs), 48);
  assertChiSquare("1..7: steps between neighbours", pearson(steps), 6);
});

Deno.test("SEQUENCE: all 24 orders of 1..4 equally often; positions by value of 1..20 even", async () => {
  const short = 8_000;
  const long = 1_500;
  const replies = await drawAll([
    ...Array.from({ length: short }, () => ["SEQUENCE", "1", "4"]),
    ...Array.from({ length: long }, () => ["SEQUENCE", "1", "20"]),
  ]);
  const orders = new Outcomes();
  for (const reply of replies.slice(0, short)) {
    orders.add(tupleKey(integers(reply, 4)));
  }
  orders.assertUniform(
    "orders of 1..4",
    orderedChoices(["1", "2", "3", "4"], 4),
  );
  const table = new Float64Array(400);
  for (const reply of replies.slice(short)) {
    const values = integers(reply, 20);
    assert.equal(new Set(values).size, 20, `not a permutation: ${values}`);
    values.forEach((v, position) => {
      assert.ok(v >= 1 && v <= 20, `${v} outside 1..20`);
      table[position * 20 + v - 1]++;
    });
  }
  assertPositions("1..20: positions by value", table, 20);
});

Deno.test("SAMPLE: all 120 ordered triples of 6 items equally often, each item's inclusion even", async () => {
  const items = ["a", "b", "c", "d", "e", "f"];
  const draws = 8_000;
  const replies = await drawAll(
    Array.from({ length: draws }, () => ["SAMPLE", "3", ...items]),
  );
  const triples = new Outcomes();
  const inclusion = new Float64Array(items.length);
  for (const reply of replies) {
    const sample = strings(reply, 3);
    triples.add(tupleKey(sample));
    for (const item of sample) inclusion[items.indexOf(item)]++;
  }
  triples.assertUniform("ordered triples", orderedChoices(items, 3));
  assertInclusion("inclusion of each item", inclusion, draws, 3);
});

/** The byte written as two lowercase hex digits at `at` in `text`. */
function hexByte(text: string, at: number): number {
  const digit = (code: number) => code < 58 ? code - 48 : code - 87;
  return digit(text.charCodeAt(at)) * 16 + digit(text.charCodeAt(at + 1));
}

const UUID_SHAPE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * UUIDs against RFC 9562's version 4: the six fixed bits exact, each of
 * the 122 others fair, and each byte's random bits uniform together (a
 * bias that keeps every bit fair can still skew a byte).
 */
function assertUuids(what: string, uuids: string[]): void {
  assert.equal(new Set(uuids).size, uuids.length, `${what}: a repeat`);
  const ones = new Float64Array(122);
  const bytes = new Float64Array(16 * 256);
  for (const uuid of uuids) {
    assert.match(uuid, UUID_SHAPE, `${what}: not a version 4 UUID`);
    const hex = uuid.replaceAll("-", "");
    let bit = 0;
    for (let b = 0; b < 16; b++) {
      let byte = hexByte(hex, 2 * b);
      let width = 8;
      if (b === 6) {
        byte &= 0x0f;
        width = 4;
      } else if (b === 8) {
        byte &= 0x3f;
        width = 6;
      }
      bytes[b * 256 + byte]++;
      for (let i = 0; i < width; i++) ones[bit++] += (byte >>> i) & 1;
    }
  }
  assertFairBits(`${what}: each of the 122 random bits`, ones, uuids.length);
  let statistic = 0;
  let df = 0;
  for (let b = 0; b < 16; b++) {
    const values = b === 6 ? 16 : b === 8 ? 64 : 256;
    statistic += pearson(bytes.subarray(b * 256, b * 256 + values));
    df += values - 1;
  }
  assertChiSquare(`${what}: each byte's random bits`, statistic, df);
}

Deno.test("UUID: version and variant bits exact, the 122 others fair", async () => {
  assertUuids("UUID", strings(await drawOne("UUID", "20000"), 20_000));
});

const DEFAULT_ALPHABET = [
  ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
];

/**
 * Strings of `length` characters of `alphabet`, i.i.d. uniform: overall,
 * by position, in disjoint pairs (when there are enough), and in the steps
 * between neighbours (differences of i.i.d. uniform indices are i.i.d.
 * uniform too, so all overlapping neighbours count, and a generator that
 * avoids or repeats the previous character shows at once).
 */
function assertStrings(
  what: string,
  texts: string[],
  alphabet: string[],
  length: number,
): void {
  const q = alphabet.length;
  const index = new Map(alphabet.map((c, i) => [c, i]));
  const overall = new Float64Array(q);
  const byPosition = new Float64Array(length * q);
  const pairs = new Float64Array(q * q);
  const steps = new Float64Array(q);
  for (const text of texts) {
    const chars = [...text];
    assert.equal(chars.length, length, `${what}: ${JSON.stringify(text)}`);
    const at = chars.map((c) => {
      const i = index.get(c);
      assert.ok(i !== undefined, `${what}: ${JSON.stringify(c)} is not drawn`);
      return i;
    });
    for (let p = 0; p < length; p++) {
      overall[at[p]]++;
      byPosition[p * q + at[p]]++;
      if (p % 2 === 1) pairs[at[p - 1] * q + at[p]]++;
      if (p > 0) steps[(at[p] - at[p - 1] + q) % q]++;
    }
  }
  assertChiSquare(`${what}: characters`, pearson(overall), q - 1);
  assertChiSquare(
    `${what}: characters by position`,
    rowsStatistic(byPosition, q),
    length * (q - 1),
  );
  // The pairs' table is tested only where each cell expects 5 or more, the
  // usual bound for the chi-square approximation (not the seeds' 1,500
  // short strings over 3,844 cells).
  if (texts.length * Math.floor(length / 2) >= 5 * q * q) {
    assertChiSquare(`${what}: disjoint pairs`, pearson(pairs), q * q - 1);
  }
  assertChiSquare(`${what}: steps between neighbours`, pearson(steps), q - 1);
}

// Code points outside the BMP (the die) and duplicates, which count once:
// the alphabet is α β γ 🎲 日 本 é.
const CUSTOM_ALPHABET = "ααβγ🎲日本é🎲";

Deno.test("RANDSTRING: characters uniform over the 62 defaults and a non-ASCII alphabet, by position and in pairs", async () => {
  const [plain, custom] = await drawAll([
    ["RANDSTRING", "20000", "8"],
    ["RANDSTRING", "10000", "8", "ALPHABET", CUSTOM_ALPHABET],
  ]);
  assertStrings(
    "default alphabet",
    strings(plain, 20_000),
    DEFAULT_ALPHABET,
    8,
  );
  assertStrings(
    "custom alphabet",
    strings(custom, 10_000),
    [...new Set(CUSTOM_ALPHABET)],
    8,
  );
});

/**
 * RANDFLOAT's text: `0.` and exactly `decimals` digits (so below 1), the
 * digits of a uniform integer below 10^decimals: i.i.d. uniform by place.
 */
function assertDigits(what: string, texts: string[], decimals: number): void {
  const shape = new RegExp(`^0\\.\\d{${decimals}}$`);
  const table = new Float64Array(decimals * 10);
  for (const text of texts) {
    assert.match(text, shape, `${what}: ${JSON.stringify(text)}`);
    assert.ok(Number(text) < 1, `${what}: ${text} is not below 1`);
    for (let p = 0; p < decimals; p++) {
      table[p * 10 + text.charCodeAt(2 + p) - 48]++;
    }
  }
  assertChiSquare(
    `${what}: digits by place`,
    rowsStatistic(table, 10),
    decimals * 9,
  );
}

Deno.test("RANDFLOAT: every place's digit uniform; at 2 decimals the 100 grid points even; none reaches 1", async () => {
  // 9 decimals draw below 10^9, near 2^32, where a reduction without
  // rejection skews the leading digits most; 15 take two words.
  const [cents, nines, sixes, fifteens] = await drawAll([
    ["RANDFLOAT", "30000", "2"],
    ["RANDFLOAT", "30000", "9"],
    ["RANDFLOAT", "10000"],
    ["RANDFLOAT", "10000", "15"],
  ]);
  const grid = new Float64Array(100);
  for (const text of strings(cents, 30_000)) {
    assert.match(text, /^0\.\d\d$/);
    grid[Number(text.slice(2))]++;
  }
  // Rounding a binary fraction halves the weight of 0.00 and adds 1.00.
  assertChiSquare("2 decimals: grid points", pearson(grid), 99);
  assertDigits("2 decimals", strings(cents), 2);
  assertDigits("9 decimals", strings(nines, 30_000), 9);
  assertDigits("default decimals", strings(sixes, 10_000), 6);
  assertDigits("15 decimals", strings(fifteens, 10_000), 15);
});

// Seeded draws: 1,500 seeds per kind, the seeds "0" to "17999", each used
// once (one seed's SEQUENCE 1..4 and SHUFFLE a..d are the same order, so a
// seed shared by two kinds would test one keystream twice). A derivation
// that lets seeds share or skew words shows across them, where each seed's
// first values are what a user of SEED gets.

const SEEDS = 1500;
const WIDE = 3 * 2 ** 51 - 1;

const SEEDED: Record<string, string[]> = {
  randint: ["RANDINT", "4", "1", "6"],
  wide: ["RANDINT", "2", "0", String(WIDE)],
  widest: ["RANDINT", "2", String(-MAX), String(MAX)],
  unique: ["RANDINT", "3", "1", "5", "UNIQUE"],
  sequence: ["SEQUENCE", "1", "4"],
  shuffle: ["SHUFFLE", "a", "b", "c", "d"],
  sample: ["SAMPLE", "2", "a", "b", "c", "d", "e"],
  uuid: ["UUID", "2"],
  randbytes: ["RANDBYTES", "16", "HEX"],
  randstring: ["RANDSTRING", "1", "8"],
  randfloat: ["RANDFLOAT", "4", "2"],
  gauss: ["GAUSS", "2", "0", "1"],
};

let seededReplies: Promise<Record<string, Reply[]>> | undefined;

/** Every seed's reply of each kind, drawn once for the tests below. */
function seeded(): Promise<Record<string, Reply[]>> {
  seededReplies ??= (async () => {
    const kinds = Object.keys(SEEDED);
    const requests: string[][] = [];
    for (let i = 0; i < SEEDS; i++) {
      kinds.forEach((kind, k) => {
        requests.push([...SEEDED[kind], "SEED", String(k * SEEDS + i)]);
      });
    }
    const replies = await drawAll(requests);
    return Object.fromEntries(
      kinds.map((kind, k) => [
        kind,
        replies.filter((_, i) => i % kinds.length === k),
      ]),
    );
  })();
  return seededReplies;
}

Deno.test("SEED across seeds: RANDINT's dice by position, wide and 54-bit ranges by slice", async () => {
  const replies = await seeded();
  const dice = new Float64Array(4 * 6);
  for (const reply of replies.randint) {
    integers(reply, 4).forEach((v, p) => dice[p * 6 + v - 1]++);
  }
  assertChiSquare("dice by position", rowsStatistic(dice, 6), 4 * 5);
  const slices = (kind: string, min: number, max: number) => {
    const values = replies[kind].flatMap((reply) => integers(reply, 2));
    const counts = new Float64Array(64);
    const size = BigInt(max) - BigInt(min) + 1n;
    for (const v of values) {
      assert.ok(v >= min && v <= max, `${v} outside ${min}..${max}`);
      counts[Number((BigInt(v) - BigInt(min)) * 64n / size)]++;
    }
    assertChiSquare(`${min}..${max}: 64 slices`, pearson(counts), 63);
  };
  slices("wide", 0, WIDE);
  slices("widest", -MAX, MAX);
});

Deno.test("SEED across seeds: UNIQUE triples, SEQUENCE and SHUFFLE orders, SAMPLE pairs", async () => {
  const replies = await seeded();
  const check = (
    what: string,
    kind: string,
    cells: string[],
    decode: (reply: Reply) => (number | string)[],
  ) => {
    const outcomes = new Outcomes();
    for (const reply of replies[kind]) outcomes.add(tupleKey(decode(reply)));
    outcomes.assertUniform(what, cells);
  };
  const digits = ["1", "2", "3", "4", "5"];
  const letters = ["a", "b", "c", "d", "e"];
  const ints = (k: number) => (reply: Reply) => integers(reply, k);
  const texts = (k: number) => (reply: Reply) => strings(reply, k);
  check("UNIQUE 3 of 1..5", "unique", orderedChoices(digits, 3), ints(3));
  check(
    "SEQUENCE 1..4",
    "sequence",
    orderedChoices(digits.slice(0, 4), 4),
    ints(4),
  );
  check(
    "SHUFFLE a..d",
    "shuffle",
    orderedChoices(letters.slice(0, 4), 4),
    texts(4),
  );
  check("SAMPLE 2 of a..e", "sample", orderedChoices(letters, 2), texts(2));
});

Deno.test("SEED across seeds: UUID bits, RANDBYTES digits by place", async () => {
  const replies = await seeded();
  assertUuids(
    "seeded UUID",
    replies.uuid.flatMap((reply) => strings(reply, 2)),
  );
  // By hex digit, so that each place has enough seeds: the first words of
  // a seed's keystream are where a derivation from the seed would show.
  const digits = new Float64Array(32 * 16);
  const bytes = new Float64Array(256);
  for (const reply of replies.randbytes) {
    assert.ok(typeof reply === "string" && /^[0-9a-f]{32}$/.test(reply));
    for (let d = 0; d < 32; d++) {
      digits[d * 16 + parseInt(reply[d], 16)]++;
      if (d % 2 === 0) bytes[hexByte(reply, d)]++;
    }
  }
  assertChiSquare(
    "RANDBYTES 16: hex digits by place",
    rowsStatistic(digits, 16),
    32 * 15,
  );
  assertChiSquare("RANDBYTES 16: byte values", pearson(bytes), 255);
});

Deno.test("SEED across seeds: RANDSTRING characters, RANDFLOAT grid, GAUSS bins", async () => {
  const replies = await seeded();
  assertStrings(
    "seeded RANDSTRING",
    replies.randstring.map((reply) => strings(reply, 1)[0]),
    DEFAULT_ALPHABET,
    8,
  );
  const floats = replies.randfloat.flatMap((reply) => strings(reply, 4));
  const grid = new Float64Array(100);
  for (const text of floats) {
    assert.match(text, /^0\.\d\d$/);
    grid[Number(text.slice(2))]++;
  }
  assertChiSquare("seeded RANDFLOAT 2 decimals: grid", pearson(grid), 99);
  const bounds = Array.from(
    { length: 19 },
    (_, i) => jStat.normal.inv((i + 1) / 20, 0, 1) as number,
  );
  const bins = new Float64Array(20);
  for (const reply of replies.gauss) {
    assert.ok(Array.isArray(reply) && reply.length === 2);
    for (const text of reply) {
      const v = Number(text);
      assert.ok(Number.isFinite(v), `GAUSS: ${text}`);
      let bin = 0;
      while (bin < 19 && v > bounds[bin]) bin++;
      bins[bin]++;
    }
  }
  assertChiSquare("seeded GAUSS: 20 equally likely bins", pearson(bins), 19);
});

Deno.test("SEED within one seed: long draws of each width, UNIQUE, UUIDs and bytes", async () => {
  // The seeded paths of their own: RANDINT by randomInteger, UNIQUE by
  // distinctIntegers, UUIDs and bytes from the keystream's words, each long
  // enough for a constant bound's bias and a keystream that repeats.
  const ranges: [number, number][] = [
    [0, 3 * 2 ** 30 - 1],
    [0, WIDE],
    [-MAX, MAX],
  ];
  // A seed for each: under one seed, UNIQUE over a wide range is RANDINT's
  // draw shifted, and UUIDs are the bytes masked.
  const replies = await drawAll([
    ...ranges.map(([min, max]) => [
      "RANDINT",
      "20000",
      String(min),
      String(max),
    ]),
    ["RANDINT", "20000", "0", String(WIDE), "UNIQUE"],
    ["UUID", "10000"],
    ["RANDBYTES", "100000", "HEX"],
  ].map((args, i) => [...args, "SEED", `long draw ${i}`]));
  ranges.forEach(([min, max], i) => {
    assertSpread(
      `seeded RANDINT ${min}..${max}`,
      integers(replies[i], 20_000),
      min,
      max,
      192,
    );
  });
  const unique = integers(replies[3], 20_000);
  assert.equal(new Set(unique).size, unique.length, "seeded UNIQUE: a repeat");
  assertSpread("seeded UNIQUE", unique, 0, WIDE, 192);
  assertUuids("seeded UUID", strings(replies[4], 10_000));
  const hex = replies[5];
  assert.ok(typeof hex === "string" && /^[0-9a-f]{200000}$/.test(hex));
  // By lane within the word: a source that loses a bit of each word shows
  // in one lane.
  const lanes = new Float64Array(4 * 256);
  for (let i = 0; i < 100_000; i++) {
    lanes[(i % 4) * 256 + hexByte(hex, 2 * i)]++;
  }
  assertChiSquare(
    "seeded RANDBYTES: bytes by lane",
    rowsStatistic(lanes, 256),
    4 * 255,
  );
});

/** A seed's keystream words, from `RANDBYTES n HEX` (PROTOCOL.md 5.4). */
function keystreamWords(hex: string): bigint[] {
  const words: bigint[] = [];
  for (let at = 0; at + 8 <= hex.length; at += 8) {
    let word = 0;
    for (let b = 3; b >= 0; b--) word = word * 256 + hexByte(hex, at + 2 * b);
    words.push(BigInt(word));
  }
  return words;
}

const TWO_32 = 1n << 32n;

/** PROTOCOL.md 5.4's `below(n)` over the given words, or undefined. */
function below(n: bigint, words: bigint[]): bigint | undefined {
  if (n <= TWO_32) {
    const limit = TWO_32 - TWO_32 % n;
    const word = words.find((w) => w < limit);
    return word === undefined ? undefined : word % n;
  }
  const bits = n <= 1n << 53n ? 53n : 54n;
  const span = 1n << bits;
  const high = (1n << (bits - 32n)) - 1n;
  for (let i = 0; i + 1 < words.length; i += 2) {
    const v = (words[i] & high) * TWO_32 + words[i + 1];
    if (v < span - span % n) return v % n;
  }
  return undefined;
}

Deno.test("RANDINT SEED: the rejection limit is exact: a draw at the limit is redrawn, one just below it kept", async () => {
  // An off-by-one in the limit moves one word in 2^32 (a pair in 2^53):
  // no sample can see it. But a seed's words are public, and a bound can
  // put the limit on the first draw: for a draw v above half the span, the
  // limit of the bound v is v itself, so v must be redrawn, and under the
  // bound v + 1 it must be kept. Each width: one word, two, 54 bits.
  const seeds = Array.from({ length: 100 }, (_, i) => `limit ${i}`);
  const streams = (await drawAll(
    seeds.map((seed) => ["RANDBYTES", "256", "HEX", "SEED", seed]),
  )).map((reply) => {
    assert.ok(typeof reply === "string" && /^[0-9a-f]{512}$/.test(reply));
    return keystreamWords(reply);
  });
  const cases: { seed: string; min: bigint; n: bigint; expected: bigint }[] =
    [];
  const at = streams.findIndex(([a, b]) =>
    a > 1n << 31n && (a & 0x300000n) === 0x300000n &&
    (a & 0x3fffffn) * TWO_32 + b < (1n << 54n) - 1n
  );
  assert.ok(at >= 0, "a seed whose first draws are above half of each span");
  const [a, b] = streams[at];
  const seed = seeds[at];
  for (
    const [min, v] of [
      [0n, a],
      [0n, (a & 0x1fffffn) * TWO_32 + b],
      [-BigInt(MAX), (a & 0x3fffffn) * TWO_32 + b],
    ]
  ) {
    for (const n of [v, v + 1n]) {
      const expected = below(n, streams[at]);
      assert.ok(expected !== undefined, "enough words for the redraws");
      cases.push({ seed, min, n, expected });
    }
  }
  // The draw at the limit would have given 0; the one below it, itself.
  assert.ok(cases.filter((_, i) => i % 2 === 0).every((c) => c.expected > 0n));
  const replies = await drawAll(cases.map(({ seed, min, n }) => [
    "RANDINT",
    "1",
    String(min),
    String(min + n - 1n),
    "SEED",
    seed,
  ]));
  cases.forEach(({ min, n, expected }, i) => {
    assert.deepEqual(
      integers(replies[i], 1),
      [Number(min + expected)],
      `RANDINT 1 ${min} ${min + n - 1n} SEED ${seed}`,
    );
  });
});
