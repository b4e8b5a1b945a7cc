/**
 * IP addresses as text and as bytes, read strictly: the PROXY v1 line and
 * the trusted-proxy list both take addresses from outside, where a loose
 * reading (octal-looking `010.0.0.1`, `127.1`) would let one address pass
 * for another.
 *
 * @module
 */

/**
 * Reads a dotted-quad IPv4 address: four decimal numbers 0..255, one dot
 * between each, no leading zeros (which some readers take for octal).
 *
 * @param text The address.
 * @returns Its 4 bytes, or `undefined` when it is not one.
 */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

/**
 * Reads an IPv6 address as `inet_pton` does (what PROXY senders write with
 * `inet_ntop`): groups of 1 to 4 hex digits in either case, at most one
 * `::`, and optionally a dotted quad (read as {@linkcode parseIPv4} does)
 * in place of the last two groups. No zone (`%eth0`), no brackets.
 *
 * @param text The address.
 * @returns Its 16 bytes, or `undefined` when it is not one.
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  // The longest form: six full groups and a dotted quad.
  if (text.length < 2 || text.length > 45) return undefined;
  const gap = text.indexOf("::");
  if (gap !== -1 && text.indexOf("::", gap + 1) !== -1) return undefined;
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? "" : text.slice(gap + 2);
  // Only the address's last piece may be a dotted quad.
  const before = groups(head, gap === -1);
  const after = groups(tail, true);
  if (before === undefined || after === undefined) return undefined;
  const count = before.length + after.length;
  if (gap === -1 ? count !== 8 : count > 7) return undefined;
  const words = [
    ...before,
    ...new Array<number>(8 - count).fill(0),
    ...after,
  ];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[2 * i] = words[i] >> 8;
    bytes[2 * i + 1] = words[i] & 0xff;
  }
  return bytes;
}

/** The 16-bit groups of one side of `::`, or `undefined`. */
function groups(part: string, quadLast: boolean): number[] | undefined {
  if (part === "") return [];
  const pieces = part.split(":");
  const words: number[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (quadLast && i === pieces.length - 1 && piece.includes(".")) {
      const quad = parseIPv4(piece);
      if (quad === undefined) return undefined;
      words.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
      words.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

/**
 * Writes 4 bytes as a dotted quad.
 *
 * @param bytes The address (the first 4 bytes are read).
 * @returns `a.b.c.d`.
 */
export function formatIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/**
 * Writes 16 bytes as RFC 5952 text, the form Deno reports in `remoteAddr`:
 * lowercase, no leading zeros, the longest run of two or more zero groups
 * (the first of equals) as `::`, and IPv4-mapped addresses as
 * `::ffff:a.b.c.d`.
 *
 * @param bytes The address (the first 16 bytes are read).
 * @returns The text.
 */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) {
    words.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  }
  if (words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.subarray(12))}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${
    hex.slice(bestStart + bestLength).join(":")
  }`;
}
