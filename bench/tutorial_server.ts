/**
 * Reference: the randport exercise as a first Deno port of a tutorial writes
 * it. Numbers from `Math.random()`, each payload built with `Array.join` and
 * `TextEncoder`, no limits, no timeouts, no backpressure beyond `await`.
 * Streams are written in batches of 4096 numbers (about the size of
 * randport's 16 KiB chunks), so it is not slow merely for writing often.
 *
 * The one thing it does that a careless tutorial might not: it writes every
 * byte (`writeAll`, as `@std/io` has it), because `conn.write` may write
 * only part of a buffer and the benchmark validates every payload.
 *
 * `--linger` adds randport's linger (PROTOCOL.md §1, step 4) and nothing
 * else: after the payload, half-close and read until the client closes (no
 * timeout: the benchmark's clients always close). It shows what waiting for
 * the client's close costs Deno itself, whoever writes the server.
 *
 * ```sh
 * deno run --allow-net bench/tutorial_server.ts --port 0 [--stream]
 *   [--count N] [--min N] [--max N] [--format csv|lines] [--linger]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    count: { type: "string", default: "10" },
    min: { type: "string", default: "1" },
    max: { type: "string", default: "100" },
    format: { type: "string", default: "csv" },
    stream: { type: "boolean", default: false },
    batch: { type: "string", default: "10" },
    linger: { type: "boolean", default: false },
  },
});
const batch = Number(values.batch);
const count = Number(values.count);
const min = Number(values.min);
const max = Number(values.max);
const lines = values.format === "lines";
const encoder = new TextEncoder();
const discard = new Uint8Array(4096);

function randomNumber(): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let written = 0; written < data.length;) {
    written += await conn.write(data.subarray(written));
  }
}

async function handle(conn: Deno.Conn): Promise<void> {
  try {
    if (!values.stream) {
      const numbers = [];
      for (let i = 0; i < count; i++) numbers.push(randomNumber());
      const text = lines ? numbers.map((n) => `${n}\n`).join("") : numbers
        .join(",");
      await writeAll(conn, encoder.encode(text));
      if (values.linger) {
        // As randport's #linger does it.
        const halfClosed = conn.closeWrite().catch(() => {});
        while (await conn.read(discard) !== null) {
          // Discard what the client sent.
        }
        await halfClosed;
      }
      return;
    }
    for (let first = true;; first = false) {
      const numbers = [];
      for (let i = 0; i < batch; i++) numbers.push(randomNumber());
      const text = lines
        ? numbers.join("\n") + "\n"
        : (first ? "" : ",") + numbers.join(",");
      await writeAll(conn, encoder.encode(text));
    }
  } catch {
    // The client went away.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

const listener = Deno.listen({
  hostname: "127.0.0.1",
  port: Number(values.port),
});
console.log(`listening on 127.0.0.1:${listener.addr.port}`);
for await (const conn of listener) handle(conn);
