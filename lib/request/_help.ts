// HELP: one line per command, its usage and what it replies. The full
// reference is PROTOCOL.md §5.3; these lines must say the same.

import type { ReplyWriter } from "../resp/reply_writer.ts";
import { shown, upper } from "./_byte_strings.ts";

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
export function help(args: string[], writer: ReplyWriter): void {
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
