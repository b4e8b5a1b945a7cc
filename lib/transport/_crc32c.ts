/**
 * CRC32c (Castagnoli), the checksum a PROXY v2 header may carry in its
 * `PP2_TYPE_CRC32C` TLV (RFC 4960 appendix B).
 *
 * @module
 */

/** The reflected Castagnoli polynomial 0x1EDC6F41. */
const POLYNOMIAL = 0x82f63b78;

const TABLE = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    }
    table[n] = crc;
  }
  return table;
}

/**
 * The CRC32c of some bytes.
 *
 * @param bytes The bytes.
 * @returns The checksum, an unsigned 32-bit integer.
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
