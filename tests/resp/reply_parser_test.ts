import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeReply,
  decodeText,
  encodeRequest,
  MalformedReplyError,
  REPLY_PARSER_DEFAULTS,
  ReplyError,
  ReplyParser,
  type ReplyParserOptions,
  ReplyWriter,
  RequestParser,
  RespPush,
  type RespValue,
} from "../../lib/resp/mod.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

function parseAll(
  input: string | Uint8Array,
  parser = new ReplyParser(),
): RespValue[] {
  return parser.push(typeof input === "string" ? bytes(input) : input);
}

/** Every reply type, RESP2 and RESP3, and the value each becomes. */
const ALL_TYPES: [string, RespValue][] = [
  ["+OK\r\n", "OK"],
  ["+\r\n", ""],
  ["+héllo wörld\r\n", "héllo wörld"],
  [
    "-ERR count: expected an integer\r\n",
    new ReplyError("ERR count: expected an integer"),
  ],
  [":0\r\n", 0],
  [":-0\r\n", 0],
  [":+7\r\n", 7],
  [":-9007199254740991\r\n", -9007199254740991],
  [":9007199254740991\r\n", 9007199254740991],
  [":9007199254740992\r\n", 9007199254740992n],
  [":-123456789012345678901234567890\r\n", -123456789012345678901234567890n],
  ["$5\r\nhello\r\n", bytes("hello")],
  ["$0\r\n\r\n", new Uint8Array(0)],
  ["$4\r\n\r\n\x00\n\r\n", new Uint8Array([13, 10, 0, 10])],
  ["$-1\r\n", null],
  ["*-1\r\n", null],
  ["*0\r\n", []],
  ["*3\r\n:1\r\n$1\r\na\r\n*1\r\n+x\r\n", [1, bytes("a"), ["x"]]],
  ["*2\r\n-ERR a\r\n:2\r\n", [new ReplyError("ERR a"), 2]],
  // RESP3
  ["_\r\n", null],
  [",1.5\r\n", 1.5],
  [",-2\r\n", -2],
  [",1e-3\r\n", 0.001],
  [",.5\r\n", 0.5],
  [",inf\r\n", Infinity],
  [",-inf\r\n", -Infinity],
  ["#t\r\n", true],
  ["#f\r\n", false],
  [
    "(3492890328409238509324850943850943825024385\r\n",
    3492890328409238509324850943850943825024385n,
  ],
  ["(-1\r\n", -1n],
  ["=15\r\ntxt:Some string\r\n", bytes("Some string")],
  ["!21\r\nSYNTAX invalid syntax\r\n", new ReplyError("SYNTAX invalid syntax")],
  [
    "%2\r\n+a\r\n:1\r\n+b\r\n#t\r\n",
    new Map<RespValue, RespValue>([["a", 1], ["b", true]]),
  ],
  ["%0\r\n", new Map()],
  ["~3\r\n:1\r\n:2\r\n:1\r\n", new Set([1, 2])],
  [
    ">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n",
    new RespPush(["message", "chan", bytes("hi")]),
  ],
  // Attributes annotate the next value and are dropped, at any level.
  ["|1\r\n+ttl\r\n:3600\r\n:42\r\n", 42],
  ["*2\r\n|1\r\n+key\r\n+popularity\r\n:1\r\n:2\r\n", [1, 2]],
  ["|0\r\n+after\r\n", "after"],
];

Deno.test("ReplyParser: every RESP2 and RESP3 type, and its value", () => {
  for (const [text, value] of ALL_TYPES) {
    assert.deepEqual(parseAll(text), [value], JSON.stringify(text));
  }
  // NaN is no value deepEqual compares.
  const [nan] = parseAll(",nan\r\n");
  assert.ok(Number.isNaN(nan));
});

Deno.test("ReplyParser: many replies in one chunk, errors among them as values", () => {
  const stream = ALL_TYPES.map(([text]) => text).join("");
  assert.deepEqual(parseAll(stream), ALL_TYPES.map(([, value]) => value));
  const replies = parseAll("+OK\r\n-ERR bad\r\n:5\r\n-NOPROTO no\r\n");
  assert.equal(replies.length, 4);
  assert.ok(replies[1] instanceof ReplyError);
  assert.equal((replies[1] as ReplyError).code, "ERR");
  assert.equal((replies[1] as ReplyError).message, "ERR bad");
  assert.equal((replies[3] as ReplyError).code, "NOPROTO");
  assert.equal(replies[2], 5);
});

Deno.test("ReplyParser: a stream split at every byte boundary gives the same replies", () => {
  const stream = bytes(ALL_TYPES.map(([text]) => text).join(""));
  const expected = ALL_TYPES.map(([, value]) => value);
  for (let cut = 0; cut <= stream.length; cut++) {
    const parser = new ReplyParser();
    const got = [
      ...parser.push(stream.slice(0, cut)),
      ...parser.push(stream.slice(cut)),
    ];
    assert.deepEqual(got, expected, `cut at ${cut}`);
    assert.equal(parser.inReply, false);
    assert.equal(parser.bytesRead, stream.length);
  }
  // And byte by byte: each reply comes out with its last byte, not before.
  const parser = new ReplyParser();
  const got: RespValue[] = [];
  let completed = 0;
  const ends = new Set<number>();
  let at = 0;
  for (const [text] of ALL_TYPES) ends.add(at += bytes(text).length);
  for (let i = 0; i < stream.length; i++) {
    const out = parser.push(stream.subarray(i, i + 1));
    got.push(...out);
    if (out.length > 0) {
      completed++;
      assert.ok(ends.has(i + 1), `a reply completed at byte ${i + 1}`);
    }
    assert.equal(parser.inReply, !ends.has(i + 1), `inReply after ${i + 1}`);
  }
  assert.equal(completed, ALL_TYPES.length);
  assert.deepEqual(got, expected);
});

Deno.test("ReplyParser: any chunking of what ReplyWriter writes reads back", () => {
  const item = fc.oneof(
    fc.record({ kind: fc.constant("int"), v: fc.maxSafeInteger() }),
    fc.record({
      kind: fc.constant("bulk"),
      v: fc.uint8Array({ maxLength: 40 }),
    }),
    fc.record({
      kind: fc.constant("simple"),
      v: fc.string({ maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)),
    }),
    fc.record({ kind: fc.constant("double"), v: fc.double({ noNaN: true }) }),
    fc.record({ kind: fc.constant("null"), v: fc.constant(null) }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom<2 | 3>(2, 3),
      fc.array(fc.array(item, { maxLength: 5 }), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (version, arrays, cuts) => {
        const writer = new ReplyWriter();
        writer.version = version;
        const expected: RespValue[] = [];
        for (const array of arrays) {
          writer.arrayHeader(array.length);
          const values: RespValue[] = [];
          for (const { kind, v } of array) {
            if (kind === "int") {
              writer.integer(v as number);
              values.push(v as number);
            } else if (kind === "bulk") {
              writer.bulk(v as Uint8Array);
              values.push(v as Uint8Array);
            } else if (kind === "simple") {
              writer.simple(v as string);
              values.push(v as string);
            } else if (kind === "double") {
              writer.double(v as number);
              // The writer sends String(v) (so -0 as "0"), or inf, -inf:
              // in RESP3 as a double, in RESP2 as a bulk string.
              const x = v as number;
              const text = x === Infinity
                ? "inf"
                : x === -Infinity
                ? "-inf"
                : String(x);
              values.push(
                version === 2 ? bytes(text) : Object.is(x, -0) ? 0 : x,
              );
            } else {
              writer.null();
              values.push(null);
            }
          }
          expected.push(values);
        }
        const stream = writer.take();
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))]
          .sort((a, b) => a - b);
        const parser = new ReplyParser();
        const got: RespValue[] = [];
        let start = 0;
        for (const point of [...points, stream.length]) {
          got.push(...parser.push(stream.slice(start, point)));
          start = point;
        }
        assert.deepEqual(got, expected);
        assert.equal(parser.inReply, false);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("ReplyParser: bulk strings are copies: the caller may reuse its chunk", () => {
  const parser = new ReplyParser();
  const chunk = bytes("$3\r\nabc\r\n$4\r\nde");
  const [first] = parser.push(chunk);
  chunk.fill(0x78);
  assert.deepEqual(first, bytes("abc"));
  const rest = bytes("fg\r\n");
  const [second] = parser.push(rest);
  rest.fill(0x78);
  assert.deepEqual(second, bytes("defg"));
});

Deno.test("ReplyParser: a big reply in small chunks, parsed once", () => {
  const count = 200_000;
  const writer = new ReplyWriter();
  writer.arrayHeader(count);
  for (let i = 0; i < count; i++) writer.integer(i * 7919 - 10 ** 9);
  writer.bulk(new Uint8Array(3_000_000).fill(7));
  const stream = writer.take();
  const parser = new ReplyParser();
  const got: RespValue[] = [];
  const started = performance.now();
  for (let at = 0; at < stream.length; at += 1000) {
    got.push(...parser.push(stream.subarray(at, at + 1000)));
  }
  const elapsed = performance.now() - started;
  assert.equal(got.length, 2);
  const numbers = got[0] as number[];
  assert.equal(numbers.length, count);
  assert.equal(numbers[count - 1], (count - 1) * 7919 - 10 ** 9);
  assert.equal((got[1] as Uint8Array).length, 3_000_000);
  assert.ok((got[1] as Uint8Array).every((b) => b === 7));
  // Parsing from the start again at every chunk would take minutes.
  assert.ok(elapsed < 5000, `${elapsed} ms`);
});

/** The error a stream fails with, pushed whole and split at every byte. */
function malformed(
  text: string,
  options: ReplyParserOptions = {},
): MalformedReplyError {
  const stream = bytes(text);
  let whole: MalformedReplyError | undefined;
  try {
    new ReplyParser(options).push(stream);
  } catch (error) {
    assert.ok(error instanceof MalformedReplyError, String(error));
    whole = error;
  }
  assert.ok(whole !== undefined, `accepted ${JSON.stringify(text)}`);
  for (let cut = 0; cut <= stream.length; cut++) {
    const parser = new ReplyParser(options);
    assert.throws(
      () => {
        parser.push(stream.slice(0, cut));
        parser.push(stream.slice(cut));
      },
      (error) =>
        error instanceof MalformedReplyError &&
        error.detail === whole!.detail && error.offset === whole!.offset,
      `${JSON.stringify(text)} cut at ${cut}`,
    );
  }
  return whole;
}

Deno.test("ReplyParser: malformed replies, named, with the offset of the faulty element", () => {
  const cases: [string, string, number, ReplyParserOptions?][] = [
    ["?x\r\n", "unknown reply type '?'", 0],
    ["+OK\r\n@\r\n", "unknown reply type '@'", 5],
    [":12x\r\n", "invalid integer '12x'", 0],
    [":\r\n", "invalid integer ''", 0],
    [":-\r\n", "invalid integer '-'", 0],
    ["$x\r\n", "invalid bulk string length 'x'", 0],
    ["$-2\r\n", "invalid bulk string length '-2'", 0],
    ["$+3\r\nabc\r\n", "invalid bulk string length '+3'", 0],
    ["$3\r\nabcd\r\n", "bulk string not followed by CRLF", 0],
    ["*1\r\n$3\r\nab\r\n\r\n", "bulk string not followed by CRLF", 4],
    ["!-1\r\n", "invalid blob error length '-1'", 0],
    ["=3\r\ntxt\r\n", "verbatim string without its format prefix", 0],
    ["*x\r\n", "invalid array length 'x'", 0],
    ["%-1\r\n", "invalid map length '-1'", 0],
    ["~-1\r\n", "invalid set length '-1'", 0],
    ["$?\r\n", "streamed bulk strings (length '?') are not supported", 0],
    ["*?\r\n", "streamed arrays (length '?') are not supported", 0],
    [",1.2.3\r\n", "invalid double '1.2.3'", 0],
    [",\r\n", "invalid double ''", 0],
    ["#x\r\n", "invalid boolean 'x'", 0],
    ["#tt\r\n", "invalid boolean 'tt'", 0],
    ["(1.5\r\n", "invalid big number '1.5'", 0],
    ["_x\r\n", "invalid null 'x'", 0],
    ["+OK\n", "line not ended by CRLF", 0],
    ["+OK\r\n\n", "line not ended by CRLF", 5],
    ["+OK\rx\r\n", "line not ended by CRLF", 0],
    // Limits.
    ["$11\r\n", "bulk string of 11 bytes exceeds maxBulkBytes (10)", 0, {
      maxBulkBytes: 10,
    }],
    ["*3\r\n", "array of 3 elements exceeds maxElements (2)", 0, {
      maxElements: 2,
    }],
    ["%3\r\n", "map of 3 elements exceeds maxElements (2)", 0, {
      maxElements: 2,
    }],
    ["+" + "x".repeat(20), "line longer than maxLineBytes (16)", 0, {
      maxLineBytes: 16,
    }],
    ["-" + "x".repeat(17) + "\r\n", "line longer than maxLineBytes (16)", 0, {
      maxLineBytes: 16,
    }],
    ["*1\r\n*1\r\n*1\r\n:1\r\n", "replies nested deeper than maxDepth (2)", 8, {
      maxDepth: 2,
    }],
  ];
  for (const [text, detail, offset, options] of cases) {
    const error = malformed(text, options);
    assert.equal(error.detail, detail, JSON.stringify(text));
    assert.equal(error.offset, offset, JSON.stringify(text));
    assert.equal(error.message, `${detail} (byte ${offset})`);
  }
  // At the limits exactly, all is well.
  const limits = {
    maxBulkBytes: 10,
    maxElements: 2,
    maxLineBytes: 16,
    maxDepth: 2,
  };
  assert.deepEqual(
    parseAll(
      "$10\r\n0123456789\r\n*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n+" + "x".repeat(16) +
        "\r\n",
      new ReplyParser(limits),
    ),
    [bytes("0123456789"), [[1, 2], 3], "x".repeat(16)],
  );
});

Deno.test("ReplyParser: a fault keeps the replies before it, and the parser stays broken", () => {
  const parser = new ReplyParser();
  assert.deepEqual(parser.push(bytes("+a\r\n")), ["a"]);
  assert.throws(
    () => parser.push(bytes("+b\r\n:1\r\n:x\r\n+c\r\n")),
    (e) =>
      e instanceof MalformedReplyError && e.offset === 12 &&
      e.message === "invalid integer 'x' (byte 12)" &&
      // The replies completed by this chunk before the fault; "a" came out
      // of the chunk before.
      JSON.stringify(e.replies) === JSON.stringify(["b", 1]),
  );
  // Once broken, always: where the next reply starts is unknown.
  assert.throws(
    () => parser.push(bytes("+fine\r\n")),
    (e) =>
      e instanceof MalformedReplyError && e.detail === "invalid integer 'x'" &&
      e.offset === 12 && e.replies.length === 0,
  );
});

Deno.test("ReplyParser: the defaults, and limits that are not positive integers", () => {
  assert.deepEqual({ ...REPLY_PARSER_DEFAULTS }, {
    maxBulkBytes: 536870912,
    maxElements: 100000000,
    maxLineBytes: 65536,
    maxDepth: 64,
  });
  assert.ok(Object.isFrozen(REPLY_PARSER_DEFAULTS));
  for (const bad of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(
      () => new ReplyParser({ maxBulkBytes: bad }),
      RangeError,
      String(bad),
    );
  }
  // A default depth is deep enough for anything a server sends.
  const deep = "*1\r\n".repeat(64) + ":1\r\n";
  let value = parseAll(deep)[0];
  for (let i = 0; i < 64; i++) value = (value as RespValue[])[0];
  assert.equal(value, 1);
  assert.throws(() => parseAll("*1\r\n" + deep), MalformedReplyError);
});

Deno.test("ReplyParser: inReply and bytesRead follow the stream", () => {
  const parser = new ReplyParser();
  assert.equal(parser.inReply, false);
  parser.push(bytes("*2\r\n:1\r\n"));
  assert.equal(parser.inReply, true); // an array waits for its second element
  parser.push(bytes("$5\r\nab"));
  assert.equal(parser.inReply, true);
  assert.deepEqual(parser.push(bytes("cde\r\n")), [[1, bytes("abcde")]]);
  assert.equal(parser.inReply, false);
  assert.equal(parser.bytesRead, 8 + 6 + 5);
  parser.push(bytes("+PO"));
  assert.equal(parser.inReply, true);
  assert.equal(parser.bytesRead, 22);
});

Deno.test("decodeReply and decodeText: bulk strings as UTF-8 text, at any depth", () => {
  const utf8 = new Uint8Array([
    ...bytes("%1\r\n$3\r\nkey\r\n*3\r\n$3\r\n"),
    0x68,
    0xc3,
    0xa9,
    ...bytes("\r\n~1\r\n$1\r\nx\r\n-ERR e\r\n"),
  ]);
  const decoded = decodeReply(parseAll(utf8)[0]) as Map<RespValue, RespValue>;
  assert.deepEqual(
    decoded,
    new Map<RespValue, RespValue>([
      ["key", ["hé", new Set(["x"]), new ReplyError("ERR e")]],
    ]),
  );
  assert.equal(decoded.get("key") !== undefined, true);
  assert.deepEqual(
    decodeReply(new RespPush([bytes("message"), 1])),
    new RespPush(["message", 1]),
  );
  assert.equal(decodeReply(5), 5);
  assert.equal(decodeReply(null), null);
  assert.equal(decodeText(bytes("plain ascii")), "plain ascii");
  const long = "é".repeat(100) + "x".repeat(100);
  assert.equal(decodeText(bytes(long)), long);
  assert.equal(decodeText(new Uint8Array([0xff])), "\ufffd");
});

Deno.test("encodeRequest: arrays of bulk strings that RequestParser reads back", () => {
  assert.equal(
    new TextDecoder().decode(encodeRequest(["ECHO", "a b\r\n", ""])),
    "*3\r\n$4\r\nECHO\r\n$5\r\na b\r\n\r\n$0\r\n\r\n",
  );
  assert.deepEqual(
    encodeRequest(["X", new Uint8Array([0, 255])]),
    new Uint8Array([...bytes("*2\r\n$1\r\nX\r\n$2\r\n"), 0, 255, 13, 10]),
  );
  assert.equal(new TextDecoder().decode(encodeRequest([])), "*0\r\n");
  fc.assert(
    fc.property(
      fc.array(
        fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 6 }),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
      (requests) => {
        const stream = new Uint8Array(
          requests.flatMap((args) => [...encodeRequest(args)]),
        );
        // Lone surrogates do not survive UTF-8; compare what UTF-8 keeps.
        const expected = requests.map((args) =>
          args.map((a) => new TextDecoder().decode(bytes(a)))
        );
        assert.deepEqual(new RequestParser().push(stream), expected);
      },
    ),
    { numRuns: 200 },
  );
  assert.throws(
    () => encodeRequest(["ECHO", 5 as unknown as string]),
    (e) => e instanceof TypeError && /argument 1/.test(e.message),
  );
});
