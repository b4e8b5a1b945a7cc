/**
 * The verifier's own checks of a record's text, beyond what the signed
 * bytes cover, and small helpers the package shares.
 *
 * @module
 */

import { parsePublicKey } from "./public_key.ts";

/** The fields of a version 1 record, in the order the export writes them. */
export const RECORD_FIELDS: readonly string[] = [
  "v",
  "key_id",
  "serial",
  "time",
  "request",
  "result",
  "data",
  "previous",
  "hash",
  "signature",
];

/** The key as bytes, whichever way it was given; checked. */
export function publicKeyBytes(publicKey: Uint8Array | string): Uint8Array {
  if (typeof publicKey === "string") return parsePublicKey(publicKey);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new RangeError(
      "publicKey: expected the 32 bytes of a raw Ed25519 public key",
    );
  }
  return publicKey;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `text` is the one base64 text of 64 bytes (padded, no
 * whitespace, unused bits zero). `atob` forgives whitespace, missing
 * padding and stray low bits, so without this, many texts of one
 * signature would all verify.
 */
export function canonicalSignature(text: string): boolean {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(text)) return false;
  const bytes = atob(text);
  return btoa(bytes) === text;
}

/** A short, one-line rendering of a long text, for messages. */
export function preview(text: string, length = 48): string {
  return JSON.stringify(
    text.length > length ? `${text.slice(0, length)}…` : text,
  );
}
