/**
 * The linger's guarantee (PROTOCOL.md §1, step 4): a client that sends bytes
 * is not reset while its payload sits unread. Here the client sends only
 * after the server has written the payload and half-closed, having received
 * nothing by then: the case that a server deciding at the end of the payload
 * ("nothing received, so close at once") gets wrong, as does no linger.
 */

import assert from "node:assert/strict";
import { serve } from "../../lib/mod.ts";
import { assertClassicCsv, readWithin, sleep } from "../_util.ts";

const HOST = "127.0.0.1";

/**
 * Connects, waits without reading, sends 1000 bytes (a user typing), waits
 * for any reset to arrive, then reads the payload to its end and sends once
 * more. A reset shows as a failed read or a failed last write.
 */
async function sendBeforeReading(
  lingerTimeout: number | undefined,
): Promise<{ text: string; reset: boolean }> {
  const server = serve({ hostname: HOST, port: 0, lingerTimeout });
  const conn = await Deno.connect({ hostname: HOST, port: server.addr.port });
  let text = "";
  let reset = false;
  try {
    // The payload is written and the write side shut long before this.
    await sleep(200);
    await conn.write(new Uint8Array(1000).fill(0x78));
    // A reset would be here by now, with the payload still unread.
    await sleep(200);
    const buf = new Uint8Array(1024);
    const decoder = new TextDecoder();
    try {
      for (let n; (n = await readWithin(conn, buf)) !== null;) {
        text += decoder.decode(buf.subarray(0, n));
      }
      await conn.write(new Uint8Array([0x0a]));
    } catch (error) {
      if (
        !(error instanceof Deno.errors.ConnectionReset ||
          error instanceof Deno.errors.BrokenPipe)
      ) throw error;
      reset = true;
    }
  } finally {
    conn.close();
    await server.shutdown();
  }
  return { text, reset };
}

Deno.test("linger: a client that sends bytes after the payload was written, before reading it, gets it all and no reset", async () => {
  const { text, reset } = await sendBeforeReading(undefined);
  assert.equal(reset, false, "the server reset the connection");
  assertClassicCsv(text);
});

Deno.test("linger: with lingerTimeout 0 the same client is reset (what the test above catches)", async () => {
  const { text, reset } = await sendBeforeReading(0);
  assert.equal(reset, true, "expected a reset without the linger");
  // Linux keeps what had arrived before the reset; other systems may not.
  assertClassicCsv(text);
});
