// The draws of real numbers: RANDFLOAT (decimal fractions, exact at their
// digits) and GAUSS (normal deviates), PROTOCOL.md §5.3.

import { cryptoRandomSource } from "../random/crypto_random_source.ts";
import { randomBelow } from "../random/random_below.ts";
import type { RandomSource } from "../random/random_source.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import { integerArgument, realArgument, wrongArity } from "./_arguments.ts";
import type { Session } from "./_command.ts";
import { breathe, YIELD_EVERY } from "./_giving_way.ts";

/**
 * RANDFLOAT count [decimals]: uniform in [0, 1) exactly at `decimals`
 * digits (1 to 15, default 6): an integer drawn uniformly below 10^decimals,
 * written as 0.xxx with every digit (no binary rounding on the way).
 */
export async function randfloat(
  args: string[],
  writer: ReplyWriter,
  session: Session,
  source: RandomSource = cryptoRandomSource(),
): Promise<void> {
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

const TWO_53 = 2 ** 53;

/** A uniform double in (0, 1): 53 random bits, centred in their interval. */
function openUnit(source: RandomSource): number {
  return (randomBelow(TWO_53, { source }) + 0.5) / TWO_53;
}

/**
 * GAUSS count mean stddev: normal deviates by the Box–Muller transform of
 * pairs of 53-bit uniforms in (0, 1) from the CSPRNG.
 */
export async function gauss(
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
