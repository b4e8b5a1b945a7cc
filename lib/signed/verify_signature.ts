/**
 * The checks of a record that need nothing but the record and the public
 * key: its form, its hash, its key id and its signature.
 *
 * @module
 */

import { base64, hex } from "./_bytes.ts";

import { type DrawRecord, encodeDrawRecord } from "./draw_record.ts";
import { keyIdOf } from "./signing_key.ts";

/** What is wrong with a record: which field, and how. */
export interface DrawProblem {
  /** The field at fault (`signature`, `hash`, `result`, …). */
  field: string;
  /** What is wrong, in one line. */
  message: string;
}

/**
 * Checks a record's form, that `key_id` is the public key's, that `hash`
 * is SHA-256 of its signed bytes, and that `signature` verifies over them
 * with the public key. Web Crypto only.
 *
 * @example Usage
 * ```ts
 * import {
 *   CHAIN_START,
 *   generateSigningKey,
 *   signDraw,
 *   verifyRecordSignature,
 * } from "@randport/randport/signed";
 *
 * const { key } = await generateSigningKey();
 * const record = await signDraw({
 *   v: 1, key_id: key.keyId, serial: 1, time: "2026-12-02T00:00:00.000Z",
 *   request: ["RANDINT", "1", "1", "6"], result: "*1\r\n:4\r\n", data: "",
 *   previous: CHAIN_START,
 * }, key);
 * console.log(await verifyRecordSignature(record, key.publicKey)); // undefined
 * const forged = { ...record, result: "*1\r\n:6\r\n" };
 * console.log((await verifyRecordSignature(forged, key.publicKey))?.field); // "hash"
 * ```
 *
 * @param record The record, as parsed from its JSON.
 * @param publicKey The raw 32-byte Ed25519 public key.
 * @returns The first problem found, or `undefined` when the record holds.
 */
export async function verifyRecordSignature(
  record: DrawRecord,
  publicKey: Uint8Array,
): Promise<DrawProblem | undefined> {
  if (typeof record !== "object" || record === null) {
    return { field: "record", message: "expected a JSON object" };
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = encodeDrawRecord(record);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const [field, ...rest] = message.split(": ");
    return { field, message: rest.join(": ") };
  }
  const verifier = verifierOf(publicKey);
  if (record.key_id !== await verifier.keyId) {
    return { field: "key_id", message: "not the id of this public key" };
  }
  const digest = hex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
  );
  if (record.hash !== digest) {
    return {
      field: "hash",
      message: "not the SHA-256 of the record's fields: a field was changed",
    };
  }
  // One spelling only: atob also takes missing padding, spaces and other
  // low bits in the last character, which would give one record many texts.
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = Uint8Array.from(atob(record.signature), (c) => c.charCodeAt(0));
  } catch {
    signature = new Uint8Array(0);
  }
  if (
    typeof record.signature !== "string" ||
    !/^[A-Za-z0-9+/]{86}==$/.test(record.signature) ||
    base64(signature) !== record.signature
  ) {
    return { field: "signature", message: "not 64 bytes in standard base64" };
  }
  const valid = signature.length === 64 &&
    await crypto.subtle.verify(
      "Ed25519",
      await (verifier.key ??= importVerifyKey(verifier.bytes)),
      signature,
      bytes,
    );
  if (!valid) {
    return { field: "signature", message: "does not verify with this key" };
  }
  return undefined;
}

/** A public key's id and its imported form, derived once per key. */
interface Verifier {
  bytes: Uint8Array<ArrayBuffer>;
  keyId: Promise<string>;
  /** Imported when a signature is first checked with it. */
  key?: Promise<CryptoKey>;
}

// The last key seen: a chain is verified against one key, record by record,
// so importing and hashing it again for each record would be wasted work.
let lastVerifier: Verifier | undefined;

function verifierOf(publicKey: Uint8Array): Verifier {
  const last = lastVerifier;
  if (
    last !== undefined && last.bytes.length === publicKey.length &&
    last.bytes.every((b, i) => b === publicKey[i])
  ) {
    return last;
  }
  const bytes = new Uint8Array(publicKey);
  lastVerifier = { bytes, keyId: keyIdOf(bytes) };
  return lastVerifier;
}

function importVerifyKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    bytes,
    { name: "Ed25519" },
    false,
    ["verify"],
  );
}
