// A draw with SIGNED (PROTOCOL.md §6.1): the draw is run as an unsigned
// request would run it, into a writer of its own, and what goes out is a
// record of the request and that reply, signed and stored first.

import { seedSource } from "../random/seed_source.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import {
  bytesOf,
  lenientDecode,
  strictDecode,
  strictText,
  upper,
} from "./_byte_strings.ts";
import type { Command, Session } from "./_command.ts";

/** The most bytes of a signed draw's DATA (and of COMMIT's). */
export const MAX_DATA_BYTES = 1000;

/**
 * A draw with SIGNED (PROTOCOL.md 6.1): its reply as an unsigned request
 * gets it, then a record of the request, that reply and the client's DATA,
 * signed and stored before it is sent.
 */
export async function signedDraw(
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
    writer.error(lenientDecode(reply.subarray(1, reply.length - 2)));
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
