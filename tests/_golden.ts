/**
 * The golden payloads: a grid of seeded specs, and how each case's bytes are
 * produced and digested. Shared by `_golden_make.ts` (which wrote
 * testdata/golden_payloads.json from the code before issue 10's move) and
 * `golden_test.ts` (which checks today's code against that file).
 *
 * @module
 */

import { serve } from "../lib/server/mod.ts";
import { concatBytes } from "./_util.ts";
import {
  PayloadEncoder,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "../lib/wire/mod.ts";

/** One golden payload. */
export interface GoldenCase {
  /** `encoder`: PayloadEncoder.encodeInto; `server`: bytes read from serve(). */
  kind: "encoder" | "server";
  spec: PayloadSpecOptions;
  /** encoder: the connection ordinal. */
  ordinal: number;
  /** encoder: buffer bytes per call (0: the encoder's minBufferBytes). server: chunkSize. */
  chunk: number;
  /** Streams: encodeInto calls (encoder) or bytes read (server) before the end. */
  stop: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
const RANGES: [number, number][] = [
  [1, 100],
  [1, 6],
  [0, 1],
  [5, 5],
  [-5, 5],
  [1, 49],
  [1, 16384],
  [1, 16385],
  [0, 65535],
  [1, 1_000_000],
  [-1_000_000_000, 1_000_000_000],
  [0, 2 ** 32 - 1],
  [0, 2 ** 32],
  [0, 2 ** 53 - 1],
  [-MAX, MAX],
  [MAX - 9, MAX],
];
const FORMATS = ["csv", "lines", "json"] as const;
const COUNTS = [0, 1, 7, 1000, 20_003];
const SEEDS = [42, -1, MAX, 0];
const CHUNKS = [0, 100, 600, 16384];

/** The grid, in a fixed order. */
export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  let i = 0;
  for (const [min, max] of RANGES) {
    for (const format of FORMATS) {
      for (const count of COUNTS) {
        const seed = SEEDS[i % SEEDS.length];
        cases.push({
          kind: "encoder",
          spec: { count, min, max, format, seed },
          ordinal: i % 3,
          chunk: CHUNKS[i % CHUNKS.length],
          stop: 0,
        });
        i++;
        const size = BigInt(max) - BigInt(min) + 1n;
        if (BigInt(count) <= size && count <= 1000) {
          cases.push({
            kind: "encoder",
            spec: { count, min, max, format, seed, unique: true },
            ordinal: i % 3,
            chunk: CHUNKS[i % CHUNKS.length],
            stop: 0,
          });
          i++;
        }
      }
    }
    for (const format of ["csv", "lines"] as const) {
      for (const chunk of [0, 777, 16384]) {
        cases.push({
          kind: "encoder",
          spec: {
            min,
            max,
            format,
            seed: SEEDS[i % SEEDS.length],
            stream: true,
          },
          ordinal: i % 3,
          chunk,
          stop: 6,
        });
        i++;
      }
    }
  }
  // Chunking must not change a seeded payload: sweep the buffer size.
  for (const chunk of [0, 7, 64, 100, 511, 512, 513, 4096, 16384, 65536]) {
    for (const format of FORMATS) {
      cases.push({
        kind: "encoder",
        spec: { count: 5000, format, seed: 7 },
        ordinal: 1,
        chunk,
        stop: 0,
      });
    }
  }
  // What the server sends: three connections in a row (ordinals 0, 1, 2).
  const served: [PayloadSpecOptions, number, number][] = [
    [{ seed: 42 }, 16384, 0],
    [{ seed: 42, count: 100_000 }, 16384, 0],
    [{ seed: 42, count: 100_000, format: "lines" }, 4096, 0],
    [
      { seed: -3, count: 30_000, min: -MAX, max: MAX, format: "json" },
      65536,
      0,
    ],
    [{ seed: 9, count: 49, max: 49, unique: true }, 16384, 0],
    [{ seed: 5, stream: true }, 16384, 300_000],
    [{ seed: 5, stream: true, min: 0, max: 2 ** 53 - 1 }, 1024, 300_000],
  ];
  for (const [spec, chunk, stop] of served) {
    cases.push({ kind: "server", spec, ordinal: 0, chunk, stop });
  }
  return cases;
}

function encoderBytes(c: GoldenCase): Uint8Array<ArrayBuffer> {
  const encoder = new PayloadEncoder(resolvePayloadSpec(c.spec), {
    ordinal: c.ordinal,
  });
  // One buffer for every call, as the server holds one per connection.
  const buf = new Uint8Array(c.chunk || encoder.minBufferBytes);
  const parts: Uint8Array[] = [];
  for (let calls = 0; !encoder.done; calls++) {
    if (c.stop > 0 && calls === c.stop) encoder.end();
    const length = encoder.encodeInto(buf);
    parts.push(buf.slice(0, length));
  }
  return concatBytes(parts);
}

async function readAll(
  port: number,
  stop: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(65536);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      parts.push(buf.slice(0, n));
      total += n;
      if (stop > 0 && total >= stop) break;
    }
  } finally {
    conn.close();
  }
  const bytes = concatBytes(parts);
  return stop > 0 ? bytes.subarray(0, stop) : bytes;
}

async function serverBytes(c: GoldenCase): Promise<Uint8Array<ArrayBuffer>> {
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    payload: c.spec,
    chunkSize: c.chunk,
    lingerTimeout: 0,
  });
  try {
    const parts: Uint8Array[] = [];
    for (let ordinal = 0; ordinal < 3; ordinal++) {
      parts.push(await readAll(server.addr.port, c.stop));
      parts.push(new Uint8Array([0xff]));
    }
    return concatBytes(parts);
  } finally {
    await server.shutdown();
  }
}

/** The case's bytes, digested: lowercase hex SHA-256. */
export async function goldenDigest(c: GoldenCase): Promise<string> {
  const bytes = c.kind === "encoder" ? encoderBytes(c) : await serverBytes(c);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}
