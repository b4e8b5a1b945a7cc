/**
 * The request port against npm Redis clients that no one here wrote:
 * ioredis (RESP2) and node-redis v5 (RESP2 and RESP3), run by
 * `_npm_client_driver.ts` in a subprocess of its own (ioredis reads the
 * environment; the test task grants no `--allow-env`). Between the two sits
 * a recording proxy, so the test also sees the handshakes the clients send
 * on connect, whose errors both clients would swallow.
 *
 * @module
 */

import assert from "node:assert/strict";
import { COMMAND_NAMES } from "./_every_command.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import { concatBytes, payloadGrammar, payloadNumbers } from "../_util.ts";
import {
  ALPHABET,
  ITEMS,
  PIPELINE,
  pipelineCommand,
} from "./_npm_client_scenario.ts";

const HOST = "127.0.0.1";
const ROOT = new URL("../..", import.meta.url).pathname;
const DRIVER = new URL("./_npm_client_driver.ts", import.meta.url).pathname;
/** A first run downloads the npm packages; a hang must still end. */
const DRIVER_DEADLINE_MS = 60_000;
/** What the proxy keeps of each direction: the handshakes are far shorter. */
const HEAD_BYTES = 64 * 1024;

const decoder = new TextDecoder();

const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Every command, in HELP's order.
const COMMANDS = COMMAND_NAMES;
const CONFIG = [
  ["save", ""],
  ["appendonly", "no"],
  ["databases", "1"],
  ["maxmemory-policy", "noeviction"],
];

// ---------------------------------------------------------------------------
// A recording proxy between the driver and the server.

interface Recording {
  /** What the client sent, up to HEAD_BYTES. */
  up: Uint8Array[];
  /** What the server answered, up to HEAD_BYTES. */
  down: Uint8Array[];
}

async function pump(from: Deno.Conn, to: Deno.Conn, head: Uint8Array[]) {
  const buf = new Uint8Array(65536);
  let kept = 0;
  try {
    for (let n; (n = await from.read(buf)) !== null;) {
      const chunk = buf.slice(0, n);
      if (kept < HEAD_BYTES) {
        head.push(chunk);
        kept += n;
      }
      for (let at = 0; at < n;) at += await to.write(chunk.subarray(at));
    }
  } catch {
    // One side is gone; the half-close below tells the other.
  }
  try {
    await to.closeWrite();
  } catch {
    // Closed already.
  }
}

function startRecordingProxy(targetPort: number) {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const recordings: Recording[] = [];
  const open = new Set<Deno.Conn>();
  const relays: Promise<void>[] = [];
  const relay = async (client: Deno.Conn) => {
    const recording: Recording = { up: [], down: [] };
    recordings.push(recording);
    open.add(client);
    let server: Deno.Conn | undefined;
    try {
      server = await Deno.connect({ hostname: HOST, port: targetPort });
      open.add(server);
      await Promise.all([
        pump(client, server, recording.up),
        pump(server, client, recording.down),
      ]);
    } finally {
      for (const conn of [client, server]) {
        if (conn === undefined) continue;
        open.delete(conn);
        try {
          conn.close();
        } catch {
          // Closed by close() below.
        }
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) relays.push(relay(client));
    } catch {
      // The listener was closed.
    }
  })();
  return {
    port: listener.addr.port,
    recordings,
    async close() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Closed by its relay.
        }
      }
      await accepting;
      await Promise.allSettled(relays);
    },
  };
}

/** Where the RESP value starting at `at` ends (RESP2 and RESP3 types). */
function valueEnd(bytes: Uint8Array, at: number): number {
  const cr = bytes.indexOf(13, at);
  if (cr < 0) throw new Error(`incomplete RESP value at byte ${at}`);
  const head = decoder.decode(bytes.subarray(at + 1, cr));
  const next = cr + 2;
  switch (String.fromCharCode(bytes[at])) {
    case "$":
    case "=":
    case "!":
      return Number(head) < 0 ? next : next + Number(head) + 2;
    case "*":
    case "~":
    case ">":
    case "%": {
      const count = Number(head) * (bytes[at] === 0x25 ? 2 : 1);
      let end = next;
      for (let i = 0; i < count; i++) end = valueEnd(bytes, end);
      return end;
    }
    default:
      return next;
  }
}

/** The first `n` RESP values in `parts`, each as its text. */
function firstValues(parts: Uint8Array[], n: number): string[] {
  const bytes = concatBytes(parts);
  const values: string[] = [];
  for (let at = 0; values.length < n && at < bytes.length;) {
    const end = valueEnd(bytes, at);
    values.push(decoder.decode(bytes.subarray(at, end)));
    at = end;
  }
  return values;
}

/**
 * A request (a RESP array of bulk strings) as its arguments, the command and
 * subcommand in capitals: ioredis sends `client setname`.
 */
function requestArgs(request: string): string[] {
  const lines = request.split("\r\n");
  assert.match(lines[0], /^\*\d+$/, `not a RESP array: ${request}`);
  const args: string[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) args.push(lines[i + 1]);
  return args.map((arg, i) => i < 2 ? arg.toUpperCase() : arg);
}

// ---------------------------------------------------------------------------
// The driver and what it reports.

type Section = Record<string, unknown>;

async function runDriver(port: number): Promise<Record<string, Section>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--config",
      `${ROOT}deno.json`,
      DRIVER,
      String(port),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), DRIVER_DEADLINE_MS);
  const output = await child.output();
  clearTimeout(timer);
  const stderr = decoder.decode(output.stderr);
  assert.equal(
    output.code,
    0,
    `driver exited ${output.code} (signal ${output.signal}; killed after ` +
      `${DRIVER_DEADLINE_MS} ms if SIGKILL): ${stderr}`,
  );
  return JSON.parse(decoder.decode(output.stdout));
}

function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what}: not an array: ${show(value)}`);
  return value;
}

function strings(value: unknown, what: string, count?: number): string[] {
  const items = list(value, what);
  if (count !== undefined) assert.equal(items.length, count, what);
  for (const item of items) {
    assert.equal(typeof item, "string", `${what}: ${show(item)}`);
  }
  return items as string[];
}

function integers(
  value: unknown,
  what: string,
  count: number,
  min: number,
  max: number,
): number[] {
  const items = list(value, what);
  assert.equal(items.length, count, what);
  for (const n of items) {
    assert.ok(
      typeof n === "number" && Number.isSafeInteger(n) && n >= min && n <= max,
      `${what}: ${show(n)} is not an integer in ${min}..${max}`,
    );
  }
  return items as number[];
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function assertPermutation(got: unknown[], of: unknown[], what: string) {
  const order = (a: unknown, b: unknown) =>
    String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  assert.deepEqual([...got].sort(order), [...of].sort(order), what);
}

function errorMessage(value: unknown, what: string, errorClass: string) {
  const error = (value as { error?: { class: string; message: string } })
    ?.error;
  assert.ok(error, `${what}: expected an error, got ${show(value)}`);
  assert.equal(error.class, errorClass, what);
  return error.message;
}

function isError(value: unknown): boolean {
  return (value as { error?: unknown })?.error !== undefined;
}

/** A map as the driver reports a JavaScript Map (so: a RESP3 `%`). */
function mapEntries(value: unknown, what: string): [unknown, unknown][] {
  const entries = (value as { map?: [unknown, unknown][] })?.map;
  assert.ok(Array.isArray(entries), `${what}: not a Map: ${show(value)}`);
  return entries;
}

/** A RESP2 map: a flat array of keys and values. */
function flatPairs(value: unknown, what: string): [unknown, unknown][] {
  const items = list(value, what);
  assert.equal(items.length % 2, 0, `${what}: odd length`);
  const pairs: [unknown, unknown][] = [];
  for (let i = 0; i < items.length; i += 2) {
    pairs.push([items[i], items[i + 1]]);
  }
  return pairs;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function assertHello(
  pairs: [unknown, unknown][],
  proto: number,
  id: unknown,
  what: string,
) {
  const hello = new Map(pairs);
  assert.deepEqual(
    [...hello.keys()],
    ["server", "version", "proto", "id", "mode", "role", "modules"],
    what,
  );
  assert.equal(hello.get("server"), "randport", what);
  assert.equal(hello.get("proto"), proto, what);
  assert.equal(hello.get("id"), id, what);
  assert.equal(hello.get("mode"), "standalone", what);
  assert.equal(hello.get("role"), "master", what);
  assert.deepEqual(hello.get("modules"), [], what);
}

function assertGauss(
  values: number[],
  mean: number,
  stddev: number,
  what: string,
) {
  for (const x of values) assert.ok(Number.isFinite(x), `${what}: ${x}`);
  const m = values.reduce((sum, x) => sum + x, 0) / values.length;
  const sd = Math.sqrt(
    values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (values.length - 1),
  );
  // Over 6 standard errors for 2000 draws: a false alarm is out of reach,
  // a wrong mean, scale or constant is not.
  assert.ok(Math.abs(m - mean) < 0.15 * stddev, `${what}: mean ${m}`);
  assert.ok(Math.abs(sd - stddev) < 0.15 * stddev, `${what}: stddev ${sd}`);
}

/** Each reply of the mixed pipeline, by the command that was `i`th. */
function assertPipeline(value: unknown, resp: 2 | 3, errorClass: string) {
  const replies = list(value, `RESP${resp} pipeline`);
  assert.equal(replies.length, PIPELINE);
  const uuids = new Set<string>();
  replies.forEach((reply, i) => {
    const what = `RESP${resp} pipeline reply ${i} to ${pipelineCommand(i)}`;
    switch (i % 8) {
      case 0:
        return assert.equal(reply, `echo-${i}`, what);
      case 1:
      case 3:
        return assert.deepEqual(reply, [i], what);
      case 2:
        return assert.equal(reply, "PONG", what);
      case 4:
        return assert.equal(
          errorMessage(reply, what, errorClass),
          "ERR count: expected an integer, got 'x'",
        );
      case 5:
        assert.match(String(reply), UUID_V4, what);
        uuids.add(String(reply));
        return;
      case 6:
        return assert.match(
          String(reply),
          new RegExp(`^[0-9a-f]{${2 * (i % 50)}}$`),
          what,
        );
      default:
        // GAUSS 1 i 0 is i itself: a double in RESP3, a string in RESP2.
        return assert.deepEqual(reply, [resp === 3 ? i : String(i)], what);
    }
  });
  assert.equal(uuids.size, PIPELINE / 8, "pipelined UUIDs are all distinct");
}

// ---------------------------------------------------------------------------

Deno.test("npm clients: ioredis and node-redis drive every command, pipelines, errors and RESP3", async (t) => {
  const server = serveRequests({ hostname: HOST, port: 0 });
  const proxy = startRecordingProxy(server.addr.port);
  let report: Record<string, Section>;
  try {
    report = await runDriver(proxy.port);
    // The server closes its side once each client has gone.
    const deadline = Date.now() + 5000;
    while (server.stats.active > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await proxy.close();
    await server.shutdown();
  }

  await t.step("no connection broke the protocol", () => {
    assert.equal(server.stats.accepted, 3, "one connection per client");
    assert.equal(server.stats.protocolErrors, 0);
    assert.equal(server.stats.rejected, 0);
    assert.ok(server.stats.requests > 2 * PIPELINE, `${server.stats.requests}`);
  });

  const connections = proxy.recordings.map((recording) => {
    const requests = firstValues(recording.up, 4).map(requestArgs);
    return { requests, replies: firstValues(recording.down, 4) };
  });
  const named = (test: (requests: string[][]) => boolean, what: string) => {
    const found = connections.filter((c) => test(c.requests));
    assert.equal(
      found.length,
      1,
      `one ${what} connection: ${show(connections)}`,
    );
    return found[0];
  };
  const libName = (name: string) => (requests: string[][]) =>
    requests.some((r) => r.join(" ") === `CLIENT SETINFO LIB-NAME ${name}`);

  await t.step(
    "handshakes: what each client sends on connect is answered without an error",
    () => {
      const ioredis = named(libName("ioredis"), "ioredis");
      // SETNAME and both SETINFOs are sent at once; INFO (the ready check)
      // waits for their replies. LIB-VER's value is not checked: ioredis
      // reads it from its package.json, and without --allow-read sends
      // "error-fetching-version".
      assert.deepEqual(
        ioredis.requests.slice(0, 3).map((r) => r.slice(0, 3).join(" ")).sort(),
        [
          "CLIENT SETINFO LIB-NAME",
          "CLIENT SETINFO LIB-VER",
          "CLIENT SETNAME randport-ioredis",
        ],
      );
      assert.deepEqual(ioredis.requests[3], ["INFO"]);
      assert.deepEqual(ioredis.replies.slice(0, 3), [
        "+OK\r\n",
        "+OK\r\n",
        "+OK\r\n",
      ]);
      assert.match(ioredis.replies[3], /^\$\d+\r\n# Server\r\nredis_version:/);

      const resp3 = named((r) => r[0]?.[0] === "HELLO", "node-redis RESP3");
      assert.deepEqual(resp3.requests[0], ["HELLO", "3"]);
      assert.deepEqual(
        resp3.requests.slice(1, 3).map((r) => r.slice(0, 3).join(" ")),
        ["CLIENT SETINFO LIB-VER", "CLIENT SETINFO LIB-NAME"],
      );
      assert.equal(resp3.requests[2][3], "node-redis");
      assert.match(
        resp3.replies[0],
        /^%7\r\n\$6\r\nserver\r\n\$8\r\nrandport\r\n/,
      );
      assert.deepEqual(resp3.replies.slice(1, 3), ["+OK\r\n", "+OK\r\n"]);

      const resp2 = named(
        (r) => libName("node-redis")(r) && r[0]?.[0] !== "HELLO",
        "node-redis RESP2",
      );
      assert.deepEqual(resp2.requests[0], [
        "CLIENT",
        "SETNAME",
        "randport-node-redis",
      ]);
      assert.deepEqual(resp2.replies.slice(0, 3), [
        "+OK\r\n",
        "+OK\r\n",
        "+OK\r\n",
      ]);
    },
  );

  const io = report.ioredis;
  await t.step("ioredis (RESP2): connection commands", () => {
    assert.deepEqual(io.events, ["end"], "no error events");
    assert.equal(io.statusAfterConnect, "ready");
    assert.equal(io.nameFromHandshake, "randport-ioredis");
    assert.equal(io.ping, "PONG");
    assert.equal(io.pingMessage, "hello there");
    assert.equal(io.echo, "héllo wörld 😀");
    const id = io.clientId;
    assert.ok(typeof id === "number" && Number.isSafeInteger(id) && id >= 1);
    for (const info of [io.info, io.infoServer]) {
      assert.match(String(info), /^# Server\r\n/);
      assert.match(String(info), /\r\nredis_version:\d+\.\d+\.\d+\r\n/);
      assert.match(String(info), new RegExp(`\\r\\nclient_id:${id}\\r\\n`));
    }
    assert.deepEqual(io.configGetAll, CONFIG.flat());
    assert.deepEqual(io.configGetOne, ["save", ""]);
    assert.equal(io.setname, "OK");
    assert.equal(io.getname, "renamed");
    assert.equal(io.select0, "OK");
    assert.equal(
      errorMessage(io.select1, "SELECT 1", "ReplyError"),
      "ERR DB index is out of range",
    );
    assert.deepEqual(io.command, []);
    assert.deepEqual(io.commandDocs, [], "COMMAND DOCS: an empty map");
    const help = strings(io.help, "HELP");
    assert.deepEqual(help.map((line) => line.split(" ")[0]), COMMANDS);
    assert.equal(io.commandCount, help.length);
    assert.deepEqual(io.helpRandint, [help[0]]);
    assert.match(help[0], /^RANDINT count min max \[UNIQUE\]/);
    assert.equal(
      errorMessage(io.helpUnknown, "HELP FROB", "ReplyError"),
      "ERR HELP: no command 'FROB'; try HELP",
    );
    assertHello(flatPairs(io.hello2, "HELLO 2"), 2, id, "HELLO 2");
    assert.equal(io.resetName, "OK");
    assert.equal(io.reset, "RESET");
    assert.equal(io.nameAfterReset, null, "RESET forgets the name");
    assert.equal(io.quit, "OK");
    assert.equal(io.statusAfterQuit, "end", "the server closed after QUIT");
  });

  await t.step("ioredis (RESP2): every draw, with and without options", () => {
    const dice = integers(io.randint, "RANDINT 100 1 6", 100, 1, 6);
    // Each face is missing from 100 fair rolls with odds of about 1e-7.
    assert.deepEqual([...new Set(dice)].sort(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(io.randintZero, []);
    const max = Number.MAX_SAFE_INTEGER;
    const wide = integers(io.randintWide, "RANDINT wide", 50, -max, max);
    assert.ok(wide.some((n) => n < 0) && wide.some((n) => n > 0), `${wide}`);
    assertPermutation(
      integers(io.randintUnique, "UNIQUE", 49, 1, 49),
      range(1, 49),
      "RANDINT 49 1 49 UNIQUE",
    );
    const lottery = integers(io.randintLottery, "lottery", 6, 1, 49);
    assert.equal(new Set(lottery).size, 6, "unique (lowercase option)");
    for (const format of ["csv", "lines", "json"] as const) {
      const payload = String(io[`randintFormat_${format}`]);
      assert.match(payload, payloadGrammar(format, 20), format);
      for (const n of payloadNumbers(format, payload)) {
        assert.ok(n >= -50n && n <= 50n, `${format}: ${n}`);
      }
    }
    assertPermutation(
      JSON.parse(String(io.randintUniqueJson)),
      range(1, 10),
      "RANDINT 10 1 10 UNIQUE FORMAT json",
    );
    assertPermutation(
      list(io.sequence, "SEQUENCE"),
      range(1, 100),
      "SEQUENCE 1 100",
    );
    assertPermutation(
      list(io.sequenceNegative, "SEQUENCE"),
      range(-3, 3),
      "SEQUENCE -3 3",
    );
    assertPermutation(strings(io.shuffle, "SHUFFLE"), ITEMS, "SHUFFLE");
    assertPermutation(strings(io.sampleAll, "SAMPLE all"), ITEMS, "SAMPLE 6");
    const sample = strings(io.sample, "SAMPLE 3", 3);
    assert.equal(new Set(sample).size, 3, `${sample}`);
    assert.ok(sample.every((item) => ITEMS.includes(item)), `${sample}`);
    assert.deepEqual(io.sampleNone, []);
    assert.match(String(io.uuid), UUID_V4);
    const uuids = strings(io.uuids, "UUID 50", 50);
    for (const uuid of uuids) assert.match(uuid, UUID_V4);
    assert.equal(new Set(uuids).size, 50);
    const raw = (io.randbytes as { bytes?: string })?.bytes;
    assert.match(String(raw), /^[0-9a-f]{128}$/, "RANDBYTES 64 as a Buffer");
    assert.notEqual(raw, "00".repeat(64));
    assert.match(String(io.randbytesHex), /^[0-9a-f]{32}$/);
    assert.match(String(io.randbytesBase64), /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(atob(String(io.randbytesBase64)).length, 16);
    assert.equal(io.randbytesZero, "");
    for (const s of strings(io.randstring, "RANDSTRING 5 12", 5)) {
      assert.match(s, /^[A-Za-z0-9]{12}$/);
    }
    const drawn = strings(io.randstringAlphabet, "ALPHABET", 20);
    for (const s of drawn) {
      assert.equal([...s].length, 10, `code points of ${s}`);
      assert.ok([...s].every((c) => ALPHABET.includes(c)), s);
    }
    assertPermutation(
      [...new Set([...drawn.join("")])],
      [...ALPHABET],
      "all 4 drawn",
    );
    for (
      const [key, decimals] of [["randfloat", 6], ["randfloat2", 2], [
        "randfloat15",
        15,
      ]] as const
    ) {
      const floats = strings(io[key], key, 50);
      for (const f of floats) {
        assert.match(f, new RegExp(`^0\\.\\d{${decimals}}$`), key);
      }
      // 50 draws from 100 values repeat some (about 11); from 10^6, hardly.
      const distinct = decimals === 2 ? 25 : 45;
      assert.ok(new Set(floats).size > distinct, `${key}: ${floats}`);
    }
    // RESP2: bulk strings, in JavaScript's shortest round-trip form.
    const gauss = strings(io.gauss, "GAUSS", 2000);
    for (const s of gauss) assert.equal(String(Number(s)), s, "round trip");
    assertGauss(gauss.map(Number), 10, 2, "GAUSS 2000 10 2");
    assert.deepEqual(io.gaussZero, ["-2.5", "-2.5", "-2.5"]);
  });

  await t.step(
    "ioredis (RESP2): errors are ReplyErrors, the connection goes on",
    () => {
      const errors = io.errors as Section;
      const expected: Record<string, string | RegExp> = {
        count: "ERR count: expected an integer, got 'x'",
        maxBelowMin: "ERR max: expected max >= min, got min 6 and max 1",
        uniqueTooMany: "ERR unique: count 50 exceeds the 49 values in 1..49",
        syntax: /^ERR syntax error at 'BOGUS'/,
        unknown:
          "ERR unknown command 'FROB', with args beginning with: 'a' 'b'",
        arity: "ERR wrong number of arguments for 'echo' command",
        noproto: "NOPROTO unsupported protocol version",
      };
      assert.deepEqual(Object.keys(errors), Object.keys(expected));
      for (const [name, message] of Object.entries(expected)) {
        const got = errorMessage(errors[name], name, "ReplyError");
        if (typeof message === "string") assert.equal(got, message, name);
        else assert.match(got, message, name);
      }
      assert.equal(io.pingAfterErrors, "PONG");
      assert.equal(io.statusAfterErrors, "ready");
    },
  );

  await t.step(
    "ioredis (RESP2): a pipeline of 1000 mixed commands, answered in order",
    () => {
      assertPipeline(io.pipeline, 2, "ReplyError");
    },
  );

  const r3 = report.nodeRedisResp3;
  await t.step("node-redis (RESP3): maps, doubles, null", () => {
    assert.deepEqual(r3.events, [], "no error events");
    assert.equal(r3.isReady, true);
    assert.equal(r3.nameBefore, null, "no name yet: RESP3 null");
    assert.equal(r3.setname, "OK");
    assert.equal(r3.getname, "resp3");
    const id = r3.clientId;
    assert.ok(typeof id === "number" && Number.isSafeInteger(id) && id >= 1);
    assertHello(mapEntries(r3.hello, "HELLO 3"), 3, id, "HELLO 3");
    assert.equal(r3.ping, "PONG");
    assert.equal(r3.echo, "héllo wörld 😀");
    assert.deepEqual(mapEntries(r3.configGetAll, "CONFIG GET *"), CONFIG);
    assert.deepEqual(mapEntries(r3.commandDocs, "COMMAND DOCS"), []);
    assert.deepEqual(r3.command, []);
    assert.equal(r3.select0, "OK");
    assert.match(String(r3.info), new RegExp(`\\r\\nclient_id:${id}\\r\\n`));
    assert.match(strings(r3.helpRandint, "HELP RANDINT", 1)[0], /^RANDINT /);
    // Numbers, not strings: the server sent RESP3 doubles, and a fraction
    // cannot come as an integer.
    const gauss = list(r3.gauss, "GAUSS") as number[];
    assert.equal(gauss.length, 2000);
    for (const x of gauss) assert.equal(typeof x, "number", `GAUSS: ${x}`);
    assert.ok(gauss.filter((x) => !Number.isInteger(x)).length > 1990);
    assertGauss(gauss, 0, 1, "GAUSS 2000 0 1");
    assert.deepEqual(r3.gaussZero, [5, 5]);
    assertHello(flatPairs(r3.hello2, "HELLO 2"), 2, id, "HELLO 2 after 3");
    const back = strings(r3.gaussResp2, "GAUSS after HELLO 2", 3);
    for (const s of back) assert.equal(String(Number(s)), s);
    assert.ok(!isError(r3.close), show(r3.close));
  });

  await t.step("node-redis (RESP3): draws, errors, a pipeline of 1000", () => {
    const dice = integers(r3.randint, "RANDINT", 100, 1, 6);
    assert.deepEqual([...new Set(dice)].sort(), [1, 2, 3, 4, 5, 6]);
    assertPermutation(
      integers(r3.randintUnique, "UNIQUE", 10, 1, 10),
      range(1, 10),
      "RANDINT 10 1 10 UNIQUE",
    );
    assert.match(String(r3.randintLines), payloadGrammar("lines", 5));
    assertPermutation(
      list(r3.sequence, "SEQUENCE"),
      range(1, 20),
      "SEQUENCE 1 20",
    );
    assertPermutation(strings(r3.shuffle, "SHUFFLE"), ITEMS, "SHUFFLE");
    const sample = strings(r3.sample, "SAMPLE 2", 2);
    assert.ok(
      sample[0] !== sample[1] && sample.every((s) => ITEMS.includes(s)),
    );
    for (const uuid of strings(r3.uuids, "UUID 3", 3)) {
      assert.match(uuid, UUID_V4);
    }
    assert.match(
      String((r3.randbytes as { bytes?: string })?.bytes),
      /^[0-9a-f]{128}$/,
    );
    for (const s of strings(r3.randstringAlphabet, "ALPHABET", 5)) {
      assert.equal([...s].length, 10);
      assert.ok([...s].every((c) => ALPHABET.includes(c)), s);
    }
    for (const f of strings(r3.randfloat, "RANDFLOAT 10 3", 10)) {
      assert.match(f, /^0\.\d{3}$/);
    }
    assert.equal(
      errorMessage(r3.errorCount, "RANDINT x", "SimpleError"),
      "ERR count: expected an integer, got 'x'",
    );
    assert.equal(
      errorMessage(r3.errorUnknown, "FROB", "SimpleError"),
      "ERR unknown command 'FROB', with args beginning with: 'a' 'b'",
    );
    assert.equal(r3.pingAfterErrors, "PONG");
    assertPipeline(r3.pipeline, 3, "SimpleError");
  });

  const r2 = report.nodeRedisResp2;
  await t.step(
    "node-redis (RESP2): handshake name, flat maps, strings for GAUSS",
    () => {
      assert.deepEqual(r2.events, []);
      assert.equal(r2.isReady, true);
      assert.equal(r2.nameFromHandshake, "randport-node-redis");
      assert.equal(flatPairs(r2.hello, "HELLO").length, 7);
      assert.equal(new Map(flatPairs(r2.hello, "HELLO")).get("proto"), 2);
      // configGet turns RESP2's flat array into an object itself.
      assert.deepEqual(r2.configGet, { object: Object.fromEntries(CONFIG) });
      for (const s of strings(r2.gauss, "GAUSS", 3)) {
        assert.equal(
          String(Number(s)),
          s,
        );
      }
      integers(r2.randint, "RANDINT", 10, 1, 6);
      assert.equal(
        errorMessage(r2.errorCount, "RANDINT x", "SimpleError"),
        "ERR count: expected an integer, got 'x'",
      );
      assert.equal(r2.ping, "PONG");
      assert.ok(!isError(r2.close), show(r2.close));
    },
  );
});
