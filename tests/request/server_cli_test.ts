/**
 * The request port on the command line: `server.ts --request-port`, its
 * startup line, its limit flags, and the `--max-connections` budget that
 * the two ports share.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertOneLineError,
  concatBytes,
  readRawText,
  readWithin,
  runServer,
  startServer,
} from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends `request` and reads until `reply` has arrived in full. */
async function ask(
  conn: Deno.Conn,
  request: string,
  replyLength: number,
): Promise<string> {
  await conn.write(encoder.encode(request));
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  let total = 0;
  while (total < replyLength) {
    const n = await readWithin(conn, buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
    total += n;
  }
  return decoder.decode(concatBytes(parts));
}

Deno.test("server.ts opens the request port beside the push port and names both", async () => {
  await using server = await startServer(["--request-port", "0"]);
  assert.match(
    server.banner,
    /^listening on 127\.0\.0\.1:\d+, requests on 127\.0\.0\.1:\d+$/,
  );
  assert.notEqual(server.requestPort, undefined);
  assert.notEqual(server.requestPort, server.port);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.requestPort!,
  });
  try {
    assert.equal(await ask(conn, "PING\r\n", 7), "+PONG\r\n");
    const reply = await ask(conn, "RANDINT 3 7 7\r\n", 16);
    assert.equal(reply, "*3\r\n:7\r\n:7\r\n:7\r\n");
  } finally {
    conn.close();
  }
  // The push port keeps its contract byte for byte.
  assert.match(await readRawText(server.port), /^\d{1,3}(,\d{1,3}){9}$/);
});

Deno.test("--request-port off: the startup line names the push port alone", async () => {
  await using server = await startServer(["--request-port", "off"]);
  assert.match(server.banner, /^listening on 127\.0\.0\.1:\d+$/);
  assert.equal(server.requestPort, undefined);
});

Deno.test("the request port's limit flags reach it", async () => {
  await using server = await startServer([
    "--request-port",
    "0",
    "--max-numbers",
    "5",
    "--max-inline-bytes",
    "64",
  ]);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.requestPort!,
  });
  try {
    const expected = "-ERR count: expected an integer from 0 to 5, got 6\r\n";
    assert.equal(
      await ask(conn, "RANDINT 6 1 49\r\n", expected.length),
      expected,
    );
    const closing = await ask(conn, `PING ${"x".repeat(100)}\r\n`, 10);
    assert.match(closing, /^-ERR Protocol error: too big inline request\r\n$/);
  } finally {
    conn.close();
  }
});

Deno.test("--max-connections is one budget for both ports", async () => {
  await using server = await startServer([
    "--request-port",
    "0",
    "--max-connections",
    "2",
  ]);
  const open: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.requestPort!,
      });
      open.push(conn);
      // Answered: the server holds this connection's place now.
      assert.equal(await ask(conn, "PING\r\n", 7), "+PONG\r\n");
    }
    assert.equal(
      await readRawText(server.port),
      "ERR busy server at its connection limit\n",
    );
    const third = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.requestPort!,
    });
    const refused = "-ERR max number of clients reached\r\n";
    assert.equal(await ask(third, "PING\r\n", refused.length), refused);
    third.close();
    // One place given back is one client served again, on either port.
    open.pop()!.close();
    let payload = "";
    for (let tries = 0; tries < 50; tries++) {
      payload = await readRawText(server.port);
      if (!payload.startsWith("ERR busy")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(payload, /^\d{1,3}(,\d{1,3}){9}$/);
  } finally {
    for (const conn of open) conn.close();
  }
});

Deno.test("SIGTERM closes idle request connections at once and exits 0", async () => {
  const server = await startServer([
    "--request-port",
    "0",
    "--shutdown-grace",
    "10",
  ]);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.requestPort!,
  });
  try {
    assert.equal(await ask(conn, "PING\r\n", 7), "+PONG\r\n");
    const start = performance.now();
    const stopped = await server.stop("SIGTERM");
    const elapsed = performance.now() - start;
    assert.equal(stopped.code, 0, stopped.stderr);
    // Well before the 10 s grace: nothing was in flight.
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    assert.equal(await readWithin(conn, new Uint8Array(16)), null);
  } finally {
    conn.close();
  }
});

Deno.test("bad request-port flags get one line naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--request-port", "x"],
      /--request-port: expected an integer from 0 to 65535, or off, got "x"/,
    ],
    [["--request-port", "70000"], /--request-port: .*got "70000"/],
    [
      ["--max-numbers", "0"],
      /--max-numbers: expected an integer from 1 to 100000000, got 0/,
    ],
    [["--max-inline-bytes", "8"], /--max-inline-bytes: expected .*got 8/],
    [["--idle-timeout", "-1"], /--idle-timeout: /],
    [
      ["--request-port", "off", "--max-numbers", "5"],
      /--max-numbers: the request port is off/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const result = await runServer(["--port", "0", ...args]);
    assertOneLineError(result, 2, pattern);
  }
});

Deno.test("a request port in use is named as such, and nothing stays listening", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const result = await runServer([
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--request-port",
      String(busy.addr.port),
    ]);
    assertOneLineError(
      result,
      1,
      new RegExp(
        `cannot listen on 127\\.0\\.0\\.1:${busy.addr.port} \\(the request port; --request-port off to go without\\): the address is already in use`,
      ),
    );
    assert.equal(result.stdout, "");
  } finally {
    busy.close();
  }
});
