/**
 * A signed draw's record (PROTOCOL.md §6): its fields, and the exact bytes
 * that are hashed and signed, which depend on no JSON library.
 *
 * @module
 */

import { hexBytes } from "./_bytes.ts";

/** A signed draw's record, as the server replies it and the log stores it. */
export interface DrawRecord {
  /** The record format's version: 1. */
  v: 1;
  /** The signing key's id: the first 16 bytes of SHA-256 of its public key, hex. */
  key_id: string;
  /** The record's number in the key's chain: 1, 2, 3, … without gaps. */
  serial: number;
  /** When the server drew it: UTC, to the millisecond, `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  time: string;
  /** The draw's request: the command and its arguments, `SIGNED` and `DATA` left out. */
  request: string[];
  /** The draw's reply as RESP2 text (PROTOCOL.md §5): exactly what an unsigned request gets. */
  result: string;
  /** The client's own text, bound into the record (`DATA`); empty for none. */
  data: string;
  /** The `hash` of the record before it in the chain; 64 zeros for serial 1. */
  previous: string;
  /** SHA-256 of the record's signed bytes, hex. */
  hash: string;
  /** The Ed25519 signature of the signed bytes, base64. */
  signature: string;
}

/** A record before it is hashed and signed. */
export type UnsignedDrawRecord = Omit<DrawRecord, "hash" | "signature">;

/** The domain tag the signed bytes begin with (PROTOCOL.md §6.2). */
export const DRAW_RECORD_TAG = "randport-draw-v1";

/** The `previous` of the first record of a chain. */
export const CHAIN_START: string = "0".repeat(64);

const encoder = new TextEncoder();

/**
 * The bytes of a record that are hashed and signed (PROTOCOL.md §6.2):
 * every field but `hash` and `signature`, each length-prefixed, in a fixed
 * order.
 *
 * @example Usage
 * ```ts
 * import { CHAIN_START, encodeDrawRecord } from "@randport/randport/signed";
 *
 * const bytes = encodeDrawRecord({
 *   v: 1,
 *   key_id: "00".repeat(16),
 *   serial: 1,
 *   time: "2026-12-02T00:00:00.000Z",
 *   request: ["RANDINT", "1", "1", "6"],
 *   result: "*1\r\n:4\r\n",
 *   data: "",
 *   previous: CHAIN_START,
 * });
 * console.log(bytes.length); // 158
 * ```
 *
 * @param record The record's fields (`hash` and `signature` are ignored).
 * @returns The signed bytes.
 * @throws {RangeError} Naming the field that is not of its form.
 */
export function encodeDrawRecord(
  record: UnsignedDrawRecord,
): Uint8Array<ArrayBuffer> {
  checkFields(record);
  // Every field's bytes first, then one buffer for them all.
  const texts = [
    encoder.encode(DRAW_RECORD_TAG),
    hexBytes(record.key_id),
    encoder.encode(record.time),
    ...record.request.map((arg) => encoder.encode(arg)),
    encoder.encode(record.result),
    encoder.encode(record.data),
    hexBytes(record.previous),
  ];
  // Each text's 4-byte length, the serial's 8 bytes, the request's count.
  let size = 8 + 4;
  for (const text of texts) size += 4 + text.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  const field = (bytes: Uint8Array) => {
    view.setUint32(offset, bytes.length);
    out.set(bytes, offset + 4);
    offset += 4 + bytes.length;
  };
  const [tag, keyId, time, ...rest] = texts;
  field(tag);
  field(keyId);
  view.setBigUint64(offset, BigInt(record.serial));
  offset += 8;
  field(time);
  view.setUint32(offset, record.request.length);
  offset += 4;
  for (const text of rest) field(text);
  return out;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function checkFields(record: UnsignedDrawRecord): void {
  const fail = (name: string, expected: string) => {
    throw new RangeError(`${name}: expected ${expected}`);
  };
  if (record.v !== 1) fail("v", "1");
  if (!/^[0-9a-f]{32}$/.test(record.key_id)) {
    fail("key_id", "32 lowercase hex digits");
  }
  if (!Number.isSafeInteger(record.serial) || record.serial < 1) {
    fail("serial", "a positive integer");
  }
  if (
    typeof record.time !== "string" || !TIME.test(record.time) ||
    Number.isNaN(Date.parse(record.time)) ||
    new Date(record.time).toISOString() !== record.time
  ) {
    fail("time", "a real UTC time, YYYY-MM-DDTHH:MM:SS.sssZ");
  }
  if (
    !Array.isArray(record.request) || record.request.length === 0 ||
    !record.request.every((arg) => typeof arg === "string")
  ) {
    fail("request", "a non-empty array of strings");
  }
  // A lone surrogate would be encoded as U+FFFD: two texts, one signature.
  if (!record.request.every((arg) => arg.isWellFormed())) {
    fail("request", "well-formed Unicode strings");
  }
  if (typeof record.result !== "string" || !record.result.isWellFormed()) {
    fail("result", "a well-formed Unicode string");
  }
  if (typeof record.data !== "string" || !record.data.isWellFormed()) {
    fail("data", "a well-formed Unicode string");
  }
  if (!/^[0-9a-f]{64}$/.test(record.previous)) {
    fail("previous", "64 lowercase hex digits");
  }
}
