/**
 * Fault tests: hostile and unlucky clients against the real server, with
 * small thresholds passed as flags so that each runs in seconds.
 *
 * The server's final counters (its `stopped: ...` line at --log-level info)
 * say what it did with every connection; they are how these tests see that
 * nothing was lost and everything a client held was freed.
 */

import assert from "node:assert/strict";
import { PayloadEncoder, resolvePayloadSpec } from "../lib/wire/mod.ts";
import {
  payloadGrammar,
  readWithin,
  runClient,
  runPython,
  sleep,
  startServer,
} from "./_util.ts";

const HOST = "127.0.0.1";

interface Counters {
  accepted: number;
  completed: number;
  dropped: number;
  timedOut: number;
  rejected: number;
}

/** Parses the server's `stopped: ...` line. */
function counters(stderr: string): Counters {
  const match =
    /stopped: (\d+) accepted, (\d+) completed, (\d+) dropped, (\d+) timed out, (\d+) rejected as busy/
      .exec(stderr);
  assert.ok(match, `no final counters in stderr: ${stderr}`);
  const [accepted, completed, dropped, timedOut, rejected] = match.slice(1)
    .map(Number);
  return { accepted, completed, dropped, timedOut, rejected };
}

/** Reads until the server closes; resolves to the bytes read (reset: -1). */
async function readToEnd(conn: Deno.TcpConn): Promise<number> {
  const buf = new Uint8Array(1 << 16);
  let total = 0;
  try {
    for (;;) {
      const n = await readWithin(conn, buf);
      if (n === null) return total;
      total += n;
    }
  } catch {
    return -1;
  } finally {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
}

function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, stderr);
  assert.doesNotMatch(stderr, /Uncaught/, stderr);
}

Deno.test("stalled readers are dropped by the write timeout, and a normal client is served meanwhile", async () => {
  await using server = await startServer([
    "--stream",
    "--write-timeout",
    "0.5",
    "--log-level",
    "debug",
  ]);
  const stalled = await Promise.all(
    Array.from(
      { length: 100 },
      () => Deno.connect({ hostname: HOST, port: server.port }),
    ),
  );
  // A normal client, while a hundred others have stopped reading.
  const normal = await runClient([
    "--host",
    HOST,
    "--port",
    String(server.port),
    "--limit",
    "5000",
  ]);
  assert.equal(normal.code, 0, normal.stderr);
  assert.equal(normal.stdout.split("\n").filter(Boolean).length, 5000);

  // Each stalled connection is dropped once its kernel buffers are full and
  // it has read nothing for the write timeout.
  await server.waitForStderr(
    (stderr) => stderr.split("stopped reading").length - 1 >= 100,
    60_000,
  );
  for (const conn of stalled) conn.close();

  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  const counts = counters(stopped.stderr);
  assert.equal(counts.timedOut, 100, stopped.stderr);
  assert.equal(counts.accepted, 101);
  assert.equal(counts.completed, 1);
  assert.equal(counts.dropped, 0);
  assertNoStackTrace(stopped.stderr);
});

Deno.test("hundreds of clients resetting mid-stream are handled quietly, then a normal client is served", async () => {
  await using server = await startServer(["--stream", "--log-level", "info"]);
  const buf = new Uint8Array(4096);
  for (let wave = 0; wave < 3; wave++) {
    await Promise.all(Array.from({ length: 100 }, async () => {
      const conn = await Deno.connect({ hostname: HOST, port: server.port });
      assert.notEqual(await readWithin(conn, buf), null);
      // Closing with unread data makes the kernel send a reset.
      conn.close();
    }));
  }
  const normal = await runClient([
    "--host",
    HOST,
    "--port",
    String(server.port),
    "--limit",
    "100",
    "--format",
    "csv",
  ]);
  assert.equal(normal.code, 0, normal.stderr);
  assert.match(normal.stdout, /^\d{1,3}(,\d{1,3}){99}\n$/);

  const stopped = await server.stop();
  assert.equal(stopped.code, 0);
  // Only the info lines: no error was logged for any of the resets.
  assert.doesNotMatch(stopped.stderr, / error /, stopped.stderr);
  const counts = counters(stopped.stderr);
  assert.deepEqual(counts, {
    accepted: 301,
    completed: 301,
    dropped: 0,
    timedOut: 0,
    rejected: 0,
  });
});

Deno.test("clients resetting in the middle of a fixed payload are counted as dropped, at debug level only", async () => {
  await using server = await startServer([
    "--count",
    "1000000",
    "--log-level",
    "info",
  ]);
  const buf = new Uint8Array(4096);
  await Promise.all(Array.from({ length: 50 }, async () => {
    const conn = await Deno.connect({ hostname: HOST, port: server.port });
    assert.notEqual(await readWithin(conn, buf), null);
    conn.close();
  }));
  const stopped = await server.stop();
  assert.equal(stopped.code, 0);
  assert.doesNotMatch(
    stopped.stderr,
    /dropped: /,
    "a reset is not logged at info",
  );
  const counts = counters(stopped.stderr);
  assert.equal(counts.accepted, 50);
  assert.equal(counts.dropped + counts.completed, 50);
  // A 7 MB payload cannot have been delivered to a client that read 4 KiB.
  assert.ok(counts.dropped >= 45, stopped.stderr);
});

Deno.test("at --max-connections new clients get ERR busy, the others keep being served, and service recovers", async () => {
  await using server = await startServer([
    "--stream",
    "--max-connections",
    "5",
    "--log-level",
    "info",
  ]);
  const held = await Promise.all(
    Array.from(
      { length: 5 },
      () => Deno.connect({ hostname: HOST, port: server.port }),
    ),
  );
  const buf = new Uint8Array(1 << 16);
  for (const conn of held) assert.notEqual(await readWithin(conn, buf), null);
  for (let i = 0; i < 3; i++) {
    const busy = await runClient([
      "--host",
      HOST,
      "--port",
      String(server.port),
    ]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /busy/);
    assert.equal(busy.stdout, "");
  }
  // The held clients are still being served.
  for (const conn of held) assert.notEqual(await readWithin(conn, buf), null);
  for (const conn of held) conn.close();
  // The server notices the departures within moments; until then it may
  // still be full.
  let served = false;
  let busyAgain = 0;
  for (let attempt = 0; attempt < 100 && !served; attempt++) {
    const result = await runClient([
      "--host",
      HOST,
      "--port",
      String(server.port),
      "--limit",
      "10",
    ]);
    served = result.code === 0;
    if (!served) {
      assert.match(result.stderr, /busy/);
      busyAgain++;
      await sleep(50);
    }
  }
  assert.ok(served, "no client was served after the held ones left");
  const stopped = await server.stop();
  const counts = counters(stopped.stderr);
  assert.equal(counts.rejected, 3 + busyAgain, stopped.stderr);
  assert.equal(counts.accepted, 5 + 3 + busyAgain + 1);
  assert.equal(counts.completed, 6);
});

Deno.test("SIGTERM under load: the port closes at once, no fixed payload is cut short, exit 0", async () => {
  const count = 200_000;
  await using server = await startServer([
    "--count",
    String(count),
    "--shutdown-grace",
    "20",
    "--log-level",
    "info",
  ]);
  const clients = await Promise.all(
    Array.from(
      { length: 20 },
      () => Deno.connect({ hostname: HOST, port: server.port }),
    ),
  );
  const firsts = clients.map(() => new Uint8Array(1024));
  const firstLengths = await Promise.all(
    clients.map((c, i) => readWithin(c, firsts[i])),
  );
  assert.ok(firstLengths.every((n) => n !== null && n > 0));

  const stopped = server.stop("SIGTERM");
  // The listener closes at once: new connections are refused while the
  // payloads in flight are still being sent.
  let refused = false;
  let probesAccepted = 0;
  for (let attempt = 0; attempt < 100 && !refused; attempt++) {
    try {
      (await Deno.connect({ hostname: HOST, port: server.port })).close();
      probesAccepted++;
      await sleep(20);
    } catch (error) {
      refused = error instanceof Deno.errors.ConnectionRefused;
    }
  }
  assert.ok(refused, "the port still accepted connections after SIGTERM");

  // Read the rest slowly; every payload must arrive whole.
  const grammar = /^[1-9]\d*(?:,[1-9]\d*)*$/;
  await Promise.all(clients.map(async (conn, i) => {
    const chunks = [firsts[i].slice(0, firstLengths[i]!)];
    const buf = new Uint8Array(1 << 16);
    for (;;) {
      const n = await readWithin(conn, buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      await sleep(1);
    }
    conn.close();
    const text = new TextDecoder().decode(await new Blob(chunks).bytes());
    assert.match(text, grammar);
    assert.equal(text.split(",").length, count);
  }));
  const result = await stopped;
  assert.equal(result.code, 0, result.stderr);
  const counts = counters(result.stderr);
  // A probe may connect through the kernel's queue and still be reset
  // unaccepted when the listener closes. Accepted ones hung up at once: their
  // payloads were cut short (or had already gone whole into kernel buffers).
  assert.ok(counts.accepted >= 20, result.stderr);
  assert.ok(counts.accepted <= 20 + probesAccepted, result.stderr);
  assert.equal(counts.completed + counts.dropped, counts.accepted);
  assert.ok(counts.dropped <= probesAccepted, result.stderr);
});

Deno.test("a client that stalls through the shutdown grace is closed, and the server still exits 0", async () => {
  await using server = await startServer([
    "--count",
    "5000000",
    "--shutdown-grace",
    "0.5",
    "--log-level",
    "info",
  ]);
  const stalled = await Deno.connect({ hostname: HOST, port: server.port });
  assert.notEqual(await readWithin(stalled, new Uint8Array(16)), null);
  await sleep(300); // Let its buffers fill.
  const result = await server.stop("SIGTERM");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /shutdown grace over: closing 1 connection$/m);
  // The connection was really closed: reading what is buffered reaches its end.
  const ended = await Promise.race([
    readToEnd(stalled),
    sleep(10_000).then(() => null),
  ]);
  assert.notEqual(ended, null, "the stalled connection was left open");
});

Deno.test("a burst of 2000 simultaneous connections is served completely", async () => {
  await using server = await startServer(["--log-level", "info"]);
  const grammar = payloadGrammar("csv", 10);
  const texts = await Promise.all(Array.from({ length: 2000 }, async () => {
    const conn = await Deno.connect({ hostname: HOST, port: server.port });
    return new TextDecoder().decode(await new Response(conn.readable).bytes());
  }));
  for (const text of texts) {
    assert.match(text, grammar);
  }
  const stopped = await server.stop();
  const counts = counters(stopped.stderr);
  assert.equal(counts.accepted, 2000);
  assert.equal(counts.completed, 2000);
});

Deno.test("steady readers survive a write timeout shorter than their wait for a turn", async () => {
  // The write timeout catches clients that stopped reading: it runs only
  // while a write waits for room, and restarts whenever the client makes
  // some. Here 300 streams share the server, read as fast as one Python
  // process can; each waits a few hundred milliseconds for its next turn
  // (round robin) while its socket has room. A 0.25 s timeout that ran from
  // the start of a chunk's write, and on through the wait for the next
  // turn, cuts them off.
  await using server = await startServer([
    "--stream",
    "--write-timeout",
    "0.25",
    "--log-level",
    "info",
  ]);
  const readers = await runPython(
    `
import selectors, socket, sys, time
port, streams = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
got = {}
for _ in range(streams):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    got[s] = 0
closed = 0
end = time.time() + 3
while time.time() < end and closed < streams:
    for key, _ in sel.select(timeout=0.1):
        try:
            data = key.fileobj.recv(65536)
        except ConnectionError:
            data = b""
        if not data:
            closed += 1
            sel.unregister(key.fileobj)
        else:
            got[key.fileobj] += len(data)
print(closed, min(got.values()), sum(got.values()))
`,
    [String(server.port), "300"],
  );
  const [closed, least, total] = readerNumbers(readers.stdout);
  const stopped = await server.stop();
  const counts = counters(stopped.stderr);
  assert.equal(counts.timedOut, 0, stopped.stderr);
  assert.equal(closed, 0, `${closed} streams were closed by the server`);
  // Every stream was served, and kept being served.
  assert.ok(least > 16384, `a stream got only ${least} bytes`);
  assert.ok(total > 300 * 65536, `${total} bytes in all`);
});

function readerNumbers(stdout: string): number[] {
  const numbers = stdout.trim().split(" ").map(Number);
  assert.equal(numbers.length, 3, stdout);
  return numbers;
}

Deno.test("a stream cut off at the end of the shutdown grace counts as dropped", async () => {
  await using server = await startServer([
    "--stream",
    "--shutdown-grace",
    "0.5",
    "--log-level",
    "info",
  ]);
  const stalled = await Deno.connect({ hostname: HOST, port: server.port });
  assert.notEqual(await readWithin(stalled, new Uint8Array(16)), null);
  await sleep(500); // Let its buffers fill, so the stream blocks.
  const result = await server.stop("SIGTERM");
  assert.equal(result.code, 0, result.stderr);
  const counts = counters(result.stderr);
  assert.equal(counts.dropped, 1, result.stderr);
  assert.equal(counts.completed, 0, result.stderr);
  stalled.close();
});

Deno.test("SIGTERM while stream readers are stalled: each stream still ends at a number boundary", async () => {
  // Readers that stop reading until the kernel's buffers are full leave the
  // server in the middle of writing a chunk. Ending the streams gracefully
  // means finishing that chunk once they read again, so the last number is
  // whole; closing at once would cut it at whatever byte the kernel had
  // taken. Seeded, so the bytes each reader should have are known.
  const STREAMS = 6;
  await using server = await startServer([
    "--stream",
    "--seed",
    "11",
    "--log-level",
    "info",
  ]);
  const conns = [];
  for (let i = 0; i < STREAMS; i++) {
    // One at a time, so that reader i is connection #i.
    const conn = await Deno.connect({ hostname: HOST, port: server.port });
    const first = new Uint8Array(1);
    assert.equal(await readWithin(conn, first), 1);
    conns.push({ conn, first });
  }
  await sleep(700); // The server's writes now wait for room.
  server.child.kill("SIGTERM");
  await sleep(200);
  const received = await Promise.all(conns.map(async ({ conn, first }) => {
    const parts: Uint8Array[] = [first];
    const buf = new Uint8Array(1 << 16);
    try {
      for (let n; (n = await readWithin(conn, buf)) !== null;) {
        parts.push(buf.slice(0, n));
      }
    } finally {
      conn.close();
    }
    return parts;
  }));
  // Signalled once already: a second SIGTERM now would be a deliberate one.
  const stopped = await server.stop(null);
  assert.equal(stopped.code, 0, stopped.stderr);
  for (let ordinal = 0; ordinal < STREAMS; ordinal++) {
    const length = received[ordinal].reduce((n, p) => n + p.length, 0);
    const expected = seededStream(11, ordinal, length + 1);
    const got = new Uint8Array(length);
    let offset = 0;
    for (const part of received[ordinal]) {
      got.set(part, offset);
      offset += part.length;
    }
    assert.ok(length > 100_000, `stream ${ordinal}: only ${length} bytes`);
    assert.deepEqual(got, expected.subarray(0, length), `stream ${ordinal}`);
    // The next byte of the stream would have been a separator: the last
    // number was whole.
    assert.equal(
      String.fromCharCode(expected[length]),
      ",",
      `stream ${ordinal} ends mid-number`,
    );
  }
  assert.equal(counters(stopped.stderr).dropped, 0, stopped.stderr);
});

/** The first `length` bytes of a `--seed` stream's connection `ordinal`. */
function seededStream(seed: number, ordinal: number, length: number) {
  const encoder = new PayloadEncoder(
    resolvePayloadSpec({ stream: true, seed }),
    { ordinal },
  );
  const out = new Uint8Array(length + 65536);
  let filled = 0;
  while (filled < length) {
    filled += encoder.encodeInto(out.subarray(filled, filled + 16384));
  }
  return out.subarray(0, length);
}
