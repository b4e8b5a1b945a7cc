/**
 * The library's `serve()` used in-process: its handle, counters, signal and
 * shutdown, and that a failed start leaves nothing running.
 */

import assert from "node:assert/strict";
import { fetchNumbers, serve } from "../lib/mod.ts";
import { assertClassicCsv, readWithin, run } from "./_util.ts";

const HOST = "127.0.0.1";

Deno.test("serve() reports its address, payload and counters, and shuts down once", async () => {
  const server = serve({ hostname: HOST, port: 0, payload: { count: 7 } });
  assert.equal(server.addr.hostname, HOST);
  assert.ok(server.addr.port > 0);
  assert.equal(server.payload.count, 7);
  for (let i = 0; i < 3; i++) {
    const numbers = await fetchNumbers({
      hostname: HOST,
      port: server.addr.port,
    });
    assert.equal(numbers.length, 7);
  }
  const first = server.shutdown();
  assert.equal(server.shutdown(), first, "a second shutdown is the same one");
  await first;
  assert.equal(server.stats.accepted, 3);
  assert.equal(server.stats.completed, 3);
  assert.equal(server.stats.numbers, 21);
  assert.equal(server.stats.active, 0);
  assert.ok(server.stats.bytes >= 3 * (7 * 2 - 1));
});

for (const [lingerTimeout, openAtEnd] of [[0, 0], [2000, 1]] as const) {
  Deno.test(`serve({ lingerTimeout: ${lingerTimeout} }): ${openAtEnd} connection open once the client has read the end of the payload`, async () => {
    const server = serve({ hostname: HOST, port: 0, lingerTimeout });
    const conn = await Deno.connect({ hostname: HOST, port: server.addr.port });
    // Read to the end of stream, keeping this side open.
    const buf = new Uint8Array(1024);
    const decoder = new TextDecoder();
    let text = "";
    for (let n; (n = await readWithin(conn, buf)) !== null;) {
      text += decoder.decode(buf.subarray(0, n));
    }
    assertClassicCsv(text);
    // Without linger the server closes before its FIN can reach us; with
    // it, the connection stays open until we close ours.
    assert.equal(server.stats.active, openAtEnd);
    conn.close();
    await server.shutdown();
    assert.equal(server.stats.active, 0);
    assert.equal(server.stats.completed, 1);
  });
}

Deno.test("serve() with an already aborted signal stops at once", async () => {
  const server = serve({
    hostname: HOST,
    port: 0,
    signal: AbortSignal.abort(),
  });
  const stopped = await Promise.race([
    server.finished.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 2000)),
  ]);
  assert.equal(stopped, true);
});

Deno.test("serve() stops when its signal is aborted", async () => {
  const controller = new AbortController();
  const server = serve({ hostname: HOST, port: 0, signal: controller.signal });
  controller.abort();
  await server.finished;
  await assert.rejects(
    Deno.connect({ hostname: HOST, port: server.addr.port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("a serve() that throws leaves nothing that keeps the process alive", async () => {
  const script = `
import { serve } from ${
    JSON.stringify(new URL("../lib/mod.ts", import.meta.url).href)
  };
try { serve({ hostname: "127.0.0.1", port: 0, payload: { min: 5, max: 1 } }); } catch (e) { console.log(e.name); }
const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
try { serve({ hostname: "127.0.0.1", port: busy.addr.port }); } catch (e) { console.log(e.name, e.listener, e.cause.name); }
try { serve({ hostname: "127.0.0.1", port: 0, requests: { port: busy.addr.port } }); } catch (e) { console.log(e.name, e.listener, e.cause.name); }
busy.close();
`;
  const result = await run(
    Deno.execPath(),
    ["eval", "--no-check", script],
    { timeoutMs: 15_000 },
  );
  assert.equal(result.signal, null, "the process had to be killed");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "PayloadSpecError\nListenError push AddrInUse\nListenError requests AddrInUse\n",
  );
});
