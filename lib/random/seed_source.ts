/**
 * The word source of a `SEED` draw (PROTOCOL.md §5.4): the ChaCha20
 * keystream under a key hashed from the seed, so that anyone can recompute
 * a seeded draw from the seed alone, with Web Crypto and RFC 8439.
 *
 * @module
 */

import { ChaCha20Source } from "./chacha20_source.ts";

/**
 * What the seed's UTF-8 bytes are prefixed with before hashing: it keeps
 * randport's keys apart from other uses of the same seed, and names the
 * version of the derivation.
 *
 * @example Usage
 * ```ts
 * import { SEED_KEY_PREFIX } from "@randport/randport/random";
 *
 * console.log(SEED_KEY_PREFIX); // "randport-seed-v1"
 * ```
 */
export const SEED_KEY_PREFIX = "randport-seed-v1";

/**
 * The 32-byte key of a seed: SHA-256 of the UTF-8 bytes of
 * {@linkcode SEED_KEY_PREFIX} followed by the seed's bytes (its UTF-8 bytes,
 * for a string).
 *
 * @example Usage
 * ```ts
 * import { seedKey } from "@randport/randport/random";
 *
 * const key = await seedKey("beacon 42");
 * console.log(key.length); // 32
 * ```
 *
 * @param seed Any string, or bytes.
 * @returns The key.
 */
export async function seedKey(seed: string | Uint8Array): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const prefix = encoder.encode(SEED_KEY_PREFIX);
  const body = typeof seed === "string" ? encoder.encode(seed) : seed;
  const bytes = new Uint8Array(prefix.length + body.length);
  bytes.set(prefix);
  bytes.set(body, prefix.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * The word source of a seed: ChaCha20 under {@linkcode seedKey}, with a
 * zero nonce and the block counter from 0.
 *
 * @example Usage
 * ```ts
 * import { randomBelow, seedSource } from "@randport/randport/random";
 *
 * const a = randomBelow(49, { source: await seedSource("draw 7") });
 * const b = randomBelow(49, { source: await seedSource("draw 7") });
 * console.log(a === b); // true
 * ```
 *
 * @param seed Any string, or bytes.
 * @returns A fresh source at the start of the seed's keystream.
 */
export async function seedSource(
  seed: string | Uint8Array,
): Promise<ChaCha20Source> {
  return new ChaCha20Source(await seedKey(seed));
}
