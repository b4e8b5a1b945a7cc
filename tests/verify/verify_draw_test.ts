/**
 * The verifier (lib/verify): records signed with a generated key verify;
 * a change to any character of any field, and to any bit of a record's
 * JSON line, is caught and the field named; a holder of the key who signs
 * a result its seed does not give is caught by the recomputation; and a
 * chain with a gap, a repeat, a swap, a broken link or another key's
 * record is caught, naming the record.
 *
 * @module
 */

import assert from "node:assert/strict";
import { drawReply } from "../../lib/request/draw_reply.ts";
import {
  CHAIN_START,
  type DrawRecord,
  generateSigningKey,
  signDraw,
} from "../../lib/signed/mod.ts";
import {
  type DrawVerification,
  parseDrawRecordLines,
  parseDrawRecords,
  parsePublicKey,
  verifyChain,
  verifyDraw,
} from "../../lib/verify/mod.ts";
import { DRAWS, fixture, hex, isSeeded, signChain } from "./_records.ts";

const HEX = "0123456789abcdef";
const BASE64 =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGITS = "0123456789";

const { key, records } = await fixture();
const seededRecord = records[0];
const plainRecord = records[1];
assert.ok(isSeeded(seededRecord.request) && !isSeeded(plainRecord.request));

/** Every text that differs from `text` at position `i` alone. */
function changesAt(text: string, i: number, alphabet?: string): string[] {
  const code = text.charCodeAt(i);
  const out = new Set<string>();
  const put = (c: string) => {
    const changed = text.slice(0, i) + c + text.slice(i + 1);
    if (changed !== text) out.add(changed);
  };
  put(String.fromCharCode(code ^ 0x01));
  put(String.fromCharCode(code ^ 0x20));
  // Half of a surrogate pair made the other half: a lone surrogate.
  if (code >= 0xd800 && code <= 0xdfff) put(String.fromCharCode(code ^ 0x400));
  // Within the field's own alphabet, so that its form still holds.
  const k = alphabet?.indexOf(text[i]) ?? -1;
  if (alphabet && k >= 0) put(alphabet[(k + 1) % alphabet.length]);
  return [...out];
}

function fields(v: DrawVerification): string[] {
  return v.problems.map((p) => p.field);
}

Deno.test("verifyDraw: every kind of draw, signed with a generated key, verifies", async () => {
  assert.equal(records.length, DRAWS.length);
  for (const record of records) {
    const result = await verifyDraw(record, key.publicKey);
    assert.deepEqual(result, {
      ok: true,
      problems: [],
      recomputed: isSeeded(record.request),
    }, JSON.stringify(record.request));
    // The key as hex, as it is published, does the same.
    assert.ok((await verifyDraw(record, hex(key.publicKey))).ok);
    // A record that has been through JSON, as every verifier receives it.
    const copy = JSON.parse(JSON.stringify(record));
    assert.ok((await verifyDraw(copy, key.publicKey)).ok);
  }
  // Without recomputation, a seeded record is checked as any other.
  assert.deepEqual(
    await verifyDraw(seededRecord, key.publicKey, { recompute: false }),
    { ok: true, problems: [], recomputed: false },
  );
});

Deno.test("verifyDraw: a changed character anywhere in any text field is caught, the field named", async () => {
  // The alphabet a field's characters come from, so that some changes keep
  // its form and only the hash and signature can catch them.
  const texts: [keyof DrawRecord, string | undefined][] = [
    ["key_id", HEX],
    ["time", DIGITS],
    ["result", DIGITS],
    ["data", undefined],
    ["previous", HEX],
    ["hash", HEX],
    ["signature", BASE64],
  ];
  let checked = 0;
  for (const original of [seededRecord, plainRecord, records[3], records[6]]) {
    const seeded = isSeeded(original.request);
    const check = async (
      field: string,
      record: DrawRecord,
      what: string,
    ) => {
      const v = await verifyDraw(record, key.publicKey);
      const context = `${what}: ${JSON.stringify(v.problems)}`;
      assert.equal(v.ok, false, context);
      const first = v.problems[0];
      if (["key_id", "hash", "signature"].includes(field)) {
        // Checked on their own: named exactly.
        assert.equal(first.field, field, context);
        if (field === "hash" && /^[0-9a-f]{64}$/.test(record.hash)) {
          assert.match(first.message, /the hash was changed/, context);
        }
      } else {
        // Named when its form breaks; otherwise the fields no longer match
        // the hash and the signature, which cannot say which one changed.
        assert.ok(first.field === field || first.field === "hash", context);
        if (first.field === "hash") {
          assert.match(first.message, /fields do not match/, context);
        }
      }
      if (seeded && field === "result" && first.field === "hash") {
        assert.ok(fields(v).includes("result"), context);
      }
      checked++;
    };
    for (const [field, alphabet] of texts) {
      const text = original[field] as string;
      for (let i = 0; i < text.length; i++) {
        for (const changed of changesAt(text, i, alphabet)) {
          await check(
            field,
            { ...original, [field]: changed },
            `${field}[${i}]`,
          );
        }
      }
    }
    for (let a = 0; a < original.request.length; a++) {
      const arg = original.request[a];
      for (let i = 0; i < arg.length; i++) {
        for (const changed of changesAt(arg, i, DIGITS)) {
          const request = original.request.with(a, changed);
          await check(
            "request",
            { ...original, request },
            `request[${a}][${i}]`,
          );
          if (seeded && a === original.request.length - 1) {
            // Another seed gives another result.
            const v = await verifyDraw({ ...original, request }, key.publicKey);
            assert.ok(fields(v).includes("result"), JSON.stringify(v));
          }
        }
      }
    }
  }
  // Every character of every field, two or three changes each.
  assert.ok(checked > 3000, `only ${checked} changes`);
});

Deno.test("verifyDraw: changes to the other fields, and missing or extra fields, are caught", async () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["serial + 1", { serial: plainRecord.serial + 1 }, ["hash"]],
    ["serial - 1", { serial: plainRecord.serial - 1 }, ["hash"]],
    ["serial 0", { serial: 0 }, ["serial"]],
    ["serial 1.5", { serial: 1.5 }, ["serial"]],
    ["serial as text", { serial: String(plainRecord.serial) }, ["serial"]],
    ["v 2", { v: 2 }, ["v"]],
    ["v as text", { v: "1" }, ["v"]],
    ["an argument more", { request: [...plainRecord.request, "2"] }, ["hash"]],
    ["an argument less", { request: ["RANDINT", "3", "1"] }, ["hash"]],
    ["no arguments", { request: [] }, ["request"]],
    ["request as text", { request: "UUID" }, ["request"]],
    ["a number argument", { request: ["UUID", 2] }, ["request"]],
    ["time not UTC", { time: "2026-12-02T10:00:02.000+01:00" }, ["time"]],
    ["result as a number", { result: 4 }, ["result"]],
    ["previous in capitals", {
      previous: plainRecord.previous.toUpperCase(),
    }, ["previous"]],
    ["hash in capitals", { hash: plainRecord.hash.toUpperCase() }, ["hash"]],
    ["hash as a number", { hash: 1 }, ["hash"]],
    ["signature as a number", { signature: 1 }, ["signature"]],
    ["an unsigned field", { note: "won by Alice" }, ["note"]],
  ];
  for (const [what, change, expected] of cases) {
    const v = await verifyDraw(
      { ...plainRecord, ...change } as DrawRecord,
      key.publicKey,
    );
    assert.equal(v.ok, false, what);
    assert.deepEqual(fields(v), expected, `${what}: ${JSON.stringify(v)}`);
  }
  for (const field of Object.keys(plainRecord)) {
    const record: Record<string, unknown> = { ...plainRecord };
    delete record[field];
    const v = await verifyDraw(record as unknown as DrawRecord, key.publicKey);
    assert.equal(v.problems[0]?.field, field, `without ${field}`);
  }
  for (const value of [null, "text", 1, [plainRecord]]) {
    const v = await verifyDraw(value as unknown as DrawRecord, key.publicKey);
    assert.deepEqual(fields(v), ["record"], JSON.stringify(value));
  }
});

Deno.test("verifyDraw: any bit of a record's JSON line flipped is caught, or changes nothing", async () => {
  const encoder = new TextEncoder();
  // Not strict: a broken UTF-8 sequence becomes U+FFFD, as a lenient
  // reader would make it, and must be caught as a change.
  const decoder = new TextDecoder();
  let caught = 0, unparsable = 0, unchanged = 0;
  // Seeded with multi-byte DATA, and unseeded with escapes in DATA.
  for (const original of [records[3], records[6]]) {
    const line = JSON.stringify(original);
    const bytes = encoder.encode(line);
    // Which field each byte belongs to: its name, its value and the comma.
    const owner: string[] = [];
    let at = 1;
    for (const [name, value] of Object.entries(original)) {
      const part = encoder.encode(
        `${JSON.stringify(name)}:${JSON.stringify(value)},`,
      ).length;
      for (let i = 0; i < part; i++) owner[at + i] = name;
      at += part;
    }
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice();
        flipped[i] ^= 1 << bit;
        let parsed: DrawRecord[];
        try {
          parsed = parseDrawRecords(decoder.decode(flipped));
        } catch (error) {
          assert.match((error as Error).message, /^line 1: /);
          unparsable++;
          continue;
        }
        if (
          parsed.length === 1 &&
          JSON.stringify(parsed[0]) === JSON.stringify(original)
        ) {
          // A different JSON text of the same record (such as "\u001B" for
          // "\u001b"): nothing was changed.
          unchanged++;
          continue;
        }
        const v = await verifyDraw(parsed[0], key.publicKey);
        const context = `byte ${i} bit ${bit}: ${decoder.decode(flipped)}: ${
          JSON.stringify(v.problems)
        }`;
        assert.equal(v.ok, false, context);
        const field = owner[i];
        if (field !== undefined) {
          const renamed = Object.keys(parsed[0]).find((k) => !(k in original));
          assert.ok(
            [field, "hash", renamed].includes(v.problems[0].field),
            context,
          );
        }
        caught++;
      }
    }
  }
  assert.ok(caught > 5000, `${caught} caught`);
  assert.ok(unchanged < 10, `${unchanged} unchanged`);
  assert.ok(unparsable > 0);
});

Deno.test("verifyDraw: a signature's text is canonical base64, not one of its many spellings", async () => {
  const signature = plainRecord.signature;
  assert.match(signature, /^[A-Za-z0-9+/]{86}==$/);
  // The last character carries 4 bits that base64 decoders drop.
  const last = BASE64.indexOf(signature[85]);
  const spellings = [
    signature.slice(0, -2),
    `${signature.slice(0, 40)}\n${signature.slice(40)}`,
    ` ${signature}`,
    `${signature.slice(0, 85)}${BASE64[last ^ 1]}==`,
    `${signature.slice(0, 85)}${BASE64[last ^ 15]}==`,
  ];
  for (const spelling of spellings) {
    assert.equal(atob(spelling), atob(signature), "the same bytes");
    const v = await verifyDraw(
      { ...plainRecord, signature: spelling },
      key.publicKey,
    );
    assert.deepEqual(fields(v), ["signature"], JSON.stringify(spelling));
  }
});

Deno.test("verifyDraw: a lone surrogate, whose signed bytes are those of U+FFFD, is caught", async () => {
  const record = await signDraw({
    ...plainRecord,
    data: "draw \ufffd 7",
  }, key);
  assert.ok((await verifyDraw(record, key.publicKey)).ok);
  for (const lone of ["\ud800", "\udc00", "\udbff"]) {
    const forged = { ...record, data: `draw ${lone} 7` };
    assert.deepEqual(
      fields(await verifyDraw(forged, key.publicKey)),
      ["data"],
    );
  }
  const forged = {
    ...record,
    request: ["SHUFFLE", "a\ud800", "b"],
  };
  assert.deepEqual(fields(await verifyDraw(forged, key.publicKey)), [
    "request",
  ]);
});

Deno.test("verifyDraw: a result re-signed by the key's holder is caught when the seed gives another", async () => {
  for (const original of records.filter((r) => isSeeded(r.request))) {
    // The same request drawn again without its seed: another result.
    const unseeded = original.request.slice(0, -2);
    let other = await drawReply(unseeded);
    if (other === original.result) other = `${other} `;
    const forged = await signDraw({ ...original, result: other }, key);
    const v = await verifyDraw(forged, key.publicKey);
    assert.deepEqual(fields(v), ["result"], JSON.stringify(original.request));
    assert.match(v.problems[0].message, /^is not what the seed gives/);
    assert.equal(v.recomputed, true);
    // Another seed for the same result is as wrong.
    const reseeded = await signDraw({
      ...original,
      request: [...unseeded, "SEED", "another seed"],
    }, key);
    assert.deepEqual(
      fields(await verifyDraw(reseeded, key.publicKey)),
      ["result"],
    );
  }
  // An unseeded draw has nothing to recompute: what the key signed stands.
  // That is the limit of a signature; a seed (or COMMIT) is what removes it.
  const forged = await signDraw({
    ...plainRecord,
    result: "$36\r\n00000000-0000-4000-8000-000000000000\r\n",
  }, key);
  assert.deepEqual(await verifyDraw(forged, key.publicKey), {
    ok: true,
    problems: [],
    recomputed: false,
  });
});

Deno.test("verifyDraw: recomputation follows the server's maxNumbers, and names a request it cannot run", async () => {
  const request = ["RANDINT", "20", "1", "6", "SEED", "big"];
  const record = await signDraw({
    ...plainRecord,
    request,
    result: await drawReply(request, { maxNumbers: 20 }),
  }, key);
  assert.ok((await verifyDraw(record, key.publicKey, { maxNumbers: 20 })).ok);
  const smaller = await verifyDraw(record, key.publicKey, { maxNumbers: 10 });
  assert.deepEqual(fields(smaller), ["result"]);
  assert.match(smaller.problems[0].message, /verify with its maxNumbers/);
  const notADraw = await signDraw({
    ...plainRecord,
    request: ["PING", "SEED", "x"],
    result: "$1\r\nx\r\n",
  }, key);
  const v = await verifyDraw(notADraw, key.publicKey);
  assert.deepEqual(fields(v), ["request"]);
  assert.match(v.problems[0].message, /cannot be recomputed.*not a draw/);
});

const SIGNED_ITEM = ["SHUFFLE", "a", "SIGNED", "SEED", "s"];
Deno.test({
  name: "verifyDraw: a seeded request whose items end in SIGNED or DATA x",
  fn: async () => {
    // The server signs `SHUFFLE a SIGNED SEED s SIGNED` as the shuffle of
    // the two items "a" and "SIGNED" (PROTOCOL.md §5.4: only the last two
    // arguments are the seed).
    for (
      const [request, result] of [
        [SIGNED_ITEM, "*2\r\n$6\r\nSIGNED\r\n$1\r\na\r\n"],
        [["SHUFFLE", "a", "DATA", "b", "SEED", "s"], undefined],
      ] as const
    ) {
      const record = await signDraw({
        ...plainRecord,
        request: [...request],
        result: result ?? await drawReply(request),
      }, key);
      assert.ok((await verifyDraw(record, key.publicKey)).ok);
    }
  },
});

Deno.test("verifyDraw: the wrong key, or a key that is not one", async () => {
  const other = (await generateSigningKey()).key;
  const v = await verifyDraw(plainRecord, other.publicKey);
  assert.deepEqual(fields(v), ["key_id"]);
  assert.match(v.problems[0].message, /not the id of this public key/);
  await assert.rejects(
    verifyDraw(plainRecord, "not a key"),
    (error: Error) =>
      error instanceof RangeError && /^publicKey: /.test(error.message),
  );
  await assert.rejects(verifyDraw(plainRecord, new Uint8Array(31)), RangeError);
  assert.deepEqual(
    parsePublicKey(` ${hex(key.publicKey).toUpperCase()}\n`),
    key.publicKey,
  );
});

// ---------------------------------------------------------------------------
// Chains.

function chainFields(
  result: Awaited<ReturnType<typeof verifyChain>>,
): [number, number | undefined, string][] {
  return result.problems.map((p) => [p.index, p.serial, p.field]);
}

Deno.test("verifyChain: an intact chain, from its start or from its middle", async () => {
  const result = await verifyChain(records, key.publicKey);
  assert.deepEqual(result, {
    ok: true,
    problems: [],
    count: records.length,
    first: 1,
    last: records.length,
    keyId: key.keyId,
    recomputed: records.filter((r) => isSeeded(r.request)).length,
  });
  const tail = records.slice(4);
  const fromStart = await verifyChain(tail, key.publicKey);
  assert.deepEqual(chainFields(fromStart), [[0, 5, "serial"]]);
  assert.match(fromStart.problems[0].message, /begins at serial 1, not 5/);
  assert.ok((await verifyChain(tail, key.publicKey, { midChain: true })).ok);
  // The hash of the record before, from an earlier check, links the part.
  const linked = await verifyChain(tail, key.publicKey, {
    previous: records[3].hash,
  });
  assert.ok(linked.ok);
  const unlinked = await verifyChain(tail, key.publicKey, {
    previous: records[2].hash,
  });
  assert.deepEqual(chainFields(unlinked), [[0, 5, "previous"]]);
  assert.deepEqual(await verifyChain([], key.publicKey), {
    ok: true,
    problems: [],
    count: 0,
    first: undefined,
    last: undefined,
    keyId: key.keyId,
    recomputed: 0,
  });
  await assert.rejects(
    verifyChain(records, key.publicKey, { previous: "00" }),
    RangeError,
  );
});

Deno.test("verifyChain: a gap, a repeat, a swap and a fork are caught on serial, by record", async () => {
  const gap = await verifyChain(records.toSpliced(3, 1), key.publicKey);
  assert.deepEqual(chainFields(gap), [[3, 5, "serial"]]);
  assert.match(gap.problems[0].message, /a gap \(serial 4 is missing\)/);
  const gaps = await verifyChain(records.toSpliced(3, 3), key.publicKey);
  assert.match(gaps.problems[0].message, /3 serials are missing/);

  const repeat = await verifyChain(
    records.toSpliced(3, 0, records[2]),
    key.publicKey,
  );
  assert.deepEqual(chainFields(repeat), [[3, 3, "serial"]]);
  assert.match(repeat.problems[0].message, /a repeat of serial 3 \(index 2\)/);

  const swapped = [...records];
  [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
  const swap = await verifyChain(swapped, key.publicKey);
  assert.deepEqual(chainFields(swap), [
    [3, 5, "serial"],
    [4, 4, "serial"],
    [5, 6, "serial"],
  ]);
  assert.match(swap.problems[1].message, /out of order/);

  // The key's holder signs a second record of serial 3: a forked chain.
  const [fork] = await signChain(key, [{ request: ["UUID"] }], {
    serial: 3,
    previous: records[1].hash,
  });
  const forked = await verifyChain(
    [...records.slice(0, 3), fork, ...records.slice(3)],
    key.publicKey,
  );
  assert.equal(forked.problems[0].field, "serial");
  assert.equal(forked.problems[0].index, 3);
  assert.match(forked.problems[0].message, /forked chain/);
});

Deno.test("verifyChain: a broken link, a wrong start, another key's record and a changed serial", async () => {
  // Signed by the key's holder with the wrong previous: only the link shows.
  const relinked = await signDraw({
    ...records[5],
    previous: records[3].hash,
  }, key);
  const link = await verifyChain(records.with(5, relinked), key.publicKey);
  // Its new hash breaks the next link too.
  assert.deepEqual(chainFields(link), [[5, 6, "previous"], [6, 7, "previous"]]);
  assert.match(link.problems[0].message, /not the hash of the record before/);

  const [restart] = await signChain(key, [{ request: ["UUID"] }], {
    serial: 1,
    previous: records[0].hash,
  });
  const start = await verifyChain([restart], key.publicKey, { midChain: true });
  assert.deepEqual(chainFields(start), [[0, 1, "previous"]]);
  const [zeros] = await signChain(key, [{ request: ["UUID"] }], {
    serial: 7,
    previous: CHAIN_START,
  });
  const early = await verifyChain([zeros], key.publicKey, { midChain: true });
  assert.deepEqual(chainFields(early), [[0, 7, "previous"]]);

  // Another key's record, fitted into this chain's serials and links.
  const other = (await generateSigningKey()).key;
  const [intruder] = await signChain(other, [{ request: ["UUID"] }], {
    serial: 4,
    previous: records[2].hash,
  });
  const mixed = await verifyChain(records.with(3, intruder), key.publicKey);
  assert.deepEqual(chainFields(mixed), [
    [3, 4, "key_id"],
    [4, 5, "previous"],
  ]);

  // A serial changed after signing: the record's own hash, and its place.
  const renumbered = { ...records[3], serial: 5 };
  const changed = await verifyChain(
    records.with(3, renumbered),
    key.publicKey,
  );
  assert.deepEqual(chainFields(changed).slice(0, 2), [
    [3, 5, "hash"],
    [3, 5, "serial"],
  ]);
});

// ---------------------------------------------------------------------------
// Reading records.

Deno.test("parseDrawRecords: JSON lines, a pretty-printed record, and errors that name the line", () => {
  const lines = records.map((r) => JSON.stringify(r));
  assert.deepEqual(parseDrawRecords(lines.join("\n") + "\n"), records);
  assert.deepEqual(
    parseDrawRecords(`\uFEFF${lines.join("\r\n")}\r\n`),
    records,
  );
  assert.deepEqual(
    parseDrawRecordLines(`\n${lines[0]}\n\n${lines[1]}`).map((l) => l.line),
    [2, 4],
  );
  const pretty = `\n${JSON.stringify(records[0], null, 2)}\n`;
  assert.deepEqual(parseDrawRecordLines(pretty), [
    { line: 2, record: records[0] },
  ]);
  assert.deepEqual(parseDrawRecords(" \n\n"), []);
  const broken = [lines[0], lines[1], lines[2].slice(0, -1), lines[3]];
  assert.throws(
    () => parseDrawRecords(broken.join("\n")),
    (error: Error) =>
      error instanceof SyntaxError &&
      /^line 3: not JSON \(/.test(error.message) &&
      !error.message.includes("\n"),
  );
  assert.throws(
    () => parseDrawRecords(`${lines[0].slice(0, -1)}\n${lines[1]}`),
    /^SyntaxError: line 1: not JSON/,
  );
  assert.throws(
    () => parseDrawRecords(pretty.replace('"serial": 1', '"serial" 1')),
    /^SyntaxError: line \d+: not JSON/,
  );
  assert.throws(
    () => parseDrawRecords(`${lines[0]}\n[${lines[1]}]`),
    /^SyntaxError: line 2: expected a record \(a JSON object\), got an array$/,
  );
  assert.throws(
    () => parseDrawRecords(`${lines[0]}\nnull`),
    /line 2: expected a record \(a JSON object\), got null$/,
  );
});
