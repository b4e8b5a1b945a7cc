// The request port's commands: the handshakes real Redis clients send, and
// the draws (PROTOCOL.md 5.3), each of which may be seeded (5.4).

import { describeIntegerRange } from "../errors/option_error.ts";
import { cryptoRandomSource } from "../random/crypto_random_source.ts";
import { distinctIntegers } from "../random/distinct_integers.ts";
import { randomBelow } from "../random/random_below.ts";
import { randomInteger } from "../random/random_integer.ts";
import { rangeSize } from "../random/range_size.ts";
import type { RandomSource } from "../random/random_source.ts";
import { seedSource } from "../random/seed_source.ts";
import { shuffle as shuffled } from "../random/shuffle.ts";
import { UniqueSampler } from "../random/unique_sampler.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import { commitmentOf, commitSecret } from "../signed/commitment.ts";
import type { Signer } from "./_signer.ts";
import { encodePayload } from "../wire/encode_payload.ts";
import { payloadSampler } from "../wire/payload_sampler.ts";
import {
  PAYLOAD_FORMATS,
  type PayloadFormat,
  PayloadSpecError,
  resolvePayloadSpec,
} from "../wire/payload_spec.ts";

// Arguments arrive as byte strings (one character per byte: the parser's
// `binary` mode), so that what a client sends comes back byte for byte.
// What is read as text (numbers, options, an alphabet) is ASCII or decoded.

const utf8 = new TextDecoder();

// Not Uint8Array's toHex and toBase64: drawReply runs this code in the
// verifier, on Node.js 20 too, which has neither.
function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A byte string's bytes. */
function bytesOf(arg: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(arg.length);
  for (let i = 0; i < arg.length; i++) bytes[i] = arg.charCodeAt(i);
  return bytes;
}

/** A byte string as UTF-8 text, invalid sequences replaced. */
function textOf(arg: string): string {
  return /[^\x20-\x7e]/.test(arg) ? utf8.decode(bytesOf(arg)) : arg;
}

/**
 * A byte string in capitals, ASCII letters only: Unicode case mapping would
 * make `GAU\xdf` (ß) the command `GAUSS`.
 */
function upper(arg: string): string {
  return arg.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** Client names, as Redis has them: printable ASCII, no spaces. */
function badName(name: string): boolean {
  return /[^!-~]/.test(name);
}

const NAME_ERROR =
  "ERR Client names cannot contain spaces, newlines or special characters.";

/** An argument as an error message quotes it: text, at most 64 characters. */
function shown(arg: string, max = 64): string {
  return textOf(arg).slice(0, max);
}

/** What a command may change or ask of its connection. */
export interface Session {
  /** Where signed draws are signed and stored; none without a key. */
  readonly signer?: Signer;
  /** The connection's number since the server started. */
  readonly id: number;
  /** `CLIENT SETNAME`'s name. */
  name: string | undefined;
  /** Set by QUIT: close once the replies are written. */
  quit: boolean;
  /** The most numbers one draw may ask for. */
  readonly maxNumbers: number;
}

export interface Command {
  /** Redis's arity: n exactly, or -n for at least n (the name included). */
  arity: number;
  /** A draw: it takes `SEED seed` as its last two arguments. */
  draw?: true;
  /**
   * Runs the command; a draw's words come from `source`, the seed's, when
   * the request was seeded, and from the CSPRNG otherwise.
   */
  run(
    args: string[],
    writer: ReplyWriter,
    session: Session,
    source?: RandomSource,
  ): void | Promise<void>;
}

const VERSION = "0.1.0";

function wrongArity(name: string): string {
  return `ERR wrong number of arguments for '${name.toLowerCase()}' command`;
}

function hello(args: string[], writer: ReplyWriter, session: Session): void {
  let i = 1;
  if (args.length > 1) {
    const version = args[1];
    if (version !== "2" && version !== "3") {
      writer.error(
        /^\d+$/.test(version)
          ? "NOPROTO unsupported protocol version"
          : "ERR Protocol version is not an integer or out of range",
      );
      return;
    }
    i = 2;
  }
  // Nothing changes unless every option is good, as in Redis.
  let name: string | undefined;
  for (; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "SETNAME" && i + 1 < args.length) {
      name = args[++i];
      if (badName(name)) return writer.error(NAME_ERROR);
    } else if (option === "AUTH" && i + 2 < args.length) {
      i += 2; // No users here: any credentials are accepted.
    } else {
      writer.error(`ERR Syntax error in HELLO option '${shown(args[i])}'`);
      return;
    }
  }
  if (args.length > 1) writer.version = args[1] === "3" ? 3 : 2;
  if (name !== undefined) session.name = name || undefined;
  const fields: [string, string | number][] = [
    ["server", "randport"],
    ["version", VERSION],
    ["proto", writer.version],
    ["id", session.id],
    ["mode", "standalone"],
    ["role", "master"],
  ];
  writer.mapHeader(fields.length + 1);
  for (const [key, value] of fields) {
    writer.bulk(key);
    if (typeof value === "number") writer.integer(value);
    else writer.bulk(value);
  }
  writer.bulk("modules");
  writer.arrayHeader(0);
}

function client(args: string[], writer: ReplyWriter, session: Session): void {
  const sub = upper(args[1]);
  if (sub === "SETNAME" && args.length === 3) {
    if (badName(args[2])) return writer.error(NAME_ERROR);
    session.name = args[2] || undefined;
    writer.simple("OK");
  } else if (sub === "GETNAME" && args.length === 2) {
    if (session.name === undefined) writer.null();
    else writer.bulk(bytesOf(session.name));
  } else if (sub === "ID" && args.length === 2) {
    writer.integer(session.id);
  } else if (sub === "SETINFO" && args.length === 4) {
    writer.simple("OK");
  } else {
    writer.error(
      `ERR unknown subcommand or wrong number of arguments for '${
        shown(args[1])
      }'. Try CLIENT HELP.`,
    );
  }
}

function info(_args: string[], writer: ReplyWriter, session: Session): void {
  const lines = [
    "# Server",
    "redis_version:7.0.0",
    `randport_version:${VERSION}`,
    "redis_mode:standalone",
    `process_id:${Deno.pid}`,
    "",
    "# Clients",
    `client_id:${session.id}`,
    "",
  ];
  writer.bulk(lines.join("\r\n"));
}

/** `CONFIG GET`: what redis-benchmark and clients ask before they start. */
const CONFIG: Record<string, string> = {
  save: "",
  appendonly: "no",
  databases: "1",
  "maxmemory-policy": "noeviction",
};

function config(args: string[], writer: ReplyWriter): void {
  if (upper(args[1]) !== "GET") {
    writer.error(
      `ERR unknown subcommand '${shown(args[1])}'. Try CONFIG HELP.`,
    );
    return;
  }
  const pairs: [string, string][] = [];
  for (const pattern of args.slice(2)) {
    const match = globMatcher(pattern.toLowerCase());
    for (const [key, value] of Object.entries(CONFIG)) {
      if (match(key) && !pairs.some(([k]) => k === key)) {
        pairs.push([key, value]);
      }
    }
  }
  writer.mapHeader(pairs.length);
  for (const [key, value] of pairs) {
    writer.bulk(key);
    writer.bulk(value);
  }
}

/**
 * `*` and `?` globbing without a regular expression: a backtracking regex
 * takes exponential time in the stars on a key that does not match, and one
 * request would hold the event loop that every client shares. This keeps
 * one backtrack point, the last star: O(pattern × text) at worst.
 */
function globMatcher(pattern: string): (text: string) => boolean {
  return (text) => {
    let p = 0;
    let t = 0;
    let star = -1;
    let mark = 0;
    while (t < text.length) {
      if (
        p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])
      ) {
        p++;
        t++;
      } else if (p < pattern.length && pattern[p] === "*") {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (pattern[p] === "*") p++;
    return p === pattern.length;
  };
}

/** Draws of at most this many numbers take RANDINT's short path. */
const SMALL_DRAW = 64;
const TWO_32 = 2 ** 32;

/** A request's integer argument, or the error that names it. */
function integerArgument(
  name: string,
  text: string,
  min: number,
  max: number,
): number | string {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    return `ERR ${name}: expected an integer, got '${shown(text)}'`;
  }
  if (value < min || value > max) {
    return `ERR ${name}: expected ${
      describeIntegerRange({ min, max })
    }, got ${value}`;
  }
  return value;
}

/**
 * RANDINT count min max [UNIQUE] [FORMAT csv|lines|json]: `count` integers
 * drawn uniformly from min..max by the CSPRNG, as an array of integers, or
 * as one bulk string in a payload format of PROTOCOL.md §2.
 */
function randint(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): void {
  const MAX = Number.MAX_SAFE_INTEGER;
  const parsed = [
    integerArgument("count", args[1], 0, session.maxNumbers),
    integerArgument("min", args[2], -MAX, MAX),
    integerArgument("max", args[3], -MAX, MAX),
  ];
  const failed = parsed.find((p) => typeof p === "string");
  if (typeof failed === "string") {
    writer.error(failed);
    return;
  }
  const [count, min, max] = parsed as number[];
  let unique = false;
  let format: PayloadFormat | undefined;
  for (let i = 4; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "UNIQUE") {
      unique = true;
    } else if (option === "FORMAT" && i + 1 < args.length) {
      const value = args[++i].toLowerCase() as PayloadFormat;
      if (!PAYLOAD_FORMATS.includes(value)) {
        writer.error(
          `ERR FORMAT: expected one of ${PAYLOAD_FORMATS.join(", ")}, got '${
            shown(args[i])
          }'`,
        );
        return;
      }
      format = value;
    } else {
      writer.error(
        `ERR syntax error at '${
          shown(args[i])
        }': expected UNIQUE or FORMAT csv|lines|json`,
      );
      return;
    }
  }
  if (
    source === undefined && !unique && format === undefined &&
    count <= SMALL_DRAW && min <= max && max - min < TWO_32
  ) {
    // The common small draw (RANDINT 10 1 100): the same exact rejection
    // sampling, without building a payload spec and a sampler for it.
    const words = cryptoRandomSource();
    writer.arrayHeader(count);
    for (let i = 0; i < count; i++) {
      writer.integer(min + randomBelow(max - min + 1, { source: words }));
    }
    return;
  }
  let spec;
  try {
    spec = resolvePayloadSpec({ count, min, max, unique, format });
  } catch (error) {
    if (!(error instanceof PayloadSpecError)) throw error;
    writer.error(`ERR ${error.field}: ${error.detail}`);
    return;
  }
  if (source !== undefined) {
    // Seeded: PROTOCOL.md 5.4's draw, value by value.
    const numbers = unique
      ? distinctIntegers(count, { min, max }, { source })
      : Array.from(
        { length: count },
        () => randomInteger(min, max, { source }),
      );
    if (format === undefined) {
      writer.arrayHeader(count);
      for (const n of numbers) writer.integer(n);
    } else writer.bulk(formatPayload(numbers, format));
    return;
  }
  if (format !== undefined) {
    writer.bulk(encodePayload(spec));
    return;
  }
  const numbers = new Float64Array(count);
  payloadSampler(spec).fill(numbers, count);
  writer.arrayHeader(count);
  for (let i = 0; i < count; i++) writer.integer(numbers[i]);
}

/** Numbers in a payload format of PROTOCOL.md §2.2. */
function formatPayload(numbers: number[], format: PayloadFormat): string {
  if (format === "json") return `[${numbers.join(",")}]`;
  if (format === "lines") return numbers.map((n) => `${n}\n`).join("");
  return numbers.join(",");
}

/**
 * Long draws give the event loop back this often (in values), so that one
 * client's million UUIDs do not hold every other client up for seconds.
 * Another client's request needs a few turns (accept, read, write): at
 * 16,384 a 200,000-UUID draw gave only 12, and a loaded CI machine once ran
 * out of them.
 */
const YIELD_EVERY = 4096;

function breathe(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function writeStrings(writer: ReplyWriter, items: string[]): void {
  writer.arrayHeader(items.length);
  for (const item of items) writer.bulk(item);
}

/** The client's own items (byte strings), byte for byte. */
function writeItems(writer: ReplyWriter, items: string[]): void {
  writer.arrayHeader(items.length);
  for (const item of items) writer.bulk(bytesOf(item));
}

/** SEQUENCE min max: a uniformly random permutation of min..max. */
function sequence(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
) {
  const MAX = Number.MAX_SAFE_INTEGER;
  const min = integerArgument("min", args[1], -MAX, MAX);
  const max = integerArgument("max", args[2], -MAX, MAX);
  if (typeof min === "string") return writer.error(min);
  if (typeof max === "string") return writer.error(max);
  if (max < min) {
    return writer.error(
      `ERR max: expected max >= min, got min ${min} and max ${max}`,
    );
  }
  // Exactly: min..max can hold more than 2^53 numbers.
  const exact = rangeSize(min, max);
  if (exact > BigInt(session.maxNumbers)) {
    return writer.error(
      `ERR max: the sequence ${min}..${max} holds ${exact} numbers, more than the limit of ${session.maxNumbers}`,
    );
  }
  const size = Number(exact);
  let out: ArrayLike<number> & Iterable<number>;
  if (source === undefined) {
    const sampled = new Float64Array(size);
    new UniqueSampler(min, max).fill(sampled, size);
    out = sampled;
  } else {
    out = distinctIntegers(size, { min, max }, { source });
  }
  writer.arrayHeader(size);
  for (const n of out) writer.integer(n);
}

/** SHUFFLE item ...: the client's items in a uniformly random order. */
function shuffle(
  args: string[],
  writer: ReplyWriter,
  _session: Session,
  source?: RandomSource,
) {
  writeItems(writer, shuffled(args.slice(1), { source }));
}

/** SAMPLE k item ...: k distinct positions of the items, in random order. */
function sample(
  args: string[],
  writer: ReplyWriter,
  _session: Session,
  source?: RandomSource,
) {
  const items = args.slice(2);
  const k = integerArgument("k", args[1], 0, items.length);
  if (typeof k === "string") return writer.error(k);
  writeItems(writer, shuffled(items, { count: k, source }));
}

/** `n` bytes of a seed's words, each word's four bytes little-endian first. */
function wordBytes(
  n: number,
  source: RandomSource,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  const view = new DataView(bytes.buffer);
  let i = 0;
  for (; i + 4 <= n; i += 4) view.setUint32(i, source.nextUint32(), true);
  if (i < n) {
    const word = source.nextUint32();
    for (let k = 0; i < n; i++, k++) bytes[i] = (word >>> (8 * k)) & 0xff;
  }
  return bytes;
}

/** A version 4 UUID from 16 bytes of a seed's words (PROTOCOL.md 5.4). */
function seededUuid(source: RandomSource): string {
  const b = wordBytes(16, source);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${
    h.slice(16, 20)
  }-${h.slice(20)}`;
}

/** UUID [count]: version 4 UUIDs (RFC 9562) from the CSPRNG. */
async function uuid(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
) {
  const count = args.length > 1
    ? integerArgument("count", args[1], 1, session.maxNumbers)
    : 1;
  if (typeof count === "string") return writer.error(count);
  const one = source === undefined
    ? () => crypto.randomUUID()
    : () => seededUuid(source);
  if (args.length === 1) return writer.bulk(one());
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    ids[i] = one();
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await breathe();
  }
  writeStrings(writer, ids);
}

/** RANDBYTES n [HEX|BASE64]: n bytes from the CSPRNG. */
function randbytes(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
) {
  const n = integerArgument("n", args[1], 0, session.maxNumbers);
  if (typeof n === "string") return writer.error(n);
  const encoding = args[2] === undefined ? undefined : upper(args[2]);
  if (
    args.length > 3 ||
    (encoding !== undefined && encoding !== "HEX" && encoding !== "BASE64")
  ) {
    return writer.error(
      `ERR syntax error at '${
        shown(args.slice(2).join(" "))
      }': expected HEX or BASE64`,
    );
  }
  let bytes: Uint8Array<ArrayBuffer>;
  if (source !== undefined) {
    bytes = wordBytes(n, source);
  } else {
    bytes = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
    }
  }
  if (encoding === "HEX") {
    writer.bulk(hex(bytes));
  } else if (encoding === "BASE64") {
    writer.bulk(base64(bytes));
  } else {
    writer.bulk(bytes);
  }
}

const DEFAULT_ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** RANDSTRING count length [ALPHABET chars]: strings of uniform characters. */
async function randstring(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source: RandomSource = cryptoRandomSource(),
) {
  const count = integerArgument("count", args[1], 0, session.maxNumbers);
  if (typeof count === "string") return writer.error(count);
  const length = integerArgument("length", args[2], 0, session.maxNumbers);
  if (typeof length === "string") return writer.error(length);
  let alphabet = [...DEFAULT_ALPHABET];
  if (args.length > 3) {
    if (upper(args[3]) !== "ALPHABET" || args.length !== 5) {
      return writer.error(
        `ERR syntax error at '${shown(args[3])}': expected ALPHABET chars`,
      );
    }
    // Characters, not UTF-16 units; each at most once.
    const chars = strictText(args[4]);
    if (chars === undefined) {
      return writer.error("ERR ALPHABET: expected UTF-8 text");
    }
    alphabet = [...new Set(chars)];
    if (alphabet.length === 0) {
      return writer.error("ERR ALPHABET: expected at least one character");
    }
  }
  if (count * length > session.maxNumbers) {
    return writer.error(
      `ERR count: ${count} strings of ${length} characters exceed the limit of ${session.maxNumbers} characters`,
    );
  }
  const strings = [];
  for (let s = 0; s < count; s++) {
    let text = "";
    for (let c = 0; c < length; c++) {
      text += alphabet[randomBelow(alphabet.length, { source })];
    }
    strings.push(text);
    if (s % YIELD_EVERY === YIELD_EVERY - 1) await breathe();
  }
  writeStrings(writer, strings);
}

/**
 * RANDFLOAT count [decimals]: uniform in [0, 1) exactly at `decimals`
 * digits (1 to 15, default 6): an integer drawn uniformly below 10^decimals,
 * written as 0.xxx with every digit (no binary rounding on the way).
 */
async function randfloat(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source: RandomSource = cryptoRandomSource(),
) {
  if (args.length > 3) return writer.error(wrongArity(args[0]));
  const count = integerArgument("count", args[1], 0, session.maxNumbers);
  if (typeof count === "string") return writer.error(count);
  const decimals = args.length > 2
    ? integerArgument("decimals", args[2], 1, 15)
    : 6;
  if (typeof decimals === "string") return writer.error(decimals);
  const bound = 10 ** decimals;
  writer.arrayHeader(count);
  for (let i = 0; i < count; i++) {
    const digits = String(randomBelow(bound, { source })).padStart(
      decimals,
      "0",
    );
    writer.bulk(`0.${digits}`);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await breathe();
  }
}

/** A request's real-number argument, or the error that names it. */
function realArgument(name: string, text: string): number | string {
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(value)) {
    return `ERR ${name}: expected a finite number, got '${shown(text)}'`;
  }
  return value;
}

const TWO_53 = 2 ** 53;

/** A uniform double in (0, 1): 53 random bits, centred in their interval. */
function openUnit(source: RandomSource): number {
  return (randomBelow(TWO_53, { source }) + 0.5) / TWO_53;
}

/**
 * GAUSS count mean stddev: normal deviates by the Box–Muller transform of
 * pairs of 53-bit uniforms in (0, 1) from the CSPRNG.
 */
async function gauss(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source: RandomSource = cryptoRandomSource(),
): Promise<void> {
  const count = integerArgument("count", args[1], 0, session.maxNumbers);
  if (typeof count === "string") return writer.error(count);
  const mean = realArgument("mean", args[2]);
  if (typeof mean === "string") return writer.error(mean);
  const stddev = realArgument("stddev", args[3]);
  if (typeof stddev === "string") return writer.error(stddev);
  if (stddev < 0) {
    return writer.error(`ERR stddev: expected a number >= 0, got ${stddev}`);
  }
  writer.arrayHeader(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(openUnit(source)));
    const angle = 2 * Math.PI * openUnit(source);
    writer.double(mean + stddev * radius * Math.cos(angle));
    if (i + 1 < count) writer.double(mean + stddev * radius * Math.sin(angle));
    if (i % YIELD_EVERY === YIELD_EVERY - 2) await breathe();
  }
}

/** The most records one DRAWS request returns. */
const MAX_DRAWS = 1000;

function noSigner(writer: ReplyWriter): void {
  writer.error(
    "ERR this server signs no draws (it needs --signing-key and --draw-log)",
  );
}

/** PUBKEY: the signing key's algorithm, id and public key. */
function pubkey(_args: string[], writer: ReplyWriter, session: Session) {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  writer.mapHeader(3);
  writer.bulk("algorithm");
  writer.bulk("Ed25519");
  writer.bulk("key_id");
  writer.bulk(signer.key.keyId);
  writer.bulk("public_key");
  writer.bulk(hex(signer.key.publicKey));
}

/** GETDRAW serial: a stored record of this server's key, as JSON, or null. */
async function getdraw(
  args: string[],
  writer: ReplyWriter,
  session: Session,
) {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  const serial = integerArgument("serial", args[1], 1, Number.MAX_SAFE_INTEGER);
  if (typeof serial === "string") return writer.error(serial);
  const record = await signer.ledger.get(signer.key.keyId, serial);
  if (record === undefined) writer.null();
  else writer.bulk(JSON.stringify(record));
}

/** DRAWS from to: the stored records from..to, at most MAX_DRAWS, as JSON. */
async function draws(args: string[], writer: ReplyWriter, session: Session) {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  const from = integerArgument("from", args[1], 1, Number.MAX_SAFE_INTEGER);
  if (typeof from === "string") return writer.error(from);
  const to = integerArgument("to", args[2], from, Number.MAX_SAFE_INTEGER);
  if (typeof to === "string") return writer.error(to);
  if (to - from + 1 > MAX_DRAWS) {
    return writer.error(
      `ERR to: at most ${MAX_DRAWS} records per request, got ${to - from + 1}`,
    );
  }
  const records = await signer.ledger.range(signer.key.keyId, from, to);
  writer.arrayHeader(records.length);
  for (const record of records) writer.bulk(JSON.stringify(record));
}

/** A 64-hex-digit value as the RESP2 bulk string a record's result holds. */
function bulkText(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

/**
 * COMMIT [DATA text]: a signed record of the commitment to a secret that
 * REVEAL gives out later (PROTOCOL.md 6.4).
 */
async function commit(args: string[], writer: ReplyWriter, session: Session) {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  let data = "";
  if (args.length > 1) {
    if (args.length !== 3 || upper(args[1]) !== "DATA") {
      return writer.error(
        `ERR syntax error at '${shown(args[1])}': expected DATA text`,
      );
    }
    const text = strictText(args[2]);
    if (text === undefined || args[2].length > MAX_DATA_BYTES) {
      return writer.error(
        `ERR DATA: expected UTF-8 text of at most ${MAX_DATA_BYTES} bytes`,
      );
    }
    data = text;
  }
  const record = await signer.sign(
    ["COMMIT"],
    async (serial) =>
      bulkText(await commitmentOf(await commitSecret(signer.key, serial))),
    data,
  );
  writer.bulk(JSON.stringify(record));
}

/** REVEAL serial: a signed record of the secret of that commitment. */
async function reveal(args: string[], writer: ReplyWriter, session: Session) {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  const serial = integerArgument("serial", args[1], 1, Number.MAX_SAFE_INTEGER);
  if (typeof serial === "string") return writer.error(serial);
  const committed = await signer.ledger.get(signer.key.keyId, serial);
  if (committed?.request[0] !== "COMMIT") {
    return writer.error(`ERR serial: record ${serial} is not a commitment`);
  }
  const secret = await commitSecret(signer.key, serial);
  const record = await signer.sign(
    ["REVEAL", String(serial)],
    bulkText(secret),
    "",
  );
  writer.bulk(JSON.stringify(record));
}

/** HELP's lines: each command's usage and what it replies (PROTOCOL.md §5.3). */
const HELP: [string, string][] = [
  [
    "RANDINT",
    "RANDINT count min max [UNIQUE] [FORMAT csv|lines|json] [SIGNED [DATA text]] [SEED seed] -- count integers uniform in min..max (within ±(2^53-1)); UNIQUE: no repeats; FORMAT: one payload string",
  ],
  [
    "SEQUENCE",
    "SEQUENCE min max [SIGNED [DATA text]] [SEED seed] -- a uniformly random permutation of min..max",
  ],
  [
    "SHUFFLE",
    "SHUFFLE item ... [SIGNED [DATA text]] [SEED seed] -- the items in a uniformly random order",
  ],
  [
    "SAMPLE",
    "SAMPLE k item ... [SIGNED [DATA text]] [SEED seed] -- k of the items, none twice, in random order",
  ],
  ["UUID", "UUID [count] [SIGNED [DATA text]] [SEED seed] -- version 4 UUIDs"],
  [
    "RANDBYTES",
    "RANDBYTES n [HEX|BASE64] [SIGNED [DATA text]] [SEED seed] -- n random bytes",
  ],
  [
    "RANDSTRING",
    "RANDSTRING count length [ALPHABET chars] [SIGNED [DATA text]] [SEED seed] -- strings of characters uniform over the alphabet (default A-Z a-z 0-9)",
  ],
  [
    "RANDFLOAT",
    "RANDFLOAT count [decimals] [SIGNED [DATA text]] [SEED seed] -- numbers uniform in [0, 1), exact at 1 to 15 decimals (default 6)",
  ],
  [
    "GAUSS",
    "GAUSS count mean stddev [SIGNED [DATA text]] [SEED seed] -- normal deviates (Box-Muller on 53-bit uniforms); doubles in RESP3, strings in RESP2",
  ],
  [
    "PUBKEY",
    "PUBKEY -- the key signed draws are signed with: algorithm, key_id, public_key",
  ],
  [
    "COMMIT",
    "COMMIT [DATA text] -- a signed commitment to a secret that REVEAL gives out later",
  ],
  [
    "REVEAL",
    "REVEAL serial -- a signed record of that commitment's secret: draw with SEED secret",
  ],
  [
    "GETDRAW",
    "GETDRAW serial -- a signed draw's record, as JSON (null if none)",
  ],
  [
    "DRAWS",
    "DRAWS from to -- the records of serials from..to (at most 1000), as JSON",
  ],
  ["PING", "PING [message] -- PONG, or the message"],
  ["ECHO", "ECHO message -- the message"],
  [
    "HELLO",
    "HELLO [2|3 [AUTH user pass] [SETNAME name]] -- switch to RESP2 or RESP3; server facts",
  ],
  ["CLIENT", "CLIENT SETNAME name | GETNAME | ID | SETINFO attr value"],
  ["SELECT", "SELECT 0 -- the only database"],
  ["COMMAND", "COMMAND [COUNT|DOCS]"],
  ["INFO", "INFO [section] -- server facts as key:value lines"],
  ["CONFIG", "CONFIG GET pattern ... -- the settings clients ask for"],
  ["QUIT", "QUIT -- close the connection"],
  ["RESET", "RESET -- back to RESP2, no name"],
  ["HELP", "HELP [command] -- this list, or one command's line"],
];

/** HELP [command]: usage lines, as an array of status strings. */
function help(args: string[], writer: ReplyWriter): void {
  const wanted = args[1] === undefined ? undefined : upper(args[1]);
  const lines = wanted === undefined
    ? HELP.map(([, line]) => line)
    : HELP.filter(([name]) => name === wanted).map(([, line]) => line);
  if (args.length > 2 || lines.length === 0) {
    writer.error(
      `ERR HELP: no command '${shown(args[1] ?? "")}'; try HELP`,
    );
    return;
  }
  writer.arrayHeader(lines.length);
  for (const line of lines) writer.simple(line);
}

export const COMMANDS: Record<string, Command> = {
  RANDINT: { arity: -4, draw: true, run: randint },
  SEQUENCE: { arity: 3, draw: true, run: sequence },
  SHUFFLE: { arity: -1, draw: true, run: shuffle },
  SAMPLE: { arity: -2, draw: true, run: sample },
  UUID: {
    arity: -1,
    draw: true,
    run(args, writer, session, source) {
      if (args.length > 2) return writer.error(wrongArity(args[0]));
      return uuid(args, writer, session, source);
    },
  },
  RANDBYTES: { arity: -2, draw: true, run: randbytes },
  RANDSTRING: { arity: -3, draw: true, run: randstring },
  RANDFLOAT: { arity: -2, draw: true, run: randfloat },
  GAUSS: { arity: 4, draw: true, run: gauss },
  PUBKEY: { arity: 1, run: pubkey },
  COMMIT: { arity: -1, run: commit },
  REVEAL: { arity: 2, run: reveal },
  GETDRAW: { arity: 2, run: getdraw },
  DRAWS: { arity: 3, run: draws },
  PING: {
    arity: -1,
    run(args, writer) {
      if (args.length > 2) writer.error(wrongArity(args[0]));
      else if (args.length === 2) writer.bulk(bytesOf(args[1]));
      else writer.simple("PONG");
    },
  },
  ECHO: { arity: 2, run: (args, writer) => writer.bulk(bytesOf(args[1])) },
  HELLO: { arity: -1, run: hello },
  QUIT: {
    arity: -1,
    run(_args, writer, session) {
      writer.simple("OK");
      session.quit = true;
    },
  },
  RESET: {
    arity: 1,
    run(_args, writer, session) {
      writer.version = 2;
      session.name = undefined;
      writer.simple("RESET");
    },
  },
  SELECT: {
    arity: 2,
    run(args, writer) {
      if (args[1] === "0") writer.simple("OK");
      else writer.error("ERR DB index is out of range");
    },
  },
  CLIENT: { arity: -2, run: client },
  COMMAND: {
    arity: -1,
    run(args, writer) {
      const sub = args[1] === undefined ? undefined : upper(args[1]);
      if (sub === "COUNT") writer.integer(Object.keys(COMMANDS).length);
      else if (sub === "DOCS") writer.mapHeader(0);
      else if (sub === undefined) writer.arrayHeader(0);
      else {writer.error(
          `ERR unknown subcommand '${shown(args[1])}'. Try COMMAND HELP.`,
        );}
    },
  },
  INFO: { arity: -1, run: info },
  CONFIG: { arity: -2, run: config },
  HELP: { arity: -1, run: help },
};

/** How {@linkcode runCommand} reads a request. */
export interface RunOptions {
  /**
   * Only `SEED seed` is an option: for a signed record's request, whose
   * SIGNED and DATA were taken out already, and whose remaining words
   * (items named SIGNED, say) are arguments.
   */
  seedOnly?: boolean;
}

/** The most bytes of a signed draw's DATA. */
const MAX_DATA_BYTES = 1000;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as UTF-8 text, or `undefined` when they are not UTF-8. */
function strictDecode(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A byte string as UTF-8 text, or `undefined` when it is not UTF-8. */
function strictText(arg: string): string | undefined {
  return strictDecode(bytesOf(arg));
}

/**
 * A draw with SIGNED (PROTOCOL.md 6.1): its reply as an unsigned request
 * gets it, then a record of the request, that reply and the client's DATA,
 * signed and stored before it is sent.
 */
async function signedDraw(
  command: Command,
  args: string[],
  writer: ReplyWriter,
  session: Session,
  seed: string | undefined,
  data: string | undefined,
): Promise<void> {
  const signer = session.signer;
  if (signer === undefined) {
    writer.error(
      "ERR SIGNED: this server signs no draws (it needs --signing-key and --draw-log)",
    );
    return;
  }
  if (data !== undefined && data.length > MAX_DATA_BYTES) {
    writer.error(
      `ERR DATA: expected at most ${MAX_DATA_BYTES} bytes, got ${data.length}`,
    );
    return;
  }
  const words = seed === undefined ? args : [...args, "SEED", seed];
  const request = words.map(strictText);
  const dataText = data === undefined ? "" : strictText(data);
  if (request.some((arg) => arg === undefined) || dataText === undefined) {
    writer.error("ERR SIGNED: a signed draw's arguments must be UTF-8 text");
    return;
  }
  request[0] = upper(request[0]!);
  // Raw bytes are not text; whether this draw's happen to be valid UTF-8
  // must not decide whether it can be signed.
  if (request[0] === "RANDBYTES" && args.length < 3) {
    writer.error("ERR SIGNED: RANDBYTES needs HEX or BASE64 to be signed");
    return;
  }
  // The record holds the RESP2 reply, whatever this connection speaks.
  const inner = new ReplyWriter();
  const source = seed === undefined
    ? undefined
    : await seedSource(bytesOf(seed));
  await command.run(args, inner, session, source);
  const reply = inner.take();
  if (reply[0] === 0x2d) {
    // An error reply: nothing was drawn, so nothing is signed.
    writer.error(utf8.decode(reply.subarray(1, reply.length - 2)));
    return;
  }
  const result = strictDecode(reply);
  if (result === undefined) {
    writer.error("ERR SIGNED: the reply is not text, and cannot be signed");
    return;
  }
  let record;
  try {
    record = await signer.sign(request as string[], result, dataText);
  } catch (error) {
    writer.error(
      `ERR SIGNED: the draw log could not store the record (${
        error instanceof Error ? error.message : error
      })`,
    );
    return;
  }
  writer.bulk(JSON.stringify(record));
}

/**
 * Runs one request, writing its reply. A seeded draw returns a promise: its
 * key is hashed with Web Crypto, which is asynchronous, and its reply is
 * written once it settles.
 */
export function runCommand(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  options: RunOptions = {},
): Promise<void> | undefined {
  const name = upper(args[0]);
  const command = COMMANDS[name];
  if (command === undefined) {
    const rest = args.slice(1, 21).map((a) => `'${shown(a, 128)}'`).join(" ");
    writer.error(
      `ERR unknown command '${
        shown(args[0], 128)
      }', with args beginning with: ${rest}`,
    );
    return;
  }
  const arity = command.arity;
  const fits = (rest: string[]) =>
    (arity > 0 && rest.length === arity) ||
    (arity < 0 && rest.length >= -arity);
  if (!command.draw) {
    if (fits(args)) return command.run(args, writer, session) ?? undefined;
    writer.error(wrongArity(args[0]));
    return;
  }
  // A draw's last arguments may be SEED seed, SIGNED and DATA text, in any
  // order (PROTOCOL.md 5.4, 6.1).
  let seed: string | undefined;
  let data: string | undefined;
  let signed = false;
  for (;;) {
    const n = args.length;
    const word = n >= 3 ? upper(args[n - 2]) : "";
    if (word === "SEED" && seed === undefined) {
      seed = args[n - 1];
    } else if (options.seedOnly) {
      break;
    } else if (word === "DATA" && data === undefined) {
      data = args[n - 1];
    } else if (n >= 2 && upper(args[n - 1]) === "SIGNED" && !signed) {
      signed = true;
      args = args.slice(0, -1);
      continue;
    } else {
      break;
    }
    args = args.slice(0, -2);
  }
  if (!fits(args)) {
    writer.error(wrongArity(args[0]));
    return;
  }
  if (data !== undefined && !signed) {
    writer.error("ERR DATA: only with SIGNED");
    return;
  }
  if (signed) return signedDraw(command, args, writer, session, seed, data);
  if (seed === undefined) {
    return command.run(args, writer, session) ?? undefined;
  }
  return seedSource(bytesOf(seed)).then((source) =>
    command.run(args, writer, session, source)
  );
}
