/**
 * Reference: the I/O ceiling. A Deno server that generates nothing: it
 * writes one constant, pre-filled buffer of valid numbers to every client,
 * as fast as the client takes it, the same way and in the same chunk size as
 * randport's server (one `await conn.write` per chunk, partial writes
 * completed). Whatever randport reaches, it cannot beat this with the same
 * runtime, chunk size and reader.
 *
 * Short payloads: the same 10 numbers every time, then close.
 *
 * ```sh
 * deno run --allow-net bench/ceiling_server.ts --port 0 [--stream]
 *   [--count N] [--min N] [--max N] [--format csv|lines] [--chunk-size N]
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
    "chunk-size": { type: "string", default: "16384" },
  },
});
const min = Number(values.min);
const max = Number(values.max);
const lines = values.format === "lines";
const chunkSize = Number(values["chunk-size"]);

/**
 * Numbers spread over the range (so the loader's histogram is not all one
 * bin), every one followed by its separator: the buffer can be repeated
 * without end and stays a valid stream.
 */
function numbersText(bytes: number): string {
  const parts: string[] = [];
  const span = max - min;
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    // A fixed, well-spread sequence: the golden ratio modulo 1.
    const fraction = (i * 0.6180339887498949) % 1;
    const text = String(min + Math.round(fraction * span));
    parts.push(text);
    length += text.length + 1;
  }
  return parts.join(lines ? "\n" : ",") + (lines ? "\n" : ",");
}

function streamBuffer(): Uint8Array {
  const text = numbersText(chunkSize * 2);
  const bytes = new TextEncoder().encode(text);
  // Cut after the last separator that fits in one chunk.
  let end = chunkSize;
  const separator = lines ? 0x0a : 0x2c;
  while (bytes[end - 1] !== separator) end--;
  return bytes.slice(0, end);
}

function shortPayload(): Uint8Array {
  const numbers = Array.from(
    { length: Number(values.count) },
    (_, i) => String(min + ((i * 37) % (max - min + 1))),
  );
  const text = lines
    ? numbers.map((n) => `${n}\n`).join("")
    : numbers.join(",");
  return new TextEncoder().encode(text);
}

const payload = values.stream ? streamBuffer() : shortPayload();

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let written = 0; written < data.length;) {
    written += await conn.write(
      written === 0 ? data : data.subarray(written),
    );
  }
}

async function handle(conn: Deno.Conn): Promise<void> {
  try {
    if (!values.stream) {
      await writeAll(conn, payload);
      return;
    }
    for (;;) await writeAll(conn, payload);
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
