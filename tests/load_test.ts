/**
 * Load: hundreds of simultaneous clients, a stream of ten million numbers,
 * and slow clients that must not hold up anyone else.
 */

import assert from "node:assert/strict";
import {
  assertClassicCsv,
  readWithin,
  runClient,
  sleep,
  spawnClient,
  startServer,
} from "./_util.ts";

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Checks a byte stream of non-negative numbers in `min..max`, each ended by
 * `separator` (csv: followed by it), across any chunking, without keeping
 * the bytes. No leading zeros; at most 3 digits.
 */
class NumberStreamChecker {
  count = 0;
  offset = 0;
  readonly histogram: Uint32Array;
  #value = 0;
  #digits = 0;
  #leadingZero = false;

  constructor(
    readonly separator: number,
    readonly min = 1,
    readonly max = 100,
  ) {
    this.histogram = new Uint32Array(max + 1);
  }

  #fail(message: string): never {
    throw new Error(
      `at byte ${this.offset} (number #${this.count}): ${message}`,
    );
  }

  #finish(): void {
    if (this.#digits === 0) this.#fail("empty number");
    if (this.#leadingZero && this.#digits > 1) this.#fail("leading zero");
    const value = this.#value;
    if (value < this.min || value > this.max) {
      this.#fail(`${value} is outside ${this.min}..${this.max}`);
    }
    this.histogram[value]++;
    this.count++;
    this.#value = 0;
    this.#digits = 0;
  }

  /**
   * Feeds a chunk; stops once `limit` numbers are complete.
   * @returns Whether `limit` was reached.
   */
  push(chunk: Uint8Array, limit = Infinity): boolean {
    const separator = this.separator;
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const byte = chunk[i];
      if (byte >= ZERO && byte <= NINE) {
        if (this.#digits === 0) this.#leadingZero = byte === ZERO;
        if (++this.#digits > 3) this.#fail("more than 3 digits");
        this.#value = this.#value * 10 + (byte - ZERO);
      } else if (byte === separator) {
        this.#finish();
        if (this.count === limit) {
          this.offset++;
          return true;
        }
      } else {
        this.#fail(`unexpected byte 0x${byte.toString(16)}`);
      }
    }
    return false;
  }

  /** The end of a fixed csv payload completes its last number. */
  endCsv(): void {
    if (this.count > 0 || this.#digits > 0) this.#finish();
  }

  /** Lines end with their separator: nothing may be left open. */
  endLines(): void {
    if (this.#digits > 0) this.#fail("the last line has no '\\n'");
  }
}

Deno.test("500 simultaneous raw clients each get a complete classic payload", async () => {
  await using server = await startServer();
  const N = 500;
  // Open every connection first, so that all are in flight at once.
  const conns = await Promise.all(
    Array.from(
      { length: N },
      () => Deno.connect({ hostname: "127.0.0.1", port: server.port }),
    ),
  );
  const payloads = await Promise.all(
    conns.map((conn) => new Response(conn.readable).text()),
  );
  assert.equal(payloads.length, N);
  for (const payload of payloads) {
    assert.match(payload, /^\d{1,3}(,\d{1,3}){9}$/);
    assertClassicCsv(payload);
  }
  assert.ok(new Set(payloads).size > N - 2, "payloads repeat");
  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stderr, "");
});

Deno.test("300 simultaneous raw clients of a 1000-number payload, reading in small pieces", async () => {
  await using server = await startServer(["--count", "1000", "--seed", "3"]);
  const N = 300;
  const conns = await Promise.all(
    Array.from(
      { length: N },
      () => Deno.connect({ hostname: "127.0.0.1", port: server.port }),
    ),
  );
  const counts = await Promise.all(conns.map(async (conn) => {
    const checker = new NumberStreamChecker(COMMA);
    const buf = new Uint8Array(97);
    try {
      for (;;) {
        const n = await readWithin(conn, buf);
        if (n === null) break;
        checker.push(buf.subarray(0, n));
      }
      checker.endCsv();
      return checker.count;
    } finally {
      conn.close();
    }
  }));
  assert.deepEqual(counts, Array(N).fill(1000));
});

Deno.test("20 simultaneous client.ts processes all succeed", async () => {
  await using server = await startServer();
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      runClient([
        "--host",
        "127.0.0.1",
        "--port",
        String(server.port),
        "--format",
        "csv",
      ])),
  );
  for (const result of results) {
    assert.equal(result.code, 0, result.stderr);
    assertClassicCsv(result.stdout.trimEnd());
  }
});

const TEN_MILLION = 10_000_000;

Deno.test("a stream of 10^7 numbers read raw: all in range, count exact, grammar intact across chunks", async () => {
  await using server = await startServer(["--stream"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const checker = new NumberStreamChecker(COMMA);
  const buf = new Uint8Array(65536);
  let chunks = 0;
  try {
    for (;;) {
      const n = await readWithin(conn, buf);
      assert.notEqual(n, null, `the stream ended after ${checker.count}`);
      chunks++;
      if (checker.push(buf.subarray(0, n!), TEN_MILLION)) break;
    }
  } finally {
    conn.close();
  }
  assert.equal(checker.count, TEN_MILLION);
  assert.ok(chunks > 100, "expected the stream to arrive in many chunks");
  // Every value of 1..100 is drawn about 10^5 times (σ ≈ 315).
  for (let v = 1; v <= 100; v++) {
    const seen = checker.histogram[v];
    assert.ok(seen > 95_000 && seen < 105_000, `${v} drawn ${seen} times`);
  }
  // The server keeps serving after the reader hung up mid-stream.
  const after = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--limit",
    "5",
  ]);
  assert.equal(after.code, 0, after.stderr);
  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stderr, "");
});

Deno.test("client.ts --limit 10000000 on a stream prints exactly 10^7 lines", async () => {
  await using server = await startServer(["--stream"]);
  const child = spawnClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--limit",
    String(TEN_MILLION),
  ]);
  const stderr = new Response(child.stderr).text();
  const checker = new NumberStreamChecker(NEWLINE);
  try {
    for await (const chunk of child.stdout) checker.push(chunk);
    checker.endLines();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited by itself.
    }
  }
  const status = await child.status;
  assert.equal(status.code, 0, await stderr);
  assert.equal(await stderr, "");
  assert.equal(checker.count, TEN_MILLION);
});

Deno.test("slow and stalled clients do not delay a fast one", async () => {
  const COUNT = 3_000_000;
  await using server = await startServer(["--count", String(COUNT)]);
  const connect = () =>
    Deno.connect({ hostname: "127.0.0.1", port: server.port });
  // Stalled clients read nothing; slow ones read 4 KiB every 20 ms.
  const stalled = await Promise.all([1, 2, 3].map(connect));
  let hurry = false;
  let slowFinished = 0;
  const slow = await Promise.all([1, 2, 3].map(connect));
  const slowReaders = slow.map(async (conn) => {
    const checker = new NumberStreamChecker(COMMA);
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await readWithin(conn, hurry ? buf : buf.subarray(0, 4096));
      if (n === null) break;
      checker.push(buf.subarray(0, n));
      if (!hurry) await sleep(20);
    }
    slowFinished++;
    checker.endCsv();
    conn.close();
    return checker.count;
  });
  try {
    await sleep(100);
    // A fast client connecting meanwhile gets its whole payload.
    const fast = spawnClient([
      "--host",
      "127.0.0.1",
      "--port",
      String(server.port),
      "--format",
      "lines",
    ]);
    const fastStderr = new Response(fast.stderr).text();
    const checker = new NumberStreamChecker(NEWLINE);
    for await (const chunk of fast.stdout) checker.push(chunk);
    checker.endLines();
    const status = await fast.status;
    assert.equal(status.code, 0, await fastStderr);
    assert.equal(checker.count, COUNT);
    // ... while the slow ones are still open, far from done.
    assert.equal(slowFinished, 0, "a slow client finished before the fast one");
    hurry = true;
    // Slow clients are not cut off either: they get everything.
    assert.deepEqual(await Promise.all(slowReaders), [COUNT, COUNT, COUNT]);
    // The stalled ones still get their payload once they read.
    for (const conn of stalled) {
      const rest = new NumberStreamChecker(COMMA);
      for await (const chunk of conn.readable) rest.push(chunk);
      rest.endCsv();
      assert.equal(rest.count, COUNT);
    }
  } finally {
    hurry = true;
    for (const conn of [...stalled, ...slow]) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    // After a failure the readers end with "operation canceled".
    await Promise.allSettled(slowReaders);
  }
});
