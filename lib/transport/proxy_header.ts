/**
 * The PROXY protocol header (HAProxy's `doc/proxy-protocol.txt`), versions
 * 1 and 2, read from the first bytes of a connection: what a load balancer
 * in front of the server says about the client it relays.
 *
 * @module
 */

import { checkInteger } from "../errors/option_error.ts";
import { crc32c } from "./_crc32c.ts";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "./_ip_address.ts";

/**
 * A PROXY header that breaks the specification, or one that could not be
 * read (late, cut short, from an address that may not send one). Its
 * message is one line naming the byte or field at fault and what was
 * expected there.
 *
 * @example Usage
 * ```ts
 * import { parseProxyHeader, ProxyHeaderError } from "@randport/randport/transport";
 *
 * try {
 *   parseProxyHeader(new TextEncoder().encode("GET / HTTP/1.1\r\n"));
 * } catch (error) {
 *   if (error instanceof ProxyHeaderError) console.log(error.message);
 *   // 'byte 0 is 0x47 "G": expected "P" (v1) or 0x0D (v2) to start a PROXY header'
 * }
 * ```
 */
export class ProxyHeaderError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong and what was expected, in one line.
   * @param options The underlying error, as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProxyHeaderError";
  }
}

/**
 * One type-length-value field of a v2 header (`PP2_TYPE_ALPN` 0x01,
 * `PP2_TYPE_AUTHORITY` 0x02, `PP2_TYPE_CRC32C` 0x03, ...), as sent.
 */
export interface ProxyTlv {
  /** The type byte. */
  readonly type: number;
  /** The value's bytes (a copy). */
  readonly value: Uint8Array;
}

/**
 * What a PROXY header says.
 *
 * `source` and `destination` are there only for a `proxy` command over TCP
 * (v1 `TCP4`/`TCP6`, v2 family and protocol `0x11`/`0x21`). For v1
 * `UNKNOWN`, v2 `LOCAL`, and v2 `proxy` with UDP, UNIX-socket or
 * unspecified addresses, they are left out: the specification has the
 * receiver fall back to the connection's own addresses then.
 */
export interface ProxyHeader {
  /** 1 for the text line, 2 for the binary header. */
  readonly version: 1 | 2;
  /**
   * `proxy`: relayed for the client named in `source`. `local`: the
   * proxy's own connection (a health check); v1 has no such command, so
   * it is always `proxy` there.
   */
  readonly command: "proxy" | "local";
  /** The address family the header declares (v1 `UNKNOWN`: `unspec`). */
  readonly family: "inet" | "inet6" | "unix" | "unspec";
  /** The transport protocol it declares (v1 `UNKNOWN`: `unspec`). */
  readonly protocol: "stream" | "dgram" | "unspec";
  /** The client's address, for a `proxy` command over TCP. */
  readonly source?: Deno.NetAddr;
  /** The address the client connected to, for a `proxy` command over TCP. */
  readonly destination?: Deno.NetAddr;
  /** The v2 TLVs in order (empty for v1), the CRC32c one verified. */
  readonly tlvs: readonly ProxyTlv[];
}

/** A whole header, and how many bytes of the input it took. */
export interface ParsedProxyHeader {
  /** What it says. */
  header: ProxyHeader;
  /** Its length in bytes: the connection's own bytes start there. */
  length: number;
}

/** Options for {@linkcode parseProxyHeader}. */
export interface ParseProxyHeaderOptions {
  /**
   * The longest header accepted, in bytes, from 16 to 65551. A v2 header
   * that declares more is refused as soon as its length field arrives; v1
   * lines are at most 107 bytes by the specification, and at most this.
   *
   * @default {65551}
   */
  maxLength?: number;
}

/** A v2 header's 16 fixed bytes plus the largest 16-bit length. */
const V2_MAX_LENGTH = 16 + 0xffff;
/** A v1 line's longest form: `UNKNOWN` with two full IPv6 addresses. */
const V1_MAX_LENGTH = 107;

const CR = 0x0d;
const LF = 0x0a;
const V1_PREFIX = new TextEncoder().encode("PROXY ");
const V2_SIGNATURE = Uint8Array.of(
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
);
const PP2_TYPE_CRC32C = 0x03;

const FAMILIES = ["unspec", "inet", "inet6", "unix"] as const;
const PROTOCOLS = ["unspec", "stream", "dgram"] as const;
/** The address block's length for each family (when the protocol is set). */
const ADDRESS_LENGTHS = [0, 12, 36, 216];

/**
 * Reads a PROXY header, v1 or v2, from the start of a connection's bytes.
 *
 * It answers as early as the bytes allow: `undefined` while what arrived
 * can still become a valid header, and a {@linkcode ProxyHeaderError} from
 * the first byte that cannot (a client that starts with `GET /` or a TLS
 * ClientHello fails on its first byte, not after a timeout). Call it again
 * with more bytes (all of them from the start) until it returns a header.
 *
 * v1 is read strictly: `PROXY`, then `TCP4`, `TCP6` or `UNKNOWN`, one space
 * before each field, addresses of the declared family (IPv4 without
 * leading zeros; IPv6 as `inet_pton` reads it), ports 0..65535 without
 * leading zeros or sign, `\r\n` within 107 bytes; after `UNKNOWN` anything
 * up to the `\r\n` is ignored. v2 needs version 2, command LOCAL or PROXY,
 * a known family and protocol, a length that holds the family's addresses,
 * TLVs that fill the rest exactly, and, when a CRC32c TLV is there (at most
 * one), a matching checksum.
 *
 * @example Usage
 * ```ts
 * import { parseProxyHeader } from "@randport/randport/transport";
 *
 * const bytes = new TextEncoder().encode(
 *   "PROXY TCP4 192.0.2.1 198.51.100.7 56324 27679\r\nhello",
 * );
 * const parsed = parseProxyHeader(bytes);
 * console.log(parsed?.length); // 47
 * console.log(parsed?.header.source); // { transport: "tcp", hostname: "192.0.2.1", port: 56324 }
 * console.log(parseProxyHeader(bytes.subarray(0, 20))); // undefined: more is needed
 * ```
 *
 * @param bytes The connection's first bytes, from its very first.
 * @param options The longest header accepted.
 * @returns The header and its length, or `undefined` when more bytes are
 * needed to tell.
 * @throws {ProxyHeaderError} When the bytes cannot be (the start of) a
 * valid header.
 * @throws {OptionError} When `maxLength` is not an integer from 16 to 65551.
 */
export function parseProxyHeader(
  bytes: Uint8Array,
  options: ParseProxyHeaderOptions = {},
): ParsedProxyHeader | undefined {
  const maxLength = checkInteger(
    "maxLength",
    options.maxLength ?? V2_MAX_LENGTH,
    { min: 16, max: V2_MAX_LENGTH },
  );
  if (bytes.length === 0) return undefined;
  if (bytes[0] === V1_PREFIX[0]) {
    return parseV1(bytes, Math.min(V1_MAX_LENGTH, maxLength));
  }
  if (bytes[0] === V2_SIGNATURE[0]) return parseV2(bytes, maxLength);
  throw new ProxyHeaderError(
    `byte 0 is ${
      describeByte(bytes[0])
    }: expected "P" (v1) or 0x0D (v2) to start a PROXY header`,
  );
}

/** `0x47 "G"` for printable ASCII, `0x16` otherwise. */
function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  return byte >= 0x21 && byte <= 0x7e
    ? `${hex} ${JSON.stringify(String.fromCharCode(byte))}`
    : byte === 0x20
    ? `${hex} (space)`
    : hex;
}

function parseV1(
  bytes: Uint8Array,
  limit: number,
): ParsedProxyHeader | undefined {
  const prefix = Math.min(bytes.length, V1_PREFIX.length);
  for (let i = 0; i < prefix; i++) {
    if (bytes[i] !== V1_PREFIX[i]) {
      throw new ProxyHeaderError(
        `byte ${i} is ${describeByte(bytes[i])}: expected ${
          JSON.stringify(String.fromCharCode(V1_PREFIX[i]))
        } of a v1 "PROXY " line`,
      );
    }
  }
  // The line ends at its first CR, which must be followed by LF; a bare LF
  // is no line end (the specification forbids tolerating one).
  const scan = Math.min(bytes.length, limit);
  let end = -1;
  for (let i = prefix; i < scan; i++) {
    if (bytes[i] === LF) {
      throw new ProxyHeaderError(
        `byte ${i} is LF without CR before it: expected a v1 line to end with CRLF`,
      );
    }
    if (bytes[i] === CR) {
      end = i;
      break;
    }
  }
  if (end === -1 || end + 2 > limit) {
    if (end !== -1 || bytes.length >= limit) {
      throw new ProxyHeaderError(
        `no CRLF in the first ${limit} bytes: expected a v1 line of at most ${limit} bytes`,
      );
    }
    // Reject a bad field now rather than when the line is complete.
    readV1Fields(bytes, bytes.length, false);
    return undefined;
  }
  const header = readV1Fields(bytes, end, true);
  if (end + 1 === bytes.length) return undefined;
  if (bytes[end + 1] !== LF) {
    throw new ProxyHeaderError(
      `byte ${end + 1} is ${
        describeByte(bytes[end + 1])
      }: expected LF after the CR that ends a v1 line`,
    );
  }
  return { header: header!, length: end + 2 };
}

const V1_FIELDS = [
  "source address",
  "destination address",
  "source port",
  "destination port",
];

/**
 * Checks a v1 line's fields, from after `PROXY ` to `stop` (the CR when
 * `complete`); an incomplete last field is only checked to be a possible
 * start of one.
 */
function readV1Fields(
  bytes: Uint8Array,
  stop: number,
  complete: boolean,
): ProxyHeader | undefined {
  const start = V1_PREFIX.length;
  // Latin-1: one character per byte, so offsets stay byte offsets.
  let text = "";
  for (let i = start; i < stop; i++) text += String.fromCharCode(bytes[i]);
  const space = text.indexOf(" ");
  const name = space === -1 ? text : text.slice(0, space);
  const known = ["TCP4", "TCP6", "UNKNOWN"];
  if (space === -1 && !complete) {
    if (!known.some((k) => k.startsWith(name))) throw badProtocol(name);
    return undefined;
  }
  if (name === "") {
    throw new ProxyHeaderError(
      `byte ${start} is ${
        complete && stop === start ? "CR" : "a space"
      }: expected TCP4, TCP6 or UNKNOWN after "PROXY "`,
    );
  }
  if (!known.includes(name)) throw badProtocol(name);
  if (name === "UNKNOWN") {
    // The specification has the receiver ignore the rest of the line.
    return complete
      ? {
        version: 1,
        command: "proxy",
        family: "unspec",
        protocol: "unspec",
        tlvs: [],
      }
      : undefined;
  }
  const fields = space === -1 ? [] : text.slice(space + 1).split(" ");
  let offset = start + name.length + 1;
  const values: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const partial = !complete && i === fields.length - 1;
    if (i >= V1_FIELDS.length) {
      throw new ProxyHeaderError(
        `byte ${
          offset - 1
        } is a space after the destination port: expected CRLF`,
      );
    }
    if (field === "" && !partial) {
      throw new ProxyHeaderError(
        i === fields.length - 1
          ? `byte ${offset} is CR: expected the ${V1_FIELDS[i]} after the space`
          : `byte ${offset} is a second space: expected the ${
            V1_FIELDS[i]
          } after exactly one space`,
      );
    }
    checkV1Field(name, i, field, offset, partial);
    values.push(field);
    offset += field.length + 1;
  }
  if (!complete) return undefined;
  if (values.length < V1_FIELDS.length) {
    throw new ProxyHeaderError(
      `byte ${stop} is CR: expected a space and the ${
        V1_FIELDS[values.length]
      } of a ${name} line`,
    );
  }
  const hostname = (text: string) =>
    name === "TCP4" ? text : formatIPv6(parseIPv6(text)!);
  return {
    version: 1,
    command: "proxy",
    family: name === "TCP4" ? "inet" : "inet6",
    protocol: "stream",
    source: {
      transport: "tcp",
      hostname: hostname(values[0]),
      port: Number(values[2]),
    },
    destination: {
      transport: "tcp",
      hostname: hostname(values[1]),
      port: Number(values[3]),
    },
    tlvs: [],
  };
}

function badProtocol(name: string): ProxyHeaderError {
  return new ProxyHeaderError(
    `protocol ${
      JSON.stringify(name)
    } at byte 6: expected TCP4, TCP6 or UNKNOWN after "PROXY "`,
  );
}

/** Checks one v1 field, or when `partial` that it can still become one. */
function checkV1Field(
  protocol: string,
  index: number,
  field: string,
  offset: number,
  partial: boolean,
): void {
  const where = `${V1_FIELDS[index]} ${
    JSON.stringify(field)
  } at byte ${offset}`;
  if (index >= 2) {
    const ok = partial
      ? /^[0-9]{0,5}$/.test(field)
      : /^(?:0|[1-9][0-9]{0,4})$/.test(field) && Number(field) <= 65535;
    if (!ok) {
      throw new ProxyHeaderError(
        `${where}: expected a port, a decimal integer 0..65535 without sign or leading zeros`,
      );
    }
    return;
  }
  if (protocol === "TCP4") {
    const ok = partial
      ? /^[0-9.]{0,15}$/.test(field)
      : parseIPv4(field) !== undefined;
    if (!ok) {
      throw new ProxyHeaderError(
        `${where}: expected an IPv4 address for TCP4, four decimal numbers 0..255 without leading zeros`,
      );
    }
    return;
  }
  const ok = partial
    ? /^[0-9A-Fa-f:.]{0,45}$/.test(field)
    : parseIPv6(field) !== undefined;
  if (!ok) {
    throw new ProxyHeaderError(
      `${where}: expected an IPv6 address for TCP6`,
    );
  }
}

function parseV2(
  bytes: Uint8Array,
  maxLength: number,
): ParsedProxyHeader | undefined {
  const signature = Math.min(bytes.length, V2_SIGNATURE.length);
  for (let i = 0; i < signature; i++) {
    if (bytes[i] !== V2_SIGNATURE[i]) {
      throw new ProxyHeaderError(
        `byte ${i} is ${describeByte(bytes[i])}: expected ${
          describeByte(V2_SIGNATURE[i])
        } of the v2 signature`,
      );
    }
  }
  if (bytes.length < 13) return undefined;
  const version = bytes[12] >> 4;
  if (version !== 2) {
    throw new ProxyHeaderError(
      `byte 12 is ${
        describeByte(bytes[12])
      }: expected version 2 in its high 4 bits, got ${version}`,
    );
  }
  const command = bytes[12] & 0x0f;
  if (command > 1) {
    throw new ProxyHeaderError(
      `byte 12 is ${
        describeByte(bytes[12])
      }: expected command LOCAL (0x20) or PROXY (0x21)`,
    );
  }
  if (bytes.length < 14) return undefined;
  const family = bytes[13] >> 4;
  const protocol = bytes[13] & 0x0f;
  if (family >= FAMILIES.length) {
    throw new ProxyHeaderError(
      `byte 13 is ${
        describeByte(bytes[13])
      }: expected address family 0 (UNSPEC), 1 (INET), 2 (INET6) or 3 (UNIX) in its high 4 bits`,
    );
  }
  if (protocol >= PROTOCOLS.length) {
    throw new ProxyHeaderError(
      `byte 13 is ${
        describeByte(bytes[13])
      }: expected protocol 0 (UNSPEC), 1 (STREAM) or 2 (DGRAM) in its low 4 bits`,
    );
  }
  if (bytes.length < 16) return undefined;
  const declared = (bytes[14] << 8) | bytes[15];
  const total = 16 + declared;
  if (total > maxLength) {
    throw new ProxyHeaderError(
      `bytes 14-15 give a length of ${declared}: expected at most ${
        maxLength - 16
      } (a header of at most ${maxLength} bytes)`,
    );
  }
  // An unspecified family or protocol has no address layout: what follows
  // the 16 bytes is TLVs.
  const addressLength = protocol === 0 ? 0 : ADDRESS_LENGTHS[family];
  // LOCAL: the specification has the receiver ignore the family; a block
  // too short for the family's addresses is discarded, not refused.
  if (command === 0 && declared < addressLength) {
    if (bytes.length < total) return undefined;
    return {
      header: {
        version: 2,
        command: "local",
        family: FAMILIES[family],
        protocol: PROTOCOLS[protocol],
        tlvs: [],
      },
      length: total,
    };
  }
  if (declared < addressLength) {
    throw new ProxyHeaderError(
      `bytes 14-15 give a length of ${declared}: expected at least ${addressLength} for the addresses of family and protocol ${
        describeByte(bytes[13])
      }`,
    );
  }
  if (bytes.length < total) return undefined;
  const tlvs = readTlvs(bytes, 16 + addressLength, total);
  let source: Deno.NetAddr | undefined;
  let destination: Deno.NetAddr | undefined;
  // Only TCP addresses name a client of this stream; for the others the
  // specification has the receiver fall back to the connection's own.
  if (command === 1 && protocol === 1 && (family === 1 || family === 2)) {
    const size = family === 1 ? 4 : 16;
    const format = family === 1 ? formatIPv4 : formatIPv6;
    const ports = 16 + 2 * size;
    source = {
      transport: "tcp",
      hostname: format(bytes.subarray(16, 16 + size)),
      port: (bytes[ports] << 8) | bytes[ports + 1],
    };
    destination = {
      transport: "tcp",
      hostname: format(bytes.subarray(16 + size, 16 + 2 * size)),
      port: (bytes[ports + 2] << 8) | bytes[ports + 3],
    };
  }
  const header: ProxyHeader = {
    version: 2,
    command: command === 1 ? "proxy" : "local",
    family: FAMILIES[family],
    protocol: PROTOCOLS[protocol],
    ...(source ? { source, destination } : {}),
    tlvs,
  };
  return { header, length: total };
}

/** The TLVs from `start` to `end`, which they must fill exactly. */
function readTlvs(bytes: Uint8Array, start: number, end: number): ProxyTlv[] {
  const tlvs: ProxyTlv[] = [];
  let checksumAt = -1;
  for (let offset = start; offset < end;) {
    if (end - offset < 3) {
      throw new ProxyHeaderError(
        `byte ${offset} starts a TLV with ${
          end - offset
        } bytes left in the header: expected at least 3 (type and length)`,
      );
    }
    const type = bytes[offset];
    const length = (bytes[offset + 1] << 8) | bytes[offset + 2];
    const valueAt = offset + 3;
    if (valueAt + length > end) {
      throw new ProxyHeaderError(
        `TLV ${describeByte(type)} at byte ${offset} has length ${length}: ` +
          `expected at most ${end - valueAt}, the bytes left in the header`,
      );
    }
    if (type === PP2_TYPE_CRC32C) {
      if (length !== 4) {
        throw new ProxyHeaderError(
          `CRC32c TLV at byte ${offset} has length ${length}: expected 4`,
        );
      }
      if (checksumAt !== -1) {
        throw new ProxyHeaderError(
          `CRC32c TLV at byte ${offset} is the second one: expected at most one`,
        );
      }
      checksumAt = valueAt;
    }
    tlvs.push({ type, value: bytes.slice(valueAt, valueAt + length) });
    offset = valueAt + length;
  }
  if (checksumAt !== -1) checkChecksum(bytes, checksumAt, end);
  return tlvs;
}

/** The checksum is over the whole header with its own 4 bytes zeroed. */
function checkChecksum(bytes: Uint8Array, at: number, end: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sent = view.getUint32(at);
  const copy = bytes.slice(0, end);
  copy.fill(0, at, at + 4);
  const computed = crc32c(copy);
  if (sent !== computed) {
    const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
    throw new ProxyHeaderError(
      `CRC32c TLV at byte ${at - 3} is ${hex(sent)}: expected ${
        hex(computed)
      }, the header's checksum`,
    );
  }
}
