import assert from "node:assert/strict";
import fc from "fast-check";
import { RandportError } from "../lib/errors/mod.ts";
import {
  type RandomSource,
  SeededRandomSource,
  UniformSampler,
  UniqueSampler,
} from "../lib/random/mod.ts";
import {
  encodePayload,
  MAX_UNIQUE_COUNT,
  maxNumberBytes,
  maxPayloadBytes,
  parsePayload,
  PayloadEncoder,
  type PayloadFormat,
  PayloadParser,
  type PayloadSpec,
  PayloadSpecError,
  type PayloadSpecOptions,
  payloadStream,
  resolvePayloadSpec,
} from "../lib/wire/mod.ts";

const MAX = Number.MAX_SAFE_INTEGER;
const FORMATS: PayloadFormat[] = ["csv", "lines", "json"];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

// The grammar of PROTOCOL.md §2, as regular expressions: no "+", no "-0",
// no leading zeros, no whitespace.
const NUMBER = "(?:0|-?[1-9][0-9]*)";
const GRAMMAR: Record<PayloadFormat, RegExp> = {
  csv: new RegExp(`^(?:${NUMBER}(?:,${NUMBER})*)?$`),
  lines: new RegExp(`^(?:${NUMBER}\\n)*$`),
  json: new RegExp(`^\\[(?:${NUMBER}(?:,${NUMBER})*)?\\]$`),
};

/** The bytes PROTOCOL.md prescribes for these numbers, digits by `String`. */
function formatNumbers(numbers: number[], format: PayloadFormat): string {
  const digits = numbers.map(String);
  if (format === "csv") return digits.join(",");
  if (format === "lines") return digits.map((d) => `${d}\n`).join("");
  return `[${digits.join(",")}]`;
}

/** The numbers a seeded spec must carry, drawn straight from the samplers. */
function expectedNumbers(spec: PayloadSpec, ordinal = 0): number[] {
  const source = new SeededRandomSource(spec.seed!, { sequence: ordinal });
  const sampler = spec.unique
    ? new UniqueSampler(spec.min, spec.max, { source })
    : new UniformSampler(spec.min, spec.max, { source });
  const out = new Float64Array(spec.count);
  sampler.fill(out, spec.count);
  return [...out];
}

/** Encodes with buffers of `size` bytes, keeping every call's output. */
function encodeInChunks(
  spec: PayloadSpec,
  size: (encoder: PayloadEncoder) => number,
): { chunks: string[]; written: number[]; encoder: PayloadEncoder } {
  const payloadEncoder = new PayloadEncoder(spec);
  const chunks: string[] = [];
  const written: number[] = [];
  while (!payloadEncoder.done) {
    const buf = new Uint8Array(size(payloadEncoder));
    const length = payloadEncoder.encodeInto(buf);
    assert.ok(length <= buf.length);
    chunks.push(decoder.decode(buf.subarray(0, length)));
    written.push(payloadEncoder.numbersWritten);
    assert.ok(chunks.length <= spec.count + 2, "the encoder makes no progress");
  }
  return { chunks, written, encoder: payloadEncoder };
}

type Outcome =
  | { numbers: number[]; format: PayloadFormat | undefined }
  | { code: string; offset: number | undefined; message: string };

/** Parses `payload` cut at `cuts`, and reports numbers or the error. */
function parseOutcome(payload: Uint8Array, cuts: number[] = []): Outcome {
  const parser = new PayloadParser();
  const numbers: number[] = [];
  const points = [...new Set(cuts.map((c) => c % (payload.length + 1)))]
    .sort((a, b) => a - b);
  let start = 0;
  try {
    for (const point of [...points, payload.length]) {
      numbers.push(...parser.push(payload.subarray(start, point)));
      start = point;
    }
    numbers.push(...parser.end());
  } catch (error) {
    assert.ok(error instanceof RandportError, String(error));
    return { code: error.code, offset: error.offset, message: error.message };
  }
  return { numbers, format: parser.format };
}

function isNumberByte(char: string | undefined): boolean {
  return char !== undefined && /[0-9-]/.test(char);
}

// ---------------------------------------------------------------------------
// Arbitraries

const safeInteger = fc.integer({ min: -MAX, max: MAX });

/** Small ranges anywhere (digit tables, unique), wide ones, and the edges. */
const rangeArbitrary: fc.Arbitrary<[number, number]> = fc.oneof(
  fc.tuple(safeInteger, fc.integer({ min: 0, max: 5000 })).map(
    ([start, width]): [number, number] =>
      start > MAX - width ? [MAX - width, MAX] : [start, start + width],
  ),
  fc.tuple(safeInteger, safeInteger).map(([a, b]): [number, number] =>
    a <= b ? [a, b] : [b, a]
  ),
  fc.constantFrom<[number, number]>(
    [-MAX, MAX],
    [MAX - 5, MAX],
    [-MAX, -MAX + 5],
    [0, 0],
    [1, 100],
    [-9, 9],
    [999_999_999_999_990, 1_000_000_000_000_009],
  ),
);

const specArbitrary: fc.Arbitrary<PayloadSpec> = fc
  .record({
    count: fc.integer({ min: 0, max: 300 }),
    range: rangeArbitrary,
    format: fc.constantFrom(...FORMATS),
    unique: fc.boolean(),
    seed: safeInteger,
  })
  .map(({ count, range: [min, max], format, unique, seed }) =>
    resolvePayloadSpec({
      count,
      min,
      max,
      format,
      unique: unique && BigInt(count) <= BigInt(max) - BigInt(min) + 1n,
      seed,
    })
  );

// ---------------------------------------------------------------------------
// Encoder

Deno.test("encodePayload: the default spec is the classic payload", () => {
  const text = decoder.decode(encodePayload(resolvePayloadSpec({ seed: 1 })));
  assert.match(text, /^[0-9]+(,[0-9]+){9}$/);
  for (const value of text.split(",").map(Number)) {
    assert.ok(value >= 1 && value <= 100);
  }
});

Deno.test("encodePayload: exact grammar, numbers in range, digits as String(n)", () => {
  fc.assert(
    fc.property(specArbitrary, (spec) => {
      const payload = encodePayload(spec);
      const text = decoder.decode(payload);
      assert.match(text, GRAMMAR[spec.format]);
      const numbers = expectedNumbers(spec);
      assert.equal(text, formatNumbers(numbers, spec.format));
      const parsed = parsePayload(payload);
      assert.deepEqual(parsed, numbers);
      assert.equal(parsed.length, spec.count);
      for (const n of parsed) assert.ok(n >= spec.min && n <= spec.max);
      if (spec.unique) assert.equal(new Set(parsed).size, parsed.length);
      assert.ok(payload.length <= maxPayloadBytes(spec));
      for (const token of text.match(/-?[0-9]+/g) ?? []) {
        assert.ok(token.length + 1 <= maxNumberBytes(spec));
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("encodePayload: zero numbers is empty for csv and lines, [] for json", () => {
  for (const format of FORMATS) {
    const spec = resolvePayloadSpec({ count: 0, format, seed: 1 });
    const text = decoder.decode(encodePayload(spec));
    assert.equal(text, format === "json" ? "[]" : "");
    assert.deepEqual(parsePayload(bytes(text)), []);
  }
});

/**
 * A source that makes a `-MAX..MAX` sampler produce exactly `values`: the
 * BigInt path maps words (high 22 bits, low 32 bits) to `min + wide`.
 */
function sourceFor(values: number[]): RandomSource {
  const words: number[] = [];
  for (const value of values) {
    const wide = BigInt(value) + BigInt(MAX);
    words.push(Number(wide >> 32n), Number(wide & 0xffffffffn));
  }
  let next = 0;
  return {
    nextUint32() {
      if (next >= words.length) throw new Error("source exhausted");
      return words[next++];
    },
  };
}

const AWKWARD_VALUES = [
  0,
  1,
  -1,
  9,
  10,
  -10,
  99,
  100,
  4095,
  4096,
  2 ** 31,
  2 ** 32,
  -(2 ** 32) - 1,
  999_999_999_999_999,
  1_000_000_000_000_000,
  -1_000_000_000_000_000,
  4_503_599_627_370_495,
  4_503_599_627_370_496,
  9_007_199_254_740_990,
  MAX,
  -MAX,
];

Deno.test("encoder digits equal String(n), 16-digit and negative numbers included", () => {
  for (const format of FORMATS) {
    const spec = resolvePayloadSpec({
      count: AWKWARD_VALUES.length,
      min: -MAX,
      max: MAX,
      format,
    });
    const text = decoder.decode(
      encodePayload(spec, { source: sourceFor(AWKWARD_VALUES) }),
    );
    assert.equal(text, formatNumbers(AWKWARD_VALUES, format));
    assert.deepEqual(parsePayload(bytes(text)), AWKWARD_VALUES);
  }
  fc.assert(
    fc.property(
      fc.array(safeInteger, { minLength: 1, maxLength: 50 }),
      fc.constantFrom(...FORMATS),
      (values, format) => {
        const spec = resolvePayloadSpec({
          count: values.length,
          min: -MAX,
          max: MAX,
          format,
        });
        const payload = encodePayload(spec, { source: sourceFor(values) });
        assert.equal(decoder.decode(payload), formatNumbers(values, format));
        assert.deepEqual(parsePayload(payload), values);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("encoder digit tables: a one-value range writes that value", () => {
  for (const value of AWKWARD_VALUES) {
    for (const format of FORMATS) {
      const spec = resolvePayloadSpec({
        count: 3,
        min: value,
        max: value,
        format,
        seed: 0,
      });
      const text = decoder.decode(encodePayload(spec));
      assert.equal(text, formatNumbers([value, value, value], format));
    }
  }
});

Deno.test("encodeInto: small buffers never split a number, and count it once", () => {
  fc.assert(
    fc.property(
      specArbitrary,
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1 }),
      (spec, extras) => {
        let call = 0;
        const { chunks, written } = encodeInChunks(
          spec,
          (e) => e.minBufferBytes + extras[call++ % extras.length],
        );
        const text = chunks.join("");
        assert.match(text, GRAMMAR[spec.format]);
        assert.equal(parsePayload(bytes(text)).length, spec.count);
        let boundary = 0;
        for (let i = 0; i < chunks.length; i++) {
          boundary += chunks[i].length;
          assert.ok(
            !(isNumberByte(text[boundary - 1]) && isNumberByte(text[boundary])),
            `chunk ${i} ends inside a number: ${JSON.stringify(chunks)}`,
          );
          const prefix = text.slice(0, boundary);
          assert.equal(written[i], (prefix.match(/-?[0-9]+/g) ?? []).length);
        }
        // Only the call that finds nothing left may write nothing.
        for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.length > 0);
      },
    ),
    { numRuns: 300 },
  );
});

// The encoder draws one batch per call; a seeded payload must not depend on
// the buffer sizes it is encoded into.
Deno.test("encodeInto: chunked output equals a one-shot encode for the same seed", () => {
  fc.assert(
    fc.property(
      specArbitrary,
      fc.integer({ min: 0, max: 40 }),
      (spec, extra) => {
        const { chunks } = encodeInChunks(
          spec,
          (e) => e.minBufferBytes + extra,
        );
        assert.equal(chunks.join(""), decoder.decode(encodePayload(spec)));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("encodeInto rejects a buffer below minBufferBytes and returns 0 when done", () => {
  const spec = resolvePayloadSpec({ count: 5, format: "json", seed: 3 });
  const payloadEncoder = new PayloadEncoder(spec);
  // "[100]" is the least a json payload's first call must be able to write.
  assert.equal(payloadEncoder.minBufferBytes, 6);
  assert.throws(
    () =>
      payloadEncoder.encodeInto(
        new Uint8Array(payloadEncoder.minBufferBytes - 1),
      ),
    RangeError,
  );
  const buf = new Uint8Array(1024);
  assert.ok(payloadEncoder.encodeInto(buf) > 0);
  assert.equal(payloadEncoder.done, true);
  assert.equal(payloadEncoder.encodeInto(buf), 0);
  assert.equal(payloadEncoder.encodeInto(new Uint8Array(0)), 0);
});

Deno.test("encoder: the ordinal picks the seed's sequence", () => {
  const spec = resolvePayloadSpec({ count: 20, min: 1, max: 1000, seed: 5 });
  const first = decoder.decode(encodePayload(spec, { ordinal: 0 }));
  const again = decoder.decode(encodePayload(spec));
  const second = decoder.decode(encodePayload(spec, { ordinal: 1 }));
  assert.equal(first, again);
  assert.notEqual(first, second);
  assert.equal(second, formatNumbers(expectedNumbers(spec, 1), "csv"));
});

Deno.test("encoder: without a seed, payloads differ (CSPRNG)", () => {
  const spec = resolvePayloadSpec({ count: 20, min: 1, max: MAX });
  // Two equal 20-number payloads from 2^53 values: probability ~2^-1060.
  assert.notEqual(
    decoder.decode(encodePayload(spec)),
    decoder.decode(encodePayload(spec)),
  );
});

Deno.test("encodePayload refuses stream specs; their maxPayloadBytes is Infinity", () => {
  const spec = resolvePayloadSpec({ stream: true });
  assert.equal(maxPayloadBytes(spec), Infinity);
  assert.throws(() => encodePayload(spec), RangeError);
});

Deno.test("maxPayloadBytes is an upper bound, tight for the widest numbers", () => {
  for (const format of FORMATS) {
    // Every number is -9007199254740991: 17 bytes, the most there can be.
    const spec = resolvePayloadSpec({
      count: 100,
      min: -MAX,
      max: -MAX,
      format,
      seed: 1,
    });
    const length = encodePayload(spec).length;
    assert.equal(maxNumberBytes(spec), 18);
    assert.ok(length <= maxPayloadBytes(spec), `${format}: ${length}`);
    // csv spends one comma fewer than it reserves, and no brackets.
    assert.ok(maxPayloadBytes(spec) - length <= 3, `${format}: ${length}`);
  }
});

Deno.test("stream specs end cleanly at a number boundary with end()", () => {
  for (const format of ["csv", "lines"] as const) {
    const spec = resolvePayloadSpec({
      stream: true,
      format,
      min: -1000,
      max: 1000,
      seed: 11,
    });
    const payloadEncoder = new PayloadEncoder(spec);
    const buf = new Uint8Array(50);
    let text = "";
    for (let i = 0; i < 3; i++) {
      const length = payloadEncoder.encodeInto(buf);
      assert.ok(length > 0);
      text += decoder.decode(buf.subarray(0, length));
    }
    assert.equal(payloadEncoder.done, false);
    payloadEncoder.end();
    text += decoder.decode(buf.subarray(0, payloadEncoder.encodeInto(buf)));
    assert.equal(payloadEncoder.done, true);
    assert.equal(payloadEncoder.encodeInto(buf), 0);
    assert.match(text, GRAMMAR[format]);
    const numbers = parsePayload(bytes(text));
    assert.equal(numbers.length, payloadEncoder.numbersWritten);
    assert.ok(numbers.length >= 3);
  }
  // A stream ended before its first number is an empty payload.
  const idle = new PayloadEncoder(resolvePayloadSpec({ stream: true }));
  idle.end();
  assert.equal(idle.encodeInto(new Uint8Array(64)), 0);
  assert.equal(idle.done, true);
  // A fixed json payload ended early still closes its array.
  const json = new PayloadEncoder(
    resolvePayloadSpec({ count: 1000, format: "json", seed: 2 }),
  );
  const buf = new Uint8Array(30);
  let text = decoder.decode(buf.subarray(0, json.encodeInto(buf)));
  json.end();
  text += decoder.decode(buf.subarray(0, json.encodeInto(buf)));
  assert.match(text, GRAMMAR.json);
  assert.equal(parsePayload(bytes(text)).length, json.numbersWritten);
});

Deno.test("payloadStream: a Response reads the whole payload", async () => {
  for (const format of FORMATS) {
    const spec = resolvePayloadSpec({ count: 1000, format, seed: 21 });
    const text = await new Response(payloadStream(spec)).text();
    assert.equal(text, decoder.decode(encodePayload(spec)));
    assert.equal(parsePayload(bytes(text)).length, 1000);
  }
  const empty = resolvePayloadSpec({ count: 0, seed: 1 });
  assert.equal(await new Response(payloadStream(empty)).text(), "");
});

Deno.test("payloadStream: chunk size does not change a seeded payload", async () => {
  for (const [count, chunkSize] of [[100, 7], [100, 50], [20_000, undefined]]) {
    for (const format of FORMATS) {
      const spec = resolvePayloadSpec({ count, format, seed: 22 });
      const text = await new Response(payloadStream(spec, { chunkSize }))
        .text();
      assert.match(text, GRAMMAR[format]);
      assert.equal(
        text,
        decoder.decode(encodePayload(spec)),
        `${format}, ${count} numbers, chunks of ${chunkSize}`,
      );
    }
  }
});

Deno.test("payloadStream of a stream spec is produced as it is read", async () => {
  const spec = resolvePayloadSpec({ stream: true, format: "lines", seed: 4 });
  const reader = payloadStream(spec, { chunkSize: 100 }).getReader();
  let text = "";
  for (let i = 0; i < 5; i++) {
    const { value, done } = await reader.read();
    assert.equal(done, false);
    assert.ok(value!.length <= 100);
    // Every chunk ends at a number boundary.
    assert.ok(value![value!.length - 1] === 0x0a);
    text += decoder.decode(value);
  }
  await reader.cancel();
  assert.match(text, GRAMMAR.lines);
  assert.ok(parsePayload(bytes(text)).every((n) => n >= 1 && n <= 100));
});

// ---------------------------------------------------------------------------
// Parser: success paths

Deno.test("parser: any chunking gives the same numbers as parsing at once", () => {
  fc.assert(
    fc.property(
      specArbitrary,
      fc.array(fc.nat(), { maxLength: 30 }),
      (spec, cuts) => {
        const payload = encodePayload(spec);
        const whole = parseOutcome(payload);
        assert.deepEqual(parseOutcome(payload, cuts), whole);
        assert.ok("numbers" in whole);
        assert.equal(whole.numbers.length, spec.count);
        // csv, and lines with one number, are told apart by the separator.
        if (spec.count >= 2 || spec.format === "json") {
          assert.equal(whole.format, spec.format);
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("parser: any bytes give the same numbers or error whatever the chunking", () => {
  const alphabet = [..."0123456789-,\n\r[] \t.eERrbusy"];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (chars, cuts) => {
        const payload = bytes(chars.join(""));
        assert.deepEqual(parseOutcome(payload, cuts), parseOutcome(payload));
      },
    ),
    { numRuns: 2000 },
  );
  // Valid payloads, mangled: the errors are found wherever the cuts fall.
  fc.assert(
    fc.property(
      specArbitrary,
      fc.nat(),
      fc.constantFrom(..."x ,-.\r\n[]0"),
      fc.array(fc.nat(), { maxLength: 10 }),
      (spec, at, char, cuts) => {
        const text = decoder.decode(encodePayload(spec));
        const position = at % (text.length + 1);
        const payload = bytes(
          text.slice(0, position) + char + text.slice(position),
        );
        assert.deepEqual(parseOutcome(payload, cuts), parseOutcome(payload));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("parser: accepted inputs", () => {
  const cases: [string, number[], PayloadFormat | undefined][] = [
    ["", [], undefined],
    ["7", [7], "csv"],
    ["58,25,73", [58, 25, 73], "csv"],
    ["-5,0,5", [-5, 0, 5], "csv"],
    ["1,2\n", [1, 2], "csv"],
    ["1,2\r\n", [1, 2], "csv"],
    ["7\n", [7], "lines"],
    ["7\r\n", [7], "lines"],
    ["58\n25\n73\n", [58, 25, 73], "lines"],
    ["1\r\n2\r\n", [1, 2], "lines"],
    ["-1\n0\n", [-1, 0], "lines"],
    ["[]", [], "json"],
    ["[ ]", [], "json"],
    ["[58,25,73]", [58, 25, 73], "json"],
    ["[0,-1]", [0, -1], "json"],
    ["[ 1 ,\t2 ,\r\n3 ] \n", [1, 2, 3], "json"],
    [" \r\n\t[1]", [1], "json"],
    ["[\n  1,\n  2\n]\n", [1, 2], "json"],
    ["9007199254740991", [MAX], "csv"],
    ["-9007199254740991,9007199254740991", [-MAX, MAX], "csv"],
    ["[-9007199254740991]", [-MAX], "json"],
  ];
  for (const [text, numbers, format] of cases) {
    const outcome = parseOutcome(bytes(text));
    assert.deepEqual(outcome, { numbers, format }, JSON.stringify(text));
  }
});

Deno.test("parser: numbers come out as soon as they are complete", () => {
  const parser = new PayloadParser();
  assert.deepEqual(parser.push(bytes("58,25,7")), [58, 25]);
  assert.equal(parser.format, "csv");
  assert.deepEqual(parser.push(bytes("3")), []);
  assert.deepEqual(parser.end(), [73]);
  assert.equal(parser.numbersRead, 3);
  assert.equal(parser.bytesRead, 8);
  const lines = new PayloadParser();
  assert.deepEqual(lines.push(bytes("1\n2")), [1]);
  assert.deepEqual(lines.push(bytes("0\n")), [20]);
  assert.deepEqual(lines.end(), []);
  const json = new PayloadParser();
  assert.deepEqual(json.push(bytes("[1,2")), [1]);
  assert.deepEqual(json.push(bytes("]")), [2]);
  assert.deepEqual(json.end(), []);
});

// ---------------------------------------------------------------------------
// Parser: failure paths

function assertFails(
  text: string,
  code: "malformed" | "truncated",
  offset: number,
): void {
  for (const cuts of [[], [1], [offset], [offset + 1], [1, 2, 3, 4, 5, 6]]) {
    const outcome = parseOutcome(bytes(text), cuts);
    assert.ok("code" in outcome, `${JSON.stringify(text)} was accepted`);
    assert.deepEqual(
      { code: outcome.code, offset: outcome.offset },
      { code, offset },
      `${JSON.stringify(text)} cut at ${cuts}: ${outcome.message}`,
    );
    assert.match(outcome.message, new RegExp(`at byte ${offset}\\b`));
  }
}

Deno.test("parser: malformed payloads are reported at the offending byte", () => {
  const cases: [string, number][] = [
    ["a", 0],
    ["+1", 0],
    [",1", 0],
    ["]", 0],
    ["--1", 1],
    ["1-2", 1],
    ["1;2", 1],
    ["1 ", 1],
    ["1,,2", 2],
    ["1,a", 2],
    ["1, 2", 2],
    ["1,2 ", 3],
    ["1,2]", 3],
    ["1,[2]", 2],
    ["1.5", 1],
    ["1,2\n3", 4],
    ["1,2\nx", 4],
    ["1,2\r3", 4],
    ["1\n2,3", 3],
    ["1\n\n", 2],
    ["1\n \n", 2],
    ["1\r2", 2],
    ["1\n2\r3", 4],
    ["[,1]", 1],
    ["[+1]", 1],
    ["[1,]", 3],
    ["[1,,2]", 3],
    ["[1]]", 3],
    ["[1]x", 3],
    ["[1]\n[2]", 4],
    ["[1 2]", 3],
    ["[1;2]", 2],
    ["[-]", 2],
    ["[- 1]", 2],
    ["[1,-]", 4],
    ["[[1]]", 1],
    ['[1,"2"]', 3],
  ];
  for (const [text, offset] of cases) assertFails(text, "malformed", offset);
});

Deno.test("parser: JSON leading zeros, fractions and exponents are rejected", () => {
  const cases: [string, number][] = [
    ["[01]", 2],
    ["[00]", 2],
    ["[-01]", 3],
    ["[1,007]", 4],
    ["[1.5]", 2],
    ["[1.0]", 2],
    ["[0.5]", 2],
    ["[1e5]", 2],
    ["[1E5]", 2],
    ["[2,1e-3]", 4],
    ["[1 .5]", 3],
  ];
  for (const [text, offset] of cases) assertFails(text, "malformed", offset);
});

Deno.test("parser: numbers beyond ±(2^53−1) are rejected at their first byte", () => {
  const cases: [string, number][] = [
    ["9007199254740992", 0],
    ["-9007199254740992", 0],
    ["9999999999999999", 0],
    ["1,9007199254740992,3", 2],
    ["1\n-9007199254740993\n", 2],
    ["[9007199254740992]", 1],
    ["[1, 9007199254740992]", 4],
    ["12345678901234567", 0],
    ["1,-12345678901234567", 2],
    ["[100000000000000000000]", 1],
  ];
  for (const [text, offset] of cases) assertFails(text, "malformed", offset);
});

Deno.test("parser: payloads that stop mid-grammar are truncated at their end", () => {
  const cases: string[] = [
    "-",
    "1,",
    "1,2,",
    "1,-",
    "1\r",
    "1,2\r",
    "1\n-",
    "1\r\n2\r",
    "[",
    " [",
    "[1",
    "[1,",
    "[1,2",
    "[ 1 , ",
    "[-",
    "[1 ",
  ];
  for (const text of cases) assertFails(text, "truncated", bytes(text).length);
});

// PROTOCOL.md §2.1 forbids leading zeros in every format.
Deno.test("parser: csv and lines leading zeros are malformed", () => {
  const cases: [string, number][] = [
    ["01,2", 1],
    ["1,02", 3],
    ["00", 1],
    ["-01", 2],
    ["00\n", 1],
    ["5\n007\n", 3],
  ];
  for (const [text, offset] of cases) assertFails(text, "malformed", offset);
});

// PROTOCOL.md §3 allows whitespace only before a JSON array's "["; the first
// byte that cannot belong to a payload is the digit or "-" after it.
Deno.test("parser: whitespace before a csv or lines payload is malformed", () => {
  const cases: [string, number][] = [
    [" 1,2", 1],
    ["\n1\n2\n", 1],
    ["\r\n-3", 2],
    ["\t 7", 2],
  ];
  for (const [text, offset] of cases) assertFails(text, "malformed", offset);
});

// PROTOCOL.md §3: a lines payload may omit its final "\n", so that servers
// writing "\n".join(numbers) are read; a dangling "-" is still truncated.
Deno.test("parser: a lines payload may omit its final newline", () => {
  assert.deepEqual(parsePayload(bytes("1\n2")), [1, 2]);
  assert.deepEqual(parsePayload(bytes("1\r\n23")), [1, 23]);
  assertFails("-5\n-", "truncated", bytes("-5\n-").length);
});

Deno.test("parser: ERR busy replies give code busy, other ERR replies server-error", () => {
  const cases: [string, string, string][] = [
    ["ERR busy\n", "busy", "server replied busy"],
    [
      "ERR busy server at its connection limit, retry later\n",
      "busy",
      "server replied busy: server at its connection limit, retry later",
    ],
    ["ERR busy\r\n", "busy", "server replied busy"],
    ["ERR busy", "busy", "server replied busy"],
    [
      "ERR oops something broke\n",
      "server-error",
      "server replied oops: something broke",
    ],
    ["ERR x", "server-error", "server replied x"],
    ["ERR busyish\n", "server-error", "server replied busyish"],
    [
      "ERR shutting-down\nignored",
      "server-error",
      "server replied shutting-down",
    ],
  ];
  for (const [text, code, message] of cases) {
    for (const cuts of [[], [1], [3], [4], [5, 6, 7]]) {
      const outcome = parseOutcome(bytes(text), cuts);
      assert.deepEqual(
        outcome,
        { code, offset: undefined, message },
        JSON.stringify(text),
      );
    }
  }
});

Deno.test("parser: lines starting with E that are not ERR replies are malformed", () => {
  for (
    const text of ["ERR\n", "ERR \n", "Eek\n", "E", "ERRbusy\n", "err busy\n"]
  ) {
    assertFails(text, "malformed", 0);
  }
  // An ERR reply may not go on forever: the parser gives up after 1024 bytes.
  assertFails(`ERR busy ${"x".repeat(2000)}\n`, "malformed", 1024);
});

// ---------------------------------------------------------------------------
// resolvePayloadSpec

Deno.test("resolvePayloadSpec fills in the classic defaults", () => {
  assert.deepEqual(resolvePayloadSpec(), {
    count: 10,
    min: 1,
    max: 100,
    format: "csv",
    unique: false,
    stream: false,
    seed: undefined,
  });
  const valid: PayloadSpecOptions[] = [
    { count: 0 },
    { count: MAX },
    { min: -MAX, max: MAX },
    { min: 5, max: 5 },
    { seed: 0 },
    { seed: -MAX },
    { seed: MAX },
    { unique: true, count: 100 },
    { unique: true, count: MAX_UNIQUE_COUNT, min: 1, max: MAX },
    { unique: true, count: 0, min: 3, max: 3 },
    { stream: true, format: "lines" },
    { stream: true, format: "csv", count: 0 },
  ];
  for (const options of valid) {
    const spec = resolvePayloadSpec(options);
    for (const [key, value] of Object.entries(options)) {
      assert.equal(spec[key as keyof PayloadSpec], value);
    }
  }
});

Deno.test("resolvePayloadSpec names the invalid field", () => {
  const cases: [PayloadSpecOptions, keyof PayloadSpec][] = [
    [{ count: -1 }, "count"],
    [{ count: 1.5 }, "count"],
    [{ count: NaN }, "count"],
    [{ count: Infinity }, "count"],
    [{ count: MAX + 1 }, "count"],
    [{ min: 0.5 }, "min"],
    [{ min: NaN }, "min"],
    [{ min: -(MAX + 1) }, "min"],
    [{ min: -Infinity }, "min"],
    [{ max: 100.5 }, "max"],
    [{ max: MAX + 1 }, "max"],
    [{ max: Infinity }, "max"],
    [{ min: 5, max: 4 }, "max"],
    [{ min: 101 }, "max"],
    [{ max: 0 }, "max"],
    [{ format: "xml" as PayloadFormat }, "format"],
    [{ format: "CSV" as PayloadFormat }, "format"],
    [{ seed: 0.5 }, "seed"],
    [{ seed: NaN }, "seed"],
    [{ seed: MAX + 1 }, "seed"],
    [{ stream: true, format: "json" }, "stream"],
    [{ stream: true, unique: true }, "unique"],
    [{ unique: true, count: 101 }, "unique"],
    [{ unique: true, count: 2, min: 7, max: 7 }, "unique"],
    [
      { unique: true, count: MAX_UNIQUE_COUNT + 1, min: -MAX, max: MAX },
      "unique",
    ],
  ];
  for (const [options, field] of cases) {
    assert.throws(
      () => resolvePayloadSpec(options),
      (error: unknown) => {
        assert.ok(error instanceof PayloadSpecError, String(error));
        assert.ok(error instanceof RangeError);
        assert.equal(error.name, "PayloadSpecError");
        assert.equal(error.field, field, error.message);
        assert.ok(error.message.startsWith(`${field}: `), error.message);
        return true;
      },
      JSON.stringify(options),
    );
  }
});

Deno.test("parser: csv ends with at most one line break; whitespace alone is no payload", () => {
  assertFails("1,2\n\n", "malformed", 4);
  assertFails("1,2\r\n\r\n", "malformed", 5);
  assertFails("1,2\n\r", "malformed", 4);
  assertFails(" ", "truncated", 1);
  assertFails("\n\t", "truncated", 2);
  assert.deepEqual(parsePayload(bytes("1,2\r\n")), [1, 2]);
});
