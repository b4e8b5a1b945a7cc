/**
 * Ed25519 signing keys through Web Crypto: made, written and read as
 * PKCS#8 PEM (as `openssl genpkey -algorithm ed25519` writes them), and
 * named by their key id.
 *
 * @module
 */

import { base64, hex } from "./_bytes.ts";

/** A key to sign draws with, and what identifies it. */
export interface SigningKey {
  /** The private key, for `crypto.subtle.sign`. */
  privateKey: CryptoKey;
  /** The raw 32-byte public key. */
  publicKey: Uint8Array;
  /** The first 16 bytes of SHA-256 of the public key, hex: the records' `key_id`. */
  keyId: string;
}

/**
 * The key id of a raw Ed25519 public key: the first 16 bytes of its
 * SHA-256, as 32 lowercase hex digits.
 *
 * @example Usage
 * ```ts
 * import { keyIdOf } from "@randport/randport/signed";
 *
 * console.log((await keyIdOf(new Uint8Array(32))).length); // 32
 * ```
 *
 * @param publicKey The raw 32-byte public key.
 * @returns The key id.
 */
export async function keyIdOf(publicKey: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new Uint8Array(publicKey),
  );
  return hex(new Uint8Array(digest).subarray(0, 16));
}

/**
 * Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`) holding an
 * Ed25519 key.
 *
 * @example Usage
 * ```ts
 * import { generateSigningKey, importSigningKey } from "@randport/randport/signed";
 *
 * const { pem, key } = await generateSigningKey();
 * console.log((await importSigningKey(pem)).keyId === key.keyId); // true
 * ```
 *
 * @param pem The file's text.
 * @returns The key.
 * @throws {RangeError} When the text is not a PEM private key, or the key
 * is not Ed25519.
 */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const match =
    /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/
      .exec(pem);
  if (!match) {
    throw new RangeError(
      "expected a PEM private key (-----BEGIN PRIVATE KEY-----), as openssl genpkey -algorithm ed25519 writes",
    );
  }
  let der: Uint8Array;
  try {
    der = Uint8Array.from(
      atob(match[1].replace(/\s+/g, "")),
      (c) => c.charCodeAt(0),
    );
  } catch {
    throw new RangeError("the PEM key's base64 is broken");
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array(der),
      { name: "Ed25519" },
      true,
      ["sign"],
    );
  } catch {
    throw new RangeError("expected an Ed25519 private key in PKCS#8 form");
  }
  // The public key is the private key's JWK `x`: Web Crypto derives it.
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = Uint8Array.from(
    atob(jwk.x!.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0),
  );
  return { privateKey, publicKey, keyId: await keyIdOf(publicKey) };
}

/**
 * Makes a new Ed25519 key pair, and its PKCS#8 PEM text to keep in a file.
 *
 * @example Usage
 * ```ts
 * import { generateSigningKey } from "@randport/randport/signed";
 *
 * const { pem, key } = await generateSigningKey();
 * console.log(pem.startsWith("-----BEGIN PRIVATE KEY-----"), key.publicKey.length); // true 32
 * ```
 *
 * @returns The key, and its PEM text.
 */
export async function generateSigningKey(): Promise<
  { key: SigningKey; pem: string }
> {
  const pair = await crypto.subtle.generateKey(
    { name: "Ed25519" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", pair.privateKey),
  );
  const lines = base64(pkcs8).match(/.{1,64}/g)!.join("\n");
  const pem =
    `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`;
  return { key: await importSigningKey(pem), pem };
}
