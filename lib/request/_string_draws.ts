// The draws that reply strings: UUID, RANDBYTES and RANDSTRING (PROTOCOL.md
// §5.3). What each draws is in lib/random (randomUuid, randomBytes,
// randomString), which specifies the seeded derivation; here are the
// arguments, the limits and the replies.

import { cryptoRandomSource } from "../random/crypto_random_source.ts";
import { randomBytes } from "../random/random_bytes.ts";
import type { RandomSource } from "../random/random_source.ts";
import { randomString } from "../random/random_string.ts";
import { randomUuid } from "../random/random_uuid.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import { integerArgument, wrongArity } from "./_arguments.ts";
import { shown, strictText, upper } from "./_byte_strings.ts";
import type { Session } from "./_command.ts";
import { base64, hex } from "./_encodings.ts";
import { breathe, YIELD_EVERY } from "./_giving_way.ts";

function writeStrings(writer: ReplyWriter, items: string[]): void {
  writer.arrayHeader(items.length);
  for (const item of items) writer.bulk(item);
}

/**
 * UUID [count]: version 4 UUIDs (RFC 9562) from the CSPRNG; one is a bulk
 * string, a count an array of them.
 */
export function uuid(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): void | Promise<void> {
  // Its arity is -1 for the table (UUID alone is a request), at most 2.
  if (args.length > 2) return writer.error(wrongArity(args[0]));
  return uuids(args, writer, session, source);
}

async function uuids(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): Promise<void> {
  const count = args.length > 1
    ? integerArgument("count", args[1], 1, session.maxNumbers)
    : 1;
  if (typeof count === "string") return writer.error(count);
  if (args.length === 1) return writer.bulk(randomUuid({ source }));
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    ids[i] = randomUuid({ source });
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await breathe();
  }
  writeStrings(writer, ids);
}

/** RANDBYTES n [HEX|BASE64]: n bytes from the CSPRNG. */
export function randbytes(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): void {
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
  const bytes = randomBytes(n, { source });
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
export async function randstring(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source: RandomSource = cryptoRandomSource(),
): Promise<void> {
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
    strings.push(randomString(length, alphabet, { source }));
    if (s % YIELD_EVERY === YIELD_EVERY - 1) await breathe();
  }
  writeStrings(writer, strings);
}
