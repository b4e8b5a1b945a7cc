// The draws of integers in a range: RANDINT (with repeats, or UNIQUE) and
// SEQUENCE (a permutation of the whole range), PROTOCOL.md §5.3, seeded as
// §5.4 when the dispatcher hands them the seed's source.

import { cryptoRandomSource } from "../random/crypto_random_source.ts";
import { distinctIntegers } from "../random/distinct_integers.ts";
import { randomInteger } from "../random/random_integer.ts";
import { rangeSize } from "../random/range_size.ts";
import type { RandomSource } from "../random/random_source.ts";
import { UniqueSampler } from "../random/unique_sampler.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import { encodePayload } from "../wire/encode_payload.ts";
import { formatPayload } from "../wire/format_payload.ts";
import { payloadSampler } from "../wire/payload_sampler.ts";
import {
  PAYLOAD_FORMATS,
  type PayloadFormat,
  PayloadSpecError,
  resolvePayloadSpec,
} from "../wire/payload_spec.ts";
import { integerArgument } from "./_arguments.ts";
import { shown, upper } from "./_byte_strings.ts";
import type { Session } from "./_command.ts";

/** Draws of at most this many numbers take RANDINT's short path. */
const SMALL_DRAW = 64;
const TWO_32 = 2 ** 32;

/**
 * RANDINT count min max [UNIQUE] [FORMAT csv|lines|json]: `count` integers
 * drawn uniformly from min..max by the CSPRNG, as an array of integers, or
 * as one bulk string in a payload format of PROTOCOL.md §2.
 */
export function randint(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): void {
  const MAX = Number.MAX_SAFE_INTEGER;
  // The first bad one of the three is the error.
  const count = integerArgument("count", args[1], 0, session.maxNumbers);
  if (typeof count === "string") return writer.error(count);
  const min = integerArgument("min", args[2], -MAX, MAX);
  if (typeof min === "string") return writer.error(min);
  const max = integerArgument("max", args[3], -MAX, MAX);
  if (typeof max === "string") return writer.error(max);
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
    // randomBelow's loop, inlined (the same words give the same numbers):
    // its options object and checks per number were a twentieth of the
    // request's time.
    const words = cryptoRandomSource();
    const bound = max - min + 1;
    const limit = TWO_32 - (TWO_32 % bound);
    writer.arrayHeader(count);
    for (let i = 0; i < count; i++) {
      let word = words.nextUint32();
      while (word >= limit) word = words.nextUint32();
      // word % bound, exactly: the quotient of two integers below 2^32 is
      // never within one ulp of the next integer up, so the rounded
      // division floors to the true quotient. `%` on numbers above 2^31 is
      // a call to fmod; this is two instructions.
      writer.integer(min + (word - Math.floor(word / bound) * bound));
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
    if (format === undefined) writer.integerArray(numbers);
    else writer.bulk(formatPayload(numbers, format));
    return;
  }
  if (format !== undefined) {
    writer.bulk(encodePayload(spec));
    return;
  }
  const numbers = new Float64Array(count);
  payloadSampler(spec).fill(numbers, count);
  writer.integerArray(numbers);
}

/** SEQUENCE min max: a uniformly random permutation of min..max. */
export function sequence(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source?: RandomSource,
): void {
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
  let out: ArrayLike<number>;
  if (source === undefined) {
    const sampled = new Float64Array(size);
    new UniqueSampler(min, max).fill(sampled, size);
    out = sampled;
  } else {
    out = distinctIntegers(size, { min, max }, { source });
  }
  writer.integerArray(out);
}
