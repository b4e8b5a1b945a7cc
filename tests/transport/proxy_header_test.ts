/**
 * PROXY headers (PROTOCOL.md §7, HAProxy's proxy-protocol.txt): v1 lines
 * and v2 binary headers, valid and malformed, cut at every byte, with
 * TLVs and CRC32c checked against an independent bit-by-bit CRC32c, and
 * PROTOCOL.md's own test vectors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import {
  parseProxyHeader,
  type ProxyHeader,
  ProxyHeaderError,
} from "../../lib/transport/mod.ts";
import { SIGNATURE, v2 } from "../_proxy.ts";
import { run } from "../_util.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text: string): Uint8Array {
  return Uint8Array.from(
    text.match(/../g) ?? [],
    (pair) => parseInt(pair, 16),
  );
}

/** CRC32c bit by bit, from RFC 4960 appendix B's definition. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** `v2` with a CRC32c TLV appended and filled in. */
function v2WithCrc(verCmd: number, fam: number, body: number[]): Uint8Array {
  const bytes = v2(verCmd, fam, [...body, 0x03, 0x00, 0x04, 0, 0, 0, 0]);
  const crc = referenceCrc32c(bytes);
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc);
  return bytes;
}

/** TCP4 addresses 192.0.2.1:56324 -> 198.51.100.7:27679. */
const INET_BODY = [
  192,
  0,
  2,
  1,
  198,
  51,
  100,
  7,
  0xdc,
  0x04,
  0x6c,
  0x1f,
];

/** TCP6 addresses [2001:db8::1]:56324 -> [2001:db8::7]:27679. */
const INET6_BODY = [
  ...[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  ...[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7],
  0xdc,
  0x04,
  0x6c,
  0x1f,
];

const TCP4_HEADER: ProxyHeader = {
  version: 2,
  command: "proxy",
  family: "inet",
  protocol: "stream",
  source: { transport: "tcp", hostname: "192.0.2.1", port: 56324 },
  destination: { transport: "tcp", hostname: "198.51.100.7", port: 27679 },
  tlvs: [],
};

function text(line: string): Uint8Array {
  return encoder.encode(line);
}

function parseError(bytes: Uint8Array): string {
  try {
    parseProxyHeader(bytes);
  } catch (error) {
    assert.ok(error instanceof ProxyHeaderError, String(error));
    assert.equal(error.name, "ProxyHeaderError");
    assert.ok(!error.message.includes("\n"), error.message);
    return error.message;
  }
  assert.fail(`no error for ${JSON.stringify(hex(bytes))}`);
}

/** Every proper prefix of a header is incomplete: `undefined`, no error. */
function assertIncompleteUntilEnd(bytes: Uint8Array, length: number): void {
  for (let cut = 0; cut < length; cut++) {
    assert.equal(
      parseProxyHeader(bytes.subarray(0, cut)),
      undefined,
      `cut at ${cut} of ${length}`,
    );
  }
  assert.equal(parseProxyHeader(bytes.subarray(0, length))?.length, length);
}

Deno.test("the test's CRC32c gives RFC 3720's check value", () => {
  assert.equal(referenceCrc32c(text("123456789")), 0xe3069283);
  assert.equal(referenceCrc32c(new Uint8Array(32)), 0x8a9136aa);
});

Deno.test("v1 TCP4: addresses, ports and the length, payload left alone", () => {
  const line = "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\r\n";
  const parsed = parseProxyHeader(text(line + "GET / HTTP/1.1\r\n"));
  assert.deepEqual(parsed, {
    header: {
      version: 1,
      command: "proxy",
      family: "inet",
      protocol: "stream",
      source: { transport: "tcp", hostname: "192.0.2.1", port: 56324 },
      destination: {
        transport: "tcp",
        hostname: "198.51.100.7",
        port: 27679,
      },
      tlvs: [],
    },
    length: 47,
  });
  const extremes = parseProxyHeader(
    text("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"),
  );
  assert.deepEqual(extremes?.header.source, {
    transport: "tcp",
    hostname: "0.0.0.0",
    port: 0,
  });
  assert.deepEqual(extremes?.header.destination, {
    transport: "tcp",
    hostname: "255.255.255.255",
    port: 65535,
  });
  assert.equal(extremes?.length, 44);
});

Deno.test("v1 TCP6: addresses in any inet_pton form, reported as RFC 5952 text", () => {
  const cases: [string, string][] = [
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::1", "::1"],
    ["::", "::"],
    ["fe80:0:0:1:0:0:0:0", "fe80:0:0:1::"],
    ["fe80::1:0:0:0", "fe80::1:0:0:0"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"],
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["::FFFF:C000:0201", "::ffff:192.0.2.1"],
    ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
  ];
  for (const [written, reported] of cases) {
    const line = `PROXY TCP6 ${written} ::1 65535 1\r\n`;
    const parsed = parseProxyHeader(text(line));
    assert.deepEqual(parsed, {
      header: {
        version: 1,
        command: "proxy",
        family: "inet6",
        protocol: "stream",
        source: { transport: "tcp", hostname: reported, port: 65535 },
        destination: { transport: "tcp", hostname: "::1", port: 1 },
        tlvs: [],
      },
      length: line.length,
    }, written);
  }
  const full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  const longest = `PROXY TCP6 ${full} ${full} 65535 65535\r\n`;
  assert.equal(longest.length, 104);
  assert.equal(parseProxyHeader(text(longest))?.length, 104);
});

Deno.test("v1 UNKNOWN: no addresses, and the rest of the line is ignored", () => {
  const unknown: ProxyHeader = {
    version: 1,
    command: "proxy",
    family: "unspec",
    protocol: "unspec",
    tlvs: [],
  };
  assert.deepEqual(parseProxyHeader(text("PROXY UNKNOWN\r\nhello")), {
    header: unknown,
    length: 15,
  });
  const full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  const longest = `PROXY UNKNOWN ${full} ${full} 65535 65535\r\n`;
  assert.equal(longest.length, 107);
  assert.deepEqual(parseProxyHeader(text(longest)), {
    header: unknown,
    length: 107,
  });
  assert.deepEqual(
    parseProxyHeader(text("PROXY UNKNOWN whatever  it is\r\n")),
    {
      header: unknown,
      length: 31,
    },
  );
});

Deno.test("v1 malformed lines: each names the byte or field and what was expected", () => {
  const cases: [string, string][] = [
    [
      "proxy TCP4 192.0.2.1 198.51.100.7 56324 27679\r\n",
      'byte 0 is 0x70 "p": expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
    [
      "PROXy TCP4",
      'byte 4 is 0x79 "y": expected "Y" of a v1 "PROXY " line',
    ],
    [
      "PROXY  TCP4 192.0.2.1 198.51.100.7 56324 27679\r\n",
      'byte 6 is a space: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
    [
      "PROXY tcp4 192.0.2.1 198.51.100.7 56324 27679\r\n",
      'protocol "tcp4" at byte 6: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
    [
      "PROXY UDP4 ",
      'protocol "UDP4" at byte 6: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
    [
      "PROXY TCP4 192.0.2.1  198.51.100.7 56324 27679\r\n",
      "byte 21 is a second space: expected the destination address after exactly one space",
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324  27679\r\n",
      "byte 40 is a second space: expected the destination port after exactly one space",
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679 \r\n",
      "byte 45 is a space after the destination port: expected CRLF",
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679 1\r\n",
      "byte 45 is a space after the destination port: expected CRLF",
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324\r\n",
      "byte 39 is CR: expected a space and the destination port of a TCP4 line",
    ],
    [
      "PROXY TCP4\r\n",
      "byte 10 is CR: expected a space and the source address of a TCP4 line",
    ],
    [
      "PROXY \r\n",
      'byte 6 is CR: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
    [
      "PROXY TCP4 256.0.2.1 198.51.100.7 56324 27679\r\n",
      'source address "256.0.2.1" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP4 192.0.02.1 198.51.100.7 56324 27679\r\n",
      'source address "192.0.02.1" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP4 192.0.2 198.51.100.7 56324 27679\r\n",
      'source address "192.0.2" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP4 ::1 198.51.100.7 56324 27679\r\n",
      'source address "::1" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP6 192.0.2.1 ::1 56324 27679\r\n",
      'source address "192.0.2.1" at byte 11: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCP6 1:::2 ::1 56324 27679\r\n",
      'source address "1:::2" at byte 11: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 56324 27679\r\n",
      'source address "1:2:3:4:5:6:7:8:9" at byte 11: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCP6 ::1 1:2:3:4:5:6:7 56324 27679\r\n",
      'destination address "1:2:3:4:5:6:7" at byte 15: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCP6 ::1 ::12345 56324 27679\r\n",
      'destination address "::12345" at byte 15: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 65536 27679\r\n",
      'source port "65536" at byte 34: expected a port, a decimal integer 0..65535 without sign or leading zeros',
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324 080\r\n",
      'destination port "080" at byte 40: expected a port, a decimal integer 0..65535 without sign or leading zeros',
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 +80 27679\r\n",
      'source port "+80" at byte 34: expected a port, a decimal integer 0..65535 without sign or leading zeros',
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\n",
      "byte 45 is LF without CR before it: expected a v1 line to end with CRLF",
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\rX",
      'byte 46 is 0x58 "X": expected LF after the CR that ends a v1 line',
    ],
    [
      "PROXY UNKNOWN\n",
      "byte 13 is LF without CR before it: expected a v1 line to end with CRLF",
    ],
    [
      "PROXY UNKNOWNS\r\n",
      'protocol "UNKNOWNS" at byte 6: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
    [
      `PROXY UNKNOWN ${"x".repeat(93)}`,
      "no CRLF in the first 107 bytes: expected a v1 line of at most 107 bytes",
    ],
    [
      `PROXY UNKNOWN ${"x".repeat(92)}\r\n`,
      "no CRLF in the first 107 bytes: expected a v1 line of at most 107 bytes",
    ],
  ];
  for (const [line, message] of cases) {
    assert.equal(parseError(text(line)), message, JSON.stringify(line));
  }
  // 106 bytes without CR can still become a 107-byte line.
  assert.equal(
    parseProxyHeader(text(`PROXY UNKNOWN ${"x".repeat(92)}`)),
    undefined,
  );
});

Deno.test("v1: a bad field is refused before the line ends", () => {
  const cases: [string, string][] = [
    [
      "PROXY TCP4 1a",
      'source address "1a" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP4 192.0.2.1 198.51.100.7 5632x",
      'source port "5632x" at byte 34: expected a port, a decimal integer 0..65535 without sign or leading zeros',
    ],
    [
      "PROXY TCP4 300.0.0.1 ",
      'source address "300.0.0.1" at byte 11: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros',
    ],
    [
      "PROXY TCP6 ::g",
      'source address "::g" at byte 11: expected an IPv6 address for TCP6',
    ],
    [
      "PROXY TCPX",
      'protocol "TCPX" at byte 6: expected TCP4, TCP6 or UNKNOWN after "PROXY "',
    ],
  ];
  for (const [line, message] of cases) {
    assert.equal(parseError(text(line)), message, JSON.stringify(line));
  }
});

Deno.test("v1 cut at every byte is incomplete, not an error", () => {
  const lines = [
    "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\r\n",
    "PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 0 65535\r\n",
    "PROXY UNKNOWN\r\n",
    "PROXY UNKNOWN 1 2 3 4\r\n",
  ];
  for (const line of lines) {
    assertIncompleteUntilEnd(text(line + "payload"), line.length);
  }
});

Deno.test("v2 LOCAL: no addresses, whatever its family says", () => {
  assert.deepEqual(parseProxyHeader(v2(0x20, 0x00, [])), {
    header: {
      version: 2,
      command: "local",
      family: "unspec",
      protocol: "unspec",
      tlvs: [],
    },
    length: 16,
  });
  // A LOCAL header may carry addresses; they are skipped, TLVs still read.
  const parsed = parseProxyHeader(
    v2(0x20, 0x11, [...INET_BODY, 0x04, 0x00, 0x01, 0xaa]),
  );
  assert.deepEqual(parsed, {
    header: {
      version: 2,
      command: "local",
      family: "inet",
      protocol: "stream",
      tlvs: [{ type: 0x04, value: Uint8Array.of(0xaa) }],
    },
    length: 32,
  });
});

Deno.test("v2 PROXY TCP4 and TCP6: addresses and ports, payload left alone", () => {
  const tcp4 = v2(0x21, 0x11, INET_BODY);
  const withPayload = Uint8Array.from([...tcp4, ...text("hello")]);
  assert.deepEqual(parseProxyHeader(withPayload), {
    header: TCP4_HEADER,
    length: 28,
  });
  assert.deepEqual(parseProxyHeader(v2(0x21, 0x21, INET6_BODY)), {
    header: {
      version: 2,
      command: "proxy",
      family: "inet6",
      protocol: "stream",
      source: { transport: "tcp", hostname: "2001:db8::1", port: 56324 },
      destination: {
        transport: "tcp",
        hostname: "2001:db8::7",
        port: 27679,
      },
      tlvs: [],
    },
    length: 52,
  });
  const mapped = [...new Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1];
  const parsed = parseProxyHeader(
    v2(0x21, 0x21, [...mapped, ...mapped, 0, 80, 0, 81]),
  );
  assert.deepEqual(parsed?.header.source, {
    transport: "tcp",
    hostname: "::ffff:10.0.0.1",
    port: 80,
  });
});

Deno.test("v2 PROXY over UDP, UNIX sockets or unspecified: accepted, no addresses", () => {
  const cases: [
    number,
    number[],
    ProxyHeader["family"],
    ProxyHeader["protocol"],
  ][] = [
    [0x12, INET_BODY, "inet", "dgram"],
    [0x22, INET6_BODY, "inet6", "dgram"],
    [0x31, new Array(216).fill(0x41), "unix", "stream"],
    [0x32, new Array(216).fill(0x41), "unix", "dgram"],
    [0x00, [], "unspec", "unspec"],
    [0x10, [], "inet", "unspec"],
    [0x01, [], "unspec", "stream"],
  ];
  for (const [fam, body, family, protocol] of cases) {
    assert.deepEqual(parseProxyHeader(v2(0x21, fam, body)), {
      header: { version: 2, command: "proxy", family, protocol, tlvs: [] },
      length: 16 + body.length,
    }, `family and protocol 0x${fam.toString(16)}`);
  }
});

Deno.test("v2 TLVs: listed in order with their values, empty ones too", () => {
  const tlvs = [
    ...[0x01, 0x00, 0x02, ...text("h2")],
    ...[0x02, 0x00, 0x0b, ...text("example.com")],
    ...[0x04, 0x00, 0x00],
    ...[0xe0, 0x00, 0x03, 1, 2, 3],
  ];
  const parsed = parseProxyHeader(v2(0x21, 0x11, [...INET_BODY, ...tlvs]));
  assert.deepEqual(parsed, {
    header: {
      ...TCP4_HEADER,
      tlvs: [
        { type: 0x01, value: text("h2") },
        { type: 0x02, value: text("example.com") },
        { type: 0x04, value: new Uint8Array(0) },
        { type: 0xe0, value: Uint8Array.of(1, 2, 3) },
      ],
    },
    length: 16 + 12 + tlvs.length,
  });
  // After an unspecified family, TLVs start at byte 16.
  const local = parseProxyHeader(v2(0x20, 0x00, [0x05, 0x00, 0x01, 0x7a]));
  assert.deepEqual(local?.header.tlvs, [
    { type: 0x05, value: Uint8Array.of(0x7a) },
  ]);
});

Deno.test("v2 TLVs that do not fill the length exactly are refused", () => {
  const cases: [number[], string][] = [
    [
      [0x01],
      "byte 28 starts a TLV with 1 bytes left in the header: expected at least 3 (type and length)",
    ],
    [
      [0x01, 0x00],
      "byte 28 starts a TLV with 2 bytes left in the header: expected at least 3 (type and length)",
    ],
    [
      [0x01, 0x00, 0x03, 0x61, 0x62],
      "TLV 0x01 at byte 28 has length 3: expected at most 2, the bytes left in the header",
    ],
    [
      [0x04, 0x00, 0x00, 0x02, 0xff, 0xff],
      "TLV 0x02 at byte 31 has length 65535: expected at most 0, the bytes left in the header",
    ],
  ];
  for (const [tlvs, message] of cases) {
    assert.equal(parseError(v2(0x21, 0x11, [...INET_BODY, ...tlvs])), message);
  }
});

Deno.test("v2 CRC32c: a right checksum passes, a wrong one is refused", () => {
  const good = v2WithCrc(0x21, 0x11, INET_BODY);
  const crc = new DataView(good.buffer).getUint32(good.length - 4);
  assert.deepEqual(parseProxyHeader(good), {
    header: {
      ...TCP4_HEADER,
      tlvs: [{ type: 0x03, value: good.slice(-4) }],
    },
    length: 35,
  });
  const local = v2WithCrc(0x20, 0x00, [0x04, 0x00, 0x01, 0x00]);
  assert.equal(parseProxyHeader(local)?.header.command, "local");

  // One address bit changed after the checksum was made.
  const tampered = good.slice();
  tampered[16] ^= 0x01;
  const expected = referenceCrc32c(
    Uint8Array.from([...tampered.subarray(0, 31), 0, 0, 0, 0]),
  );
  const show = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
  assert.equal(
    parseError(tampered),
    `CRC32c TLV at byte 28 is ${show(crc)}: expected ${
      show(expected)
    }, the header's checksum`,
  );
  // The checksum itself changed.
  const wrong = good.slice();
  wrong[34] ^= 0x80;
  assert.equal(
    parseError(wrong),
    `CRC32c TLV at byte 28 is ${show(crc ^ 0x80)}: expected ${
      show(crc)
    }, the header's checksum`,
  );
  assert.equal(
    parseError(v2(0x21, 0x11, [...INET_BODY, 0x03, 0x00, 0x02, 0, 0])),
    "CRC32c TLV at byte 28 has length 2: expected 4",
  );
  const twice = v2WithCrc(0x21, 0x11, [
    ...INET_BODY,
    ...[0x03, 0x00, 0x04, 0, 0, 0, 0],
  ]);
  assert.equal(
    parseError(twice),
    "CRC32c TLV at byte 35 is the second one: expected at most one",
  );
});

Deno.test("v2 cut at every byte is incomplete, not an error", () => {
  const headers = [
    v2(0x20, 0x00, []),
    v2(0x21, 0x11, INET_BODY),
    v2(0x21, 0x21, INET6_BODY),
    v2WithCrc(0x21, 0x11, [...INET_BODY, 0x01, 0x00, 0x02, 0x68, 0x32]),
    v2(0x21, 0x31, new Array(216).fill(0)),
  ];
  for (const header of headers) {
    const bytes = Uint8Array.from([...header, ...text("payload")]);
    assertIncompleteUntilEnd(bytes, header.length);
  }
});

Deno.test("v2 bad version, command, family, protocol or length", () => {
  const cases: [Uint8Array, string][] = [
    [
      v2(0x11, 0x11, INET_BODY),
      "byte 12 is 0x11: expected version 2 in its high 4 bits, got 1",
    ],
    [
      v2(0x31, 0x11, INET_BODY),
      'byte 12 is 0x31 "1": expected version 2 in its high 4 bits, got 3',
    ],
    [
      v2(0x22, 0x11, INET_BODY),
      'byte 12 is 0x22 "\\"": expected command LOCAL (0x20) or PROXY (0x21)',
    ],
    [
      v2(0x2f, 0x11, INET_BODY),
      'byte 12 is 0x2F "/": expected command LOCAL (0x20) or PROXY (0x21)',
    ],
    [
      v2(0x21, 0x41, INET_BODY),
      'byte 13 is 0x41 "A": expected address family 0 (UNSPEC), 1 (INET), 2 (INET6) or 3 (UNIX) in its high 4 bits',
    ],
    [
      v2(0x21, 0x13, INET_BODY),
      "byte 13 is 0x13: expected protocol 0 (UNSPEC), 1 (STREAM) or 2 (DGRAM) in its low 4 bits",
    ],
    [
      v2(0x21, 0x11, INET_BODY.slice(0, 11)),
      "bytes 14-15 give a length of 11: expected at least 12 for the addresses of family and protocol 0x11",
    ],
    [
      v2(0x21, 0x21, INET6_BODY.slice(0, 35)),
      'bytes 14-15 give a length of 35: expected at least 36 for the addresses of family and protocol 0x21 "!"',
    ],
    [
      v2(0x21, 0x31, new Array(215).fill(0)),
      'bytes 14-15 give a length of 215: expected at least 216 for the addresses of family and protocol 0x31 "1"',
    ],
    [
      v2(0x21, 0x12, []),
      "bytes 14-15 give a length of 0: expected at least 12 for the addresses of family and protocol 0x12",
    ],
  ];
  // LOCAL ignores its family (the specification): a block too short for
  // it is discarded, not refused.
  for (const family of [0x11, 0x12, 0x21, 0x31]) {
    const parsed = parseProxyHeader(v2(0x20, family, []));
    assert.equal(parsed?.header.command, "local", hex(Uint8Array.of(family)));
    assert.deepEqual(parsed?.header.tlvs, []);
    assert.equal(parsed?.length, 16);
  }
  for (const [bytes, message] of cases) {
    assert.equal(parseError(bytes), message, hex(bytes.subarray(12, 16)));
    // Refused from the first 16 bytes, before the rest arrives.
    assert.equal(parseError(bytes.subarray(0, 16)), message);
  }
  // The signature itself, at each byte.
  for (let i = 1; i < 12; i++) {
    const bytes = Uint8Array.from(SIGNATURE);
    bytes[i] ^= 0x40;
    assert.match(
      parseError(bytes.subarray(0, i + 1)),
      new RegExp(
        `^byte ${i} is 0x[0-9A-F]{2}.*: expected 0x[0-9A-F]{2}.* of the v2 signature$`,
      ),
    );
  }
});

Deno.test("maxLength: a longer v2 header is refused from its length field", () => {
  const header = v2(0x21, 0x11, [
    ...INET_BODY,
    0x04,
    0x00,
    0x10,
    ...new Array(16).fill(0),
  ]);
  assert.equal(header.length, 47);
  assert.equal(parseProxyHeader(header, { maxLength: 47 })?.length, 47);
  assert.throws(
    () => parseProxyHeader(header.subarray(0, 16), { maxLength: 46 }),
    (error) =>
      error instanceof ProxyHeaderError &&
      error.message ===
        "bytes 14-15 give a length of 31: expected at most 30 (a header of at most 46 bytes)",
  );
  const full = v2(0x21, 0x00, new Array(0xffff).fill(0x04));
  // 63 TLVs of type 4 and 1028 (0x0404) bytes, then one that overruns.
  assert.equal(
    parseError(full),
    "TLV 0x04 at byte 64969 has length 1028: expected at most 579, the bytes left in the header",
  );
  const noops: number[] = [];
  while (noops.length + 3 <= 0xffff) {
    const size = Math.min(0xffff - noops.length - 3, 1000);
    noops.push(0x04, size >> 8, size & 0xff, ...new Array(size).fill(0));
  }
  assert.equal(noops.length, 0xffff);
  assert.equal(parseProxyHeader(v2(0x21, 0x00, noops))?.length, 16 + 0xffff);
  // v1 lines obey a smaller maxLength too.
  assert.equal(
    parseProxyHeader(text("PROXY UNKNOWN\r\n"), { maxLength: 20 })?.length,
    15,
  );
  assert.throws(
    () => parseProxyHeader(text("PROXY UNKNOWN 123456"), { maxLength: 20 }),
    (error) =>
      error instanceof ProxyHeaderError &&
      error.message ===
        "no CRLF in the first 20 bytes: expected a v1 line of at most 20 bytes",
  );
});

Deno.test("maxLength must be an integer from 16 to 65551", () => {
  for (const maxLength of [15, 65552, 1.5, NaN]) {
    assert.throws(
      () => parseProxyHeader(new Uint8Array(0), { maxLength }),
      (error) => error instanceof OptionError && error.field === "maxLength",
    );
  }
});

Deno.test("early rejection: HTTP, TLS and SSH fail on their first byte", () => {
  const starts: [Uint8Array, string][] = [
    [
      text("GET / HTTP/1.1\r\n"),
      'byte 0 is 0x47 "G": expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
    [
      Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00),
      'byte 0 is 0x16: expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
    [
      text("SSH-2.0-OpenSSH_9.6\r\n"),
      'byte 0 is 0x53 "S": expected "P" (v1) or 0x0D (v2) to start a PROXY header',
    ],
  ];
  for (const [bytes, message] of starts) {
    assert.equal(parseError(bytes.subarray(0, 1)), message);
    assert.equal(parseError(bytes), message);
  }
  // "POST" and "PUT" share the "P": the second byte settles it.
  assert.equal(parseProxyHeader(text("P")), undefined);
  assert.equal(
    parseError(text("PO")),
    'byte 1 is 0x4F "O": expected "R" of a v1 "PROXY " line',
  );
  assert.equal(
    parseError(text("PUT / HTTP/1.1\r\n")),
    'byte 1 is 0x55 "U": expected "R" of a v1 "PROXY " line',
  );
  // A bare CRLF line starts like the v2 signature, and fails at byte 4.
  assert.equal(
    parseError(text("\r\n\r\nGET")),
    'byte 4 is 0x47 "G": expected 0x00 of the v2 signature',
  );
});

/** PROTOCOL.md §7's vectors, as the document lists them. */
const VECTORS: [string, string][] = [
  [
    "0d0a0d0a000d0a515549540a2111000cc0000201c6336407dc046c1f",
    "PROXY 192.0.2.1:56324 198.51.100.7:27679",
  ],
  [
    "0d0a0d0a000d0a515549540a21110013c0000201c6336407dc046c1f030004651198f6",
    "PROXY 192.0.2.1:56324 198.51.100.7:27679 TLV 03:651198f6",
  ],
  [
    "0d0a0d0a000d0a515549540a2121002420010db800000000000000000000000120010db8000000000000000000000007dc046c1f",
    "PROXY [2001:db8::1]:56324 [2001:db8::7]:27679",
  ],
  ["0d0a0d0a000d0a515549540a20000000", "LOCAL"],
];

/** A header in the words of PROTOCOL.md's vector lines. */
function describe(header: ProxyHeader): string {
  const addr = (a: Deno.NetAddr) =>
    a.hostname.includes(":")
      ? `[${a.hostname}]:${a.port}`
      : `${a.hostname}:${a.port}`;
  const words = [header.command.toUpperCase()];
  if (header.source && header.destination) {
    words.push(addr(header.source), addr(header.destination));
  }
  for (const tlv of header.tlvs) {
    words.push(
      `TLV ${tlv.type.toString(16).padStart(2, "0")}:${hex(tlv.value)}`,
    );
  }
  return words.join(" ");
}

Deno.test("the test vectors are the headers they say, built here independently", () => {
  const built = [
    v2(0x21, 0x11, INET_BODY),
    v2WithCrc(0x21, 0x11, INET_BODY),
    v2(0x21, 0x21, INET6_BODY),
    v2(0x20, 0x00, []),
  ];
  assert.deepEqual(built.map(hex), VECTORS.map(([vector]) => vector));
  for (const [vector, meaning] of VECTORS) {
    const bytes = unhex(vector);
    const parsed = parseProxyHeader(bytes);
    assert.equal(parsed?.length, bytes.length, vector);
    assert.equal(describe(parsed.header), meaning);
  }
});

Deno.test("PROTOCOL.md's PROXY header vectors are the test's", async () => {
  // The tests may run programs but not read files: cat reads it.
  const file = await run("cat", [`${ROOT}PROTOCOL.md`]);
  assert.equal(file.code, 0, file.stderr);
  const block = /<!-- proxy header vectors -->\n+```text\n([\s\S]*?)```/.exec(
    file.stdout,
  );
  assert.ok(block, "PROTOCOL.md has a proxy header vectors block");
  const listed = block[1].trim().split("\n").map((line) => {
    const [vector, meaning] = line.split(" -> ");
    return [vector, meaning] as [string, string];
  });
  assert.deepEqual(listed, VECTORS);
  const v1 = /<!-- proxy v1 example -->\n+```text\n([\s\S]*?)```/.exec(
    file.stdout,
  );
  assert.ok(v1, "PROTOCOL.md has a v1 example block");
  const line = v1[1].replace(/\n$/, "").replace(/\\r\\n$/, "\r\n");
  assert.equal(
    describe(parseProxyHeader(text(line))!.header),
    "PROXY 192.0.2.1:56324 198.51.100.7:27679",
  );
});
