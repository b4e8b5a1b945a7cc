import assert from "node:assert/strict";
import fc from "fast-check";
import {
  RequestParser,
  RespProtocolError,
  splitInline,
} from "../../lib/resp/mod.ts";

const encoder = new TextEncoder();

function parseAll(text: string | Uint8Array, parser = new RequestParser()) {
  return parser.push(typeof text === "string" ? encoder.encode(text) : text);
}

function protocolError(text: string, options = {}): string {
  try {
    parseAll(text, new RequestParser(options));
  } catch (error) {
    assert.ok(error instanceof RespProtocolError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(text)}`);
}

/** Encodes a request as client libraries do. */
function multibulk(args: string[]): string {
  return `*${args.length}\r\n` +
    args.map((a) => `$${encoder.encode(a).length}\r\n${a}\r\n`).join("");
}

Deno.test("RequestParser: arrays of bulk strings, pipelined", () => {
  const bytes = multibulk(["RANDINT", "6", "1", "49", "UNIQUE"]) +
    multibulk(["PING"]) + multibulk(["ECHO", "héllo\r\nwörld"]);
  assert.deepEqual(parseAll(bytes), [
    ["RANDINT", "6", "1", "49", "UNIQUE"],
    ["PING"],
    ["ECHO", "héllo\r\nwörld"],
  ]);
  // *0 and *-1 are no request; an empty bulk is an empty argument.
  assert.deepEqual(parseAll("*0\r\n*-1\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), [
    ["ECHO", ""],
  ]);
});

Deno.test("RequestParser: inline commands, as nc and telnet send them", () => {
  assert.deepEqual(parseAll("RANDINT 6 1 49 UNIQUE\n"), [
    ["RANDINT", "6", "1", "49", "UNIQUE"],
  ]);
  assert.deepEqual(parseAll("PING\r\n\r\n   \r\nECHO  a\t b \r\n"), [
    ["PING"],
    ["ECHO", "a", "b"],
  ]);
});

Deno.test("RequestParser: any chunking gives the same requests", () => {
  const requests = fc.array(
    fc.array(fc.string({ unit: "binary", maxLength: 20 }), {
      minLength: 1,
      maxLength: 6,
    }),
    { minLength: 1, maxLength: 8 },
  );
  fc.assert(
    fc.property(
      requests,
      fc.array(fc.nat(), { maxLength: 10 }),
      (reqs, cuts) => {
        const bytes = encoder.encode(reqs.map(multibulk).join(""));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))]
          .sort((a, b) => a - b);
        const parser = new RequestParser();
        const got: string[][] = [];
        let start = 0;
        for (const point of [...points, bytes.length]) {
          got.push(...parser.push(bytes.slice(start, point)));
          start = point;
        }
        assert.deepEqual(got, reqs);
        assert.equal(parser.pendingBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("RequestParser: a request split anywhere waits for the rest", () => {
  const parser = new RequestParser();
  assert.deepEqual(parseAll("*2\r\n$4\r\nEC", parser), []);
  assert.ok(parser.pendingBytes > 0);
  assert.deepEqual(parseAll("HO\r\n$1\r\nx", parser), []);
  assert.deepEqual(parseAll("\r\nPI", parser), [["ECHO", "x"]]);
  assert.deepEqual(parseAll("NG\n", parser), [["PING"]]);
});

Deno.test("RequestParser: frames that break the protocol, in Redis's words", () => {
  const cases: [string, string, object?][] = [
    ["*1\r\n:5\r\n", "Protocol error: expected '$', got ':'"],
    ["*x\r\n", "Protocol error: invalid multibulk length"],
    ["*1\r\n$x\r\n", "Protocol error: invalid bulk length"],
    ["*1\r\n$-1\r\n", "Protocol error: invalid bulk length"],
    [
      "*1\r\n$3\r\nabcd\r\n",
      "Protocol error: bulk string not followed by CRLF",
    ],
    ["*1\rx", "Protocol error: invalid multibulk count: expected CRLF"],
    [`*${"9".repeat(70)}`, "Protocol error: too big multibulk count string"],
    ['ECHO "a\n', "Protocol error: unbalanced quotes in request"],
    ["*3\r\n", "Protocol error: invalid multibulk length", { maxArguments: 2 }],
    [
      "*1\r\n$11\r\n",
      "Protocol error: invalid bulk length",
      { maxBulkBytes: 10 },
    ],
    ["x".repeat(20), "Protocol error: too big inline request", {
      maxInlineBytes: 10,
    }],
  ];
  for (const [text, message, options] of cases) {
    assert.equal(protocolError(text, options), message, JSON.stringify(text));
  }
});

Deno.test("splitInline: Redis's quoting rules", () => {
  const cases: [string, string[]][] = [
    ["SET a b", ["SET", "a", "b"]],
    [`ECHO "a b"`, ["ECHO", "a b"]],
    [`ECHO "tab\\there\\n\\x41\\x7a\\"q\\\\"`, ["ECHO", 'tab\there\nAz"q\\']],
    [`ECHO 'it\\'s' 'a\\nb'`, ["ECHO", "it's", "a\\nb"]],
    [`ECHO ""`, ["ECHO", ""]],
    [`ECHO \\x41`, ["ECHO", "\\x41"]],
  ];
  for (const [line, args] of cases) {
    assert.deepEqual(splitInline(encoder.encode(line)), args, line);
  }
  // A quote inside a word starts quoting, as in Redis; the closing quote
  // must be followed by a space or the end.
  assert.deepEqual(splitInline(encoder.encode(`ECHO a"b c"`)), [
    "ECHO",
    "ab c",
  ]);
  for (const bad of [`ECHO "a"b`, `ECHO 'a'b`, `ECHO "open`, `ECHO 'open`]) {
    assert.throws(
      () => splitInline(encoder.encode(bad)),
      /unbalanced quotes/,
      bad,
    );
  }
});

Deno.test("RequestParser: maxRequestBytes refuses a request from the header that passes it, before its body", () => {
  const parser = new RequestParser({ maxRequestBytes: 10 });
  const enc = new TextEncoder();
  // 4 + 6 bytes of arguments: exactly the limit, served.
  assert.deepEqual(
    parser.push(enc.encode("*2\r\n$4\r\nECHO\r\n$6\r\nabcdef\r\n")),
    [["ECHO", "abcdef"]],
  );
  // The next request starts counting from 0 again; its third header would
  // make it 11 bytes: refused before any body byte arrives.
  assert.throws(
    () => parser.push(enc.encode("*3\r\n$4\r\nECHO\r\n$5\r\nabcde\r\n$2\r\n")),
    (error: unknown) =>
      error instanceof RespProtocolError &&
      error.message === "Protocol error: too big request",
  );
});

Deno.test("RequestParser: an inline line sent byte by byte comes out whole, once its end arrives", () => {
  const parser = new RequestParser();
  const line = new TextEncoder().encode(`ECHO ${"x".repeat(60_000)}`);
  for (const byte of line) {
    assert.deepEqual(parser.push(Uint8Array.of(byte)), []);
  }
  assert.equal(parser.pendingBytes, line.length);
  const [request] = parser.push(new TextEncoder().encode("\r\n"));
  assert.equal(request[1], "x".repeat(60_000));
  assert.equal(parser.pendingBytes, 0);
});

Deno.test("RequestParser: lengths read from the bytes as from text: leading zeros, 15 digits at most, -1 only for arrays", () => {
  assert.deepEqual(parseAll("*01\r\n$0004\r\nPING\r\n"), [["PING"]]);
  assert.deepEqual(parseAll("*-1\r\n*1\r\n$4\r\nPING\r\n"), [["PING"]]);
  assert.equal(
    protocolError(`*1\r\n$${"0".repeat(16)}\r\n`),
    "Protocol error: invalid bulk length",
  );
  assert.equal(
    protocolError("*-2\r\n"),
    "Protocol error: invalid multibulk length",
  );
  assert.equal(
    protocolError("*+1\r\n"),
    "Protocol error: invalid multibulk length",
  );
  assert.equal(
    protocolError("*1 \r\n"),
    "Protocol error: invalid multibulk length",
  );
  assert.equal(
    protocolError("*\r\n"),
    "Protocol error: invalid multibulk length",
  );
  // As UTF-8 decoding read it: a leading byte order mark was dropped.
  const bom = new Uint8Array([0x2a, 0xef, 0xbb, 0xbf, 0x31, 0x0d, 0x0a]);
  assert.deepEqual(
    parseAll(new Uint8Array([...bom, ...encoder.encode("$4\r\nPING\r\n")])),
    [["PING"]],
  );
});

Deno.test("RequestParser (binary): short arguments come out byte for byte, however many share a hash slot", () => {
  const parser = new RequestParser({ binary: true });
  const args = fc.array(fc.uint8Array({ maxLength: 20 }), {
    minLength: 1,
    maxLength: 8,
  });
  fc.assert(
    fc.property(fc.array(args, { minLength: 1, maxLength: 20 }), (requests) => {
      const bytes: number[] = [];
      for (const request of requests) {
        bytes.push(...encoder.encode(`*${request.length}\r\n`));
        for (const arg of request) {
          bytes.push(...encoder.encode(`$${arg.length}\r\n`), ...arg, 13, 10);
        }
      }
      const expected = requests.map((request) =>
        request.map((arg) => String.fromCharCode(...arg))
      );
      assert.deepEqual(parser.push(new Uint8Array(bytes)), expected);
    }),
    { numRuns: 300 },
  );
});
