/**
 * `--max-connections-per-client`: how many connections one client address
 * may hold, on both ports together, with the real client's address behind
 * a PROXY header.
 *
 * @module
 */

import assert from "node:assert/strict";
import { holdStream, readRawText, readWithin, startServer } from "../_util.ts";

const encoder = new TextEncoder();

/** What a connection (after `header`) is sent until the server closes. */
async function answer(port: number, send = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    if (send) await conn.write(encoder.encode(send));
    const buf = new Uint8Array(4096);
    let text = "";
    for (let n; (n = await readWithin(conn, buf).catch(() => null)) !== null;) {
      text += new TextDecoder().decode(buf.subarray(0, n));
      if (text.length > 200) break;
    }
    return text;
  } finally {
    conn.close();
  }
}

Deno.test("per-client limit: a third stream from one address is turned away, and a place given back is reused", async () => {
  await using server = await startServer([
    "--stream",
    "--max-connections-per-client",
    "2",
  ]);
  const held = [await holdStream(server.port), await holdStream(server.port)];
  assert.equal(
    await readRawText(server.port),
    "ERR busy too many connections from your address\n",
  );
  held.pop()!.close();
  // The server sees the close once it writes again: wait for the place.
  let text = "";
  for (let i = 0; i < 50 && !/^\d/.test(text); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    text = await answer(server.port);
  }
  assert.match(text, /^\d/);
  for (const conn of held) conn.close();
});

Deno.test("per-client limit: behind a PROXY header, the address the header names is counted", async () => {
  await using server = await startServer([
    "--stream",
    "--max-connections-per-client",
    "2",
    "--proxy-protocol",
    "push",
    "--trusted-proxy",
    "127.0.0.1",
  ]);
  const from = (source: string) =>
    `PROXY TCP4 ${source} 127.0.0.1 40000 ${server.port}\r\n`;
  const held = [
    await holdStream(server.port, from("203.0.113.1")),
    await holdStream(server.port, from("203.0.113.1")),
  ];
  assert.equal(
    await answer(server.port, from("203.0.113.1")),
    "ERR busy too many connections from your address\n",
  );
  // Another client behind the same proxy has places of its own.
  held.push(await holdStream(server.port, from("203.0.113.2")));
  for (const conn of held) conn.close();
});

Deno.test("per-client limit: both ports count together", async () => {
  await using server = await startServer([
    "--stream",
    "--request-port",
    "0",
    "--max-connections-per-client",
    "2",
  ]);
  const stream = await holdStream(server.port);
  const request = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.requestPort!,
  });
  await request.write(encoder.encode("PING\r\n"));
  const buf = new Uint8Array(64);
  const n = await readWithin(request, buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n!)), "+PONG\r\n");
  assert.equal(
    await answer(server.requestPort!, "PING\r\n"),
    "-ERR too many connections from your address\r\n",
  );
  stream.close();
  request.close();
});
