// What a command of the request port is, and what it may change or ask of
// its connection: the one shape the table (_commands.ts), the server's
// connection loop and the verifier's drawReply all agree on.

import type { RandomSource } from "../random/random_source.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import type { Signer } from "./_signer.ts";

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

/** One entry of the command table. */
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
