/**
 * The command lines' failure modes: bad flags exit 2, startup and network
 * failures exit 1, each as exactly one line on stderr without a stack trace.
 */

import assert from "node:assert/strict";
import {
  assertOneLineError,
  freePort,
  ipv6Available,
  runClient,
  runServer,
  startPython,
  startRawPythonServer,
  startServer,
} from "./_util.ts";

const SERVER = /^randport server: /;
const CLIENT = /^randport client: /;

// Bad server flags ------------------------------------------------------------------

/** [flags, patterns the one stderr line must match] */
const BAD_SERVER_FLAGS: [string[], RegExp[]][] = [
  [["--bogus"], [/unknown flag --bogus\b/]],
  [["-x"], [/unknown flag -x\b/]],
  [["--port", "70000"], [
    /--port: expected an integer from 0 to 65535, got "70000"/,
  ]],
  [["--port", "abc"], [/--port: expected an integer from 0 to 65535/, /"abc"/]],
  [["--port", "-1"], [/--port: expected an integer from 0 to 65535/, /"-1"/]],
  [["--port", "80.5"], [/--port: expected an integer/]],
  [["--host", "127.0.0.1", "--port"], [/--port: expected a value/]],
  [["--count", "-1"], [/--count: expected an integer >= 0, got "-1"/]],
  [["--count", "1.5"], [/--count: expected an integer >= 0, got "1\.5"/]],
  [["--count", "1e3"], [/--count: expected an integer/]],
  [["--count", ""], [/--count: expected an integer/]],
  [["--min", "x"], [/--min: expected an integer within ±\(2\^53−1\)/, /"x"/]],
  [["--max", "ten"], [/--max: expected an integer/]],
  [["--min", "5", "--max", "1"], [/--(max|min): /, /max >= min/]],
  [["--format", "xml"], [
    /--format: expected one of csv, lines, json, got "xml"/,
  ]],
  [["--stream", "--format", "json"], [/--(stream|format): /, /csv or lines/]],
  [["--unique", "--count", "101"], [
    /--unique: /,
    /101/,
    /100 values in 1\.\.100/,
  ]],
  [["--unique", "--count", "1000001", "--max", "2000000"], [
    /--unique: /,
    /1000000/,
  ]],
  [["--unique", "--stream"], [/--(unique|stream): /, /stream/]],
  [["--seed", "1.5"], [/--seed: expected an integer/, /"1\.5"/]],
  [["--seed", "abc"], [/--seed: expected an integer/]],
  [["--min", "9007199254740992"], [
    /--min: expected an integer within ±\(2\^53−1\), got "9007199254740992"/,
  ]],
  [["--max", "-9007199254740992"], [/--max: expected an integer within/]],
  [["--min", "99999999999999999999"], [/--min: expected an integer within/]],
  [["--seed", "9007199254740992"], [/--seed: expected an integer within/]],
  [["--count"], [/--count: expected a value/]],
  [["--min", "--max", "5"], [/--min: expected a value/]],
  [["--host"], [/--host: expected a value/]],
  [["extra"], [/unexpected argument "extra"/]],
  [["--count", "5", "6"], [/unexpected argument "6"/]],
  [["--stream=yes"], [/--stream: takes no value/]],
  [["--unique=1"], [/--unique: takes no value/]],
  [["--help=yes"], [/--help: takes no value/]],
  [["--version=1"], [/--version: takes no value/]],
  [["--max-connections", "0"], [/--max-connections: expected an integer/]],
  [["--backlog", "1"], [
    /^randport server: --backlog: expected an integer from 128 to 65535, got "1"$/m,
  ]],
  [["--backlog", "127"], [/--backlog: expected an integer from 128/]],
  // A payload mistake is reported before a limit's, as before issue 10.
  [["--unique", "--count", "200", "--max", "10", "--backlog", "0"], [
    /--unique: count 200 exceeds the 10 values in 1\.\.10/,
  ]],
  [["--write-timeout", "-1"], [/--write-timeout: expected/]],
  [["--linger-timeout", "-1"], [
    /--linger-timeout: expected a number of seconds/,
  ]],
  [["--linger-timeout", "soon"], [/--linger-timeout: expected/, /"soon"/]],
  [["--write-timeout", "0x10"], [/--write-timeout: expected/, /"0x10"/]],
  [["--shutdown-grace", "1e3"], [/--shutdown-grace: expected/, /"1e3"/]],
  [["--host", ""], [/--host: expected a host name or address, got ""/]],
  [["--host", "local host"], [/--host: expected a host name or address/]],
  [["--log-level", "loud"], [/--log-level: expected one of/]],
];

for (const [flags, patterns] of BAD_SERVER_FLAGS) {
  Deno.test(`server ${JSON.stringify(flags)}: exit 2 and one line naming the flag`, async () => {
    // Listen nowhere special if the flag were wrongly accepted.
    const safety = [
      ...(flags.includes("--host") ? [] : ["--host", "127.0.0.1"]),
      ...(flags.some((f) => f.startsWith("--port")) ? [] : ["--port", "0"]),
    ];
    const result = await runServer([...safety, ...flags], {
      timeoutMs: 10_000,
    });
    assertOneLineError(result, 2, SERVER, ...patterns);
    assert.equal(result.stdout, "", "nothing on stdout, no listening line");
  });
}

// Bad client flags ------------------------------------------------------------------

const BAD_CLIENT_FLAGS: [string[], RegExp[]][] = [
  [["--bogus"], [/unknown flag --bogus\b/]],
  [["--count", "5"], [/unknown flag --count\b/]],
  [["--port", "0"], [/--port: expected an integer from 1 to 65535, got "0"/]],
  [["--port", "70000"], [/--port: expected an integer from 1 to 65535/]],
  [["--port", "abc"], [/--port: expected an integer/, /"abc"/]],
  [["--host", "127.0.0.1", "--port"], [/--port: expected a value/]],
  [["--format", "xml"], [
    /--format: expected one of csv, lines, json, got "xml"/,
  ]],
  [["--limit", "-1"], [/--limit: expected an integer >= 0, got "-1"/]],
  [["--limit", "1.5"], [/--limit: expected an integer >= 0/]],
  [["--limit", "x"], [/--limit: expected an integer/]],
  [["--timeout", "-1"], [
    /--timeout: expected a number of seconds from 0 to 2147483/,
  ]],
  [["--timeout", "abc"], [/--timeout: expected a number of seconds/]],
  [["--timeout", ""], [/--timeout: expected a number of seconds/]],
  [["--timeout", "0x10"], [/--timeout: expected a number of seconds/]],
  [["--host", ""], [/--host: expected a host name or address, got ""/]],
  [["--timeout", "Infinity"], [/--timeout: expected a number of seconds/]],
  [["--timeout"], [/--timeout: expected a value/]],
  [["--host"], [/--host: expected a value/]],
  [["extra"], [/unexpected argument "extra"/]],
  [["--limit=1", "--limit"], [/--limit: expected a value/]],
  [["--help=yes"], [/--help: takes no value/]],
  [["--version=1"], [/--version: takes no value/]],
];

for (const [flags, patterns] of BAD_CLIENT_FLAGS) {
  Deno.test(`client ${JSON.stringify(flags)}: exit 2 and one line naming the flag`, async () => {
    // If the flags were wrongly accepted, fail fast on a closed port.
    const safety = flags.some((f) => f.startsWith("--port") || f === "--host")
      ? []
      : ["--host", "127.0.0.1", "--port", String(freePort())];
    const result = await runClient([...safety, ...flags], {
      timeoutMs: 10_000,
    });
    assertOneLineError(result, 2, CLIENT, ...patterns);
    assert.equal(result.stdout, "");
  });
}

// Server startup failures --------------------------------------------------------

Deno.test("server: port in use → exit 1, one line naming the address and 'in use'", async () => {
  await using first = await startServer();
  const result = await runServer([
    "--host",
    "127.0.0.1",
    "--port",
    String(first.port),
  ]);
  assertOneLineError(
    result,
    1,
    SERVER,
    new RegExp(`127\\.0\\.0\\.1:${first.port}\\b`),
    /in use/,
  );
  assert.equal(result.stdout, "");
  // The first server is unharmed.
  const served = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(first.port),
  ]);
  assert.equal(served.code, 0, served.stderr);
});

Deno.test("server: port in use on the default host → exit 1, one line", async () => {
  await using first = await startServer([], { hostDefault: true });
  const result = await runServer(["--port", String(first.port)]);
  assertOneLineError(
    result,
    1,
    SERVER,
    new RegExp(`cannot listen on port ${first.port} of every interface`),
    /in use/,
  );
});

Deno.test("server: an address of no local interface → exit 1, one line naming it", async () => {
  // Binding sends nothing on the network; ::2 belongs to no interface here.
  const result = await runServer(["--host", "::2", "--port", "0"]);
  assertOneLineError(result, 1, SERVER, /\[::2\]:0/);
  assert.equal(result.stdout, "");
});

// Client failures -----------------------------------------------------------------

function client(port: number, ...args: string[]) {
  return runClient(["--host", "127.0.0.1", "--port", String(port), ...args]);
}

Deno.test("client: connection refused → exit 1, says refused and how to start a server", async () => {
  const port = freePort();
  const result = await client(port);
  assertOneLineError(
    result,
    1,
    CLIENT,
    /refused/,
    /deno task serve/,
    new RegExp(`127\\.0\\.0\\.1:${port}\\b`),
  );
  assert.equal(result.stdout, "");
});

Deno.test({
  name: "client: connection refused over ::1 names the bracketed address",
  ignore: !ipv6Available(),
  fn: async () => {
    const port = freePort();
    const result = await runClient(["--host", "::1", "--port", String(port)]);
    assertOneLineError(
      result,
      1,
      CLIENT,
      /refused/,
      new RegExp(`\\[::1\\]:${port}\\b`),
    );
  },
});

Deno.test({
  name:
    "client: --host [::1] (bracketed, as URLs write it) is named once-bracketed",
  ignore: !ipv6Available(),
  fn: async () => {
    const port = freePort();
    const result = await runClient(["--host", "[::1]", "--port", String(port)]);
    const line = assertOneLineError(result, 1, CLIENT, /refused/);
    assert.ok(line.includes(`[::1]:${port}`), line);
    assert.ok(!line.includes("[[::1]]"), line);
  },
});

Deno.test("client: unknown host → exit 1, says unknown host and names it", async () => {
  // A name under .invalid never resolves. Its first label is 64 characters,
  // one more than DNS allows, so the resolver fails locally and no query
  // leaves this machine (these tests must not touch the network).
  const host = `${"a".repeat(64)}.invalid`;
  const result = await runClient(["--host", host, "--port", "27679"]);
  assertOneLineError(result, 1, CLIENT, /unknown host/, new RegExp(host));
  assert.equal(result.stdout, "");
});

Deno.test("client: a server that accepts and never sends → timeout after --timeout", async () => {
  await using python = await startRawPythonServer("", "silent");
  const started = performance.now();
  const result = await client(python.port, "--timeout", "0.5");
  const elapsed = performance.now() - started;
  assertOneLineError(result, 1, CLIENT, /timed out/, /0\.5 s/);
  assert.equal(result.stdout, "");
  assert.ok(elapsed >= 450, `gave up after ${elapsed} ms, before 0.5 s`);
});

Deno.test("client: a server that goes silent mid-payload → timeout", async () => {
  await using python = await startRawPythonServer("1,2,3,", "hold");
  const result = await client(python.port, "--timeout", "0.5");
  assertOneLineError(result, 1, CLIENT, /timed out/, /0\.5 s/);
});

Deno.test("client: a connect that is never answered → timeout while connecting", async () => {
  // listen(0) and a full accept queue: the kernel drops further SYNs, so
  // the client's connect hangs until its timeout.
  const script = `
import socket, time
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(0)
port = srv.getsockname()[1]
fill = []
for _ in range(8):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fill.append(c)
time.sleep(0.2)
print(port, flush=True)
time.sleep(60)
`;
  await using python = await startPython(script);
  const result = await client(python.port, "--timeout", "0.5");
  assertOneLineError(result, 1, CLIENT, /timed out/, /connecting/);
});

Deno.test("client: --timeout of a fraction of a millisecond still times out", async () => {
  // 0 means "no limit"; a tiny positive timeout must not be rounded to it.
  await using python = await startRawPythonServer("", "silent");
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(python.port),
    "--timeout",
    "0.0004",
  ], { timeoutMs: 3000 });
  assertOneLineError(result, 1, CLIENT, /timed out/);
});

Deno.test("client: a --timeout beyond what timers hold (40 days) is a usage error", async () => {
  // Timers overflow past 2^31−1 ms; that must not become an instant timeout.
  await using server = await startServer();
  const result = await client(server.port, "--timeout", "3456000");
  assertOneLineError(
    result,
    2,
    CLIENT,
    /--timeout: expected a number of seconds from 0 to 2147483/,
  );
});

/** [payload, the one stderr line's patterns] */
const MALFORMED: [string, RegExp[]][] = [
  ["12,ab,3", [/malformed payload at byte 3\b/]],
  ["hello", [/malformed payload at byte 0\b/]],
  ["1;2", [/malformed payload at byte 1\b/]],
  ["1, 2", [/malformed payload at byte 2\b/]],
  ["1,,2", [/malformed payload at byte 2\b/]],
  ["1,2,3\n4", [/malformed payload at byte 6\b/]],
  ["[1,2.5]", [/malformed payload at byte 4\b/]],
  ["1\n2,3", [/malformed payload at byte 3\b/]],
  // PROTOCOL.md §3: only a json payload may start with whitespace; the
  // first byte that cannot belong to one is the digit after it.
  [" 1,2", [/malformed payload at byte 1\b/]],
  ["\n1\n2\n", [/malformed payload at byte 1\b/]],
  // PROTOCOL.md §2.1: no leading zeros, in any format.
  ["01,2", [/malformed payload at byte 1\b/]],
  ["5\n007\n", [/malformed payload at byte 3\b/]],
  ["12345678901234567", [/malformed payload at byte 0\b/, /16 digits/]],
  ["1,9007199254740992", [/malformed payload at byte 2\b/, /outside/]],
  ["[-9007199254740992]", [/malformed payload at byte 1\b/, /outside/]],
];

for (const [payload, patterns] of MALFORMED) {
  Deno.test(`client: malformed payload ${JSON.stringify(payload)} → exit 1, names the byte offset`, async () => {
    await using python = await startRawPythonServer(payload);
    const result = await client(python.port);
    assertOneLineError(result, 1, CLIENT, ...patterns);
  });
}

const TRUNCATED: [string, RegExp][] = [
  ["1,2,", /truncated payload at byte 4\b/],
  ["[1,2", /truncated payload at byte 4\b/],
  ["[", /truncated payload at byte 1\b/],
  ["5,-", /truncated payload at byte 3\b/],
  ["1\n-", /truncated payload at byte 3\b/],
];

for (const [payload, pattern] of TRUNCATED) {
  Deno.test(`client: truncated payload ${JSON.stringify(payload)} → exit 1, says truncated`, async () => {
    await using python = await startRawPythonServer(payload);
    const result = await client(python.port);
    assertOneLineError(result, 1, CLIENT, pattern);
  });
}

Deno.test("client: reset by peer mid-payload → exit 1, says reset", async () => {
  // An unfinished JSON array: a clean close would read as "truncated".
  await using python = await startRawPythonServer("[1,2,3", "reset");
  const result = await client(python.port);
  const line = assertOneLineError(result, 1, CLIENT, /reset/);
  assert.doesNotMatch(line, /truncated/);
});

Deno.test("client: an ERR busy reply → exit 1, says busy", async () => {
  await using python = await startRawPythonServer(
    "ERR busy server at its connection limit\n",
  );
  const result = await client(python.port);
  assertOneLineError(result, 1, CLIENT, /busy/);
  assert.doesNotMatch(result.stderr, /malformed/);
  assert.equal(result.stdout, "");
});

Deno.test("client: another ERR reply → exit 1, names the code", async () => {
  await using python = await startRawPythonServer(
    "ERR maintenance back in five minutes\n",
  );
  const result = await client(python.port);
  assertOneLineError(result, 1, CLIENT, /maintenance/);
  assert.equal(result.stdout, "");
});
