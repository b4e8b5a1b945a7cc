/**
 * PROXY protocol end to end (PROTOCOL.md §7): `server.ts --proxy-protocol
 * --trusted-proxy` with headers written by the test, v1 and v2, on both
 * ports, LOCAL (a health check), with TLS after the header, and the
 * headers that must be refused: none, malformed, from an untrusted
 * address. The real client's address is what the logs name.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertClassicCsv,
  assertOneLineError,
  readWithin,
  runServer,
  startServer,
} from "../_util.ts";
import { SIGNATURE, v2Header } from "../_proxy.ts";

const encoder = new TextEncoder();

/** Connects, writes `bytes`, and reads until the server closes. */
async function exchange(port: number, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(bytes);
    const parts: string[] = [];
    const buf = new Uint8Array(4096);
    const decoder = new TextDecoder();
    for (let n; (n = await readWithin(conn, buf).catch(() => null)) !== null;) {
      parts.push(decoder.decode(buf.subarray(0, n)));
    }
    return parts.join("");
  } finally {
    conn.close();
  }
}

/** The JSON log lines of `stderr` whose event is `event`. */
function events(stderr: string, event: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.event === event);
}

function proxyServer(trusted = "127.0.0.1/32", extra: string[] = []) {
  return startServer([
    "--proxy-protocol",
    "all",
    "--trusted-proxy",
    trusted,
    "--request-port",
    "0",
    "--log-level",
    "debug",
    "--log-format",
    "json",
    "--metrics-port",
    "0",
    ...extra,
  ]);
}

Deno.test("PROXY v1 and v2 headers: served, and logged with the client's real address", async () => {
  await using server = await proxyServer();
  const v1 = await exchange(
    server.port,
    encoder.encode(`PROXY TCP4 203.0.113.7 127.0.0.1 51234 ${server.port}\r\n`),
  );
  assertClassicCsv(v1);
  const v2 = await exchange(
    server.port,
    v2Header(1, {
      ip: [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1],
      port: 4242,
    }, { ip: [...Array(15).fill(0), 1], port: server.port }),
  );
  assertClassicCsv(v2);
  // The request port, with the header and a request in one write.
  const header = v2Header(1, { ip: [198, 51, 100, 9], port: 40000 }, {
    ip: [127, 0, 0, 1],
    port: server.requestPort!,
  });
  const reply = await exchange(
    server.requestPort!,
    new Uint8Array([...header, ...encoder.encode("PING\r\nQUIT\r\n")]),
  );
  assert.equal(reply, "+PONG\r\n+OK\r\n");

  const stderr = await server.waitForStderr((text) =>
    events(text, "connection.served").length >= 2 &&
    events(text, "connection.closed").length >= 1
  );
  const served = events(stderr, "connection.served");
  assert.deepEqual(served.map((entry) => entry.peer), [
    "203.0.113.7:51234",
    "[2001:db8::1]:4242",
  ]);
  assert.equal(served[0].listener, "push");
  assert.equal(served[0].numbers, 10);
  const closed = events(stderr, "connection.closed");
  assert.equal(closed[0].peer, "198.51.100.9:40000");
  assert.equal(closed[0].listener, "request");
  assert.equal(closed[0].requests, 2);
});

Deno.test("PROXY v2 LOCAL (a health check) is served, under the proxy's own address", async () => {
  await using server = await proxyServer();
  const local = v2Header(0, { ip: [0, 0, 0, 0], port: 0 }, {
    ip: [0, 0, 0, 0],
    port: 0,
  });
  // LOCAL carries no addresses: the length may be 0 as well.
  const bare = new Uint8Array([...SIGNATURE, 0x20, 0x00, 0x00, 0x00]);
  assertClassicCsv(await exchange(server.port, local));
  assertClassicCsv(await exchange(server.port, bare));
  assert.equal(
    await exchange(
      server.requestPort!,
      new Uint8Array([...bare, ...encoder.encode("PING\r\nQUIT\r\n")]),
    ),
    "+PONG\r\n+OK\r\n",
  );
  const stderr = await server.waitForStderr((text) =>
    events(text, "connection.served").length >= 2
  );
  for (const entry of events(stderr, "connection.served")) {
    assert.match(String(entry.peer), /^127\.0\.0\.1:\d+$/);
  }
});

Deno.test("PROXY: a missing or malformed header closes the connection with nothing sent", async () => {
  await using server = await proxyServer("10.0.0.0/8,127.0.0.1");
  // Not a header: refused at its first byte, not after the timeout.
  const started = performance.now();
  assert.equal(
    await exchange(server.port, encoder.encode("GET / HTTP/1.1\r\n\r\n")),
    "",
  );
  assert.equal(
    await exchange(server.requestPort!, encoder.encode("PING\r\n")),
    "",
  );
  // A header that breaks the grammar (two spaces).
  assert.equal(
    await exchange(
      server.port,
      encoder.encode("PROXY TCP4  1.2.3.4 127.0.0.1 1 2\r\n"),
    ),
    "",
  );
  assert.ok(performance.now() - started < 2500, "refused without waiting");
  // Nothing at all: closed once the 3 s for the header are over.
  const silent = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.port,
  });
  const quiet = performance.now();
  assert.equal(await readWithin(silent, new Uint8Array(64)), null);
  silent.close();
  assert.ok(performance.now() - quiet >= 2900, "waited for the header");

  const metrics = await (await fetch(
    `http://127.0.0.1:${server.metricsPort}/metrics`,
  )).text();
  assert.match(
    metrics,
    /^randport_proxy_header_failures_total\{listener="push"\} 3$/m,
  );
  assert.match(
    metrics,
    /^randport_proxy_header_failures_total\{listener="request"\} 1$/m,
  );
  const stderr = await server.waitForStderr((text) =>
    events(text, "connection.bad_proxy_header").length >= 4
  );
  const errors = events(stderr, "connection.bad_proxy_header").map((entry) =>
    String(entry.error)
  );
  assert.ok(
    errors.some((error) => /byte 0 is 0x47 "G"/.test(error)),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((error) => /within 3000 ms|3 s/.test(error)),
    errors.join("\n"),
  );
});

Deno.test("PROXY: a header from an address outside --trusted-proxy is refused before it is read", async () => {
  await using server = await proxyServer("10.0.0.0/8");
  assert.equal(
    await exchange(
      server.port,
      encoder.encode(
        `PROXY TCP4 203.0.113.7 127.0.0.1 51234 ${server.port}\r\n`,
      ),
    ),
    "",
  );
  const stderr = await server.waitForStderr((text) =>
    events(text, "connection.bad_proxy_header").length >= 1
  );
  const [entry] = events(stderr, "connection.bad_proxy_header");
  assert.match(String(entry.error), /not a trusted proxy/);
  // The log names the connection's own address: the header was not believed.
  assert.match(String(entry.peer), /^127\.0\.0\.1:\d+$/);
});

Deno.test("PROXY flags: --trusted-proxy is required, and bad entries are one-line errors", async () => {
  assertOneLineError(
    await runServer(["--port", "0", "--proxy-protocol", "all"]),
    2,
    /--proxy-protocol: needs --trusted-proxy CIDR/,
  );
  assertOneLineError(
    await runServer([
      "--port",
      "0",
      "--proxy-protocol",
      "push",
      "--trusted-proxy",
      "10.0.0.0/33",
    ]),
    2,
    /--trusted-proxy/,
    /10\.0\.0\.0\/33/,
  );
  assertOneLineError(
    await runServer(["--port", "0", "--trusted-proxy", "127.0.0.1"]),
    2,
    /--trusted-proxy: only with --proxy-protocol/,
  );
  assertOneLineError(
    await runServer([
      "--port",
      "0",
      "--proxy-protocol",
      "sometimes",
      "--trusted-proxy",
      "127.0.0.1",
    ]),
    2,
    /--proxy-protocol: expected one of all, push, requests/,
  );
});

Deno.test("PROXY: at the connection limit a client is closed before its header, with nothing sent", async () => {
  await using server = await startServer([
    "--stream",
    "--max-connections",
    "1",
    "--proxy-protocol",
    "all",
    "--trusted-proxy",
    "127.0.0.1",
    "--request-port",
    "0",
  ]);
  const held = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await held.write(
    encoder.encode(`PROXY TCP4 203.0.113.7 127.0.0.1 51234 ${server.port}\r\n`),
  );
  assert.ok((await readWithin(held, new Uint8Array(64)))! > 0);
  // No "ERR busy" line: the peer has not shown a header, so nothing is
  // said to it, on either port.
  assert.equal(await exchange(server.port, new Uint8Array()), "");
  assert.equal(await exchange(server.requestPort!, new Uint8Array()), "");
  held.close();
});
