import assert from "node:assert/strict";
import { readWithin } from "../_util.ts";
import { Connection } from "../../lib/server/_connection.ts";

/** A connected pair on loopback; the server side is what Connection holds. */
async function pair(): Promise<{
  server: Deno.TcpConn;
  client: Deno.TcpConn;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  listener.close();
  return {
    server,
    client,
    [Symbol.asyncDispose]() {
      for (const conn of [client, server]) {
        try {
          conn.close();
        } catch {
          // Closed by the test.
        }
      }
      return Promise.resolve();
    },
  };
}

Deno.test("Connection: sending, then lingering, then closed with the first reason", async () => {
  await using conns = await pair();
  const connection = new Connection(conns.server, 7);
  assert.equal(connection.phase, "sending");
  assert.equal(connection.closeReason, undefined);
  assert.equal(connection.abandoned, false);
  connection.linger(1000);
  assert.equal(connection.phase, "lingering");
  assert.ok(connection.deadline > performance.now());
  connection.close("cut-off");
  connection.close("done");
  assert.equal(connection.phase, "closed");
  assert.equal(connection.closeReason, "cut-off");
  assert.equal(connection.abandoned, true);
  assert.equal(connection.deadline, Infinity);
  // The socket really is closed: the client reads the end.
  assert.equal(await readWithin(conns.client, new Uint8Array(8)), null);
});

Deno.test("Connection: expire() closes only past the deadline, naming the phase", async () => {
  await using conns = await pair();
  const writing = new Connection(conns.server, 0);
  writing.expire(performance.now() + 1e9);
  assert.equal(writing.phase, "sending", "no deadline runs between writes");
  writing.deadline = performance.now() + 50;
  writing.expire(performance.now());
  assert.equal(writing.phase, "sending", "not yet");
  writing.expire(performance.now() + 100);
  assert.equal(writing.closeReason, "timed-out");

  await using more = await pair();
  const lingering = new Connection(more.server, 1);
  lingering.linger(10);
  lingering.expire(performance.now() + 100);
  assert.equal(lingering.closeReason, "linger-over");
  assert.equal(lingering.abandoned, true);
});

Deno.test("Connection: a normal end is not abandoned", async () => {
  await using conns = await pair();
  const connection = new Connection(conns.server, 0);
  connection.close("done");
  assert.equal(connection.abandoned, false);
  connection.linger(1000);
  assert.equal(connection.phase, "closed", "a closed connection stays closed");
});
