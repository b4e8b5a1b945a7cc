// What Redis clients and tools send besides draws, answered the way they
// tolerate (the list): HELLO, CLIENT, SELECT 0, INFO, CONFIG GET
// (redis-benchmark asks it before a run), PING, ECHO, QUIT and RESET.
// COMMAND describes the table, and lives with it in _commands.ts.

import type { ReplyWriter } from "../resp/reply_writer.ts";
import { wrongArity } from "./_arguments.ts";
import { bytesOf, shown, upper } from "./_byte_strings.ts";
import type { Session } from "./_command.ts";
import { globMatcher } from "./_glob_matcher.ts";

/** The version HELLO and INFO report. */
const VERSION = "0.1.0";

/** Client names, as Redis has them: printable ASCII, no spaces. */
function badName(name: string): boolean {
  return /[^!-~]/.test(name);
}

const NAME_ERROR =
  "ERR Client names cannot contain spaces, newlines or special characters.";

/** HELLO [2|3 [AUTH user pass] [SETNAME name]]: the protocol, and facts. */
export function hello(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
  let i = 1;
  if (args.length > 1) {
    const version = args[1];
    if (version !== "2" && version !== "3") {
      writer.error(
        /^\d+$/.test(version)
          ? "NOPROTO unsupported protocol version"
          : "ERR Protocol version is not an integer or out of range",
      );
      return;
    }
    i = 2;
  }
  // Nothing changes unless every option is good, as in Redis.
  let name: string | undefined;
  for (; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "SETNAME" && i + 1 < args.length) {
      name = args[++i];
      if (badName(name)) return writer.error(NAME_ERROR);
    } else if (option === "AUTH" && i + 2 < args.length) {
      i += 2; // No users here: any credentials are accepted.
    } else {
      writer.error(`ERR Syntax error in HELLO option '${shown(args[i])}'`);
      return;
    }
  }
  if (args.length > 1) writer.version = args[1] === "3" ? 3 : 2;
  if (name !== undefined) session.name = name || undefined;
  const fields: [string, string | number][] = [
    ["server", "randport"],
    ["version", VERSION],
    ["proto", writer.version],
    ["id", session.id],
    ["mode", "standalone"],
    ["role", "master"],
  ];
  writer.mapHeader(fields.length + 1);
  for (const [key, value] of fields) {
    writer.bulk(key);
    if (typeof value === "number") writer.integer(value);
    else writer.bulk(value);
  }
  writer.bulk("modules");
  writer.arrayHeader(0);
}

/** CLIENT SETNAME name | GETNAME | ID | SETINFO attr value. */
export function client(
  args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
  const sub = upper(args[1]);
  if (sub === "SETNAME" && args.length === 3) {
    if (badName(args[2])) return writer.error(NAME_ERROR);
    session.name = args[2] || undefined;
    writer.simple("OK");
  } else if (sub === "GETNAME" && args.length === 2) {
    if (session.name === undefined) writer.null();
    else writer.bulk(bytesOf(session.name));
  } else if (sub === "ID" && args.length === 2) {
    writer.integer(session.id);
  } else if (sub === "SETINFO" && args.length === 4) {
    writer.simple("OK");
  } else {
    writer.error(
      `ERR unknown subcommand or wrong number of arguments for '${
        shown(args[1])
      }'. Try CLIENT HELP.`,
    );
  }
}

/** INFO [section]: server facts as key:value lines, one bulk string. */
export function info(
  _args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
  const lines = [
    "# Server",
    "redis_version:7.0.0",
    `randport_version:${VERSION}`,
    "redis_mode:standalone",
    `process_id:${Deno.pid}`,
    "",
    "# Clients",
    `client_id:${session.id}`,
    "",
  ];
  writer.bulk(lines.join("\r\n"));
}

/** `CONFIG GET`: what redis-benchmark and clients ask before they start. */
const CONFIG: Record<string, string> = {
  save: "",
  appendonly: "no",
  databases: "1",
  "maxmemory-policy": "noeviction",
};

/** CONFIG GET pattern ...: the settings of {@linkcode CONFIG} that match. */
export function config(args: string[], writer: ReplyWriter): void {
  if (upper(args[1]) !== "GET") {
    writer.error(
      `ERR unknown subcommand '${shown(args[1])}'. Try CONFIG HELP.`,
    );
    return;
  }
  const pairs: [string, string][] = [];
  for (const pattern of args.slice(2)) {
    const match = globMatcher(pattern.toLowerCase());
    for (const [key, value] of Object.entries(CONFIG)) {
      if (match(key) && !pairs.some(([k]) => k === key)) {
        pairs.push([key, value]);
      }
    }
  }
  writer.mapHeader(pairs.length);
  for (const [key, value] of pairs) {
    writer.bulk(key);
    writer.bulk(value);
  }
}

/** PING [message]: PONG, or the message, byte for byte. */
export function ping(args: string[], writer: ReplyWriter): void {
  if (args.length > 2) writer.error(wrongArity(args[0]));
  else if (args.length === 2) writer.bulk(bytesOf(args[1]));
  else writer.simple("PONG");
}

/** ECHO message: the message, byte for byte. */
export function echo(args: string[], writer: ReplyWriter): void {
  writer.bulk(bytesOf(args[1]));
}

/** QUIT: OK, then the connection closes once its replies are written. */
export function quit(
  _args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
  writer.simple("OK");
  session.quit = true;
}

/** RESET: back to RESP2 and no name, as a new connection. */
export function reset(
  _args: string[],
  writer: ReplyWriter,
  session: Session,
): void {
  writer.version = 2;
  session.name = undefined;
  writer.simple("RESET");
}

/** SELECT 0: the only database. */
export function select(args: string[], writer: ReplyWriter): void {
  if (args[1] === "0") writer.simple("OK");
  else writer.error("ERR DB index is out of range");
}
