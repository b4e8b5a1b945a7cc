/**
 * The client's loose edges, decided (issue 14 item 6): flag values exactly
 * as typed, numbers before a malformed byte delivered as those before a
 * truncation are, a note for an empty payload, a timeout message that knows
 * whether anything arrived, routing errors in words, and counts in the
 * server's log that agree in number.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RandportError } from "../lib/errors/mod.ts";
import { PayloadParser } from "../lib/wire/mod.ts";
import {
  assertOneLineError,
  runClient,
  runServer,
  startRawPythonServer,
} from "./_util.ts";

Deno.test("flags: surrounding spaces are refused like any other stray character", async () => {
  const cases: [(args: string[]) => ReturnType<typeof runClient>, string[]][] =
    [
      [runServer, ["--port", " 80"]],
      [runServer, ["--count", "10 "]],
      [runServer, ["--write-timeout", " 5"]],
      [runClient, ["--port", "27679 "]],
      [runClient, ["--timeout", " 1"]],
      [runClient, ["--limit", "\t5"]],
      [runClient, ["--stats", "--range", " 1..100"]],
      [runClient, ["--stats", "--range", "1 .. 100"]],
    ];
  for (const [run, args] of cases) {
    const result = await run(args);
    assertOneLineError(result, 2, new RegExp(`${args.at(-2)}: expected`));
  }
});

Deno.test("parser: a malformed chunk hands over the numbers before the offending byte", () => {
  const parser = new PayloadParser();
  assert.deepEqual(parser.push(new TextEncoder().encode("7,8")), [7]);
  try {
    parser.push(new TextEncoder().encode(",9,10,x,11"));
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof RandportError);
    assert.equal(error.code, "malformed");
    assert.equal(error.offset, 9);
    // 8 was completed by this chunk's first ','.
    assert.deepEqual(error.numbers, [8, 9, 10]);
  }
  // A number touching the offending byte was never complete.
  for (
    const [text, numbers] of [
      ["1,2x,3", [1]],
      ["[1,2.5]", [1]],
      ["[10,20e1]", [10]],
      ["7\n8 \n", [7]],
    ] as const
  ) {
    try {
      new PayloadParser().push(new TextEncoder().encode(text));
      assert.fail(`accepted ${text}`);
    } catch (error) {
      assert.ok(error instanceof RandportError, String(error));
      assert.deepEqual(error.numbers, numbers, text);
    }
  }
});

Deno.test("client: numbers before a malformed byte are printed, as before a truncation", async () => {
  for (
    const [payload, code] of [["1,2,3,x", "malformed"], ["1,2,3,", "truncated"]]
  ) {
    await using peer = await startRawPythonServer(payload);
    const result = await runClient([
      "--host",
      "127.0.0.1",
      "--port",
      String(peer.port),
    ]);
    assert.equal(result.stdout, "1\n2\n3\n", payload);
    assertOneLineError(result, 1, new RegExp(`${code} payload`));
  }
});

Deno.test("client: a limit reached before a malformed byte is a success", async () => {
  await using peer = await startRawPythonServer("1,2,3,x");
  // (With "1,2x" the 2 is not complete, so --limit 2 fails: see the parser
  // test above.)
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(peer.port),
    "--limit",
    "2",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "1\n2\n");
});

Deno.test("client: a server that sends nothing and closes gets a note, not silence", async () => {
  await using peer = await startRawPythonServer("");
  const args = ["--host", "127.0.0.1", "--port", String(peer.port)];
  const result = await runClient(args);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^randport client: the server sent no numbers \(an empty payload\)/,
  );
  const quiet = await runClient([...args, "-q"]);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stderr, "");
});

Deno.test("client: the timeout message says whether the server had sent anything", async () => {
  await using silent = await startRawPythonServer("", "silent");
  const before = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(silent.port),
    "--timeout",
    "0.3",
  ]);
  assertOneLineError(before, 1, /sent nothing for 0\.3 s/);

  await using holding = await startRawPythonServer("1,2,", "hold");
  const after = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(holding.port),
    "--timeout",
    "0.3",
  ]);
  assert.equal(after.stdout, "1\n2\n");
  assertOneLineError(after, 1, /sent nothing more for 0\.3 s after 4 bytes/);
});

Deno.test("client: routing errors are words, not the OS's numbers", async () => {
  // A link-local IPv6 address without its interface: EINVAL on Linux (or,
  // without IPv6, another errno that must be put in words just the same).
  const result = await runClient([
    "--host",
    "fe80::1",
    "--port",
    "9",
    "--timeout",
    "2",
  ]);
  assertOneLineError(result, 1, /cannot reach \[fe80::1\]:9: /);
  assert.doesNotMatch(result.stderr, /os error/);
});
