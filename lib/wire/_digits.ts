// ASCII decimal digits, four per 32-bit store: the tables and writers
// behind the encoder's number text.
//
// Quotients here and in the encoder avoid `%` (a floating-point fmod in V8
// beyond int32) and stay exact:
// - for integers 0 <= a < 2^53 and b >= 1, Math.floor(a / b) is exact: the
//   rounded quotient could only reach q + 1 if (q + 1) * b > 2^53, and then
//   a = (q + 1) * b - 1 >= 2^53;
// - for a < 2^51, Math.floor((a + 0.5) * (1 / b)) is exact too: (a + 0.5) / b
//   lies at least 0.5 / b from any integer, and the two roundings move it by
//   at most (a + 0.5) / b * 2^-52 < 0.5 / b.

import { MINUS, ZERO } from "./_bytes.ts";

/** Little-endian 32-bit words of the ASCII digits of 0000..9999. */
export const DIGITS4 = new Uint32Array(10000);
/** The same without leading zeros (bytes after the last digit are 0). */
export const LEADING4 = new Uint32Array(10000);
/** How many digits 0..9999 have. */
export const LEADING4_LENGTH = new Uint8Array(10000);
for (let v = 0; v < 10000; v++) {
  const d = [
    Math.floor(v / 1000),
    Math.floor(v / 100) % 10,
    Math.floor(v / 10) % 10,
    v % 10,
  ]
    .map((digit) => ZERO + digit);
  DIGITS4[v] = (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
  const length = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : 4;
  const lead = d.slice(4 - length);
  let word = 0;
  for (let i = 0; i < length; i++) word |= lead[i] << (8 * i);
  LEADING4[v] = word >>> 0;
  LEADING4_LENGTH[v] = length;
}

export function decimalLength(value: number): number {
  let length = value < 0 ? 2 : 1;
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) {
    length++;
  }
  return length;
}

/**
 * Writes `value` (a non-negative integer below 10^8) at `pos`, storing up
 * to 3 bytes past its end. Returns the position after the last digit.
 */
export function writeBelow1e8(
  view: DataView,
  pos: number,
  value: number,
): number {
  // Below 10^8 it is an int32, and V8 divides int32s by a constant with a
  // multiplication, where a floating-point division would stall.
  const v = value | 0;
  if (v < 10000) {
    view.setUint32(pos, LEADING4[v], true);
    return pos + LEADING4_LENGTH[v];
  }
  const high = (v / 10000) | 0;
  view.setUint32(pos, LEADING4[high], true);
  pos += LEADING4_LENGTH[high];
  view.setUint32(pos, DIGITS4[v - high * 10000], true);
  return pos + 4;
}

/**
 * Writes `value` (a safe integer) in ASCII decimal at `pos`, storing up to
 * 3 bytes past its end. Returns the position after the last digit.
 */
export function writeDecimal(
  view: DataView,
  pos: number,
  value: number,
): number {
  if (value < 0) {
    view.setUint8(pos++, MINUS);
    value = -value;
  }
  if (value < 100000000) return writeBelow1e8(view, pos, value);
  // Exact (see the top of this file). The high part is below
  // 2^53 / 10^8 < 10^8, the low part gets its leading zeros.
  const high = Math.floor(value / 100000000);
  const low = (value - high * 100000000) | 0;
  pos = writeBelow1e8(view, pos, high);
  const middle = (low / 10000) | 0;
  view.setUint32(pos, DIGITS4[middle], true);
  view.setUint32(pos + 4, DIGITS4[low - middle * 10000], true);
  return pos + 8;
}
