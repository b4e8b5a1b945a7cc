// The draws over the client's own items: SHUFFLE and SAMPLE. The items are
// byte strings and come back byte for byte, whatever their encoding.

import type { RandomSource } from "../random/random_source.ts";
import { shuffle as shuffled } from "../random/shuffle.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import { integerArgument } from "./_arguments.ts";
import { bytesOf } from "./_byte_strings.ts";
import type { Session } from "./_command.ts";

/** The client's own items (byte strings), byte for byte. */
function writeItems(writer: ReplyWriter, items: string[]): void {
  writer.arrayHeader(items.length);
  for (const item of items) writer.bulk(bytesOf(item));
}

/** SHUFFLE item ...: the client's items in a uniformly random order. */
export function shuffle(
  args: string[],
  writer: ReplyWriter,
  _session: Session,
  source?: RandomSource,
): void {
  writeItems(writer, shuffled(args.slice(1), { source }));
}

/** SAMPLE k item ...: k distinct positions of the items, in random order. */
export function sample(
  args: string[],
  writer: ReplyWriter,
  _session: Session,
  source?: RandomSource,
): void {
  const items = args.slice(2);
  const k = integerArgument("k", args[1], 0, items.length);
  if (typeof k === "string") return writer.error(k);
  writeItems(writer, shuffled(items, { count: k, source }));
}
