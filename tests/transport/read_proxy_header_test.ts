/**
 * Reading a PROXY header off a real loopback connection (PROTOCOL.md §7):
 * a header sent a byte at a time, a header and payload in one write (the
 * bytes after the header come first from the wrapped connection), the
 * timeout, untrusted peers and bad first bytes refused at once, and no
 * byte read past a v2 header.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import {
  parseTrustedProxies,
  type ProxiedConn,
  ProxyHeaderError,
  readProxyHeader,
  type StreamConn,
} from "../../lib/transport/mod.ts";
import { readWithin } from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const LOOPBACK = parseTrustedProxies(["127.0.0.1"]);

/** A v2 PROXY TCP4 header: 192.0.2.1:56324 -> 198.51.100.7:27679. */
const V2_TCP4 = Uint8Array.of(
  ...[0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a],
  ...[0x21, 0x11, 0x00, 0x0c],
  ...[192, 0, 2, 1, 198, 51, 100, 7, 0xdc, 0x04, 0x6c, 0x1f],
);
const V2_LOCAL = Uint8Array.of(
  ...[0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a],
  ...[0x20, 0x00, 0x00, 0x00],
);
const V1_TCP4 = "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\r\n";
const CLIENT = { transport: "tcp", hostname: "192.0.2.1", port: 56324 };

/**
 * `Deno.test` with the op and resource sanitizers on (Deno 2 leaves them
 * off): a timer, read or socket left behind fails the test.
 */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true, fn });
}

/** Everything up to the end of the stream, each read with a deadline. */
async function readAll(conn: StreamConn): Promise<string> {
  const buf = new Uint8Array(4096);
  let text = "";
  for (let n; (n = await readWithin(conn, buf)) !== null;) {
    text += decoder.decode(buf.subarray(0, n));
  }
  return text;
}

/** A connected loopback pair: `server` is the accepted side. */
async function loopback(): Promise<
  { client: Deno.TcpConn; server: Deno.TcpConn }
> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  client.setNoDelay(true);
  return { client, server };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    done += await conn.write(bytes.subarray(done));
  }
}

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Whether the peer closed: end of stream within the deadline. */
async function assertClosedByPeer(client: Deno.TcpConn): Promise<void> {
  const buf = new Uint8Array(16);
  assert.equal(await readWithin(client, buf), null);
}

test("a header sent one byte at a time, then the payload", async () => {
  for (const header of [encoder.encode(V1_TCP4), V2_TCP4]) {
    const { client, server } = await loopback();
    const reading = readProxyHeader(server, { trusted: LOOPBACK });
    for (const byte of header) {
      await writeAll(client, Uint8Array.of(byte));
      await sleep(1);
    }
    const conn = await reading;
    assert.deepEqual(conn.remoteAddr, CLIENT);
    assert.deepEqual(conn.proxyAddr, client.localAddr);
    assert.deepEqual(conn.localAddr, server.localAddr);
    assert.equal(conn.proxyHeader.version, header.length === 28 ? 2 : 1);
    assert.deepEqual(conn.proxyHeader.destination, {
      transport: "tcp",
      hostname: "198.51.100.7",
      port: 27679,
    });
    await writeAll(client, encoder.encode("payload"));
    await client.closeWrite();
    assert.equal(await readAll(conn), "payload");
    // Writing and half-closing go to the real connection.
    await conn.write(encoder.encode("reply"));
    await conn.closeWrite();
    assert.equal(await readAll(client), "reply");
    conn.close();
    client.close();
  }
});

test("header and payload in one write: the bytes after the header come first", async () => {
  const { client, server } = await loopback();
  const payload = "x".repeat(100);
  await writeAll(client, encoder.encode(V1_TCP4 + payload));
  const conn = await readProxyHeader(server, { trusted: LOOPBACK });
  assert.deepEqual(conn.remoteAddr, CLIENT);
  // The line is read in reads of up to what is left of 107 bytes: 16, then
  // 91, so 60 payload bytes came with it and wait in the wrapped connection.
  const small = new Uint8Array(10);
  assert.equal(await readWithin(conn, small), 10);
  assert.equal(decoder.decode(small), "x".repeat(10));
  const buf = new Uint8Array(1000);
  assert.equal(await readWithin(conn, buf), 50);
  assert.equal(await readWithin(conn, buf), 40);
  assert.equal(await readWithin(conn, new Uint8Array(0)), 0);
  await client.closeWrite();
  assert.equal(await readWithin(conn, buf), null);
  conn.close();
  client.close();
});

test("a v2 header in one write with its payload: the payload arrives whole", async () => {
  const { client, server } = await loopback();
  await writeAll(
    client,
    Uint8Array.from([...V2_TCP4, ...encoder.encode("hello world")]),
  );
  const conn = await readProxyHeader(server, { trusted: LOOPBACK });
  assert.deepEqual(conn.remoteAddr, CLIENT);
  const buf = new Uint8Array(100);
  assert.equal(await readWithin(conn, buf), 11);
  assert.equal(decoder.decode(buf.subarray(0, 11)), "hello world");
  conn.close();
  client.close();
});

/** A StreamConn over fixed chunks, recording the size of each read. */
class ScriptedConn implements StreamConn {
  readonly remoteAddr: Deno.Addr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 5000,
  };
  readonly localAddr: Deno.Addr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 27679,
  };
  readonly asked: number[] = [];
  consumed = 0;
  closed = false;
  #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(p: Uint8Array): Promise<number | null> {
    this.asked.push(p.length);
    if (this.consumed === this.#bytes.length) return Promise.resolve(null);
    const n = Math.min(p.length, this.#bytes.length - this.consumed);
    p.set(this.#bytes.subarray(this.consumed, this.consumed + n));
    this.consumed += n;
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    return Promise.resolve(p.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }
}

test("no byte past a v2 header is read: 16 bytes, then exactly the rest", async () => {
  const tlv = [0x04, 0x00, 0x05, 1, 2, 3, 4, 5];
  const header = Uint8Array.from([
    ...V2_TCP4.subarray(0, 14),
    0x00,
    0x0c + tlv.length,
    ...V2_TCP4.subarray(16),
    ...tlv,
  ]);
  const conn = new ScriptedConn(
    Uint8Array.from([...header, ...encoder.encode("payload")]),
  );
  const proxied: ProxiedConn = await readProxyHeader(conn);
  assert.deepEqual(conn.asked, [16, 20]);
  assert.equal(conn.consumed, 36);
  assert.deepEqual(proxied.remoteAddr, CLIENT);
  assert.deepEqual(proxied.proxyAddr, conn.remoteAddr);
  assert.deepEqual(proxied.proxyHeader.tlvs, [
    { type: 0x04, value: Uint8Array.of(1, 2, 3, 4, 5) },
  ]);
  const buf = new Uint8Array(100);
  assert.equal(await proxied.read(buf), 7);
  assert.equal(decoder.decode(buf.subarray(0, 7)), "payload");
  assert.equal(conn.closed, false);
  proxied.close();
  assert.equal(conn.closed, true);

  // v1: 16 bytes, then at most what is left of 107.
  const line = new ScriptedConn(
    encoder.encode("PROXY UNKNOWN\r\n" + "y".repeat(200)),
  );
  const unknown = await readProxyHeader(line);
  assert.deepEqual(line.asked, [16]);
  assert.deepEqual(unknown.remoteAddr, line.remoteAddr);
  assert.equal(await unknown.read(buf), 1);
  assert.equal(await unknown.read(buf), 100);
});

test("LOCAL and UNKNOWN keep the connection's own address", async () => {
  for (const header of [V2_LOCAL, encoder.encode("PROXY UNKNOWN\r\n")]) {
    const { client, server } = await loopback();
    await writeAll(client, header);
    const conn = await readProxyHeader(server, { trusted: LOOPBACK });
    assert.deepEqual(conn.remoteAddr, client.localAddr);
    assert.deepEqual(conn.proxyAddr, client.localAddr);
    assert.equal(conn.proxyHeader.source, undefined);
    conn.close();
    client.close();
  }
});

test("timeout: a header that does not arrive in time is refused, and the connection closed", async () => {
  const { client, server } = await loopback();
  await writeAll(client, encoder.encode("PROXY TCP4 1"));
  const started = performance.now();
  const error = await rejection(
    readProxyHeader(server, { trusted: LOOPBACK, timeout: 200 }),
  );
  const elapsed = performance.now() - started;
  assert.ok(error instanceof ProxyHeaderError, String(error));
  assert.equal(
    error.message,
    "the PROXY header did not arrive within 200 ms (12 bytes came)",
  );
  assert.ok(elapsed >= 190 && elapsed < 2000, `${elapsed} ms`);
  await assertClosedByPeer(client);
  client.close();
  // The sanitizers fail the test if a timer or a read was left behind.
});

test("timeout with nothing sent at all", async () => {
  const { client, server } = await loopback();
  const error = await rejection(readProxyHeader(server, { timeout: 200 }));
  assert.ok(error instanceof ProxyHeaderError);
  assert.equal(
    error.message,
    "the PROXY header did not arrive within 200 ms (0 bytes came)",
  );
  await assertClosedByPeer(client);
  client.close();
});

test("an untrusted peer is refused before a byte is read", async () => {
  const { client, server } = await loopback();
  const conn = new CountingConn(server);
  const error = await rejection(
    readProxyHeader(conn, { trusted: parseTrustedProxies(["10.0.0.0/8"]) }),
  );
  assert.ok(error instanceof ProxyHeaderError);
  const port = (client.localAddr as Deno.NetAddr).port;
  assert.equal(
    error.message,
    `connection from 127.0.0.1:${port} is not a trusted proxy`,
  );
  assert.equal(conn.reads, 0);
  await assertClosedByPeer(client);
  client.close();
});

/** Counts the reads made on a connection. */
class CountingConn implements StreamConn {
  reads = 0;
  #conn: Deno.TcpConn;
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }
  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }
  get localAddr(): Deno.Addr {
    return this.#conn.localAddr;
  }
  read(p: Uint8Array): Promise<number | null> {
    this.reads++;
    return this.#conn.read(p);
  }
  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
  close(): void {
    this.#conn.close();
  }
}

test("HTTP and TLS first bytes are refused at once, not after the timeout", async () => {
  const starts: [Uint8Array, string][] = [
    [
      encoder.encode("GET / HTTP/1.1\r\n"),
      'byte 0 is 0x47 "G": expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
    [
      Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00),
      'byte 0 is 0x16: expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
  ];
  for (const [bytes, message] of starts) {
    const { client, server } = await loopback();
    await writeAll(client, bytes);
    const started = performance.now();
    const error = await rejection(
      readProxyHeader(server, { trusted: LOOPBACK, timeout: 10_000 }),
    );
    assert.ok(error instanceof ProxyHeaderError);
    assert.equal(error.message, message);
    assert.ok(performance.now() - started < 2000);
    await assertClosedByPeer(client);
    client.close();
  }
});

test("a connection that ends inside its header is refused", async () => {
  const cases: [string, string][] = [
    ["PROXY TCP4", "the connection ended after 10 bytes of a PROXY header"],
    ["", "the connection ended before a PROXY header"],
  ];
  for (const [sent, message] of cases) {
    const { client, server } = await loopback();
    await writeAll(client, encoder.encode(sent));
    await client.closeWrite();
    const error = await rejection(
      readProxyHeader(server, { trusted: LOOPBACK }),
    );
    assert.ok(error instanceof ProxyHeaderError);
    assert.equal(error.message, message);
    await assertClosedByPeer(client);
    client.close();
  }
});

test("a v2 header longer than maxLength is refused from its first 16 bytes", async () => {
  const { client, server } = await loopback();
  // Declares 5000 bytes after the 16 (default maxLength 4096) and sends none.
  const fixed = Uint8Array.from([...V2_TCP4.subarray(0, 14), 0x13, 0x88]);
  await writeAll(client, fixed);
  const error = await rejection(
    readProxyHeader(server, { trusted: LOOPBACK, timeout: 10_000 }),
  );
  assert.ok(error instanceof ProxyHeaderError);
  assert.equal(
    error.message,
    "bytes 14-15 give a length of 5000: expected at most 4080 (a header of at most 4096 bytes)",
  );
  await assertClosedByPeer(client);
  client.close();
});

test("an aborted signal gives up waiting with its reason", async () => {
  const { client, server } = await loopback();
  const controller = new AbortController();
  const reading = readProxyHeader(server, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("shutting down")), 20);
  const error = await rejection(reading);
  assert.ok(error instanceof Error);
  assert.equal(error.message, "shutting down");
  await assertClosedByPeer(client);
  client.close();
});

test("bad options are refused, and the connection closed", async () => {
  const cases: [Parameters<typeof readProxyHeader>[1], string][] = [
    [{ timeout: -1 }, "timeout"],
    [{ maxLength: 15 }, "maxLength"],
    [{ trusted: ["127.0.0.1"] as never }, "trusted"],
    [{ signal: "stop" as never }, "signal"],
  ];
  for (const [options, field] of cases) {
    const conn = new ScriptedConn(V2_LOCAL);
    const error = await rejection(readProxyHeader(conn, options));
    assert.ok(error instanceof OptionError, String(error));
    assert.equal(error.field, field);
    assert.equal(conn.closed, true);
    assert.deepEqual(conn.asked, []);
  }
});
