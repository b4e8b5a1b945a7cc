/**
 * Signed draws (PROTOCOL.md §6): the record of a draw, the exact bytes
 * that are hashed and signed, Ed25519 keys through Web Crypto, signing,
 * and the checks that need only the record and the public key. The same
 * code runs in Deno, Node.js and browsers.
 *
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
 *   v: 1, key_id: key.keyId, serial: 1, time: new Date().toISOString(),
 *   request: ["UUID"], result: "$36\r\n0f8f6b8e-3f65-4c9c-9a51-1c2f5d0e7b1a\r\n",
 *   data: "raffle 12", previous: CHAIN_START,
 * }, key);
 * console.log(await verifyRecordSignature(record, key.publicKey)); // undefined
 * ```
 *
 * @module
 */

export * from "./draw_record.ts";
export * from "./sign_draw.ts";
export * from "./signing_key.ts";
export * from "./verify_signature.ts";
export * from "./commitment.ts";
