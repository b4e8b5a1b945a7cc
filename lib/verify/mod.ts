/**
 * Verifying signed draws (PROTOCOL.md §6) with nothing but Web Crypto, so
 * that the same code runs in Deno, Node.js and browsers:
 * {@linkcode verifyDraw} checks one record (its key, hash and signature,
 * and for a seeded draw its result recomputed from the seed),
 * {@linkcode verifyChain} a sequence of them as one key's gapless, linked
 * chain, and {@linkcode parseDrawRecords} reads a record or an exported
 * log (JSON lines).
 *
 * A record proves what the holder of the key signed. Which key that must
 * be is for the verifier to know: take the public key from where the
 * operator publishes it; a key fetched from the server being checked
 * (`PUBKEY`) proves only that the records are that server's.
 *
 * ```ts
 * import { CHAIN_START, generateSigningKey, signDraw } from "@randport/randport/signed";
 * import { parseDrawRecords, verifyChain } from "@randport/randport/verify";
 *
 * const { key } = await generateSigningKey();
 * const record = await signDraw({
 *   v: 1, key_id: key.keyId, serial: 1, time: "2026-12-02T00:00:00.000Z",
 *   request: ["RANDINT", "6", "1", "49", "SEED", "hello"],
 *   result: "*6\r\n:35\r\n:16\r\n:27\r\n:37\r\n:25\r\n:40\r\n",
 *   data: "", previous: CHAIN_START,
 * }, key);
 * const exported = JSON.stringify(record) + "\n"; // as a log export writes it
 * const result = await verifyChain(parseDrawRecords(exported), key.publicKey);
 * console.log(result.ok, result.recomputed); // true 1
 * ```
 *
 * @module
 */

export * from "./parse_records.ts";
export * from "./public_key.ts";
export * from "./verify_chain.ts";
export * from "./verify_draw.ts";
export { CHAIN_START, type DrawRecord } from "../signed/draw_record.ts";
export type { DrawProblem } from "../signed/verify_signature.ts";
