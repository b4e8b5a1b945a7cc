/**
 * Signed records for the verifier's tests, made as the server makes them:
 * `signDraw` over a result that `drawReply` computes (exactly the server's
 * reply for a seeded request), chained by `previous`.
 *
 * @module
 */

import { drawReply } from "../../lib/request/draw_reply.ts";
import {
  CHAIN_START,
  type DrawRecord,
  generateSigningKey,
  signDraw,
  type SigningKey,
} from "../../lib/signed/mod.ts";

/** A draw request, and the client's DATA for it. */
export interface Draw {
  request: string[];
  data?: string;
}

/** Every kind of draw, seeded and not, with DATA of several kinds. */
export const DRAWS: Draw[] = [
  { request: ["RANDINT", "6", "1", "49", "SEED", "hello"], data: "lottery 12" },
  { request: ["UUID"] },
  { request: ["RANDINT", "5", "1", "100", "UNIQUE", "seed", "beacon 4242"] },
  { request: ["SEQUENCE", "1", "10", "SEED", "draw day"], data: "é ü 🎲" },
  { request: ["SHUFFLE", "ace", "king", "queen", "SEED", ""] },
  { request: ["SAMPLE", "2", "alice", "bob", "carol", "Seed", "s"] },
  { request: ["RANDINT", "3", "1", "6"], data: "dice\r\nline two" },
  { request: ["UUID", "2", "SEED", "u"] },
  { request: ["RANDBYTES", "8", "HEX", "SEED", "b"] },
  { request: ["RANDSTRING", "2", "5", "ALPHABET", "ACGT", "SEED", "dna"] },
  { request: ["RANDFLOAT", "2", "3", "SEED", "f"] },
  { request: ["GAUSS", "3", "100", "15", "SEED", "g"], data: '{"json":1}' },
  { request: ["RANDINT", "4", "1", "9", "FORMAT", "csv", "SEED", "c"] },
];

/** When the first record of a test chain was drawn; one second apart. */
const EPOCH = Date.parse("2026-12-02T10:00:00.000Z");

/** Signs `draws` in order as one chain, from `serial` after `previous`. */
export async function signChain(
  key: SigningKey,
  draws: readonly Draw[],
  from: { serial?: number; previous?: string } = {},
): Promise<DrawRecord[]> {
  const records: DrawRecord[] = [];
  let previous = from.previous ?? CHAIN_START;
  let serial = from.serial ?? 1;
  for (const draw of draws) {
    const record = await signDraw({
      v: 1,
      key_id: key.keyId,
      serial,
      time: new Date(EPOCH + serial * 1000).toISOString(),
      request: draw.request,
      result: await drawReply(draw.request),
      data: draw.data ?? "",
      previous,
    }, key);
    records.push(record);
    previous = record.hash;
    serial++;
  }
  return records;
}

/** A key, and a chain of every kind of draw signed with it. */
export async function fixture(): Promise<
  { key: SigningKey; records: DrawRecord[] }
> {
  const { key } = await generateSigningKey();
  return { key, records: await signChain(key, DRAWS) };
}

/** Lowercase hex, as PUBKEY and the server's banner write a key. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether a request is seeded, as the verifier decides it. */
export function isSeeded(request: readonly string[]): boolean {
  return request.length >= 3 &&
    request[request.length - 2].toUpperCase() === "SEED";
}
