import assert from "node:assert/strict";
import fc from "fast-check";
import { drawReply } from "../../lib/request/mod.ts";

/** An argument as an error line quotes it (CR and LF are spaces there). */
function quoted(text: string): string {
  return text.slice(0, 64).replace(/[\r\n]/g, " ");
}

/** What integer arguments were before they were read digit by digit. */
function asRead(text: string): number | undefined {
  const value = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(value)
    ? value
    : undefined;
}

const texts = fc.oneof(
  fc.integer({ min: -30, max: 30 }).map(String),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(String),
  fc.stringMatching(/^-?0*\d{0,18}$/),
  fc.string({
    unit: fc.constantFrom("0", "1", "9", "-", "+", " ", "e", ".", "x", "é"),
    maxLength: 6,
  }),
  fc.constantFrom(
    "",
    "-",
    "-0",
    "007",
    "999999999999999",
    "9999999999999999",
    "9007199254740991",
    "9007199254740992",
    "-9007199254740991",
    "-9007199254740992",
    "0x10",
    "1e3",
    " 1",
    "1\n",
    "\u0661",
  ),
);

Deno.test("RANDINT: integer arguments are read as before, digit by digit: the same numbers, the same errors", async () => {
  await fc.assert(
    fc.asyncProperty(texts, async (text) => {
      const reply = await drawReply(["RANDINT", text, "1", "1"], {
        maxNumbers: 20,
      });
      const value = asRead(text);
      if (value === undefined) {
        assert.equal(
          reply,
          `-ERR count: expected an integer, got '${quoted(text)}'\r\n`,
        );
      } else if (value < 0 || value > 20) {
        assert.match(reply, /^-ERR count: expected /);
        assert.ok(reply.endsWith(`, got ${value}\r\n`), reply);
      } else {
        assert.equal(reply, `*${value}\r\n${":1\r\n".repeat(value)}`);
      }
      // min and max go through the same reading.
      const both = await drawReply(["RANDINT", "2", text, text]);
      if (value === undefined) {
        assert.equal(
          both,
          `-ERR min: expected an integer, got '${quoted(text)}'\r\n`,
        );
      } else {
        assert.equal(both, `*2\r\n:${value}\r\n:${value}\r\n`);
      }
    }),
    { numRuns: 500 },
  );
});
