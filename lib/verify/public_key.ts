/**
 * Reading a public key as people pass it around: 64 hex digits.
 *
 * @module
 */

/**
 * Reads a raw Ed25519 public key written as 64 hex digits (either case;
 * whitespace around it is ignored, as in a key pasted from a page).
 *
 * @example Usage
 * ```ts
 * import { parsePublicKey } from "@randport/randport/verify";
 *
 * const key = parsePublicKey("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
 * console.log(key.length); // 32
 * ```
 *
 * @param hex The key's hex digits.
 * @returns The 32 raw bytes.
 * @throws {RangeError} When the text is not 64 hex digits.
 */
export function parsePublicKey(hex: string): Uint8Array<ArrayBuffer> {
  const digits = typeof hex === "string" ? hex.trim() : "";
  if (!/^[0-9a-fA-F]{64}$/.test(digits)) {
    const shown = typeof hex === "string"
      ? JSON.stringify(hex.length > 80 ? `${hex.slice(0, 80)}…` : hex)
      : typeof hex;
    throw new RangeError(
      `publicKey: expected 64 hex digits (a raw Ed25519 public key), got ${shown}`,
    );
  }
  return Uint8Array.from(
    { length: 32 },
    (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16),
  );
}
