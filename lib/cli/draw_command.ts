/**
 * The client's draw subcommands (`deno task client randint 6 1 49
 * --unique`): which there are, what arguments each takes, and the request
 * each becomes on the request port (PROTOCOL.md §5.3).
 *
 * @module
 */

import type { NumberRange } from "../stats/stream_stats.ts";
import type { FlagDeclaration } from "./flags.ts";
import { UsageError } from "./usage_error.ts";

/** What a draw's reply holds, which decides how it can be printed. */
export type DrawKind = "integers" | "numbers" | "strings" | "bytes";

interface DrawShape {
  /** The positional arguments, as the usage line names them. */
  usage: string;
  /** How many positionals at least, and at most (Infinity: items). */
  min: number;
  max: number;
  kind: DrawKind;
}

/** Every draw subcommand, by its name on the command line. */
export const DRAW_COMMANDS: Readonly<Record<string, DrawShape>> = Object
  .freeze({
    randint: { usage: "count min max", min: 3, max: 3, kind: "integers" },
    sequence: { usage: "min max", min: 2, max: 2, kind: "integers" },
    shuffle: { usage: "item ...", min: 0, max: Infinity, kind: "strings" },
    sample: { usage: "k item ...", min: 1, max: Infinity, kind: "strings" },
    uuid: { usage: "[count]", min: 0, max: 1, kind: "strings" },
    randbytes: { usage: "n", min: 1, max: 1, kind: "bytes" },
    randstring: {
      usage: "count length",
      min: 2,
      max: 2,
      kind: "strings",
    },
    randfloat: {
      usage: "count [decimals]",
      min: 1,
      max: 2,
      kind: "numbers",
    },
    gauss: { usage: "count mean stddev", min: 3, max: 3, kind: "numbers" },
  });

/** A draw subcommand's command line, split. */
export interface DrawArgs {
  /** The subcommand, as typed. */
  name: string;
  /** Its arguments, negative numbers included. */
  positionals: string[];
  /** The flags, with their values, for `parseFlags`. */
  flags: string[];
}

/**
 * Splits a draw subcommand's command line into its arguments and its
 * flags: a word starting with `--` (or a declared one-letter alias) is a
 * flag, and takes the next word when it is declared with a value; every
 * other word (`-5` too) is an argument; after `--`, all are arguments
 * (for items that start with dashes).
 *
 * @example Usage
 * ```ts
 * import { splitDrawArgs } from "./draw_command.ts";
 *
 * const split = splitDrawArgs(
 *   ["randint", "3", "-5", "5", "--seed", "s", "-q"],
 *   { seed: { type: "string" }, quiet: { type: "boolean", short: "q" } },
 * );
 * console.log(split.positionals, split.flags); // ["3", "-5", "5"] ["--seed", "s", "-q"]
 * ```
 *
 * @param args The command line, the subcommand first.
 * @param declarations The flags there are.
 * @returns The parts.
 */
export function splitDrawArgs(
  args: readonly string[],
  declarations: Record<string, FlagDeclaration>,
): DrawArgs {
  const takesValue = new Set<string>();
  const shorts = new Set<string>();
  for (const [name, declaration] of Object.entries(declarations)) {
    if (declaration.type === "string") takesValue.add(`--${name}`);
    if (declaration.short) {
      shorts.add(`-${declaration.short}`);
      if (declaration.type === "string") {
        takesValue.add(`-${declaration.short}`);
      }
    }
  }
  const [name = "", ...rest] = args;
  const positionals: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === "--") {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (word.startsWith("--") || shorts.has(word)) {
      flags.push(word);
      if (takesValue.has(word) && i + 1 < rest.length) flags.push(rest[++i]);
    } else {
      positionals.push(word);
    }
  }
  return { name, positionals, flags };
}

/** Options for {@linkcode drawRequest}: the draw flags given. */
export interface DrawRequestOptions {
  /**
   * `--unique` (randint only).
   *
   * @default {false}
   */
  unique?: boolean;
  /**
   * `--alphabet CHARS` (randstring only).
   *
   * @default {undefined}
   */
  alphabet?: string;
  /**
   * `--seed S`: a reproducible draw (PROTOCOL.md §5.4).
   *
   * @default {undefined}
   */
  seed?: string;
}

/** A draw subcommand made into a request. */
export interface DrawRequest {
  /** The request's arguments, the command's name first. */
  args: string[];
  /** What its reply holds. */
  kind: DrawKind;
  /** For integer draws, the range asked for: what `--stats` tests against. */
  range: NumberRange | undefined;
}

/**
 * The request for a draw subcommand, with its positionals checked for
 * number (the server checks their values, and names the one at fault).
 *
 * @example Usage
 * ```ts
 * import { drawRequest } from "./draw_command.ts";
 *
 * const request = drawRequest("randint", ["6", "1", "49"], { unique: true });
 * console.log(request.args.join(" ")); // "RANDINT 6 1 49 UNIQUE"
 * ```
 *
 * @param name The subcommand, one of {@linkcode DRAW_COMMANDS}.
 * @param positionals Its arguments.
 * @param options The draw flags.
 * @returns The request.
 * @throws {UsageError} When the arguments or flags do not fit the command.
 */
export function drawRequest(
  name: string,
  positionals: string[],
  options: DrawRequestOptions = {},
): DrawRequest {
  const shape = DRAW_COMMANDS[name];
  if (shape === undefined) {
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}: expected one of ${
        Object.keys(DRAW_COMMANDS).join(", ")
      } (see --help)`,
    );
  }
  if (positionals.length < shape.min || positionals.length > shape.max) {
    const got = positionals.length;
    throw new UsageError(
      `${name}: expected ${shape.usage}, got ${got} argument${
        got === 1 ? "" : "s"
      }`,
    );
  }
  // The server reads a draw's last words as its options: items ending so
  // would be taken as a seed, a signature request or data.
  const n = positionals.length;
  const word = (i: number) => positionals[i]?.toUpperCase();
  if (
    (n >= 2 && (word(n - 2) === "SEED" || word(n - 2) === "DATA")) ||
    word(n - 1) === "SIGNED"
  ) {
    throw new UsageError(
      `${name}: arguments ending in SEED x, DATA x or SIGNED would be read as options by the server; use --seed, or put other items last`,
    );
  }
  if (options.unique && name !== "randint") {
    throw new UsageError("--unique: only with randint");
  }
  if (options.alphabet !== undefined && name !== "randstring") {
    throw new UsageError("--alphabet: only with randstring");
  }
  const args = [name.toUpperCase(), ...positionals];
  if (options.unique) args.push("UNIQUE");
  if (options.alphabet !== undefined) args.push("ALPHABET", options.alphabet);
  if (options.seed !== undefined) args.push("SEED", options.seed);
  return { args, kind: shape.kind, range: rangeOf(name, positionals) };
}

function rangeOf(name: string, positionals: string[]): NumberRange | undefined {
  const [min, max] = name === "randint"
    ? [positionals[1], positionals[2]]
    : name === "sequence"
    ? [positionals[0], positionals[1]]
    : [];
  if (min === undefined || max === undefined) return undefined;
  const range = { min: Number(min), max: Number(max) };
  // Unparseable bounds are the server's to name; no range, then.
  return Number.isSafeInteger(range.min) && Number.isSafeInteger(range.max) &&
      range.min <= range.max
    ? range
    : undefined;
}
