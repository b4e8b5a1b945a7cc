/**
 * The request port against Redis clients that no one here wrote:
 * `redis-cli` (Debian's redis-tools) and redis-py (python3-redis). CI
 * installs both; where one is missing its tests are ignored, and say why
 * in their names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveRequests } from "../../lib/request/mod.ts";

async function works(command: string, args: string[]): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

const REDIS_CLI = await works("redis-cli", ["--version"]);
// Debian's python3-redis is for the system Python, which may not be the
// python3 first on PATH.
const PYTHONS = ["python3", "/usr/bin/python3"];
let redisPython: string | undefined;
for (const python of PYTHONS) {
  if (await works(python, ["-c", "import redis"])) {
    redisPython = python;
    break;
  }
}

const CLI_NOTE = REDIS_CLI
  ? ""
  : " [ignored: redis-cli is not installed (Debian: redis-tools)]";
const PY_NOTE = redisPython
  ? ""
  : " [ignored: redis-py is not installed (Debian: python3-redis)]";

async function run(command: string, args: string[]) {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: text(output.stdout),
    stderr: text(output.stderr),
  };
}

async function withServer(body: (port: number) => Promise<void>) {
  const server = serveRequests({ port: 0 });
  try {
    await body(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

Deno.test({
  name: `redis-cli: one-shot commands, RESP2 and RESP3${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      const cli = (...args: string[]) =>
        run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args]);
      assert.equal((await cli("PING")).stdout, "PONG\n");
      assert.equal((await cli("ECHO", "a b")).stdout, "a b\n");
      assert.equal((await cli("PING", "hello")).stdout, "hello\n");
      const unknown = await cli("FROB", "x");
      assert.match(
        unknown.stdout + unknown.stderr,
        /ERR unknown command 'FROB'/,
      );
      // -3: redis-cli sends HELLO 3 first and reads RESP3 replies.
      const hello = await cli("-3", "HELLO", "3");
      assert.equal(hello.code, 0, hello.stderr);
      // Not on a terminal, redis-cli prints a map as "key value" lines.
      assert.match(hello.stdout, /^server randport$/m);
      assert.match(hello.stdout, /^proto 3$/m);
      const hello2 = await cli("HELLO", "2");
      assert.match(hello2.stdout, /^proto\n2$/m);
      const info = await cli("INFO", "server");
      assert.match(info.stdout, /redis_version:/);
      const lottery = await cli("RANDINT", "6", "1", "49", "UNIQUE");
      const drawn = lottery.stdout.trim().split("\n").map(Number);
      assert.equal(drawn.length, 6, lottery.stdout);
      assert.equal(new Set(drawn).size, 6);
      assert.ok(drawn.every((n) => Number.isInteger(n) && n >= 1 && n <= 49));
    }),
});

Deno.test({
  name: `redis-cli: a pipe of commands, as in redis-cli < file${CLI_NOTE}`,
  ignore: !REDIS_CLI,
  fn: () =>
    withServer(async (port) => {
      const child = new Deno.Command("redis-cli", {
        args: ["-h", "127.0.0.1", "-p", String(port)],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(
        new TextEncoder().encode("PING\nECHO one\nSELECT 0\nCLIENT ID\n"),
      );
      await writer.close();
      const output = await child.output();
      assert.equal(
        new TextDecoder().decode(output.stdout),
        "PONG\none\nOK\n1\n",
      );
    }),
});

Deno.test({
  name: `redis-py: connects, pings, echoes, names itself${PY_NOTE}`,
  ignore: redisPython === undefined,
  fn: () =>
    withServer(async (port) => {
      const result = await run(redisPython!, [
        "-c",
        `
import redis, sys
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), socket_timeout=5)
print(r.ping())
print(r.echo("héllo").decode())
r.client_setname("tester")
print(r.client_getname())
try:
    r.execute_command("FROB")
except redis.ResponseError as e:
    print("error:", e)
print(r.ping())
draw = r.execute_command("RANDINT", 6, 1, 49, "UNIQUE")
print(sorted(draw) == sorted(set(draw)) and len(draw) == 6 and all(1 <= n <= 49 for n in draw))
`,
        String(port),
      ]);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split("\n");
      assert.equal(lines[0], "True");
      assert.equal(lines[1], "héllo");
      assert.match(lines[2], /tester/);
      assert.match(lines[3], /^error: unknown command 'FROB'/);
      assert.equal(lines[4], "True");
      assert.equal(lines[5], "True", "RANDINT 6 1 49 UNIQUE through redis-py");
    }),
});
