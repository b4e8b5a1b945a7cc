/**
 * Reference: the request port's I/O ceiling. A Deno server that speaks just
 * enough RESP to frame requests (`*n`, then n `$len` bulks, their bytes
 * skipped, not decoded) and answers every request with one constant,
 * pre-encoded reply shaped like `RANDINT 10 1 100`'s (an array of 10
 * integers), the way randport's request port does its I/O: one
 * `await conn.read` into a 64 KiB buffer, then the replies to every request
 * it completed in one `await conn.write`, partial writes completed. No
 * timers, no argument strings, no drawing: whatever the request port
 * reaches, it cannot beat this with the same runtime and I/O pattern.
 *
 * `CONFIG ...` (what redis-benchmark asks first) gets an empty array, an
 * inline command the same constant reply.
 *
 * ```sh
 * deno run --allow-net bench/resp_ceiling_server.ts --port 0
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" } },
});

const encoder = new TextEncoder();
const REPLY = encoder.encode(
  "*10\r\n" + [57, 25, 73, 22, 19, 48, 61, 33, 47, 31].map((n) => `:${n}\r\n`)
    .join(""),
);
const EMPTY = encoder.encode("*0\r\n");
const CR = 0x0d;
const LF = 0x0a;

/** Frames RESP requests across reads; counts what each read completed. */
class Framer {
  /** Bytes of an unfinished line (a `*n` or `$len` header). */
  #line: number[] = [];
  /** Bulks still to come in the current request, and bytes of the body. */
  #bulks = 0;
  #skip = -1;
  #first = true;
  #config = false;
  #inline = false;

  /** Feeds a read; returns the replies for the requests it completed. */
  push(bytes: Uint8Array, out: Uint8Array[]): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.#skip > 0) {
        // A bulk's body and its CRLF: skipped without looking.
        const take = Math.min(this.#skip, bytes.length - i);
        if (this.#first && this.#skip > 2) {
          // The command name: only CONFIG matters.
          this.#config ||= bytes[i] === 0x43 || bytes[i] === 0x63;
        }
        this.#skip -= take;
        i += take;
        if (this.#skip === 0) {
          this.#skip = -1;
          this.#first = false;
          if (--this.#bulks === 0) this.#done(out);
        }
        continue;
      }
      const end = bytes.indexOf(LF, i);
      if (end < 0) {
        for (; i < bytes.length; i++) this.#line.push(bytes[i]);
        break;
      }
      const line = this.#line.length
        ? [...this.#line, ...bytes.subarray(i, end)]
        : bytes.subarray(i, end);
      this.#line = [];
      i = end + 1;
      this.#header(line, out);
    }
  }

  #header(line: ArrayLike<number>, out: Uint8Array[]): void {
    let n = 0;
    let length = line.length;
    if (length > 0 && line[length - 1] === CR) length--;
    for (let k = 1; k < length; k++) n = n * 10 + line[k] - 0x30;
    if (this.#bulks === 0) {
      if (line[0] !== 0x2a) {
        // An inline command: one line, one reply.
        this.#inline = true;
        if (length > 0) this.#done(out);
        return;
      }
      this.#bulks = n;
      this.#first = true;
      this.#config = false;
      if (n <= 0) this.#bulks = 0;
    } else {
      this.#skip = n + 2;
    }
  }

  #done(out: Uint8Array[]): void {
    out.push(this.#config && !this.#inline ? EMPTY : REPLY);
    this.#inline = false;
    this.#config = false;
  }
}

async function handle(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(65536);
  const framer = new Framer();
  const replies: Uint8Array[] = [];
  let out = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      framer.push(buffer.subarray(0, n), replies);
      let length = 0;
      for (const reply of replies) {
        if (length + reply.length > out.length) {
          const larger = new Uint8Array(out.length * 2);
          larger.set(out.subarray(0, length));
          out = larger;
        }
        out.set(reply, length);
        length += reply.length;
      }
      replies.length = 0;
      for (let written = 0; written < length;) {
        written += await conn.write(out.subarray(written, length));
      }
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
