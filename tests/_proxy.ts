// PROXY protocol v2 headers written by the tests, byte by byte from
// HAProxy's doc/proxy-protocol.txt, independently of lib/transport.

/** The 12-byte v2 signature, "\r\n\r\n\0\r\nQUIT\n". */
export const SIGNATURE = Uint8Array.from(
  "\r\n\r\n\0\r\nQUIT\n",
  (char) => char.charCodeAt(0),
);

/** A v2 header: signature, the two bytes, the length, then `body`. */
export function v2(verCmd: number, fam: number, body: number[]): Uint8Array {
  return Uint8Array.from([
    ...SIGNATURE,
    verCmd,
    fam,
    body.length >> 8,
    body.length & 0xff,
    ...body,
  ]);
}

/** A v2 header: `command` 0 (LOCAL) or 1 (PROXY), over TCP4 or TCP6. */
export function v2Header(
  command: 0 | 1,
  source: { ip: number[]; port: number },
  destination: { ip: number[]; port: number },
): Uint8Array {
  return v2(0x20 | command, source.ip.length === 4 ? 0x11 : 0x21, [
    ...source.ip,
    ...destination.ip,
    source.port >> 8,
    source.port & 0xff,
    destination.port >> 8,
    destination.port & 0xff,
  ]);
}
