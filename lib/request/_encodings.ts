// Bytes as text for replies: RANDBYTES' HEX and BASE64, PUBKEY's key.
//
// Not Uint8Array's toHex and toBase64: drawReply runs this code in the
// verifier, on Node.js 20 too, which has neither.

/** Bytes as lower-case hexadecimal. */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

/** Bytes as standard base64, padded. */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
