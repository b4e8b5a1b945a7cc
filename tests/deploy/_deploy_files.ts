/**
 * Readers for the files in `deploy/`: a systemd unit, a Containerfile,
 * Kubernetes YAML and an HAProxy configuration, parsed just enough to check
 * the fields that matter. The tests have neither `--allow-read` nor
 * `--allow-write`: files go through `cat`, `sh` and a `deno run` with
 * narrow permissions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { run, runServer } from "../_util.ts";

/** The repository's root, with a trailing slash. */
export const ROOT = new URL("../../", import.meta.url).pathname;
/** `deploy/`, with a trailing slash. */
export const DEPLOY = `${ROOT}deploy/`;

/** A file of the repository (a path from its root), as text. */
export async function readRepoFile(path: string): Promise<string> {
  const result = await run("cat", [`${ROOT}${path}`], { timeoutMs: 5_000 });
  assert.equal(result.code, 0, `cat ${path}: ${result.stderr}`);
  return result.stdout;
}

/** Writes `text` to `path` (through `sh`), and makes it executable if asked. */
export async function writeFile(
  path: string,
  text: string,
  options: { executable?: boolean } = {},
): Promise<void> {
  const script = options.executable
    ? 'cat > "$1" && chmod 755 "$1"'
    : 'cat > "$1"';
  const result = await run("sh", ["-c", script, "sh", path], {
    stdin: text,
    timeoutMs: 5_000,
  });
  assert.equal(result.code, 0, `writing ${path}: ${result.stderr}`);
}

/** The file names in a folder of the repository (`ls -1`). */
export async function listRepoFolder(path: string): Promise<string[]> {
  const result = await run("ls", ["-1", `${ROOT}${path}`], {
    timeoutMs: 5_000,
  });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter((name) => name !== "");
}

// ---------------------------------------------------------------------------
// Command lines

/**
 * A command line's flags: each `--name` with the values that followed it
 * (none for a flag followed by another flag or by nothing). Throws on a flag
 * given twice and on a word that belongs to no flag.
 */
export function parseFlags(args: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    if (!name.startsWith("--")) {
      throw new Error(`${JSON.stringify(name)} belongs to no flag in ${args}`);
    }
    if (flags.has(name)) throw new Error(`${name} given twice in ${args}`);
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      flags.set(name, next);
      i++;
    } else {
      flags.set(name, true);
    }
  }
  return flags;
}

/** The value of a flag that takes one, failing the test when it is missing. */
export function flagValue(flags: Map<string, string | true>, name: string) {
  const value = flags.get(name);
  assert.ok(typeof value === "string", `${name} missing or without a value`);
  return value;
}

let helpFlags: Promise<Set<string>> | undefined;

/** Every `--flag` that `server.ts --help` names. */
export function serverFlags(): Promise<Set<string>> {
  helpFlags ??= (async () => {
    const help = await runServer(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    return new Set(help.stdout.match(/--[a-z][a-z0-9-]*/g) ?? []);
  })();
  return helpFlags;
}

/** Asserts that the server knows every flag of `flags` (its `--help` names it). */
export async function assertServerKnows(
  flags: Map<string, string | true>,
  where: string,
): Promise<void> {
  const known = await serverFlags();
  const unknown = [...flags.keys()].filter((name) => !known.has(name));
  assert.deepEqual(
    unknown,
    [],
    `${where} uses flags that server.ts --help does not list`,
  );
}

// ---------------------------------------------------------------------------
// systemd

/** One `Key=value` line of a unit (continuation lines joined). */
export interface UnitEntry {
  section: string;
  key: string;
  value: string;
}

/**
 * Parses a unit file as systemd.syntax(7) says: `[Section]` headers,
 * `Key=value` lines, comments starting with `#` or `;`, a backslash at the
 * end of a line joining the next one (with a space). Throws on any other
 * line.
 */
export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = "";
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || /^[#;]/.test(line))) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    const whole = pending + line;
    pending = "";
    const header = /^\[([A-Za-z]+)\]$/.exec(whole);
    if (header) {
      section = header[1];
      continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(whole);
    if (!entry || section === "") {
      throw new Error(`not a unit file line: ${JSON.stringify(whole)}`);
    }
    entries.push({ section, key: entry[1], value: entry[2].trim() });
  }
  assert.equal(pending, "", "the unit ends in a continuation line");
  return entries;
}

/** Every value of `key` in `section`, in order. */
export function unitValues(
  entries: UnitEntry[],
  section: string,
  key: string,
): string[] {
  return entries
    .filter((entry) => entry.section === section && entry.key === key)
    .map((entry) => entry.value);
}

/** The only value of `key` in `section`, failing when there is not exactly one. */
export function unitValue(
  entries: UnitEntry[],
  section: string,
  key: string,
): string {
  const values = unitValues(entries, section, key);
  assert.equal(
    values.length,
    1,
    `[${section}] ${key}= given ${values.length} times`,
  );
  return values[0];
}

/**
 * A time span of systemd.time(7) in seconds: `20s`, `1min 30s`, `2m`, or a
 * bare number of seconds.
 */
export function systemdSeconds(span: string): number {
  const units: Record<string, number> = {
    "": 1,
    s: 1,
    sec: 1,
    m: 60,
    min: 60,
    h: 3600,
    ms: 0.001,
  };
  let total = 0;
  const parts = span.trim().split(/\s+/);
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(part);
    if (!match || !(match[2] in units)) {
      throw new Error(`not a time span: ${JSON.stringify(span)}`);
    }
    total += Number(match[1]) * units[match[2]];
  }
  return total;
}

// ---------------------------------------------------------------------------
// Containerfile

/** One instruction of a Containerfile. */
export interface Instruction {
  /** Upper case: `FROM`, `RUN`, ... */
  keyword: string;
  /** The rest of the line, continuation lines joined. */
  args: string;
}

/**
 * Parses a Containerfile (Dockerfile syntax): comment lines, blank lines,
 * instructions whose lines end in `\` continuing on the next line (comment
 * lines between them skipped, as BuildKit does).
 */
export function parseContainerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line === "" && pending === undefined) continue;
    const part = line.endsWith("\\") ? line.slice(0, -1).trim() : line;
    pending = pending === undefined ? part : `${pending} ${part}`;
    if (line.endsWith("\\")) continue;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(pending);
    if (!match) throw new Error(`not an instruction: ${pending}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2] });
    pending = undefined;
  }
  assert.equal(pending, undefined, "the file ends in a continuation line");
  return instructions;
}

/** The instructions split into stages, each starting with its `FROM`. */
export function containerStages(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") stages.push([]);
    if (stages.length === 0) {
      // Only ARG may come before the first FROM.
      assert.equal(instruction.keyword, "ARG", "an instruction before FROM");
      continue;
    }
    stages[stages.length - 1].push(instruction);
  }
  return stages;
}

/** An exec-form instruction's words (`["a", "b"]`); throws on shell form. */
export function execForm(instruction: Instruction): string[] {
  let words: unknown;
  try {
    words = JSON.parse(instruction.args);
  } catch {
    throw new Error(
      `${instruction.keyword} is not in exec form: ${instruction.args}`,
    );
  }
  assert.ok(
    Array.isArray(words) && words.every((word) => typeof word === "string"),
    `${instruction.keyword} is not a JSON array of strings`,
  );
  return words as string[];
}

/**
 * The `--allow-read=` and `--allow-write=` lists of a `deno compile`
 * command line, and whether it grants more than the network and those.
 */
export function compilePermissions(command: string): {
  read: string[];
  write: string[];
  net: boolean;
  others: string[];
} {
  const words = command.split(/\s+/);
  const list = (flag: string) =>
    words
      .filter((word) => word.startsWith(`${flag}=`))
      .flatMap((word) => word.slice(flag.length + 1).split(","));
  return {
    read: list("--allow-read"),
    write: list("--allow-write"),
    net: words.includes("--allow-net"),
    others: words.filter((word) =>
      /^(-A|--allow-all|--allow-(?!read=|write=|net$)[a-z-]+)/.test(word) ||
      word === "--allow-read" || word === "--allow-write"
    ),
  };
}

/** Whether `path` is `folder` or inside it. */
export function within(path: string, folder: string): boolean {
  const base = folder.replace(/\/+$/, "");
  return path === base || path.startsWith(`${base}/`);
}

// ---------------------------------------------------------------------------
// Kubernetes YAML

/** A YAML mapping, as npm:yaml gives it. */
// deno-lint-ignore no-explicit-any
export type Yaml = any;

/**
 * Parses YAML files of the repository (paths from its root) with npm:yaml,
 * each into its documents; fails on any YAML error or warning (see
 * `_parse_yaml.ts` for why it runs in a subprocess).
 */
export async function loadYaml(
  paths: string[],
): Promise<Record<string, Yaml[]>> {
  const result = await run(Deno.execPath(), [
    "run",
    "--quiet",
    `--config=${ROOT}deno.json`,
    `--allow-read=${DEPLOY}`,
    "--allow-env=LOG_TOKENS,LOG_STREAM",
    `${ROOT}tests/deploy/_parse_yaml.ts`,
    ...paths.map((path) => `${ROOT}${path}`),
  ], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, `YAML: ${result.stderr}`);
  const parsed: Record<string, Yaml[]> = JSON.parse(result.stdout);
  return Object.fromEntries(
    paths.map((path) => [path, parsed[`${ROOT}${path}`]]),
  );
}

// ---------------------------------------------------------------------------
// HAProxy

/** A section of an HAProxy configuration and its lines, as words. */
export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`. */
  kind: string;
  name: string;
  lines: string[][];
}

/**
 * Splits an HAProxy configuration into sections: a line that is not
 * indented starts one; comments (`#` at a word's start) and blank lines are
 * dropped. Words are split on spaces (the file quotes nothing).
 */
export function parseHaproxy(text: string): HaproxySection[] {
  const sections: HaproxySection[] = [];
  for (const raw of text.split("\n")) {
    const words: string[] = [];
    for (const word of raw.trim().split(/\s+/)) {
      if (word.startsWith("#")) break;
      if (word !== "") words.push(word);
    }
    if (words.length === 0) continue;
    if (!/^\s/.test(raw)) {
      sections.push({ kind: words[0], name: words[1] ?? "", lines: [] });
      continue;
    }
    assert.ok(sections.length > 0, `a directive before any section: ${raw}`);
    sections[sections.length - 1].lines.push(words);
  }
  return sections;
}

/** The section of that kind and name, failing when there is none. */
export function haproxySection(
  sections: HaproxySection[],
  kind: string,
  name = "",
): HaproxySection {
  const found = sections.filter((section) =>
    section.kind === kind && section.name === name
  );
  assert.equal(found.length, 1, `${kind} ${name}: ${found.length} sections`);
  return found[0];
}

/** A section's lines that start with these words. */
export function haproxyLines(
  section: HaproxySection,
  ...start: string[]
): string[][] {
  return section.lines.filter((words) =>
    start.every((word, i) => words[i] === word)
  );
}

/** An HAProxy time (`5s`, `1h`, `300000` ms) in seconds. */
export function haproxySeconds(time: string): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(time);
  if (!match) throw new Error(`not an HAProxy time: ${time}`);
  const scale: Record<string, number> = {
    us: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
  };
  return Number(match[1]) * scale[match[2] ?? "ms"];
}
