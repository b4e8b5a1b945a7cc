import assert from "node:assert/strict";
import { FETCH_MAX_NUMBERS, fetchNumbers } from "../../lib/client/mod.ts";
import { OptionError, RandportError } from "../../lib/errors/mod.ts";
import { serve, type ServeOptions } from "../../lib/server/mod.ts";

async function withServer(
  options: ServeOptions,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const server = serve({ hostname: "127.0.0.1", port: 0, ...options });
  try {
    await body(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

const HOST = "127.0.0.1";

Deno.test("fetchNumbers: a stream without limit fails at the default bound instead of filling memory", async () => {
  await withServer({ payload: { stream: true } }, async (port) => {
    const before = Deno.memoryUsage().rss;
    await assert.rejects(
      () => fetchNumbers({ hostname: HOST, port }),
      (error) => {
        assert.ok(error instanceof RandportError);
        assert.equal(error.code, "too-many");
        assert.match(error.message, /more than 10000000 numbers arrived/);
        assert.match(error.message, /pass limit/);
        assert.match(error.message, /raise maxNumbers/);
        return true;
      },
    );
    // 10^7 numbers in a JavaScript array are about 80 MB: nowhere near
    // the heap's end, which an unbounded read reached in seconds.
    const grown = (Deno.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grown < 600, `RSS grew by ${grown.toFixed(0)} MB`);
  });
  assert.equal(FETCH_MAX_NUMBERS, 10_000_000);
});

Deno.test("fetchNumbers: maxNumbers bounds what is held; exactly that many is fine", async () => {
  await withServer({ payload: { stream: true } }, async (port) => {
    await assert.rejects(
      () => fetchNumbers({ hostname: HOST, port, maxNumbers: 1000 }),
      (error) => error instanceof RandportError && error.code === "too-many",
    );
  });
  await withServer({ payload: { count: 1000 } }, async (port) => {
    const numbers = await fetchNumbers({
      hostname: HOST,
      port,
      maxNumbers: 1000,
    });
    assert.equal(numbers.length, 1000);
  });
  await withServer({ payload: { count: 1001 } }, async (port) => {
    await assert.rejects(
      () => fetchNumbers({ hostname: HOST, port, maxNumbers: 1000 }),
      (error) => error instanceof RandportError && error.code === "too-many",
    );
  });
});

Deno.test("fetchNumbers: a limit replaces the bound", async () => {
  await withServer({ payload: { stream: true } }, async (port) => {
    const numbers = await fetchNumbers({
      hostname: HOST,
      port,
      limit: 5000,
      maxNumbers: 10,
    });
    assert.equal(numbers.length, 5000);
  });
});

Deno.test("fetchNumbers: maxNumbers is checked before connecting", async () => {
  await assert.rejects(
    () => fetchNumbers({ port: 1, maxNumbers: -1 }),
    (error) => error instanceof OptionError && error.field === "maxNumbers",
  );
});
