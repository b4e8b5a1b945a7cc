/**
 * The server's flags end to end: the real server.ts, read by the real
 * client.ts and by raw connections checked against PROTOCOL.md's grammar.
 */

import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { DUPLICATE_SIGNAL_MS } from "../lib/cli/stop_signals.ts";
import {
  assertClassicCsv,
  freePort,
  ipv6Available,
  LineReader,
  payloadGrammar,
  payloadNumbers,
  readRawText,
  readWithin,
  runClient,
  runServer,
  type ServerProcess,
  sleep,
  spawnClient,
  startServer,
} from "./_util.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAX = 9007199254740991n; // 2^53 - 1
const MAX_TEXT = String(MAX);

type Format = "csv" | "lines" | "json";

function client(port: number, ...args: string[]) {
  return runClient(["--host", "127.0.0.1", "--port", String(port), ...args]);
}

/** Reads one payload raw and checks it against the grammar; returns its numbers. */
async function rawPayload(
  port: number,
  format: Format,
  count: number,
  hostname = "127.0.0.1",
): Promise<{ text: string; numbers: bigint[] }> {
  const text = await readRawText(port, hostname);
  assert.match(text, payloadGrammar(format, count), JSON.stringify(text));
  return { text, numbers: payloadNumbers(format, text) };
}

function assertInRange(numbers: bigint[], min: bigint, max: bigint) {
  for (const n of numbers) {
    assert.ok(n >= min && n <= max, `${n} is outside ${min}..${max}`);
  }
}

/** The numbers client.ts printed with --format lines. */
function printedLines(stdout: string): bigint[] {
  assert.match(stdout, /^(-?\d+\n)*$/);
  return stdout === "" ? [] : stdout.trimEnd().split("\n").map(BigInt);
}

async function stopCleanly(server: ServerProcess) {
  const stopped = await server.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stderr, "");
  assert.equal(stopped.stdout, "", "nothing after the listening line");
}

// --count, --min, --max ------------------------------------------------------

Deno.test("--count 25: the client prints 25 numbers, the raw payload has 25", async () => {
  await using server = await startServer(["--count", "25"]);
  const result = await client(server.port);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const printed = printedLines(result.stdout);
  assert.equal(printed.length, 25);
  assertInRange(printed, 1n, 100n);
  const raw = await rawPayload(server.port, "csv", 25);
  assertInRange(raw.numbers, 1n, 100n);
  await stopCleanly(server);
});

Deno.test("--min -5 --max 5 typed with spaces: every number in -5..5, both ends drawn", async () => {
  await using server = await startServer([
    "--min",
    "-5",
    "--max",
    "5",
    "--count",
    "1000",
  ]);
  const result = await client(server.port, "--format", "csv");
  assert.equal(result.code, 0, result.stderr);
  const printed = result.stdout.trimEnd().split(",").map(BigInt);
  assert.equal(printed.length, 1000);
  assertInRange(printed, -5n, 5n);
  const { numbers } = await rawPayload(server.port, "csv", 1000);
  assertInRange(numbers, -5n, 5n);
  // 1000 draws from 11 values miss one with probability ~ 11 * (10/11)^1000.
  for (const end of [-5n, 0n, 5n]) {
    assert.ok(numbers.includes(end), `${end} never drawn`);
    assert.ok(printed.includes(end), `${end} never printed`);
  }
});

Deno.test("--min -1 --max 1: zero is written 0, never -0", async () => {
  await using server = await startServer([
    "--min",
    "-1",
    "--max",
    "1",
    "--count",
    "300",
  ]);
  // payloadGrammar rejects "-0", "+1" and leading zeros.
  const { text, numbers } = await rawPayload(server.port, "csv", 300);
  assert.ok(numbers.includes(0n), text);
  assert.doesNotMatch(text, /-0/);
});

Deno.test("--min/--max at ±(2^53−1): exact 16-digit numbers, read exactly by the client", async () => {
  const args = [
    "--min",
    `-${MAX_TEXT}`,
    "--max",
    MAX_TEXT,
    "--count",
    "1000",
    "--seed",
    "5",
  ];
  // Twin servers with one seed send the same bytes to their first client,
  // so the client's output can be compared with the raw payload exactly.
  await using a = await startServer(args);
  await using b = await startServer(args);
  const { text, numbers } = await rawPayload(a.port, "csv", 1000);
  assertInRange(numbers, -MAX, MAX);
  assert.ok(numbers.some((n) => n < 0n) && numbers.some((n) => n > 0n));
  assert.ok(
    numbers.some((n) => String(n).replace("-", "").length === 16),
    "no 16-digit number among 1000 draws from ±(2^53−1)",
  );
  const result = await client(b.port, "--format", "csv");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, text + "\n");
});

Deno.test("--min = --max = ±(2^53−1): every number is exactly that value", async () => {
  for (const value of [MAX_TEXT, `-${MAX_TEXT}`]) {
    await using server = await startServer([
      "--min",
      value,
      "--max",
      value,
      "--count",
      "3",
    ]);
    assert.equal(
      await readRawText(server.port),
      `${value},${value},${value}`,
    );
    const result = await client(server.port, "--format", "json");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `[${value},${value},${value}]\n`);
  }
});

Deno.test("--min 2^53−2 --max 2^53−1: both values are drawn", async () => {
  await using server = await startServer([
    "--min",
    String(MAX - 1n),
    "--max",
    MAX_TEXT,
    "--count",
    "200",
  ]);
  const { numbers } = await rawPayload(server.port, "csv", 200);
  assertInRange(numbers, MAX - 1n, MAX);
  assert.ok(numbers.includes(MAX) && numbers.includes(MAX - 1n));
});

Deno.test("--count 0: an empty payload in csv and lines, [] in json", async () => {
  const expected: Record<Format, [string, string]> = {
    csv: ["", "\n"],
    lines: ["", ""],
    json: ["[]", "[]\n"],
  };
  for (const format of ["csv", "lines", "json"] as const) {
    await using server = await startServer([
      "--count",
      "0",
      "--format",
      format,
    ]);
    assert.equal(await readRawText(server.port), expected[format][0]);
    const result = await client(server.port, "--format", format);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected[format][1], format);
  }
});

// --format ---------------------------------------------------------------------

for (const format of ["csv", "lines", "json"] as const) {
  Deno.test(`--format ${format}: raw bytes follow PROTOCOL.md, the client prints the same numbers`, async () => {
    const args = ["--format", format, "--seed", "11"];
    await using a = await startServer(args);
    await using b = await startServer(args);
    const first = await rawPayload(a.port, format, 10);
    assertInRange(first.numbers, 1n, 100n);
    if (format === "json") {
      assert.deepEqual(JSON.parse(first.text), first.numbers.map(Number));
    }
    // Twin server b's first connection gets the same payload, via client.ts.
    const result = await client(b.port, "--format", format);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      format === "lines" ? first.text : first.text + "\n",
    );
    for (let i = 0; i < 20; i++) {
      assertInRange((await rawPayload(a.port, format, 10)).numbers, 1n, 100n);
    }
    await stopCleanly(a);
  });
}

// --unique ---------------------------------------------------------------------

Deno.test("--unique --count 100 over 1..100: every payload is a permutation", async () => {
  await using server = await startServer(["--unique", "--count", "100"]);
  const all = Array.from({ length: 100 }, (_, i) => BigInt(i + 1));
  const orders = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const { text, numbers } = await rawPayload(server.port, "csv", 100);
    assert.deepEqual(
      numbers.toSorted((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
      all,
    );
    orders.add(text);
  }
  assert.equal(orders.size, 5, "the same permutation twice");
  const result = await client(server.port);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(new Set(printedLines(result.stdout)).size, 100);
});

Deno.test("--unique: no repeats in a lottery draw, nor over a 53-bit range", async () => {
  await using lottery = await startServer([
    "--unique",
    "--count",
    "6",
    "--max",
    "49",
  ]);
  for (let i = 0; i < 50; i++) {
    const { numbers } = await rawPayload(lottery.port, "csv", 6);
    assertInRange(numbers, 1n, 49n);
    assert.equal(new Set(numbers).size, 6, numbers.join(","));
  }
  await using dense = await startServer([
    "--unique",
    "--count",
    "60",
    "--max",
    "64",
    "--format",
    "json",
  ]);
  for (let i = 0; i < 20; i++) {
    const { numbers } = await rawPayload(dense.port, "json", 60);
    assertInRange(numbers, 1n, 64n);
    assert.equal(new Set(numbers).size, 60);
  }
  await using wide = await startServer([
    "--unique",
    "--count",
    "2000",
    "--min",
    `-${MAX_TEXT}`,
    "--max",
    MAX_TEXT,
    "--format",
    "lines",
  ]);
  const { numbers } = await rawPayload(wide.port, "lines", 2000);
  assertInRange(numbers, -MAX, MAX);
  assert.equal(new Set(numbers).size, 2000);
});

// --seed -----------------------------------------------------------------------

async function payloadSequence(port: number, n: number): Promise<string[]> {
  const payloads: string[] = [];
  for (let i = 0; i < n; i++) payloads.push(await readRawText(port));
  return payloads;
}

Deno.test("--seed: two servers with one seed send the same payloads, connection by connection", async () => {
  await using a = await startServer(["--seed", "42"]);
  await using b = await startServer(["--seed", "42"]);
  const fromA = await payloadSequence(a.port, 6);
  const fromB = await payloadSequence(b.port, 6);
  assert.deepEqual(fromA, fromB);
  for (const text of fromA) assertClassicCsv(text);
  // The payload depends on the connection's ordinal too.
  assert.equal(new Set(fromA).size, 6);
  // The client sees the 7th payload of both alike.
  const [ca, cb] = [await client(a.port), await client(b.port)];
  assert.equal(ca.code, 0, ca.stderr);
  assert.equal(ca.stdout, cb.stdout);
  assert.equal(printedLines(ca.stdout).length, 10);
});

Deno.test("--seed: a negative seed typed with a space works and is deterministic", async () => {
  await using a = await startServer(["--seed", "-7", "--count", "50"]);
  await using b = await startServer(["--seed", "-7", "--count", "50"]);
  assert.deepEqual(
    await payloadSequence(a.port, 3),
    await payloadSequence(b.port, 3),
  );
});

Deno.test("--seed: different seeds differ, and without --seed two servers differ", async () => {
  await using a = await startServer(["--seed", "42", "--count", "50"]);
  await using b = await startServer(["--seed", "43", "--count", "50"]);
  const [fromA, fromB] = [
    await payloadSequence(a.port, 3),
    await payloadSequence(b.port, 3),
  ];
  for (let i = 0; i < 3; i++) assert.notEqual(fromA[i], fromB[i]);
  await using c = await startServer(["--count", "50"]);
  await using d = await startServer(["--count", "50"]);
  const [fromC, fromD] = [
    await payloadSequence(c.port, 3),
    await payloadSequence(d.port, 3),
  ];
  for (let i = 0; i < 3; i++) assert.notEqual(fromC[i], fromD[i]);
  assert.equal(new Set(fromC).size, 3);
});

Deno.test("--seed: payloads do not depend on other connections in flight or on how fast they are read", async () => {
  // Large payloads go out in many chunks, so concurrent connections
  // interleave their generation inside the server.
  const args = ["--seed", "9", "--count", "100000", "--max", "1000000"];
  await using a = await startServer(args);
  await using b = await startServer(args);
  const sequential = await payloadSequence(a.port, 4);
  const conns = await Promise.all(
    [0, 1, 2, 3].map(() =>
      Deno.connect({ hostname: "127.0.0.1", port: b.port })
    ),
  );
  // Read them in reverse order, the last one in tiny pieces.
  const concurrent: string[] = [];
  for (const [i, conn] of conns.toReversed().entries()) {
    if (i === 0) {
      const buf = new Uint8Array(7);
      const decoder = new TextDecoder();
      let text = "";
      for (;;) {
        const n = await readWithin(conn, buf);
        if (n === null) break;
        text += decoder.decode(buf.subarray(0, n), { stream: true });
      }
      conn.close();
      concurrent.push(text);
    } else {
      concurrent.push(await new Response(conn.readable).text());
    }
  }
  for (const text of concurrent) {
    assert.match(text, payloadGrammar("csv", 100000));
  }
  // Which connection got which ordinal is the kernel's choice; the set of
  // payloads is not.
  assert.deepEqual(concurrent.toSorted(), sequential.toSorted());
});

// --stream and --limit ---------------------------------------------------------

for (const serverFormat of ["csv", "lines"] as const) {
  Deno.test(`--stream --format ${serverFormat} with client --limit: exactly N numbers`, async () => {
    await using server = await startServer([
      "--stream",
      "--format",
      serverFormat,
      "--min",
      "-50",
      "--max",
      "50",
    ]);
    for (const n of [1, 7, 12345]) {
      const lines = await client(server.port, "--limit", String(n));
      assert.equal(lines.code, 0, lines.stderr);
      assert.equal(lines.stderr, "");
      const printed = printedLines(lines.stdout);
      assert.equal(printed.length, n);
      assertInRange(printed, -50n, 50n);
      const csv = await client(
        server.port,
        "--limit",
        String(n),
        "--format",
        "csv",
      );
      assert.equal(csv.code, 0, csv.stderr);
      assert.match(csv.stdout, /^-?\d+(,-?\d+)*\n$/);
      assert.equal(csv.stdout.split(",").length, n);
    }
    const none = await client(server.port, "--limit", "0", "--format", "json");
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, "[]\n");
    await stopCleanly(server);
  });
}

Deno.test("client output cut short by its reader (like `| head`): exit 0, nothing on stderr", async () => {
  await using server = await startServer(["--stream"]);
  const child = spawnClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
  ]);
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /^\d+\n/);
  await reader.cancel();
  const status = await child.status;
  assert.equal(status.code, 0, await stderr);
  assert.equal(await stderr, "");
});

Deno.test("--limit on a fixed payload: at most N numbers, never more than were sent", async () => {
  await using server = await startServer(["--count", "10"]);
  const five = await client(server.port, "--limit", "5");
  assert.equal(five.code, 0, five.stderr);
  assert.equal(printedLines(five.stdout).length, 5);
  const all = await client(server.port, "--limit", "20");
  assert.equal(all.code, 0, all.stderr);
  assert.equal(printedLines(all.stdout).length, 10);
});

Deno.test("--stream: a raw reader that hangs up mid-stream leaves the server serving", async () => {
  await using server = await startServer(["--stream"]);
  for (let i = 0; i < 3; i++) {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    const buf = new Uint8Array(1 << 20);
    let text = "";
    while (text.length < 200_000) {
      const n = await readWithin(conn, buf);
      assert.notEqual(n, null, "the stream ended by itself");
      text += new TextDecoder().decode(buf.subarray(0, n!));
    }
    conn.close();
    // The last number may be cut; every complete one is in 1..100.
    const complete = text.slice(0, text.lastIndexOf(","));
    assertClassicCsv(complete, { count: complete.split(",").length });
  }
  const after = await client(server.port, "--limit", "3");
  assert.equal(after.code, 0, after.stderr);
  assert.equal(printedLines(after.stdout).length, 3);
  await stopCleanly(server);
});

Deno.test("clients that reset a fixed payload mid-way leave the server serving, and quiet", async () => {
  await using server = await startServer(["--count", "1000000"]);
  for (let i = 0; i < 10; i++) {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    assert.notEqual(await readWithin(conn, new Uint8Array(1000)), null);
    // Closing with unread data makes the kernel answer with a reset.
    conn.close();
  }
  const result = await client(server.port, "--format", "csv");
  assert.equal(result.code, 0, result.stderr);
  assertClassicCsv(result.stdout.trimEnd(), { count: 1000000 });
  await stopCleanly(server);
});

// Hosts ------------------------------------------------------------------------

Deno.test("default host: dual-stack, reachable over 127.0.0.1 and ::1", async (t) => {
  await using server = await startServer([], { hostDefault: true });
  // Where the machine has IPv6 the default is "::"; only without it may the
  // server fall back to IPv4's "0.0.0.0".
  const ipv6 = ipv6Available();
  assert.equal(
    server.banner,
    `listening on ${ipv6 ? "[::]" : "0.0.0.0"}:${server.port}`,
  );
  const v4 = await client(server.port, "--format", "csv");
  assert.equal(v4.code, 0, v4.stderr);
  assertClassicCsv(v4.stdout.trimEnd());
  await rawPayload(server.port, "csv", 10, "127.0.0.1");
  await t.step({
    name: "over ::1",
    ignore: !ipv6,
    fn: async () => {
      const v6 = await runClient([
        "--host",
        "::1",
        "--port",
        String(server.port),
        "--format",
        "csv",
      ]);
      assert.equal(v6.code, 0, v6.stderr);
      assertClassicCsv(v6.stdout.trimEnd());
      await rawPayload(server.port, "csv", 10, "::1");
    },
  });
  await stopCleanly(server);
});

Deno.test({
  name:
    "--host ::1: the listening line brackets the address; the client reaches it",
  ignore: !ipv6Available(),
  fn: async () => {
    await using server = await startServer(["--host", "::1"]);
    assert.equal(server.banner, `listening on [::1]:${server.port}`);
    const result = await runClient([
      "--host",
      "::1",
      "--port",
      String(server.port),
      "--format",
      "csv",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertClassicCsv(result.stdout.trimEnd());
    // Bound to ::1 only: IPv4 loopback is not served.
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: server.port }),
      Deno.errors.ConnectionRefused,
    );
  },
});

Deno.test("the client's default host is localhost", async () => {
  await using server = await startServer([], { hostDefault: true });
  const result = await runClient(["--port", String(server.port)]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(printedLines(result.stdout).length, 10);
  // And where nothing listens, the message names localhost.
  const refused = await runClient(["--port", String(freePort())]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /localhost:\d+/);
});

Deno.test("--port N listens on exactly that port", async () => {
  const port = freePort();
  await using server = await startServer(["--port", String(port)]);
  assert.equal(server.banner, `listening on 127.0.0.1:${port}`);
  assert.equal(server.port, port);
  assertClassicCsv(await readRawText(port));
});

// Output, help, version ---------------------------------------------------------

Deno.test("the listening line is exactly one line on stdout, and nothing else ever is", async () => {
  await using server = await startServer(["--count", "3"]);
  assert.match(server.banner, /^listening on 127\.0\.0\.1:\d+$/);
  assert.ok(server.port > 0 && server.port < 65536);
  for (let i = 0; i < 5; i++) {
    assertClassicCsv(await readRawText(server.port), { count: 3 });
  }
  const result = await client(server.port);
  assert.equal(result.code, 0);
  await stopCleanly(server);
});

for (
  const [program, run] of [["server", runServer], [
    "client",
    runClient,
  ]] as const
) {
  for (const flag of ["--help", "-h"]) {
    Deno.test(`${program} ${flag}: usage on stdout, exit 0`, async () => {
      const result = await run([flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /^randport \w+ \d+\.\d+\.\d+: /);
      assert.match(result.stdout, /Usage: deno task (serve|client)/);
      for (const documented of ["--host", "--port", "--format", "--help"]) {
        assert.ok(result.stdout.includes(documented), documented);
      }
    });
  }
  for (const flag of ["--version", "-V"]) {
    Deno.test(`${program} ${flag}: the version on stdout, exit 0`, async () => {
      const result = await run([flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.equal(result.stdout, `randport ${program} ${denoJson.version}\n`);
    });
  }
}

// Signals ----------------------------------------------------------------------

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`${signal} stops the server with exit code 0`, async () => {
    await using server = await startServer();
    assertClassicCsv(await readRawText(server.port));
    const result = await client(server.port);
    assert.equal(result.code, 0, result.stderr);
    const stopped = await server.stop(signal);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.signal, null);
    assert.equal(stopped.stderr, "");
    assert.equal(stopped.stdout, "");
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: server.port }),
      Deno.errors.ConnectionRefused,
    );
  });

  Deno.test(`${signal} to \`deno task serve\` stops the server with exit code 0`, async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "serve",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--request-port",
        "0",
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const stdout = new LineReader(child.stdout);
    try {
      const banner = await stdout.next();
      const match =
        /^listening on 127\.0\.0\.1:(\d+), requests on 127\.0\.0\.1:\d+$/
          .exec(banner ?? "");
      assert.ok(match, `unexpected first line ${banner}`);
      const port = Number(match[1]);
      const result = await client(port, "--format", "csv");
      assert.equal(result.code, 0, result.stderr);
      assertClassicCsv(result.stdout.trimEnd());
      child.kill(signal);
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
      assert.equal(status.signal, null);
      assert.equal(await stdout.rest(), "");
      // The server itself is gone, not orphaned.
      await assert.rejects(
        Deno.connect({ hostname: "127.0.0.1", port }),
        Deno.errors.ConnectionRefused,
      );
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
      await stderr;
    }
  });
}

Deno.test("SIGTERM ends a stream at a number boundary; the reader gets a valid payload", async () => {
  await using server = await startServer(["--stream", "--format", "lines"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const reading = new Response(conn.readable).text();
  await sleep(50);
  const stopped = await server.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stderr, "");
  const text = await reading;
  assert.ok(text.length > 0);
  assert.match(
    text,
    /^(?:[1-9]\d?\n|100\n)+$/,
    "cut in the middle of a number",
  );
});

Deno.test("SIGTERM lets a fixed payload in flight finish", async () => {
  await using server = await startServer(["--count", "2000000"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const first = new Uint8Array(1024);
  const length = await readWithin(conn, first);
  assert.ok(length !== null && length > 0);
  // The server is now blocked writing to us; ask it to stop.
  const stopping = server.stop("SIGTERM");
  await waitRefused(server.port);
  const rest = await new Response(conn.readable).bytes();
  const text = new TextDecoder().decode(first.subarray(0, length)) +
    new TextDecoder().decode(rest);
  assertClassicCsv(text, { count: 2_000_000 });
  const stopped = await stopping;
  assert.equal(stopped.code, 0, stopped.stderr);
});

/** Waits until the server has stopped accepting (its first signal was handled). */
async function waitRefused(port: number) {
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) return;
      throw error;
    }
    await sleep(20);
  }
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`a second ${signal} during a graceful shutdown exits at once (${code})`, async () => {
    await using server = await startServer(["--count", "10000000"]);
    // A client that never reads keeps a fixed payload in flight.
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    try {
      await sleep(100);
      server.child.kill(signal);
      await waitRefused(server.port);
      // Closer to the first, it would be taken as a copy of it.
      await sleep(DUPLICATE_SIGNAL_MS + 100);
      const stopped = await server.stop(signal);
      // Ignoring the second signal would end in exit 0 after the grace.
      assert.equal(stopped.code, code, stopped.stderr);
    } finally {
      conn.close();
    }
  });
}

Deno.test("a server at --max-connections answers ERR busy; the client says busy", async () => {
  await using server = await startServer([
    "--stream",
    "--max-connections",
    "1",
  ]);
  const held = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    assert.notEqual(await readWithin(held, new Uint8Array(16)), null);
    const raw = await readRawText(server.port);
    assert.match(raw, /^ERR busy( [^\n]*)?\n$/);
    const result = await client(server.port);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /busy/);
    assert.equal(result.stdout, "");
  } finally {
    held.close();
  }
  // Once the held connection is gone a client is served again.
  for (let attempt = 0;; attempt++) {
    const result = await client(server.port, "--limit", "3");
    if (result.code === 0) {
      assert.equal(printedLines(result.stdout).length, 3);
      break;
    }
    assert.ok(attempt < 50, result.stderr);
    await sleep(50);
  }
});
