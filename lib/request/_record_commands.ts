// The commands of a signing server's records (PROTOCOL.md §6): its key
// (PUBKEY), its stored records (GETDRAW, DRAWS), and commitments to secrets
// given out later (COMMIT, REVEAL). Without a signing key each answers
// that the server signs nothing.

import type { ReplyWriter } from "../resp/reply_writer.ts";
import { commitmentOf, commitSecret } from "../signed/commitment.ts";
import { integerArgument } from "./_arguments.ts";
import { shown, strictText, upper } from "./_byte_strings.ts";
import type { Session } from "./_command.ts";
import { hex } from "./_encodings.ts";
import { MAX_DATA_BYTES } from "./_signed_draw.ts";

/** The most records one DRAWS request returns. */
const MAX_DRAWS = 1000;

function noSigner(writer: ReplyWriter): void {
  writer.error(
    "ERR this server signs no draws (it needs --signing-key and --draw-log)",
  );
}

/** PUBKEY: the signing key's algorithm, id and public key. */
export function pubkey(
  _args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
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
export async function getdraw(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): Promise<void> {
  const signer = session.signer;
  if (signer === undefined) return noSigner(writer);
  const serial = integerArgument("serial", args[1], 1, Number.MAX_SAFE_INTEGER);
  if (typeof serial === "string") return writer.error(serial);
  const record = await signer.ledger.get(signer.key.keyId, serial);
  if (record === undefined) writer.null();
  else writer.bulk(JSON.stringify(record));
}

/** DRAWS from to: the stored records from..to, at most MAX_DRAWS, as JSON. */
export async function draws(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): Promise<void> {
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
export async function commit(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): Promise<void> {
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
export async function reveal(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): Promise<void> {
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
