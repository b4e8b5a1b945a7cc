import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import { readWithin } from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HOST = "127.0.0.1";

/** Sends `text` and reads until `expected` replies' worth of bytes arrive. */
async function exchange(
  port: number,
  text: string,
  done: (reply: string) => boolean,
): Promise<{ reply: string; closed: boolean }> {
  const conn = await Deno.connect({ hostname: HOST, port });
  try {
    await conn.write(encoder.encode(text));
    let reply = "";
    const buf = new Uint8Array(65536);
    while (!done(reply)) {
      const n = await readWithin(conn, buf, 5000);
      if (n === null) return { reply, closed: true };
      reply += decoder.decode(buf.subarray(0, n));
    }
    return { reply, closed: false };
  } finally {
    conn.close();
  }
}

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` +
    args.map((a) => `$${encoder.encode(a).length}\r\n${a}\r\n`).join("");
}

async function withServer(body: (port: number) => Promise<void>) {
  const server = serveRequests({ port: 0 });
  try {
    await body(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

Deno.test("request port: pipelined requests are answered in order, in one batch", () =>
  withServer(async (port) => {
    const requests = multibulk("PING") + multibulk("ECHO", "héllo") +
      "PING hi\r\n" + multibulk("SELECT", "0") + multibulk("CLIENT", "ID");
    const { reply } = await exchange(
      port,
      requests,
      (r) => r.endsWith(":1\r\n"),
    );
    assert.equal(reply, "+PONG\r\n$6\r\nhéllo\r\n$2\r\nhi\r\n+OK\r\n:1\r\n");
  }));

Deno.test("request port: HELLO 3 switches to RESP3 maps, HELLO 2 back; other versions NOPROTO", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      multibulk("HELLO", "3") + multibulk("HELLO", "2") +
        multibulk("HELLO", "4") + multibulk("PING"),
      (r) => r.endsWith("+PONG\r\n"),
    );
    assert.match(reply, /^%7\r\n\$6\r\nserver\r\n\$8\r\nrandport\r\n/);
    assert.match(reply, /\$5\r\nproto\r\n:3\r\n/);
    assert.match(reply, /\*14\r\n\$6\r\nserver\r\n/); // RESP2: a flat array
    assert.match(reply, /-NOPROTO unsupported protocol version\r\n\+PONG\r\n$/);
  }));

Deno.test("request port: unknown commands and wrong arity are errors; the connection goes on", () =>
  withServer(async (port) => {
    const { reply, closed } = await exchange(
      port,
      "FROB a b\r\nECHO\r\nPING\r\n",
      (r) => r.endsWith("+PONG\r\n"),
    );
    assert.equal(closed, false);
    assert.equal(
      reply,
      "-ERR unknown command 'FROB', with args beginning with: 'a' 'b'\r\n" +
        "-ERR wrong number of arguments for 'echo' command\r\n+PONG\r\n",
    );
  }));

Deno.test("request port: a frame that breaks the protocol gets one error, then the close", () =>
  withServer(async (port) => {
    const { reply, closed } = await exchange(
      port,
      "PING\r\n*1\r\n:5\r\n",
      () => false,
    );
    assert.equal(closed, true);
    assert.equal(
      reply,
      "+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n",
    );
  }));

Deno.test("request port: a request that looks like HTTP is dropped without a reply", () =>
  withServer(async (port) => {
    for (
      const request of [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /x HTTP/1.1\r\n",
      ]
    ) {
      const { reply, closed } = await exchange(port, request, () => false);
      assert.equal(closed, true, request);
      assert.equal(reply, "", request);
    }
  }));

Deno.test("request port: QUIT answers OK and closes; CONFIG GET answers what benchmarks ask", () =>
  withServer(async (port) => {
    const config = await exchange(
      port,
      multibulk("CONFIG", "GET", "save") +
        multibulk("CONFIG", "GET", "appendonly"),
      (r) => r.endsWith("$2\r\nno\r\n"),
    );
    assert.equal(
      config.reply,
      "*2\r\n$4\r\nsave\r\n$0\r\n\r\n*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    );
    const quit = await exchange(port, "QUIT\r\nPING\r\n", () => false);
    assert.equal(quit.closed, true);
    assert.equal(quit.reply, "+OK\r\n");
  }));

Deno.test("request port: a client that pipelines and never reads holds bounded memory", async () => {
  const server = serveRequests({
    port: 0,
    maxPendingBytes: 4096,
    writeTimeout: 500,
  });
  try {
    const conn = await Deno.connect({ hostname: HOST, port: server.addr.port });
    // 8 MiB of pipelined ECHOs of 1 KiB, and never a read.
    const echo = encoder.encode(multibulk("ECHO", "x".repeat(1024)));
    let sent = 0;
    const writing = (async () => {
      try {
        while (sent < 8 * 2 ** 20) sent += await conn.write(echo);
      } catch {
        // The server gave up on us: the write timeout.
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The server stopped reading once its replies could not be written, and
    // then closed the connection after the write timeout.
    assert.ok(sent < 8 * 2 ** 20, `the server read all ${sent} bytes`);
    conn.close();
    await writing;
    assert.equal(server.stats.active, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveRequests: options are checked before it listens", () => {
  assert.throws(
    () => serveRequests({ port: 0, maxPendingBytes: 10 }),
    (error) =>
      error instanceof OptionError && error.field === "maxPendingBytes",
  );
});
