/**
 * Hashing and signing a draw's record.
 *
 * @module
 */

import { base64, hex } from "./_bytes.ts";

import {
  type DrawRecord,
  encodeDrawRecord,
  type UnsignedDrawRecord,
} from "./draw_record.ts";
import type { SigningKey } from "./signing_key.ts";

/**
 * Completes a record: its `hash` (SHA-256 of the signed bytes) and its
 * `signature` (Ed25519 over the same bytes, base64).
 *
 * @example Usage
 * ```ts
 * import { CHAIN_START, generateSigningKey, signDraw } from "@randport/randport/signed";
 *
 * const { key } = await generateSigningKey();
 * const record = await signDraw({
 *   v: 1,
 *   key_id: key.keyId,
 *   serial: 1,
 *   time: new Date().toISOString(),
 *   request: ["RANDINT", "1", "1", "6"],
 *   result: "*1\r\n:4\r\n",
 *   data: "",
 *   previous: CHAIN_START,
 * }, key);
 * console.log(record.hash.length); // 64
 * ```
 *
 * @param record The record's fields.
 * @param key The key to sign with; its id must be the record's `key_id`.
 * @returns The signed record.
 */
export async function signDraw(
  record: UnsignedDrawRecord,
  key: SigningKey,
): Promise<DrawRecord> {
  if (record.key_id !== key.keyId) {
    throw new RangeError("key_id: not the signing key's id");
  }
  // Only the record's own fields: anything else would not be signed.
  const fields: UnsignedDrawRecord = {
    v: record.v,
    key_id: record.key_id,
    serial: record.serial,
    time: record.time,
    request: [...record.request],
    result: record.result,
    data: record.data,
    previous: record.previous,
  };
  const bytes = encodeDrawRecord(fields);
  const [digest, signature] = await Promise.all([
    crypto.subtle.digest("SHA-256", bytes),
    crypto.subtle.sign("Ed25519", key.privateKey, bytes),
  ]);
  return {
    ...fields,
    hash: hex(new Uint8Array(digest)),
    signature: base64(new Uint8Array(signature)),
  };
}
