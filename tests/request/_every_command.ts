/**
 * Every command of PROTOCOL.md §5.3, as requests and checks of their
 * replies, shared by the tests that drive the request port through real
 * clients (redis-cli, redis-py, nc): each client turns what it got into a
 * {@linkcode Reply}, the shape of a RESP2 reply as JSON, and the same checks
 * judge them all.
 *
 * @module
 */

import assert from "node:assert/strict";
import { payloadGrammar, payloadNumbers, run } from "../_util.ts";

/**
 * A RESP2 reply as JSON: integers as numbers, simple and bulk strings as
 * strings, null, arrays, and an error as `{ error: message }`.
 */
export type Reply = number | string | null | Reply[] | { error: string };

/** One request and what its reply must be. */
export interface Case {
  args: string[];
  check(reply: Reply): void;
}

export const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The commands of §5.3, in HELP's order. */
export const COMMAND_NAMES = [
  "RANDINT",
  "SEQUENCE",
  "SHUFFLE",
  "SAMPLE",
  "UUID",
  "RANDBYTES",
  "RANDSTRING",
  "RANDFLOAT",
  "GAUSS",
  "PUBKEY",
  "COMMIT",
  "REVEAL",
  "GETDRAW",
  "DRAWS",
  "PING",
  "ECHO",
  "HELLO",
  "CLIENT",
  "SELECT",
  "COMMAND",
  "INFO",
  "CONFIG",
  "QUIT",
  "RESET",
  "HELP",
];

/** The draws, which take `SEED seed` (§5.4). */
export const DRAWS = COMMAND_NAMES.slice(0, 9);

const CARDS = ["ace", "king", "queen", "jack"];

function array(reply: Reply, length?: number): Reply[] {
  assert.ok(Array.isArray(reply), `an array, got ${JSON.stringify(reply)}`);
  if (length !== undefined) {
    assert.equal(reply.length, length, JSON.stringify(reply));
  }
  return reply;
}

function text(reply: Reply): string {
  assert.equal(typeof reply, "string", `a string: ${JSON.stringify(reply)}`);
  return reply as string;
}

function integers(reply: Reply, length: number, min: number, max: number) {
  const values = array(reply, length);
  for (const value of values) {
    assert.ok(
      Number.isSafeInteger(value) && (value as number) >= min &&
        (value as number) <= max,
      `${JSON.stringify(value)} is not an integer in ${min}..${max}`,
    );
  }
  return values as number[];
}

function distinct(values: unknown[]) {
  assert.equal(new Set(values).size, values.length, `repeats: ${values}`);
}

/** `reply` holds exactly `expected`'s values, in some order. */
function permutation(reply: Reply, expected: (number | string)[]) {
  const values = array(reply, expected.length);
  const sort = (list: unknown[]) =>
    [...list].sort((a, b) => String(a) < String(b) ? -1 : 1);
  assert.deepEqual(sort(values), sort(expected));
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function strings(reply: Reply, length: number, pattern: RegExp) {
  const values = array(reply, length);
  for (const value of values) {
    assert.match(text(value), pattern);
  }
  return values as string[];
}

function payload(
  reply: Reply,
  format: "csv" | "lines" | "json",
  count: number,
  min: number,
  max: number,
) {
  const body = text(reply);
  assert.match(body, payloadGrammar(format, count));
  const values = payloadNumbers(format, body).map(Number);
  integers(values, count, min, max);
  return values;
}

function base64Bytes(encoded: string): number {
  assert.match(
    encoded,
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  );
  return atob(encoded).length;
}

function error(pattern: RegExp | string) {
  return (reply: Reply) => {
    assert.ok(
      reply !== null && typeof reply === "object" && !Array.isArray(reply),
      `an error, got ${JSON.stringify(reply)}`,
    );
    if (typeof pattern === "string") assert.equal(reply.error, pattern);
    else assert.match(reply.error, pattern);
  };
}

function ok(reply: Reply) {
  assert.equal(reply, "OK");
}

/** HELLO's map, flat in RESP2, for `proto`. */
function helloMap(proto: number) {
  return (reply: Reply) => {
    const flat = array(reply, 14);
    const map = Object.fromEntries(
      range(0, 6).map((i) => [flat[2 * i], flat[2 * i + 1]]),
    );
    assert.equal(map.server, "randport");
    assert.match(text(map.version), /^\d+\.\d+\.\d+/);
    assert.equal(map.proto, proto);
    assert.ok(Number.isSafeInteger(map.id) && (map.id as number) >= 1);
    assert.equal(map.mode, "standalone");
    assert.equal(map.role, "master");
    assert.deepEqual(map.modules, []);
  };
}

/** GAUSS's RESP2 strings: finite numbers in their shortest form. */
function gauss(reply: Reply, count: number): number[] {
  return strings(reply, count, /^-?\d/).map((value) => {
    const number = Number(value);
    assert.ok(Number.isFinite(number), value);
    assert.equal(String(number), value, "JavaScript's shortest form");
    return number;
  });
}

/** The draws with their options, each checked for what §5.3 promises. */
export const DRAW_CASES: Case[] = [
  { args: ["RANDINT", "20", "1", "6"], check: (r) => integers(r, 20, 1, 6) },
  { args: ["RANDINT", "0", "1", "6"], check: (r) => integers(r, 0, 1, 6) },
  {
    args: ["RANDINT", "5", "7", "7"],
    check: (r) => assert.deepEqual(r, [7, 7, 7, 7, 7]),
  },
  {
    args: ["RANDINT", "3", "-9007199254740991", "9007199254740991"],
    check: (r) => integers(r, 3, -9007199254740991, 9007199254740991),
  },
  {
    args: ["RANDINT", "6", "1", "49", "UNIQUE"],
    check: (r) => distinct(integers(r, 6, 1, 49)),
  },
  {
    args: ["RANDINT", "49", "1", "49", "UNIQUE"],
    check: (r) => permutation(r, range(1, 49)),
  },
  {
    args: ["RANDINT", "5", "1", "6", "FORMAT", "csv"],
    check: (r) => payload(r, "csv", 5, 1, 6),
  },
  {
    args: ["RANDINT", "5", "1", "6", "FORMAT", "lines"],
    check: (r) => payload(r, "lines", 5, 1, 6),
  },
  {
    args: ["RANDINT", "5", "1", "6", "FORMAT", "json"],
    check: (r) => payload(r, "json", 5, 1, 6),
  },
  {
    args: ["RANDINT", "0", "1", "6", "FORMAT", "json"],
    check: (r) => assert.equal(r, "[]"),
  },
  {
    args: ["randint", "10", "1", "100", "unique", "format", "CSV"],
    check: (r) => distinct(payload(r, "csv", 10, 1, 100)),
  },
  {
    args: ["SEQUENCE", "1", "10"],
    check: (r) => permutation(r, range(1, 10)),
  },
  {
    args: ["SEQUENCE", "-3", "3"],
    check: (r) => permutation(r, range(-3, 3)),
  },
  { args: ["SEQUENCE", "5", "5"], check: (r) => assert.deepEqual(r, [5]) },
  { args: ["SHUFFLE", ...CARDS], check: (r) => permutation(r, CARDS) },
  {
    args: ["SHUFFLE", "a b", "", "ü"],
    check: (r) => permutation(r, ["a b", "", "ü"]),
  },
  { args: ["SHUFFLE"], check: (r) => assert.deepEqual(r, []) },
  {
    args: ["SAMPLE", "2", ...CARDS],
    check: (r) => {
      const drawn = strings(r, 2, /./);
      distinct(drawn);
      assert.ok(drawn.every((card) => CARDS.includes(card)), `${drawn}`);
    },
  },
  { args: ["SAMPLE", "4", ...CARDS], check: (r) => permutation(r, CARDS) },
  { args: ["SAMPLE", "0", "a", "b"], check: (r) => assert.deepEqual(r, []) },
  { args: ["UUID"], check: (r) => assert.match(text(r), UUID_V4) },
  { args: ["UUID", "5"], check: (r) => distinct(strings(r, 5, UUID_V4)) },
  {
    args: ["RANDBYTES", "16", "HEX"],
    check: (r) => assert.match(text(r), /^[0-9a-f]{32}$/),
  },
  {
    args: ["RANDBYTES", "16", "BASE64"],
    check: (r) => {
      assert.equal(text(r).length, 24);
      assert.equal(base64Bytes(text(r)), 16);
    },
  },
  {
    args: ["RANDBYTES", "3", "base64"],
    check: (r) => assert.equal(base64Bytes(text(r)), 3),
  },
  { args: ["RANDBYTES", "0", "HEX"], check: (r) => assert.equal(r, "") },
  {
    args: ["RANDSTRING", "3", "8"],
    check: (r) => distinct(strings(r, 3, /^[A-Za-z0-9]{8}$/)),
  },
  {
    args: ["RANDSTRING", "1", "12", "ALPHABET", "01"],
    check: (r) => strings(r, 1, /^[01]{12}$/),
  },
  {
    // Counted by code point: each character is one of three, five a string.
    args: ["RANDSTRING", "4", "5", "ALPHABET", "αβγ"],
    check: (r) => strings(r, 4, /^[αβγ]{5}$/u),
  },
  {
    args: ["RANDSTRING", "2", "0"],
    check: (r) => assert.deepEqual(r, ["", ""]),
  },
  { args: ["RANDFLOAT", "4"], check: (r) => strings(r, 4, /^0\.\d{6}$/) },
  { args: ["RANDFLOAT", "3", "1"], check: (r) => strings(r, 3, /^0\.\d$/) },
  {
    args: ["RANDFLOAT", "3", "15"],
    check: (r) => strings(r, 3, /^0\.\d{15}$/),
  },
  {
    args: ["GAUSS", "20", "10", "0"],
    check: (r) => assert.deepEqual(gauss(r, 20), Array(20).fill(10)),
  },
  {
    // 400 standard normals: their mean is within 0.5 but with a chance of
    // about 10^-23 of failing.
    args: ["GAUSS", "400", "0", "1"],
    check: (r) => {
      const values = gauss(r, 400);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(mean) < 0.5, `mean ${mean}`);
      assert.ok(values.some((v) => v < 0) && values.some((v) => v > 0));
    },
  },
  { args: ["GAUSS", "3", "-5", "2.5"], check: (r) => gauss(r, 3) },
];

/** The other commands whose reply does not hang on the connection's past. */
export const OTHER_CASES: Case[] = [
  { args: ["PING"], check: (r) => assert.equal(r, "PONG") },
  {
    args: ["PING", "hello world"],
    check: (r) => assert.equal(r, "hello world"),
  },
  { args: ["ECHO", "héllo"], check: (r) => assert.equal(r, "héllo") },
  { args: ["HELLO"], check: helloMap(2) },
  { args: ["HELLO", "2"], check: helloMap(2) },
  {
    args: ["HELLO", "2", "AUTH", "user", "secret", "SETNAME", "tester"],
    check: helloMap(2),
  },
  {
    args: ["HELLO", "4"],
    check: error("NOPROTO unsupported protocol version"),
  },
  {
    args: ["CLIENT", "ID"],
    check: (r) => assert.ok(Number.isSafeInteger(r) && (r as number) >= 1),
  },
  { args: ["CLIENT", "SETNAME", "tester"], check: ok },
  { args: ["CLIENT", "SETINFO", "lib-name", "randport-test"], check: ok },
  {
    args: ["CLIENT", "FROB"],
    check: error(/^ERR unknown subcommand or wrong number of arguments/),
  },
  // Signed draws' commands, on a server without a signing key (§6.1).
  ...[["PUBKEY"], ["COMMIT"], ["REVEAL", "1"], ["GETDRAW", "1"], [
    "DRAWS",
    "1",
    "2",
  ]].map((args) => ({
    args,
    check: error(
      "ERR this server signs no draws (it needs --signing-key and --draw-log)",
    ),
  })),
  { args: ["SELECT", "0"], check: ok },
  { args: ["SELECT", "1"], check: error("ERR DB index is out of range") },
  { args: ["COMMAND"], check: (r) => assert.deepEqual(r, []) },
  {
    args: ["COMMAND", "COUNT"],
    check: (r) => assert.equal(r, COMMAND_NAMES.length),
  },
  // An empty map: in RESP2, an empty array.
  { args: ["COMMAND", "DOCS"], check: (r) => assert.deepEqual(r, []) },
  {
    args: ["INFO"],
    check: (r) => {
      for (
        const key of [
          "redis_version",
          "randport_version",
          "redis_mode",
          "process_id",
          "client_id",
        ]
      ) {
        assert.match(text(r), new RegExp(`^${key}:\\S+\\r?$`, "m"), key);
      }
    },
  },
  {
    args: ["INFO", "server"],
    check: (r) => assert.match(text(r), /^redis_mode:standalone\r?$/m),
  },
  {
    args: ["CONFIG", "GET", "*"],
    check: (r) =>
      assert.deepEqual(r, [
        "save",
        "",
        "appendonly",
        "no",
        "databases",
        "1",
        "maxmemory-policy",
        "noeviction",
      ]),
  },
  {
    args: ["CONFIG", "GET", "save", "APPENDONLY"],
    check: (r) => assert.deepEqual(r, ["save", "", "appendonly", "no"]),
  },
  {
    args: ["CONFIG", "GET", "maxmemory*"],
    check: (r) => assert.deepEqual(r, ["maxmemory-policy", "noeviction"]),
  },
  { args: ["CONFIG", "GET", "nothing"], check: (r) => assert.deepEqual(r, []) },
  {
    args: ["HELP"],
    check: (r) => {
      const lines = strings(r, COMMAND_NAMES.length, /./);
      lines.forEach((line, i) => assert.ok(line.startsWith(COMMAND_NAMES[i])));
    },
  },
  {
    args: ["HELP", "randint"],
    check: (r) => strings(r, 1, /^RANDINT count min max \[UNIQUE\]/),
  },
  {
    args: ["HELP", "NOPE"],
    check: error("ERR HELP: no command 'NOPE'; try HELP"),
  },
  {
    args: ["FROB", "x", "y"],
    check: error(
      "ERR unknown command 'FROB', with args beginning with: 'x' 'y'",
    ),
  },
  {
    args: ["ECHO"],
    check: error("ERR wrong number of arguments for 'echo' command"),
  },
  {
    args: ["RANDINT", "x", "1", "6"],
    check: error("ERR count: expected an integer, got 'x'"),
  },
  {
    args: ["RANDINT", "3", "6", "1"],
    check: error("ERR max: expected max >= min, got min 6 and max 1"),
  },
  {
    args: ["RANDINT", "50", "1", "49", "UNIQUE"],
    check: error("ERR unique: count 50 exceeds the 49 values in 1..49"),
  },
  {
    args: ["RANDINT", "3", "1", "6", "FOO"],
    check: error(/^ERR syntax error at 'FOO'/),
  },
  {
    args: ["RANDINT", "1", "1", "9007199254740992"],
    check: error(/^ERR max: /),
  },
  { args: ["SEQUENCE", "1"], check: error(/^ERR wrong number of arguments/) },
  { args: ["SAMPLE", "3", "a", "b"], check: error(/^ERR k: /) },
  { args: ["UUID", "0"], check: error(/^ERR count: /) },
  { args: ["RANDBYTES", "4", "HEXX"], check: error(/^ERR syntax error/) },
  {
    args: ["RANDSTRING", "1", "3", "ALPHABET", ""],
    check: error(/^ERR ALPHABET: /),
  },
  { args: ["RANDFLOAT", "2", "16"], check: error(/^ERR decimals: /) },
  { args: ["GAUSS", "1", "0", "-1"], check: error(/^ERR stddev: /) },
  { args: ["GAUSS", "1", "x", "1"], check: error(/^ERR mean: /) },
];

/** Every case: the draws, unseeded and seeded, and the other commands. */
export const CASES: Case[] = [
  ...DRAW_CASES,
  ...DRAW_CASES.map(({ args, check }) => ({
    args: [...args, "SEED", `case ${args.join(" ")}`],
    check,
  })),
  ...OTHER_CASES,
];

/** One seeded request of each draw, to be asked twice and compared. */
export const SEEDED: string[][] = [
  ["RANDINT", "10", "1", "1000000"],
  ["RANDINT", "10", "1", "1000000", "UNIQUE", "FORMAT", "json"],
  ["SEQUENCE", "1", "20"],
  ["SHUFFLE", "a", "b", "c", "d", "e", "f", "g", "h"],
  ["SAMPLE", "3", "a", "b", "c", "d", "e", "f", "g", "h"],
  ["UUID", "3"],
  ["RANDBYTES", "32", "BASE64"],
  ["RANDSTRING", "2", "16"],
  ["RANDFLOAT", "3", "15"],
  ["GAUSS", "2", "0", "1"],
].map((args) => [...args, "SEED", "twice"]);

/**
 * Checks the replies to {@linkcode SEEDED} got twice (`first`, `second`)
 * and the same requests with another seed (`other`): the same seed gives
 * the same reply, another one another reply, and a sample is the start of
 * the shuffle of the same seed (§5.4).
 */
export function checkSeeded(first: Reply[], second: Reply[], other: Reply[]) {
  assert.equal(first.length, SEEDED.length);
  for (let i = 0; i < SEEDED.length; i++) {
    const request = SEEDED[i].join(" ");
    assert.ok(
      typeof first[i] !== "object" || Array.isArray(first[i]),
      `${request}: ${JSON.stringify(first[i])}`,
    );
    assert.deepEqual(second[i], first[i], request);
    assert.notDeepEqual(other[i], first[i], `${request} with another seed`);
  }
  const shuffle = first[SEEDED.findIndex((a) => a[0] === "SHUFFLE")];
  const sample = first[SEEDED.findIndex((a) => a[0] === "SAMPLE")];
  assert.deepEqual((shuffle as string[]).slice(0, 3), sample);
}

/** {@linkcode SEEDED} with another seed. */
export const SEEDED_OTHER: string[][] = SEEDED.map((args) => [
  ...args.slice(0, -1),
  "other",
]);

/** PROTOCOL.md's seed vectors: requests and their RESP2 replies as JSON. */
export async function seedVectors(): Promise<
  { request: string[]; reply: Reply }[]
> {
  // The tests may run programs but not read files: cat reads it.
  const root = new URL("../..", import.meta.url).pathname;
  const file = await run("cat", [`${root}PROTOCOL.md`], { timeoutMs: 5000 });
  assert.equal(file.code, 0, file.stderr);
  const block = /<!-- seed vectors -->\n+```text\n([\s\S]*?)```/.exec(
    file.stdout,
  );
  assert.ok(block, "PROTOCOL.md has a seed vectors block");
  const vectors = block[1].trim().split("\n").map((line) => {
    const [request, reply] = line.split(" -> ");
    return { request: JSON.parse(request), reply: JSON.parse(reply) };
  });
  assert.ok(vectors.length >= 10, `${vectors.length} vectors`);
  return vectors;
}

/** Checks each case's reply, naming the request that failed. */
export function checkCases(cases: Case[], replies: Reply[]) {
  assert.equal(replies.length, cases.length);
  for (let i = 0; i < cases.length; i++) {
    try {
      cases[i].check(replies[i]);
    } catch (e) {
      throw new Error(
        `${JSON.stringify(cases[i].args)} -> ${JSON.stringify(replies[i])}: ${
          (e as Error).message
        }`,
      );
    }
  }
}
