/**
 * A draw's reply computed as the request port computes it, without a
 * server: what a verifier needs to recompute a seeded draw (PROTOCOL.md
 * §5.4) and compare it with a signed record's `result`.
 *
 * @module
 */

import { byteString } from "../resp/request_parser.ts";
import { ReplyWriter } from "../resp/reply_writer.ts";
import { COMMANDS, runCommand, type Session } from "./_commands.ts";

/** Options for {@linkcode drawReply}. */
export interface DrawReplyOptions {
  /**
   * The most numbers one draw may ask for, as the server's `maxNumbers`.
   *
   * @default {1000000}
   */
  maxNumbers?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The RESP2 reply of a draw request as a signed record holds it (its
 * `request`: `SIGNED` and `DATA` left out), as text: for a seeded request
 * (`... SEED seed`), the exact reply every randport server sends; for an
 * unseeded one, a fresh draw from the CSPRNG.
 *
 * @example Usage
 * ```ts
 * import { drawReply } from "@randport/randport/request";
 *
 * const reply = await drawReply(["RANDINT", "6", "1", "49", "SEED", "hello"]);
 * console.log(JSON.stringify(reply)); // "*6\r\n:35\r\n:16\r\n:27\r\n:37\r\n:25\r\n:40\r\n"
 * ```
 *
 * @param args The command's name and arguments, as text.
 * @param options The limit the server applied.
 * @returns The reply, an error reply (`-ERR ...`) included.
 * @throws {RangeError} When the command is not one of the draws, or its
 * reply is not UTF-8 text (`RANDBYTES` without `HEX` or `BASE64`).
 */
export async function drawReply(
  args: readonly string[],
  options: DrawReplyOptions = {},
): Promise<string> {
  // ASCII letters only, as the commands read names (ß is no S).
  const name = (args[0] ?? "").replace(/[a-z]+/g, (l) => l.toUpperCase());
  if (!COMMANDS[name]?.draw) {
    throw new RangeError(`request: ${JSON.stringify(args[0])} is not a draw`);
  }
  const writer = new ReplyWriter();
  const session: Session = {
    id: 0,
    name: undefined,
    quit: false,
    // REQUEST_DEFAULTS.maxNumbers, not imported: request_options.ts brings
    // the listeners' TLS (node:tls), which a browser cannot load.
    maxNumbers: options.maxNumbers ?? 1_000_000,
  };
  // The commands take arguments as the server's parser gives them: bytes.
  const bytes = args.map((arg) => byteString(encoder.encode(arg)));
  // A record's request holds no SIGNED or DATA options any more: words
  // like those left in it are the draw's own arguments.
  await runCommand(bytes, writer, session, { seedOnly: true });
  try {
    return decoder.decode(writer.take());
  } catch {
    throw new RangeError("result: the reply is bytes, not text");
  }
}
