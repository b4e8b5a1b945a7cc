import assert from "node:assert/strict";
import fc from "fast-check";
import { RandportError } from "../../lib/errors/mod.ts";
import {
  encodePayload,
  parsePayload,
  type PayloadFormat,
  PayloadParser,
} from "../../lib/wire/mod.ts";
import { bytes, decoder, MAX, specArbitrary } from "./_codec.ts";

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

Deno.test("parser: csv ends with at most one line break; whitespace alone is no payload", () => {
  assertFails("1,2\n\n", "malformed", 4);
  assertFails("1,2\r\n\r\n", "malformed", 5);
  assertFails("1,2\n\r", "malformed", 4);
  assertFails(" ", "truncated", 1);
  assertFails("\n\t", "truncated", 2);
  assert.deepEqual(parsePayload(bytes("1,2\r\n")), [1, 2]);
});
