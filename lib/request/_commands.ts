// The request port's command table and its dispatcher: a request's name
// finds its command, the arity is checked as Redis checks it, and a draw's
// trailing `SEED seed`, `SIGNED` and `DATA text` (PROTOCOL.md §5.4, §6.1)
// are taken off and applied here, once for every draw. What each command
// does is in the files named after its kind:
//
// - _integer_draws.ts: RANDINT, SEQUENCE
// - _item_draws.ts: SHUFFLE, SAMPLE
// - _string_draws.ts: UUID, RANDBYTES, RANDSTRING
// - _real_draws.ts: RANDFLOAT, GAUSS
// - _record_commands.ts: PUBKEY, COMMIT, REVEAL, GETDRAW, DRAWS
// - _handshake_commands.ts: PING, ECHO, HELLO, QUIT, RESET, SELECT,
//   CLIENT, INFO, CONFIG
// - _help.ts: HELP
//
// COMMAND is here: it describes this table.

import { seedSource } from "../random/seed_source.ts";
import type { ReplyWriter } from "../resp/reply_writer.ts";
import { wrongArity } from "./_arguments.ts";
import { bytesOf, isWord, shown, upper } from "./_byte_strings.ts";
import type { Command, Session } from "./_command.ts";
import {
  client,
  config,
  echo,
  hello,
  info,
  ping,
  quit,
  reset,
  select,
} from "./_handshake_commands.ts";
import { help } from "./_help.ts";
import { randint, sequence } from "./_integer_draws.ts";
import { sample, shuffle } from "./_item_draws.ts";
import { gauss, randfloat } from "./_real_draws.ts";
import { commit, draws, getdraw, pubkey, reveal } from "./_record_commands.ts";
import { signedDraw } from "./_signed_draw.ts";
import { randbytes, randstring, uuid } from "./_string_draws.ts";

export type { Command, Session } from "./_command.ts";

/** COMMAND [COUNT|DOCS]: enough for clients that ask; no command docs. */
function command(args: string[], writer: ReplyWriter): void {
  const sub = args[1] === undefined ? undefined : upper(args[1]);
  if (sub === "COUNT") writer.integer(Object.keys(COMMANDS).length);
  else if (sub === "DOCS") writer.mapHeader(0);
  else if (sub === undefined) writer.arrayHeader(0);
  else {
    writer.error(
      `ERR unknown subcommand '${shown(args[1])}'. Try COMMAND HELP.`,
    );
  }
}

/** Every command, by its name in capitals. */
export const COMMANDS: Record<string, Command> = {
  RANDINT: { arity: -4, draw: true, run: randint },
  SEQUENCE: { arity: 3, draw: true, run: sequence },
  SHUFFLE: { arity: -1, draw: true, run: shuffle },
  SAMPLE: { arity: -2, draw: true, run: sample },
  UUID: { arity: -1, draw: true, run: uuid },
  RANDBYTES: { arity: -2, draw: true, run: randbytes },
  RANDSTRING: { arity: -3, draw: true, run: randstring },
  RANDFLOAT: { arity: -2, draw: true, run: randfloat },
  GAUSS: { arity: 4, draw: true, run: gauss },
  PUBKEY: { arity: 1, run: pubkey },
  COMMIT: { arity: -1, run: commit },
  REVEAL: { arity: 2, run: reveal },
  GETDRAW: { arity: 2, run: getdraw },
  DRAWS: { arity: 3, run: draws },
  PING: { arity: -1, run: ping },
  ECHO: { arity: 2, run: echo },
  HELLO: { arity: -1, run: hello },
  QUIT: { arity: -1, run: quit },
  RESET: { arity: 1, run: reset },
  SELECT: { arity: 2, run: select },
  CLIENT: { arity: -2, run: client },
  COMMAND: { arity: -1, run: command },
  INFO: { arity: -1, run: info },
  CONFIG: { arity: -2, run: config },
  HELP: { arity: -1, run: help },
};

/**
 * The commands by the two spellings clients send, capitals and lower case:
 * found without building the name in capitals first. Any other spelling
 * (`Ping`) goes the long way, through `upper` and the table.
 */
const BY_SPELLING = new Map<string, Command>();
for (const [name, command] of Object.entries(COMMANDS)) {
  BY_SPELLING.set(name, command);
  BY_SPELLING.set(name.toLowerCase(), command);
}

/** Whether a request of `length` words fits Redis's arity. */
function fits(arity: number, length: number): boolean {
  return (arity > 0 && length === arity) || (arity < 0 && length >= -arity);
}

/** How {@linkcode runCommand} reads a request. */
export interface RunOptions {
  /**
   * Only `SEED seed` is an option: for a signed record's request, whose
   * SIGNED and DATA were taken out already, and whose remaining words
   * (items named SIGNED, say) are arguments.
   */
  seedOnly?: boolean;
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
  options?: RunOptions,
): Promise<void> | undefined {
  const command = BY_SPELLING.get(args[0]) ?? COMMANDS[upper(args[0])];
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
  if (!command.draw) {
    if (fits(arity, args.length)) {
      return command.run(args, writer, session) ?? undefined;
    }
    writer.error(wrongArity(args[0]));
    return;
  }
  // A draw's last arguments may be SEED seed, SIGNED and DATA text, in any
  // order (PROTOCOL.md 5.4, 6.1).
  let seed: string | undefined;
  let data: string | undefined;
  let signed = false;
  const seedOnly = options?.seedOnly ?? false;
  for (;;) {
    const n = args.length;
    if (n >= 3 && seed === undefined && isWord(args[n - 2], "SEED")) {
      seed = args[n - 1];
    } else if (seedOnly) {
      break;
    } else if (n >= 3 && data === undefined && isWord(args[n - 2], "DATA")) {
      data = args[n - 1];
    } else if (n >= 2 && !signed && isWord(args[n - 1], "SIGNED")) {
      signed = true;
      args = args.slice(0, -1);
      continue;
    } else {
      break;
    }
    args = args.slice(0, -2);
  }
  if (!fits(arity, args.length)) {
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
  // Seeded (PROTOCOL.md 5.4): the draw's words come from the seed's
  // generator instead of the CSPRNG.
  return seedSource(bytesOf(seed)).then((source) =>
    command.run(args, writer, session, source)
  );
}
