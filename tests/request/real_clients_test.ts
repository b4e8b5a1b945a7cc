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

const REDIS_CLI = await commandWorks("redis-cli", ["--version"]);
// Debian's python3-redis is for the system Python, which may not be the
// python3 first on PATH.
const PYTHONS = ["python3", "/usr/bin/python3"];
let redisPython: string | undefined;
for (const python of PYTHONS) {
  if (await commandWorks(python, ["-c", "import redis"])) {
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

/** Long enough for any of these runs; only there so that a hang ends. */
const DEADLINE_MS = 20_000;

/** Runs a client to completion, killed (and failing) after the deadline. */
async function run(command: string, args: string[], stdin?: string) {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, DEADLINE_MS);
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  clearTimeout(timer);
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const result = {
    code: output.code,
    stdout: text(output.stdout),
    stderr: text(output.stderr),
  };
  assert.ok(
    !killed,
    `${command} still running after ${DEADLINE_MS} ms: ${result.stderr}`,
  );
  return result;
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

const PY_DRIVER =
  new URL("./_redis_py_every_command.py", import.meta.url).pathname;

/** The requests of the pipeline: every case, then 300 small ones. */
const PIPELINE: string[][] = [
  ...CASES.map((c) => c.args),
  ...Array.from({ length: 100 }, (_, i) => [
    ["ECHO", `m${i}`],
    ["RANDINT", "3", "1", "6"],
    i % 10 === 5 ? ["RANDINT", "x", "1", "6"] : ["UUID", "SEED", `p${i}`],
  ]).flat(),
];

Deno.test({
  name:
    `redis-py: every command, seeded draws, pipelining, errors as ResponseError, its own methods${PY_NOTE}`,
  ignore: redisPython === undefined,
  fn: () =>
    withServer(async (port) => {
      const vectors = await seedVectors();
      const result = await run(
        redisPython!,
        [PY_DRIVER, String(port)],
        JSON.stringify({
          cases: CASES.map((c) => c.args),
          seeded: SEEDED,
          seeded_other: SEEDED_OTHER,
          vectors: vectors.map((v) => v.request),
          pipeline: PIPELINE,
        }),
      );
      assert.equal(result.code, 0, result.stderr);
      const got = JSON.parse(result.stdout);

      checkCases(CASES, got.cases);
      // One connection throughout: error replies did not break it.
      assert.ok(Number.isSafeInteger(got.id_before));
      assert.equal(got.id_after, got.id_before);
      assert.equal(got.id_after_pipelines, got.id_before);
      checkSeeded(got.seeded, got.seeded_again, got.seeded_other);
      vectors.forEach((vector, i) =>
        assert.deepEqual(
          got.vectors[i],
          vector.reply,
          vector.request.join(" "),
        )
      );
      assert.equal(got.raw_bytes, 1000);
      assert.equal(got.seeded_bytes, "5835fdd196a6436538b6d35fcec696cc");

      // The pipeline's replies, in order.
      const replies: Reply[] = got.pipeline;
      assert.equal(replies.length, PIPELINE.length);
      checkCases(CASES, replies.slice(0, CASES.length));
      const uuids = new Set<Reply>();
      PIPELINE.slice(CASES.length).forEach((args, j) => {
        const reply = replies[CASES.length + j];
        const where = `${args.join(" ")} at ${CASES.length + j}`;
        if (args[0] === "ECHO") assert.equal(reply, args[1], where);
        else if (args[1] === "x") {
          assert.deepEqual(reply, {
            error: "ERR count: expected an integer, got 'x'",
          }, where);
        } else if (args[0] === "UUID") {
          assert.match(String(reply), UUID_V4, where);
          uuids.add(reply);
        } else {
          assert.ok(
            Array.isArray(reply) && reply.length === 3 &&
              reply.every((n) =>
                typeof n === "number" && n >= 1 && n <= 6 && Number.isInteger(n)
              ),
            `${where}: ${JSON.stringify(reply)}`,
          );
        }
      });
      assert.equal(uuids.size, 90, "each seed its own UUID");
      assert.equal(
        got.pipeline_raised,
        "Command # 2 (RANDINT 3 6 1) of pipeline caused error: " +
          "max: expected max >= min, got min 6 and max 1",
      );

      // redis-py's methods, which parse each reply their way.
      const api = got.api;
      assert.equal(api.ping, true);
      assert.equal(api.echo, "héllo");
      assert.equal(api.select, true);
      assert.deepEqual(api.info, {
        redis_version: "7.0.0",
        redis_mode: "standalone",
      });
      assert.deepEqual(api.info_server, [
        "client_id",
        "process_id",
        "randport_version",
        "redis_mode",
        "redis_version",
      ]);
      assert.deepEqual(api.config_get, {
        save: "",
        appendonly: "no",
        databases: "1",
        "maxmemory-policy": "noeviction",
      });
      assert.deepEqual(api.config_get_one, { databases: "1" });
      assert.ok(Number.isSafeInteger(api.client_id) && api.client_id > 0);
      assert.equal(api.getname_before, null);
      assert.equal(api.setname, true);
      assert.equal(api.getname, "tester");
      assert.equal(api.command_count, COMMAND_NAMES.length);
      assert.deepEqual(api.command, {});
      assert.deepEqual(api.error, [
        "ResponseError",
        "count: expected an integer, got 'x'",
      ]);
      assert.equal(api.ping_after_error, true);
      assert.equal(api.help.length, COMMAND_NAMES.length);
      api.help.forEach((line: string, i: number) =>
        assert.ok(line.startsWith(`${COMMAND_NAMES[i]} `), line)
      );
      assert.deepEqual(api.help_one, [
        "SAMPLE k item ... [SIGNED [DATA text]] [SEED seed] -- k of the items, none twice, in random order",
      ]);
      assert.deepEqual(api.hello.slice(0, 6), [
        "server",
        "randport",
        "version",
        api.hello[3],
        "proto",
        2,
      ]);
      assert.equal(api.hello[7], api.client_id);
      assert.equal(api.reset, "RESET");
      assert.equal(api.getname_after_reset, null);
      assert.equal(api.quit, true);
      assert.equal(api.ping_after_quit, true);
    }),
});

Deno.test({
  name:
    `redis-py: after QUIT the server closes; a retrying pool gets a new connection (30 times)${PY_NOTE}`,
  ignore: redisPython === undefined,
  fn: () =>
    withServer(async (port) => {
      // redis-py 4.3 reuses a pooled connection unless a non-blocking peek
      // finds it closed, so whether its next command meets the close of
      // QUIT is a race: Redis, which closes in the same turn of its loop
      // as it writes +OK, loses it now and then (1 round in 180 here);
      // randport, whose close reaches the socket some 10-20 us after the
      // reply (Deno closes on its next turn), loses it about every other
      // round. A client that retries on a closed connection, as redis-py
      // can be told to, must get a new connection every time; and the
      // server must have closed the old one.
      const result = await run(redisPython!, [
        "-c",
        `
import redis, socket, sys
from redis.backoff import NoBackoff
from redis.retry import Retry
port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5,
                retry=Retry(NoBackoff(), 1),
                retry_on_error=[redis.ConnectionError])
ids = set()
for i in range(30):
    ids.add(r.client_id())
    assert r.quit() is True
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"QUIT\\r\\n")
reply = b""
while True:
    chunk = s.recv(100)
    if not chunk:
        break
    reply += chunk
print(len(ids), reply)
`,
        String(port),
      ]);
      assert.equal(result.code, 0, result.stderr);
      // 30 connections, one per round; the raw QUIT got +OK, then the close.
      assert.equal(result.stdout, "30 b'+OK\\r\\n'\n");
    }),
});
