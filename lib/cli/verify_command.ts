/**
 * `deno task client verify`: checks a signed record, or an exported log of
 * them, against a public key, and says in one line whether they hold and,
 * if not, which record and which field is wrong.
 *
 * @module
 */

import { connectRequests } from "../client/request_client.ts";
import type { ClientTlsOptions } from "../client/client_tls_options.ts";
import { clientTlsFlags } from "./flag_file.ts";
import {
  REQUEST_CLIENT_DEFAULTS,
  resolveRequestClientOptions,
} from "../client/request_client_options.ts";
import { RandportError } from "../errors/randport_error.ts";
import { keyIdOf } from "../signed/signing_key.ts";
import {
  type ChainVerification,
  type DrawRecordLine,
  parseDrawRecordLines,
  parsePublicKey,
  verifyChain,
} from "../verify/mod.ts";
import { splitDrawArgs } from "./draw_command.ts";
import { hostFlag, integerFlag, parseFlags, secondsFlag } from "./flags.ts";
import { errorHint } from "./hints.ts";
import { asUsageError, UsageError } from "./usage_error.ts";

/** `deno task client verify --help`. */
export const VERIFY_HELP =
  `Usage: deno task client verify --public-key HEX < draws.jsonl
       deno task client verify --from-server [--host H] [--port N] < draws.jsonl
       deno run --allow-net --allow-read=FILE client.ts verify --public-key HEX FILE

Verifies signed draws (PROTOCOL.md §6): one record's JSON (as GETDRAW or a
SIGNED draw replies it) or an exported log (JSON lines, one record per line),
read from stdin, or from FILE ("-" is stdin). Each record's key id, hash and
Ed25519 signature are checked; a seeded draw's result is recomputed from its
seed; and the records must form one chain: serials 1, 2, 3, ... without a gap
or repeat, each linked to the one before by its previous hash. Prints one line:
"ok: 12 records, serials 1..12, chain intact, key <id>" and exits 0, or names
the first record that fails (its line and serial) and the field at fault, and
exits 1.

Flags:
  --public-key HEX   the signer's Ed25519 public key, 64 hex digits, as the
                     operator publishes it (server.ts prints it at start)
  --from-server      ask the server for its key instead (PUBKEY on its request
                     port; --host, --port (default ${REQUEST_CLIENT_DEFAULTS.port}), --timeout, --tls, --ca as
                     for draws). A key from
                     the server being checked proves less than a published
                     one: only that the records are that server's, not that
                     the server is the one it claims to be, nor that it did not
                     change its key; compare the key id printed with one
                     published elsewhere
  --mid-chain        the records may begin mid-chain (a DRAWS range, the tail
                     of a log): the first one's previous hash is taken on
                     trust. A single record is always checked this way
  --previous HASH    the hash of the record before the first (from a part
                     checked earlier): the first one must link to it
  --max-numbers N    the server's --max-numbers, to recompute seeded draws
                     larger than the default ${1_000_000}
  -h, --help         show this help

Reading a FILE needs --allow-read, which \`deno task client\` does not grant
(it runs with --allow-net only): give the file on stdin instead, as above.

Exit codes: 0 every record holds, 1 a record fails (or the input is not
records, or the server could not be asked), 2 bad flags.`;

const VERIFY_FLAGS = {
  "public-key": { type: "string" },
  "from-server": { type: "boolean" },
  host: { type: "string" },
  port: { type: "string" },
  timeout: { type: "string" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  "mid-chain": { type: "boolean" },
  previous: { type: "string" },
  "max-numbers": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The flag of every option the request client takes, for its errors. */
const FLAG_OF: Record<string, string> = {
  hostname: "--host",
  port: "--port",
  timeout: "--timeout",
};

/** Where the public key came from. */
interface KeySource {
  publicKey: Uint8Array;
  /** The server's address, when the key was fetched from it. */
  server?: string;
}

/**
 * `deno task client verify [flags] [FILE|-]`: verifies the records and
 * prints one line. Throws a one-line `Error` (exit 1) for records that fail
 * or input that is not records, and a {@linkcode UsageError} (exit 2) for
 * bad flags.
 *
 * @example Usage
 * ```ts ignore
 * import { runMain, verifyMain } from "./mod.ts";
 *
 * await runMain("randport client", () => verifyMain(["--public-key", "d75a…", "-"]));
 * ```
 *
 * @param args The command line after `verify`.
 * @returns The exit code: 0 when every record holds.
 */
export async function verifyMain(args: string[]): Promise<number> {
  const split = splitDrawArgs(["verify", ...args], VERIFY_FLAGS);
  const values = parseFlags(split.flags, VERIFY_FLAGS);
  if (values.help) {
    console.log(VERIFY_HELP);
    return 0;
  }
  const text = (name: keyof typeof VERIFY_FLAGS) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  if (split.positionals.length > 1) {
    throw new UsageError(
      `verify: expected at most one FILE, got ${split.positionals.length} (see --help)`,
    );
  }
  const hex = text("public-key");
  const fromServer = values["from-server"] === true;
  if (hex !== undefined && fromServer) {
    throw new UsageError("--from-server: not with --public-key: give one");
  }
  if (hex === undefined && !fromServer) {
    throw new UsageError(
      "verify: --public-key HEX is needed (the operator's published key), or --from-server (see --help)",
    );
  }
  if (!fromServer && values.tls === true) {
    throw new UsageError("--tls: only with --from-server");
  }
  if (!fromServer) {
    for (const flag of ["host", "port", "timeout", "ca"] as const) {
      if (text(flag) !== undefined) {
        throw new UsageError(`--${flag}: only with --from-server`);
      }
    }
  }
  const previous = text("previous");
  if (previous !== undefined && !/^[0-9a-f]{64}$/.test(previous)) {
    throw new UsageError(
      `--previous: expected 64 lowercase hex digits, got ${
        JSON.stringify(previous)
      }`,
    );
  }
  const maxText = text("max-numbers");
  const maxNumbers = maxText === undefined
    ? undefined
    : integerFlag("--max-numbers", maxText, { min: 1 });
  let key: KeySource | undefined;
  if (hex !== undefined) {
    try {
      key = { publicKey: parsePublicKey(hex) };
    } catch (error) {
      throw new UsageError(
        `--public-key: ${(error as Error).message.replace(/^publicKey: /, "")}`,
      );
    }
  }
  const path = split.positionals[0];
  const source = path === undefined || path === "-" ? "stdin" : path;
  // The input is read before a key is fetched: a connection waits on no one.
  const input = await readInput(path);
  key ??= await fetchKey({
    host: text("host"),
    port: text("port"),
    timeout: text("timeout"),
  }, await clientTlsFlags(values));
  let lines: DrawRecordLine[];
  try {
    lines = parseDrawRecordLines(input);
  } catch (error) {
    throw new Error(`${source}, ${(error as Error).message}`);
  }
  if (lines.length === 0) {
    throw new Error(
      `${source}: no records (expected a record's JSON, or an export's JSON lines)`,
    );
  }
  const midChain = values["mid-chain"] === true || lines.length === 1;
  const result = await verifyChain(
    lines.map((line) => line.record),
    key.publicKey,
    { midChain, previous, maxNumbers },
  );
  if (!result.ok) throw new Error(failureLine(result, lines, source));
  console.log(summaryLine(result, {
    midChain: values["mid-chain"] === true,
    previous: previous !== undefined,
    server: key.server,
  }));
  return 0;
}

/** The records' text, from a file or stdin. */
async function readInput(path: string | undefined): Promise<string> {
  if (path === undefined || path === "-") {
    if (Deno.stdin.isTerminal()) {
      throw new UsageError(
        "verify: give the records on stdin (deno task client verify --public-key HEX < draws.jsonl)",
      );
    }
    // Not decoded strictly: a byte that is not UTF-8 becomes U+FFFD, and the
    // record holding it fails by name, not the whole input.
    return await new Response(Deno.stdin.readable).text();
  }
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw new UsageError(
        `${path}: reading a file needs --allow-read (deno run --allow-net --allow-read=${path} client.ts verify ...); or give it on stdin: deno task client verify ... < ${path}`,
      );
    }
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${path}: no such file`);
    }
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** The server's public key, from `PUBKEY` on its request port. */
async function fetchKey(
  flags: { host?: string; port?: string; timeout?: string },
  tls: true | ClientTlsOptions | undefined,
): Promise<KeySource> {
  let resolved;
  try {
    resolved = resolveRequestClientOptions({
      hostname: flags.host === undefined
        ? undefined
        : hostFlag("--host", flags.host),
      port: flags.port === undefined
        ? undefined
        : integerFlag("--port", flags.port, { min: 1, max: 65535 }),
      timeout: flags.timeout === undefined
        ? undefined
        : secondsFlag("--timeout", flags.timeout),
      tls,
    });
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  const where = `${resolved.hostname}:${resolved.port}`;
  let reply: unknown;
  try {
    const client = await connectRequests(resolved);
    try {
      reply = await client.command(["PUBKEY"]);
    } finally {
      await client.close();
    }
  } catch (error) {
    if (error instanceof RandportError) {
      if (error.code === "server-error") {
        throw new Error(
          `--from-server: ${where} gave no key: ${
            error.message.replace(/^ERR /, "")
          }`,
        );
      }
      throw new Error(
        `--from-server: ${error.message}; ${
          errorHint(error.code, {
            hostname: resolved.hostname,
            port: resolved.port,
            requestPort: true,
          })
        }`,
      );
    }
    throw error;
  }
  const fields = replyFields(reply);
  const publicKey = fields.get("public_key");
  if (fields.get("algorithm") !== "Ed25519" || publicKey === undefined) {
    throw new Error(
      `--from-server: ${where}'s PUBKEY reply is not an Ed25519 key (algorithm ${
        JSON.stringify(fields.get("algorithm") ?? null)
      })`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = parsePublicKey(publicKey);
  } catch (error) {
    throw new Error(`--from-server: ${where}: ${(error as Error).message}`);
  }
  // A reply that contradicts itself is not a key to check anything with.
  if (fields.get("key_id") !== await keyIdOf(bytes)) {
    throw new Error(
      `--from-server: ${where}'s PUBKEY key_id is not its public key's id`,
    );
  }
  return { publicKey: bytes, server: where };
}

/** A map reply's text fields: a RESP3 map, or RESP2's flat array. */
function replyFields(reply: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  const pairs: [unknown, unknown][] = reply instanceof Map
    ? [...reply.entries()]
    : Array.isArray(reply)
    ? Array.from(
      { length: Math.floor(reply.length / 2) },
      (_, i): [unknown, unknown] => [reply[2 * i], reply[2 * i + 1]],
    )
    : [];
  for (const [name, value] of pairs) {
    if (typeof name === "string" && typeof value === "string") {
      fields.set(name, value);
    }
  }
  return fields;
}

/** One line: the first failing record, by line and serial, and its fields. */
function failureLine(
  result: ChainVerification,
  lines: readonly DrawRecordLine[],
  source: string,
): string {
  const index = result.problems[0].index;
  const own = result.problems.filter((p) => p.index === index);
  const others = new Set(
    result.problems.filter((p) => p.index !== index).map((p) => p.index),
  ).size;
  const serial = own[0].serial === undefined ? "" : `, serial ${own[0].serial}`;
  const where = source === "stdin"
    ? `line ${lines[index].line}`
    : `${source} line ${lines[index].line}`;
  const fields = own.map((p) =>
    // The library's words for its option are the command line's flag here.
    `${p.field}: ${
      p.message.replace(
        "allow it to begin mid-chain",
        "give --mid-chain",
      )
    }`
  ).join("; ");
  const more = others === 0
    ? ""
    : ` (and ${others} more record${others === 1 ? "" : "s"} with problems)`;
  return `verify failed: record ${
    index + 1
  } of ${result.count} (${where}${serial}): ${fields}${more}`;
}

function summaryLine(
  result: ChainVerification,
  how: { midChain: boolean; previous: boolean; server?: string },
): string {
  const parts = result.count === 1
    ? [`ok: 1 record, serial ${result.first}`]
    : [
      `ok: ${result.count} records, serials ${result.first}..${result.last}`,
      how.previous
        ? "chain intact (linked to the --previous hash)"
        : how.midChain && result.first !== 1
        ? `chain intact (from serial ${result.first}: its previous hash taken on trust)`
        : "chain intact",
    ];
  parts.push(`key ${result.keyId}`);
  let line = parts.join(", ");
  if (result.recomputed > 0) {
    line += `; ${result.recomputed} seeded result${
      result.recomputed === 1 ? "" : "s"
    } recomputed from ${result.recomputed === 1 ? "its seed" : "their seeds"}`;
  }
  if (how.server !== undefined) {
    line += `; the key came from ${how.server} itself (PUBKEY), which proves` +
      " only that the records are that server's: compare the key id with a published one";
  }
  return line;
}
