import assert from "node:assert/strict";
import {
  MAX_UNIQUE_COUNT,
  type PayloadFormat,
  type PayloadSpec,
  PayloadSpecError,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "../../lib/wire/mod.ts";
import { MAX } from "./_codec.ts";

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
