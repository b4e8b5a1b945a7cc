/**
 * The request port against the command-line tools people point at a Redis
 * server: `redis-cli` (one-shot, piped, `--pipe`, and interactive on a
 * pseudo-terminal) and `redis-benchmark` from Debian's redis-tools, and
 * `nc` (Debian's netcat-openbsd) for the raw replies. CI installs them;
 * where one is missing its tests are ignored, and say why in their names.
 *
 * Every run of a tool has a deadline, after which it is killed and the
 * test fails saying so.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type RequestServer, serveRequests } from "../../lib/request/mod.ts";
import {
  CASES,
  checkCases,
  checkSeeded,
  COMMAND_NAMES,
  type Reply,
  SEEDED,
  SEEDED_OTHER,
  seedVectors,
  UUID_V4,
} from "./_every_command.ts";
import { commandWorks } from "../_util.ts";

const HOST = "127.0.0.1";
const PTY_HELPER = new URL("./_redis_cli_pty.py", import.meta.url).pathname;
/** A redis-cli one-shot takes milliseconds; this is only for hangs. */
const CLI_DEADLINE_MS = 10_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const REDIS_CLI = await commandWorks("redis-cli", ["--version"]);
const REDIS_BENCHMARK = await commandWorks("redis-benchmark", ["--version"]);
// OpenBSD's nc has no --version; -h prints its usage and exits 0.
const NC = await commandWorks("nc", ["-h"]);
const PYTHON = await commandWorks("python3", ["-c", "import pty"]);

const CLI_NOTE = REDIS_CLI
  ? ""
  : " [ignored: redis-cli is not installed (Debian: redis-tools)]";
const PTY_NOTE = !REDIS_CLI
  ? CLI_NOTE
  : PYTHON
  ? ""
  : " [ignored: python3 with its pty module is not installed]";
const BENCH_NOTE = REDIS_BENCHMARK
  ? ""
  : " [ignored: redis-benchmark is not installed (Debian: redis-tools)]";
const NC_NOTE = NC
  ? ""
  : " [ignored: nc is not installed (Debian: netcat-openbsd)]";

interface Ran {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/**
 * Runs a tool to completion, feeding it `stdin`; kills it and fails once
 * `deadlineMs` has passed.
 */
async function runTool(
  command: string,
  args: string[],
  options: { stdin?: string | Uint8Array; deadlineMs?: number } = {},
): Promise<Ran> {
  const deadlineMs = options.deadlineMs ?? CLI_DEADLINE_MS;
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, deadlineMs);
  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      const bytes = typeof options.stdin === "string"
        ? encoder.encode(options.stdin)
        : options.stdin;
      // A tool that exits before reading all of it (or is killed) breaks
      // the pipe: what it printed still tells what happened.
      await writer.write(bytes).catch(() => {});
      await writer.close().catch(() => {});
    }
    const output = await child.output();
    const ran = {
      code: output.code,
      stdout: output.stdout,
      stderr: decoder.decode(output.stderr),
    };
    if (timedOut) {
      throw new Error(
        `${command} ${args.join(" ")} still running after ${deadlineMs} ms ` +
          `(killed); stdout: ${
            JSON.stringify(decoder.decode(ran.stdout).slice(-2000))
          }; stderr: ${JSON.stringify(ran.stderr.slice(-2000))}`,
      );
    }
    return ran;
  } finally {
    clearTimeout(timer);
  }
}

async function withServer(
  body: (port: number, server: RequestServer) => Promise<void>,
) {
  const server = serveRequests({ hostname: HOST, port: 0 });
  try {
    await body(server.addr.port, server);
  } finally {
    await server.shutdown();
  }
}

/** Runs `redis-cli -h 127.0.0.1 -p port ...args` and returns its stdout. */
async function cli(
  port: number,
  args: string[],
  options: { stdin?: string; code?: number } = {},
): Promise<string> {
  const ran = await runTool(
    "redis-cli",
    ["-h", HOST, "-p", String(port), ...args],
    options,
  );
  assert.equal(ran.code, options.code ?? 0, `redis-cli ${args}: ${ran.stderr}`);
  return decoder.decode(ran.stdout);
}

/**
 * A request's reply as `redis-cli -2 --json` prints it: RESP2, as JSON, an
 * error as `error:"message"`. INFO's text it prints as it is.
 */
async function cliJson(port: number, request: string[]): Promise<Reply> {
  const out = (await cli(port, ["-2", "--json", ...request])).replace(
    /\n$/,
    "",
  );
  if (out.startsWith("error:")) return { error: JSON.parse(out.slice(6)) };
  if (request[0].toUpperCase() === "INFO") return out;
  try {
    return JSON.parse(out);
  } catch {
    throw new Error(`${request.join(" ")}: not JSON: ${JSON.stringify(out)}`);
  }
}

/** `f` over `items`, `width` at a time, results in order. */
async function mapParallel<T, R>(
  items: T[],
  width: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await f(items[i]);
      }
    }),
  );
  return results;
}

Deno.test({
  name:
    `redis-cli one-shot: every command, with options, seeded, and PROTOCOL.md's vectors${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      // redis-cli answers HELP itself (its own help, below): the server's
      // HELP is driven by redis-py and nc.
      const cases = CASES.filter((c) => c.args[0].toUpperCase() !== "HELP");
      assert.ok(cases.length > 100);
      const replies = await mapParallel(
        cases,
        8,
        (c) => cliJson(port, c.args),
      );
      checkCases(cases, replies);
      // Each of these asks on a new connection: a seeded draw is the
      // request's function, not the connection's.
      const [first, second, other] = await Promise.all(
        [SEEDED, SEEDED, SEEDED_OTHER].map((requests) =>
          mapParallel(requests, 8, (r) => cliJson(port, r))
        ),
      );
      checkSeeded(first, second, other);
      const vectors = await seedVectors();
      const got = await mapParallel(
        vectors,
        8,
        (v) => cliJson(port, v.request),
      );
      for (let i = 0; i < vectors.length; i++) {
        assert.deepEqual(
          got[i],
          vectors[i].reply,
          vectors[i].request.join(" "),
        );
      }
      const help = await cli(port, ["HELP"]);
      assert.match(help, /^redis-cli \d+\.\d+/);
    }),
});

Deno.test({
  name:
    `redis-cli one-shot: raw, typed (--no-raw), RESP3 (-3, --json), -e, -r, -x output${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      // Raw output (not a terminal): one line per element, bulk strings as
      // their bytes.
      const dice = (await cli(port, ["RANDINT", "5", "1", "6"])).split("\n");
      assert.equal(dice.length, 6, dice.join("|"));
      assert.equal(dice.pop(), "");
      assert.ok(dice.every((n) => /^[1-6]$/.test(n)), dice.join("|"));
      assert.match(
        await cli(port, ["RANDINT", "4", "1", "6", "FORMAT", "lines"]),
        /^(?:[1-6]\n){4}\n$/,
      );
      assert.match(
        await cli(port, ["RANDINT", "4", "1", "6", "FORMAT", "csv"]),
        /^[1-6](?:,[1-6]){3}\n$/,
      );
      const bytes = await runTool("redis-cli", [
        "-h",
        HOST,
        "-p",
        String(port),
        "RANDBYTES",
        "1000",
      ]);
      assert.equal(bytes.code, 0, bytes.stderr);
      assert.equal(bytes.stdout.length, 1001);
      assert.equal(bytes.stdout[1000], 10);
      // PROTOCOL.md's vector RANDBYTES 16 HEX SEED "", as raw bytes.
      const seeded = await runTool("redis-cli", [
        "-h",
        HOST,
        "-p",
        String(port),
        "RANDBYTES",
        "16",
        "SEED",
        "",
      ]);
      assert.equal(
        Array.from(seeded.stdout, (b) => b.toString(16).padStart(2, "0"))
          .join(""),
        "5835fdd196a6436538b6d35fcec696cc0a",
      );
      assert.equal(await cli(port, ["QUIT"]), "OK\n");
      assert.equal(await cli(port, ["RESET"]), "RESET\n");

      // --no-raw shows each reply's RESP type.
      assert.match(
        await cli(port, ["--no-raw", "RANDINT", "3", "1", "6"]),
        /^1\) \(integer\) [1-6]\n2\) \(integer\) [1-6]\n3\) \(integer\) [1-6]\n$/,
      );
      assert.match(
        await cli(port, ["--no-raw", "SHUFFLE", "a", "b"]),
        /^1\) "[ab]"\n2\) "[ab]"\n$/,
      );
      assert.match(
        await cli(port, ["--no-raw", "UUID"]),
        /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\n$/,
      );
      assert.equal(
        await cli(port, ["--no-raw", "RANDINT", "0", "1", "6"]),
        "(empty array)\n",
      );
      assert.equal(
        await cli(port, ["--no-raw", "CLIENT", "GETNAME"]),
        "(nil)\n",
      );
      assert.equal(
        await cli(port, ["--no-raw", "SELECT", "1"]),
        "(error) ERR DB index is out of range\n",
      );
      // RESP2 sends GAUSS's values as strings, RESP3 as doubles.
      assert.equal(
        await cli(port, ["--no-raw", "-2", "GAUSS", "2", "1.5", "0"]),
        '1) "1.5"\n2) "1.5"\n',
      );
      assert.equal(
        await cli(port, ["--no-raw", "-3", "GAUSS", "2", "1.5", "0"]),
        "1) (double) 1.5\n2) (double) 1.5\n",
      );

      // --json without -2 is RESP3: redis-cli sends HELLO 3 first.
      const json = async (...args: string[]) =>
        JSON.parse(await cli(port, ["--json", ...args]));
      const hello = await json("HELLO", "3");
      assert.deepEqual(
        { ...hello, id: 0, version: "" },
        {
          server: "randport",
          version: "",
          proto: 3,
          id: 0,
          mode: "standalone",
          role: "master",
          modules: [],
        },
      );
      assert.deepEqual(await json("GAUSS", "2", "0", "1", "SEED", "g"), [
        0.6075983028664582,
        -0.09926187392221374,
      ]);
      const normals = await json("GAUSS", "50", "0", "1");
      assert.equal(normals.length, 50);
      assert.ok(normals.every(Number.isFinite), JSON.stringify(normals));
      assert.deepEqual(await json("CONFIG", "GET", "*"), {
        save: "",
        appendonly: "no",
        databases: "1",
        "maxmemory-policy": "noeviction",
      });
      assert.deepEqual(await json("COMMAND", "DOCS"), {});
      assert.deepEqual(await json("COMMAND"), []);
      assert.equal(await json("COMMAND", "COUNT"), COMMAND_NAMES.length);
      assert.equal(await json("CLIENT", "GETNAME"), null);
      assert.deepEqual(
        await json("RANDINT", "6", "1", "49", "UNIQUE", "SEED", "hello"),
        [35, 7, 37, 14, 34, 17],
      );
      const uuids = await json("UUID", "3");
      assert.ok(uuids.every((u: string) => UUID_V4.test(u)), uuids.join());

      // -e: an error reply makes the exit status 1.
      const failed = await runTool("redis-cli", [
        "-h",
        HOST,
        "-p",
        String(port),
        "-e",
        "RANDINT",
        "3",
        "6",
        "1",
      ]);
      assert.equal(failed.code, 1);
      assert.match(
        decoder.decode(failed.stdout) + failed.stderr,
        /ERR max: expected max >= min, got min 6 and max 1/,
      );
      assert.match(await cli(port, ["-e", "UUID"]), /^[0-9a-f-]{36}\n$/);
      // -r repeats on one connection: the same id three times.
      const ids = (await cli(port, ["-r", "3", "CLIENT", "ID"])).split("\n");
      assert.equal(ids.length, 4);
      assert.ok(/^\d+$/.test(ids[0]) && ids[0] === ids[1] && ids[1] === ids[2]);
      // -x: the last argument from stdin.
      assert.equal(
        await cli(port, ["-x", "ECHO"], { stdin: "from stdin" }),
        "from stdin\n",
      );
    }),
});

Deno.test({
  name:
    `redis-cli < commands: one connection's state (names, RESP3, RESET, QUIT)${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      const out = await cli(port, [], {
        stdin: [
          "CLIENT GETNAME",
          "CLIENT SETNAME tester",
          "CLIENT GETNAME",
          "HELLO 3",
          "GAUSS 1 5 0",
          "CLIENT GETNAME",
          "RESET",
          "CLIENT GETNAME",
          "RANDINT 2 1 1 SEED x",
          "QUIT",
          // Not sent: redis-cli stops once QUIT has closed the connection.
          "PING",
          "",
        ].join("\n"),
      });
      assert.match(
        out,
        new RegExp(
          "^\nOK\ntester\nserver randport\nversion \\S+\nproto 3\nid \\d+\n" +
            "mode standalone\nrole master\nmodules \n5\ntester\nRESET\n\n1\n1\n$",
        ),
      );
    }),
});

Deno.test({
  name:
    `redis-cli --pipe: mass insertion, which ends on an ECHO of 20 random bytes${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      // redis-cli --pipe sends the input as it is, then ECHO with 20 random
      // bytes (not necessarily UTF-8), and waits until that ECHO's reply
      // holds the same bytes: it only finishes if ECHO is binary-safe.
      const ran = await runTool("redis-cli", [
        "-h",
        HOST,
        "-p",
        String(port),
        "--pipe",
      ], {
        stdin: "PING\r\nHELP\r\nHELP NOPE\r\n" +
          "*4\r\n$7\r\nRANDINT\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n6\r\n",
        deadlineMs: 3000,
      });
      const out = decoder.decode(ran.stdout);
      assert.equal(ran.code, 1, `${out}${ran.stderr}`);
      assert.match(out, /errors: 1, replies: 4/);
      assert.match(ran.stderr + out, /ERR HELP: no command 'NOPE'/);
    }),
});

interface PtyRun {
  banner: string;
  steps: { command: string; screen: string }[];
  exit: number | null;
  timeout?: string;
}

Deno.test({
  name:
    `redis-cli interactive, on a pseudo-terminal: prompt, replies, help, errors, quit${PTY_NOTE}`,
  ignore: !REDIS_CLI || !PYTHON,
  fn: () =>
    withServer(async (port, server) => {
      const typed = [
        "RANDINT 3 1 6",
        "HELP",
        "RANDINT 3 6 1",
        "SEQUENCE 1 3 SEED s",
        "UUID",
        "GAUSS 1 2 0",
        "CONFIG GET databases",
        "CLIENT GETNAME",
        "quit",
      ];
      const ran = await runTool(
        "python3",
        [PTY_HELPER, String(port), "8", ...typed],
        { deadlineMs: 12_000 },
      );
      const stdout = decoder.decode(ran.stdout);
      assert.equal(ran.code, 0, `${ran.stderr}\n${stdout}`);
      const result: PtyRun = JSON.parse(stdout);
      const transcript = JSON.stringify(result, null, 1);
      // redis-cli asked COMMAND DOCS for its hints before the first prompt:
      // it must neither fail nor print anything.
      assert.equal(result.banner, "", transcript);
      assert.equal(result.steps.length, typed.length, transcript);
      const prompt = `${HOST}:${port}> `;
      const screens = result.steps.map(({ command, screen }) => {
        assert.ok(
          screen.startsWith(`${prompt}${command}\n`),
          `the prompt and the typed line: ${JSON.stringify(screen)}`,
        );
        return screen.slice(prompt.length + command.length + 1);
      });
      assert.match(
        screens[0],
        /^1\) \(integer\) [1-6]\n2\) \(integer\) [1-6]\n3\) \(integer\) [1-6]\n$/,
      );
      // HELP is redis-cli's own, printed without asking the server.
      assert.match(screens[1], /^redis-cli \d+\.\d+\.\d+\n/);
      assert.match(screens[1], /"quit" to exit/);
      assert.equal(
        screens[2],
        "(error) ERR max: expected max >= min, got min 6 and max 1\n",
      );
      assert.match(
        screens[3],
        /^1\) \(integer\) \d\n2\) \(integer\) \d\n3\) \(integer\) \d\n$/,
      );
      assert.deepEqual(
        [...screens[3].matchAll(/\(integer\) (\d)/g)].map((m) => m[1]).sort(),
        ["1", "2", "3"],
      );
      assert.match(
        screens[4],
        /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\n$/,
      );
      assert.equal(screens[5], '1) "2"\n');
      assert.equal(screens[6], '1) "databases"\n2) "1"\n');
      assert.equal(screens[7], "(nil)\n");
      assert.equal(screens[8], "", "quit prints nothing more");
      assert.equal(result.exit, 0, "quit exits redis-cli with status 0");
      // COMMAND DOCS and the six typed commands that went to the server;
      // HELP and quit stay in redis-cli.
      assert.ok(server.stats.requests >= 7, `${server.stats.requests}`);
    }),
});

/** redis-benchmark's final lines, `NAME: N requests per second, ...`. */
function benchmarkRates(stdout: string): Map<string, number> {
  const rates = new Map<string, number>();
  // Progress goes out as lines that end in \r, each overwriting the last.
  for (const line of stdout.split(/[\r\n]/)) {
    const match = /^(.+): ([\d.]+) requests per second/.exec(line.trim());
    if (match) rates.set(match[1], Number(match[2]));
  }
  return rates;
}

const BENCH_REQUESTS = 20000;
const BENCH_RUNS: { args: string[]; tests: string[] }[] = [
  { args: ["-t", "ping"], tests: ["PING_INLINE", "PING_MBULK"] },
  { args: ["-t", "ping", "-P", "16"], tests: ["PING_INLINE", "PING_MBULK"] },
  { args: ["RANDINT", "10", "1", "100"], tests: ["RANDINT 10 1 100"] },
  {
    args: ["-P", "16", "RANDINT", "10", "1", "100"],
    tests: ["RANDINT 10 1 100"],
  },
];

for (const { args, tests } of BENCH_RUNS) {
  Deno.test({
    name: `redis-benchmark -n ${BENCH_REQUESTS} -c 8 -q ${
      args.join(" ")
    }: finishes, no errors, every request counted${BENCH_NOTE}`,
    ignore: !REDIS_BENCHMARK,
    fn: () =>
      withServer(async (port, server) => {
        const ran = await runTool("redis-benchmark", [
          "-h",
          HOST,
          "-p",
          String(port),
          "-n",
          String(BENCH_REQUESTS),
          "-c",
          "8",
          "-q",
          ...args,
        ], { deadlineMs: 30_000 });
        const stdout = decoder.decode(ran.stdout);
        // redis-benchmark exits 1 at the first error reply and says so on
        // stderr (see the test below).
        assert.equal(ran.code, 0, ran.stderr);
        assert.doesNotMatch(ran.stderr + stdout, /error/i);
        const rates = benchmarkRates(stdout);
        assert.deepEqual([...rates.keys()], tests, stdout);
        for (const rate of rates.values()) assert.ok(rate > 0, stdout);
        // Beyond -n: its CONFIG GETs before it starts, and with -P the
        // pipelines in flight when the count is reached.
        const counted = server.stats.requests;
        const want = BENCH_REQUESTS * tests.length;
        assert.ok(
          counted >= want && counted <= want + tests.length * 8 * 16 + 16,
          `${counted} requests counted for ${want}`,
        );
        assert.equal(server.stats.protocolErrors, 0);
        assert.equal(server.stats.accepted, tests.length * 8 + 1);
        // Afterwards the server still answers.
        assert.equal(await cli(port, ["PING"]), "PONG\n");
        assert.match(await cli(port, ["UUID"]), /^[0-9a-f-]{36}\n$/);
      }),
  });
}

Deno.test({
  name: `redis-benchmark: an error reply stops it, exit status 1${BENCH_NOTE}`,
  ignore: !REDIS_BENCHMARK,
  fn: () =>
    withServer(async (port) => {
      // What the test above relies on to see errors.
      const ran = await runTool("redis-benchmark", [
        "-h",
        HOST,
        "-p",
        String(port),
        "-n",
        "100",
        "-c",
        "1",
        "-q",
        "RANDINT",
        "3",
        "6",
        "1",
      ]);
      assert.equal(ran.code, 1);
      assert.match(
        ran.stderr,
        /Error from server: ERR max: expected max >= min/,
      );
    }),
});

// ---------------------------------------------------------------------------
// nc: the raw bytes of every reply.

/** One RESP2 or RESP3 reply at `at` in `bytes`, and where it ends. */
function parseReply(bytes: Uint8Array, at: number): [Reply, number] {
  const eol = bytes.indexOf(13, at);
  assert.ok(eol > at && bytes[eol + 1] === 10, `a line at ${at}`);
  const type = String.fromCharCode(bytes[at]);
  const line = decoder.decode(bytes.subarray(at + 1, eol));
  let end = eol + 2;
  switch (type) {
    case "+":
      return [line, end];
    case "-":
      return [{ error: line }, end];
    case ":":
    case ",":
      return [Number(line), end];
    case "_":
      return [null, end];
    case "$": {
      const length = Number(line);
      if (length === -1) return [null, end];
      const body = bytes.subarray(end, end + length);
      assert.equal(bytes[end + length], 13);
      assert.equal(bytes[end + length + 1], 10);
      return [decoder.decode(body), end + length + 2];
    }
    case "*":
    case "%": {
      // A RESP3 map becomes RESP2's flat array of keys and values.
      const count = Number(line) * (type === "%" ? 2 : 1);
      if (count < 0) return [null, end];
      const items: Reply[] = [];
      for (let i = 0; i < count; i++) {
        const [item, next] = parseReply(bytes, end);
        items.push(item);
        end = next;
      }
      return [items, end];
    }
  }
  throw new Error(`unexpected reply type ${JSON.stringify(type)} at ${at}`);
}

/** Splits a stream of replies into each reply's value and its bytes. */
function splitReplies(
  stream: Uint8Array,
): { value: Reply; bytes: Uint8Array }[] {
  const replies = [];
  for (let at = 0; at < stream.length;) {
    const [value, end] = parseReply(stream, at);
    replies.push({ value, bytes: stream.subarray(at, end) });
    at = end;
  }
  return replies;
}

/** An inline command that the server splits back into `args` (§5.1). */
function inline(args: string[]): string {
  return args.map((arg) => `"${arg.replace(/[\\"]/g, "\\$&")}"`).join(" ");
}

Deno.test({
  name: `nc: inline commands, the raw RESP replies of every command${NC_NOTE}`,
  ignore: !NC,
  fn: () =>
    withServer(async (port) => {
      const vectors = await seedVectors();
      const exact: [string, string | Uint8Array][] = [
        ["PING", "+PONG\r\n"],
        ['ECHO "a b\\x41\\n"', "$5\r\na bA\n\r\n"],
        ["ECHO 'c\\'d'", "$3\r\nc'd\r\n"],
        ["CLIENT GETNAME", "$-1\r\n"],
        ["CLIENT SETNAME tester", "+OK\r\n"],
        ["client getname", "$6\r\ntester\r\n"],
        ["SELECT 0", "+OK\r\n"],
        ["SELECT 1", "-ERR DB index is out of range\r\n"],
        ["COMMAND", "*0\r\n"],
        ["COMMAND COUNT", `:${COMMAND_NAMES.length}\r\n`],
        ["COMMAND DOCS", "*0\r\n"],
        [
          "CONFIG GET save databases",
          "*4\r\n$4\r\nsave\r\n$0\r\n\r\n$9\r\ndatabases\r\n$1\r\n1\r\n",
        ],
        [
          "RANDINT 6 1 49 SEED hello",
          "*6\r\n:35\r\n:16\r\n:27\r\n:37\r\n:25\r\n:40\r\n",
        ],
        ["RANDINT 5 1 6 FORMAT lines SEED dice", "$10\r\n6\n1\n1\n2\n3\n\r\n"],
        ["UUID SEED u", "$36\r\nae35c46d-f69c-421f-8852-7c872e59338e\r\n"],
        [
          'RANDBYTES 16 SEED ""',
          new Uint8Array([
            ...encoder.encode("$16\r\n"),
            ...[0x58, 0x35, 0xfd, 0xd1, 0x96, 0xa6, 0x43, 0x65],
            ...[0x38, 0xb6, 0xd3, 0x5f, 0xce, 0xc6, 0x96, 0xcc],
            ...encoder.encode("\r\n"),
          ]),
        ],
        [
          "GAUSS 2 0 1 SEED g",
          "*2\r\n$18\r\n0.6075983028664582\r\n$20\r\n-0.09926187392221374\r\n",
        ],
        [
          "HELP UUID",
          "*1\r\n+UUID [count] [SIGNED [DATA text]] [SEED seed] -- version 4 UUIDs\r\n",
        ],
        ["HELP NOPE", "-ERR HELP: no command 'NOPE'; try HELP\r\n"],
        [
          "RANDINT 3 1",
          "-ERR wrong number of arguments for 'randint' command\r\n",
        ],
        [
          "HELLO 3",
          "%7\r\n$6\r\nserver\r\n$8\r\nrandport\r\n$7\r\nversion\r\n$",
        ],
        [
          "GAUSS 2 0 1 SEED g",
          "*2\r\n,0.6075983028664582\r\n,-0.09926187392221374\r\n",
        ],
        ["CONFIG GET databases", "%1\r\n$9\r\ndatabases\r\n$1\r\n1\r\n"],
        ["CLIENT GETNAME", "$6\r\ntester\r\n"],
        ["RESET", "+RESET\r\n"],
        ["CLIENT GETNAME", "$-1\r\n"],
        ["CONFIG GET databases", "*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n"],
      ];
      const rawBytes = 300;
      const lines = [
        ...exact.map(([line]) => line),
        ...CASES.map((c) => inline(c.args)),
        ...vectors.map((v) => inline(v.request)),
        `RANDBYTES ${rawBytes}`,
        "QUIT",
        // After QUIT the server closes: nothing more is answered.
        "PING",
      ];
      // QUIT's close is what ends nc, with or without -N or -q.
      const ran = await runTool("nc", [HOST, String(port)], {
        stdin: lines.join("\r\n") + "\r\n",
        deadlineMs: 10_000,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const replies = splitReplies(ran.stdout);
      assert.equal(replies.length, lines.length - 1, "one reply a request");
      let i = 0;
      for (const [line, want] of exact) {
        const got = replies[i++].bytes;
        if (want instanceof Uint8Array) assert.deepEqual(got, want, line);
        // HELLO 3's reply is checked up to its version, which changes.
        else if (line === "HELLO 3") {
          assert.ok(decoder.decode(got).startsWith(want), decoder.decode(got));
        } else assert.equal(decoder.decode(got), want, line);
      }
      checkCases(CASES, replies.slice(i, i + CASES.length).map((r) => r.value));
      i += CASES.length;
      for (const vector of vectors) {
        assert.deepEqual(
          replies[i++].value,
          vector.reply,
          vector.request.join(" "),
        );
      }
      const random = replies[i++].bytes;
      const head = encoder.encode(`$${rawBytes}\r\n`);
      assert.deepEqual(random.subarray(0, head.length), head);
      assert.equal(random.length, head.length + rawBytes + 2);
      assert.equal(decoder.decode(replies[i++].bytes), "+OK\r\n");
    }),
});
