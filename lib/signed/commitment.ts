/**
 * Commit before, reveal after (PROTOCOL.md §6.4): the secret a server
 * commits to, derived from its signing key and the commitment's serial, and
 * the commitment that binds it.
 *
 * @module
 */

import { hex, hexBytes } from "./_bytes.ts";

import type { SigningKey } from "./signing_key.ts";

/** What a commitment's hash starts with. */
export const COMMITMENT_TAG = "randport-commit-v1";
/** What the message signed to derive a secret starts with. */
export const SECRET_TAG = "randport-secret-v1";

const encoder = new TextEncoder();

/**
 * The secret of the commitment with a serial: SHA-256 of the Ed25519
 * signature of `SECRET_TAG || key id (16 bytes) || serial (8 bytes,
 * big-endian)`. Only the key's holder can compute it, and it needs no
 * storage: the server derives it again to reveal it, after a restart too.
 *
 * @example Usage
 * ```ts
 * import { commitSecret, generateSigningKey } from "@randport/randport/signed";
 *
 * const { key } = await generateSigningKey();
 * console.log((await commitSecret(key, 7)).length); // 64
 * ```
 *
 * @param key The signing key.
 * @param serial The serial of the COMMIT record.
 * @returns The secret, 32 bytes as 64 lowercase hex digits.
 */
export async function commitSecret(
  key: SigningKey,
  serial: number,
): Promise<string> {
  const tag = encoder.encode(SECRET_TAG);
  const message = new Uint8Array(tag.length + 16 + 8);
  message.set(tag);
  message.set(
    hexBytes(key.keyId),
    tag.length,
  );
  new DataView(message.buffer).setBigUint64(tag.length + 16, BigInt(serial));
  const signature = await crypto.subtle.sign(
    "Ed25519",
    key.privateKey,
    message,
  );
  return hex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", signature)),
  );
}

/**
 * The commitment to a secret: SHA-256 of `COMMITMENT_TAG` followed by the
 * secret's 32 bytes. Anyone can check a revealed secret against it.
 *
 * @example Usage
 * ```ts
 * import { commitmentOf } from "@randport/randport/signed";
 *
 * console.log((await commitmentOf("00".repeat(32))).length); // 64
 * ```
 *
 * @param secret The secret, 64 hex digits.
 * @returns The commitment, 64 lowercase hex digits.
 */
export async function commitmentOf(secret: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(secret)) {
    throw new RangeError("secret: expected 64 lowercase hex digits");
  }
  const tag = encoder.encode(COMMITMENT_TAG);
  const bytes = new Uint8Array(tag.length + 32);
  bytes.set(tag);
  bytes.set(
    hexBytes(secret),
    tag.length,
  );
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
