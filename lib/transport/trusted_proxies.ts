/**
 * The proxies whose PROXY headers a listener believes: a list of addresses
 * and CIDR blocks, checked against each connection's peer before its
 * header is read.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import { unbracketHost } from "../net/address.ts";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "./_ip_address.ts";

/** Options for {@linkcode parseTrustedProxies} and {@linkcode TrustedProxies}. */
export interface TrustedProxiesOptions {
  /**
   * The option's name in error messages (a command line passes its flag's).
   *
   * @default {"trustedProxies"}
   */
  field?: string;
}

/** One block, as a 128-bit address and mask (IPv4 mapped into IPv6). */
interface Block {
  base: bigint;
  mask: bigint;
}

/** `::ffff:0:0/96`, where IPv4 addresses live in the 128-bit space. */
const MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

/**
 * A set of addresses and CIDR blocks that may send PROXY headers.
 *
 * IPv4 and IPv6 share one space: an IPv4 block also matches the same
 * addresses written IPv4-mapped (`::ffff:127.0.0.1`, as a dual-stack
 * listener reports IPv4 peers), and an IPv6 block within `::ffff:0:0/96`
 * matches plain IPv4 addresses.
 *
 * @example Usage
 * ```ts
 * import { TrustedProxies } from "@randport/randport/transport";
 *
 * const trusted = new TrustedProxies(["10.0.0.0/8", "::1"]);
 * console.log(trusted.has({ transport: "tcp", hostname: "10.1.2.3", port: 4000 })); // true
 * console.log(trusted.has({ transport: "tcp", hostname: "::ffff:10.1.2.3", port: 4000 })); // true
 * console.log(trusted.has({ transport: "tcp", hostname: "192.0.2.1", port: 4000 })); // false
 * console.log(trusted.entries); // ["10.0.0.0/8", "::1/128"]
 * ```
 */
export class TrustedProxies {
  /** The blocks, normalized (`::1` reads `::1/128`), in the order given. */
  readonly entries: readonly string[];
  #blocks: Block[];

  /**
   * Reads the list, as {@linkcode parseTrustedProxies} does.
   *
   * @param list Addresses and CIDR blocks; an item may hold several,
   * separated by commas.
   * @param options The option's name for errors.
   * @throws {OptionError} Naming the entry that is not an address or block.
   */
  constructor(
    list: readonly string[],
    options: TrustedProxiesOptions = {},
  ) {
    const field = options.field ?? "trustedProxies";
    if (!Array.isArray(list)) {
      throw new OptionError(
        field,
        "expected a list of addresses or CIDR blocks",
      );
    }
    const entries: string[] = [];
    const blocks: Block[] = [];
    for (const item of list) {
      if (typeof item !== "string") {
        throw new OptionError(
          field,
          `expected addresses or CIDR blocks as strings, got ${typeof item}`,
        );
      }
      for (const part of item.split(",")) {
        const { entry, block } = readEntry(field, part.trim(), item);
        entries.push(entry);
        blocks.push(block);
      }
    }
    this.entries = entries;
    this.#blocks = blocks;
  }

  /**
   * Whether an address is in one of the blocks. Only TCP and UDP addresses
   * can be; a hostname that is no IP address never is.
   *
   * @example Usage
   * ```ts
   * import { TrustedProxies } from "@randport/randport/transport";
   *
   * const trusted = new TrustedProxies(["127.0.0.1/32"]);
   * console.log(trusted.has({ transport: "tcp", hostname: "127.0.0.1", port: 1 })); // true
   * ```
   *
   * @param addr A connection's peer address.
   * @returns `true` when the address is trusted.
   */
  has(addr: Deno.Addr): boolean {
    if (addr.transport !== "tcp" && addr.transport !== "udp") return false;
    // A link-local peer may come with its zone (`fe80::1%eth0`).
    const host = unbracketHost(addr.hostname).replace(/%.*$/, "");
    const value = addressValue(host);
    if (value === undefined) return false;
    return this.#blocks.some((block) => (value & block.mask) === block.base);
  }
}

/**
 * Reads a list of trusted proxies: IPv4 or IPv6 addresses (meaning /32 or
 * /128) and CIDR blocks (`10.0.0.0/8`, `fd00::/8`); IPv6 may be bracketed
 * (`[::1]`, `[fd00::]/8`), and an item may hold several separated by
 * commas, as a repeated command-line flag would give them. Addresses are
 * read strictly (no leading zeros in IPv4, no zones), and a block with
 * bits set past its prefix (`10.0.0.1/8`) is refused as a likely mistake.
 * An empty list trusts no one.
 *
 * @example Usage
 * ```ts
 * import { parseTrustedProxies } from "@randport/randport/transport";
 *
 * const trusted = parseTrustedProxies(["127.0.0.1/32,::1/128", "fd00::/8"]);
 * console.log(trusted.has({ transport: "tcp", hostname: "fd12::7", port: 9 })); // true
 * ```
 *
 * @example Errors name the entry
 * ```ts
 * import { parseTrustedProxies } from "@randport/randport/transport";
 * import { OptionError } from "@randport/randport/errors";
 *
 * try {
 *   parseTrustedProxies(["10.0.0.0/33"], { field: "--trusted-proxy" });
 * } catch (error) {
 *   if (error instanceof OptionError) console.log(error.message);
 *   // '--trusted-proxy: "10.0.0.0/33": expected a prefix length from 0 to 32'
 * }
 * ```
 *
 * @param list Addresses and CIDR blocks.
 * @param options The option's name for errors.
 * @returns The set, to check peers against.
 * @throws {OptionError} Naming the entry that is not an address or block,
 * and what was expected.
 */
export function parseTrustedProxies(
  list: readonly string[],
  options: TrustedProxiesOptions = {},
): TrustedProxies {
  return new TrustedProxies(list, options);
}

/** An address as a 128-bit number, IPv4 mapped; `undefined` if none. */
function addressValue(host: string): bigint | undefined {
  const v4 = parseIPv4(host);
  if (v4 !== undefined) return MAPPED | toBigInt(v4);
  const v6 = parseIPv6(host);
  return v6 === undefined ? undefined : toBigInt(v6);
}

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function readEntry(
  field: string,
  text: string,
  item: string,
): { entry: string; block: Block } {
  if (text === "") {
    throw new OptionError(
      field,
      `empty entry in ${
        JSON.stringify(item)
      }: expected an address or CIDR block between commas`,
    );
  }
  const slash = text.indexOf("/");
  const host = unbracketHost(slash === -1 ? text : text.slice(0, slash));
  const v4 = parseIPv4(host);
  const v6 = v4 === undefined ? parseIPv6(host) : undefined;
  if (v4 === undefined && v6 === undefined) {
    throw new OptionError(
      field,
      `${
        JSON.stringify(text)
      }: expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8`,
    );
  }
  const bits = v4 === undefined ? 128 : 32;
  let prefix = bits;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    prefix = Number(digits);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(digits) || prefix > bits) {
      throw new OptionError(
        field,
        `${JSON.stringify(text)}: expected a prefix length from 0 to ${bits}`,
      );
    }
  }
  const address = v4 ?? v6!;
  const value = toBigInt(address);
  const hostBits = (1n << BigInt(bits - prefix)) - 1n;
  const format = v4 === undefined ? formatIPv6 : formatIPv4;
  if ((value & hostBits) !== 0n) {
    const network = networkBytes(value & ~hostBits, bits);
    throw new OptionError(
      field,
      `${JSON.stringify(text)} has bits set past its /${prefix} prefix: ` +
        `expected ${format(network)}/${prefix}, or ${
          format(address)
        }/${bits} for the one address`,
    );
  }
  // IPv4 blocks move into ::ffff:0:0/96 so that one comparison serves both.
  const base = v4 === undefined ? value : MAPPED | value;
  const width = v4 === undefined ? prefix : 96 + prefix;
  const mask = ALL ^ ((1n << BigInt(128 - width)) - 1n);
  return { entry: `${format(address)}/${prefix}`, block: { base, mask } };
}

function networkBytes(value: bigint, bits: number): Uint8Array {
  const bytes = new Uint8Array(bits / 8);
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}
