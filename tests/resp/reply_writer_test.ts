import assert from "node:assert/strict";
import { ReplyWriter } from "../../lib/resp/mod.ts";

const decoder = new TextDecoder();

function written(version: 2 | 3, write: (w: ReplyWriter) => void): string {
  const writer = new ReplyWriter();
  writer.version = version;
  write(writer);
  return decoder.decode(writer.take());
}

Deno.test("ReplyWriter: the RESP2 types", () => {
  assert.equal(
    written(2, (w) => {
      w.simple("OK");
      w.error("ERR unknown command 'x'");
      w.integer(-9007199254740991);
      w.bulk("héllo");
      w.bulk(new Uint8Array([0, 13, 10]));
      w.null();
      w.arrayHeader(0);
    }),
    "+OK\r\n-ERR unknown command 'x'\r\n:-9007199254740991\r\n" +
      "$6\r\nhéllo\r\n$3\r\n\x00\r\n\r\n$-1\r\n*0\r\n",
  );
});

Deno.test("ReplyWriter: RESP3 types, and how RESP2 falls back", () => {
  const write = (w: ReplyWriter) => {
    w.mapHeader(1);
    w.bulk("mean");
    w.double(0.5);
    w.boolean(true);
    w.null();
    w.double(-Infinity);
  };
  assert.equal(
    written(3, write),
    "%1\r\n$4\r\nmean\r\n,0.5\r\n#t\r\n_\r\n,-inf\r\n",
  );
  assert.equal(
    written(2, write),
    "*2\r\n$4\r\nmean\r\n$3\r\n0.5\r\n:1\r\n$-1\r\n$4\r\n-inf\r\n",
  );
});

Deno.test("ReplyWriter: status and error lines cannot be broken by CR or LF", () => {
  assert.equal(written(2, (w) => w.error("ERR a\r\nb")), "-ERR a  b\r\n");
  assert.equal(written(2, (w) => w.simple("x\ny")), "+x y\r\n");
});

Deno.test("ReplyWriter: grows for large replies; take() starts afresh", () => {
  const writer = new ReplyWriter();
  writer.arrayHeader(100_000);
  for (let i = 0; i < 100_000; i++) writer.integer(i);
  const bytes = writer.take();
  const text = decoder.decode(bytes);
  assert.ok(text.startsWith("*100000\r\n:0\r\n:1\r\n"));
  assert.ok(text.endsWith(":99999\r\n"));
  assert.equal(writer.length, 0);
  writer.simple("PONG");
  assert.equal(decoder.decode(writer.take()), "+PONG\r\n");
});

Deno.test("ReplyWriter: integers and array headers are their digits, on both sides of the pre-encoded table", () => {
  const values = [
    0,
    -0,
    1,
    9,
    10,
    99,
    100,
    999,
    1000,
    9998,
    9999,
    10000,
    10001,
    -1,
    -9999,
    -10000,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
  ];
  for (const n of values) {
    assert.equal(written(2, (w) => w.integer(n)), `:${n}\r\n`, String(n));
  }
  for (const n of [0, -0, 1, 9, 10, 99, 100, 12345, 2 ** 31 - 1, -1]) {
    assert.equal(written(2, (w) => w.arrayHeader(n)), `*${n}\r\n`, String(n));
  }
});

Deno.test("ReplyWriter: takeView() gives the bytes take() would, without a copy, and starts afresh", () => {
  const writer = new ReplyWriter();
  writer.simple("PONG");
  writer.integer(7);
  const view = writer.takeView();
  assert.equal(decoder.decode(view), "+PONG\r\n:7\r\n");
  assert.equal(writer.length, 0);
  // The next reply is written over it: the view is the writer's buffer.
  writer.simple("OK");
  assert.equal(decoder.decode(view.subarray(0, 5)), "+OK\r\n");
  assert.equal(decoder.decode(writer.takeView()), "+OK\r\n");
  // A big reply's buffer is let go, as take() does.
  writer.arrayHeader(100_000);
  for (let i = 0; i < 100_000; i++) writer.integer(i);
  const big = writer.takeView();
  assert.ok(decoder.decode(big).endsWith(":99999\r\n"));
  writer.simple("PONG");
  assert.ok(decoder.decode(big).endsWith(":99999\r\n"));
  assert.equal(decoder.decode(writer.takeView()), "+PONG\r\n");
});
