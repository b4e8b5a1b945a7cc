import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type RandomSource,
  SeededRandomSource,
  UniformSampler,
  UniqueSampler,
} from "../../lib/random/mod.ts";
import {
  encodePayload,
  maxNumberBytes,
  maxPayloadBytes,
  parsePayload,
  PayloadEncoder,
  type PayloadSpec,
  payloadStream,
  resolvePayloadSpec,
} from "../../lib/wire/mod.ts";
import {
  bytes,
  decoder,
  formatNumbers,
  FORMATS,
  GRAMMAR,
  MAX,
  safeInteger,
  specArbitrary,
} from "./_codec.ts";

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

function isNumberByte(char: string | undefined): boolean {
  return char !== undefined && /[0-9-]/.test(char);
}

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
