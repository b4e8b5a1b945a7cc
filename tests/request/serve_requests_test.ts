import assert from "node:assert/strict";
import jStat from "jstat";
import { OptionError } from "../../lib/errors/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import { readWithin } from "../_util.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HOST = "127.0.0.1";

/** Sends `text` and reads until `expected` replies' worth of bytes arrive. */
async function exchange(
  port: number,
  text: string,
  done: (reply: string) => boolean,
): Promise<{ reply: string; closed: boolean }> {
  const conn = await Deno.connect({ hostname: HOST, port });
  try {
    await conn.write(encoder.encode(text));
    let reply = "";
    const buf = new Uint8Array(65536);
    while (!done(reply)) {
      const n = await readWithin(conn, buf, 5000);
      if (n === null) return { reply, closed: true };
      reply += decoder.decode(buf.subarray(0, n));
    }
    return { reply, closed: false };
  } finally {
    conn.close();
  }
}

function multibulk(...args: string[]): string {
  return `*${args.length}\r\n` +
    args.map((a) => `$${encoder.encode(a).length}\r\n${a}\r\n`).join("");
}

async function withServer(body: (port: number) => Promise<void>) {
  const server = serveRequests({ port: 0 });
  try {
    await body(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

Deno.test("request port: pipelined requests are answered in order, in one batch", () =>
  withServer(async (port) => {
    const requests = multibulk("PING") + multibulk("ECHO", "héllo") +
      "PING hi\r\n" + multibulk("SELECT", "0") + multibulk("CLIENT", "ID");
    const { reply } = await exchange(
      port,
      requests,
      (r) => r.endsWith(":1\r\n"),
    );
    assert.equal(reply, "+PONG\r\n$6\r\nhéllo\r\n$2\r\nhi\r\n+OK\r\n:1\r\n");
  }));

Deno.test("request port: HELLO 3 switches to RESP3 maps, HELLO 2 back; other versions NOPROTO", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      multibulk("HELLO", "3") + multibulk("HELLO", "2") +
        multibulk("HELLO", "4") + multibulk("PING"),
      (r) => r.endsWith("+PONG\r\n"),
    );
    assert.match(reply, /^%7\r\n\$6\r\nserver\r\n\$8\r\nrandport\r\n/);
    assert.match(reply, /\$5\r\nproto\r\n:3\r\n/);
    assert.match(reply, /\*14\r\n\$6\r\nserver\r\n/); // RESP2: a flat array
    assert.match(reply, /-NOPROTO unsupported protocol version\r\n\+PONG\r\n$/);
  }));

Deno.test("request port: unknown commands and wrong arity are errors; the connection goes on", () =>
  withServer(async (port) => {
    const { reply, closed } = await exchange(
      port,
      "FROB a b\r\nECHO\r\nPING\r\n",
      (r) => r.endsWith("+PONG\r\n"),
    );
    assert.equal(closed, false);
    assert.equal(
      reply,
      "-ERR unknown command 'FROB', with args beginning with: 'a' 'b'\r\n" +
        "-ERR wrong number of arguments for 'echo' command\r\n+PONG\r\n",
    );
  }));

Deno.test("request port: a frame that breaks the protocol gets one error, then the close", () =>
  withServer(async (port) => {
    const { reply, closed } = await exchange(
      port,
      "PING\r\n*1\r\n:5\r\n",
      () => false,
    );
    assert.equal(closed, true);
    assert.equal(
      reply,
      "+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n",
    );
  }));

Deno.test("request port: a request that looks like HTTP is dropped without a reply", () =>
  withServer(async (port) => {
    for (
      const request of [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /x HTTP/1.1\r\n",
      ]
    ) {
      const { reply, closed } = await exchange(port, request, () => false);
      assert.equal(closed, true, request);
      assert.equal(reply, "", request);
    }
  }));

Deno.test("request port: QUIT answers OK and closes; CONFIG GET answers what benchmarks ask", () =>
  withServer(async (port) => {
    const config = await exchange(
      port,
      multibulk("CONFIG", "GET", "save") +
        multibulk("CONFIG", "GET", "appendonly"),
      (r) => r.endsWith("$2\r\nno\r\n"),
    );
    assert.equal(
      config.reply,
      "*2\r\n$4\r\nsave\r\n$0\r\n\r\n*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    );
    const quit = await exchange(port, "QUIT\r\nPING\r\n", () => false);
    assert.equal(quit.closed, true);
    assert.equal(quit.reply, "+OK\r\n");
  }));

Deno.test("request port: a client that pipelines and never reads holds bounded memory", async () => {
  const server = serveRequests({
    port: 0,
    maxPendingBytes: 4096,
    writeTimeout: 500,
  });
  try {
    const conn = await Deno.connect({ hostname: HOST, port: server.addr.port });
    // 8 MiB of pipelined ECHOs of 1 KiB, and never a read.
    const echo = encoder.encode(multibulk("ECHO", "x".repeat(1024)));
    let sent = 0;
    const writing = (async () => {
      try {
        while (sent < 8 * 2 ** 20) sent += await conn.write(echo);
      } catch {
        // The server gave up on us: the write timeout.
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The server stopped reading once its replies could not be written, and
    // then closed the connection after the write timeout.
    assert.ok(sent < 8 * 2 ** 20, `the server read all ${sent} bytes`);
    conn.close();
    await writing;
    assert.equal(server.stats.active, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveRequests: options are checked before it listens", () => {
  assert.throws(
    () => serveRequests({ port: 0, maxPendingBytes: 10 }),
    (error) =>
      error instanceof OptionError && error.field === "maxPendingBytes",
  );
});

/** The integers of one RESP array reply (`*n` then `:x` lines). */
function integersOf(reply: string): number[] {
  const lines = reply.split("\r\n");
  assert.match(lines[0], /^\*\d+$/);
  const count = Number(lines[0].slice(1));
  const values = lines.slice(1, 1 + count).map((line) => {
    assert.match(line, /^:-?\d+$/);
    return Number(line.slice(1));
  });
  assert.equal(values.length, count);
  return values;
}

Deno.test("RANDINT: count integers in min..max, as an array, or one payload with FORMAT", () =>
  withServer(async (port) => {
    const array = await exchange(
      port,
      multibulk("RANDINT", "1000", "-5", "5"),
      (r) => r.split("\r\n").length >= 1002,
    );
    const numbers = integersOf(array.reply);
    assert.equal(numbers.length, 1000);
    assert.ok(numbers.every((n) => n >= -5 && n <= 5));
    assert.ok(new Set(numbers).size === 11, "every value of -5..5 drawn");
    const lottery = await exchange(
      port,
      "RANDINT 6 1 49 UNIQUE\r\n",
      (r) => r.split("\r\n").length >= 8,
    );
    const drawn = integersOf(lottery.reply);
    assert.equal(new Set(drawn).size, 6);
    const json = await exchange(
      port,
      "RANDINT 5 1 100 FORMAT json\r\n",
      (r) => r.endsWith("]\r\n"),
    );
    assert.match(json.reply, /^\$\d+\r\n\[\d+(,\d+){4}\]\r\n$/);
    const empty = await exchange(
      port,
      "RANDINT 0 1 6\r\n",
      (r) => r.length >= 4,
    );
    assert.equal(empty.reply, "*0\r\n");
  }));

Deno.test("RANDINT: a bad argument is an error that names it; the connection goes on", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      "RANDINT x 1 6\r\nRANDINT 3 6 1\r\nRANDINT 50 1 49 UNIQUE\r\n" +
        "RANDINT 2 1 6 FORMAT xml\r\nRANDINT 2 1 6 SORTED\r\n" +
        "RANDINT 1000001 1 6\r\nRANDINT 1 1\r\nPING\r\n",
      (r) => r.endsWith("+PONG\r\n"),
    );
    assert.deepEqual(reply.split("\r\n").slice(0, 7), [
      "-ERR count: expected an integer, got 'x'",
      "-ERR max: expected max >= min, got min 6 and max 1",
      "-ERR unique: count 50 exceeds the 49 values in 1..49",
      "-ERR FORMAT: expected one of csv, lines, json, got 'xml'",
      "-ERR syntax error at 'SORTED': expected UNIQUE or FORMAT csv|lines|json",
      "-ERR count: expected an integer from 0 to 1000000, got 1000001",
      "-ERR wrong number of arguments for 'randint' command",
    ]);
  }));

Deno.test("RANDINT: the numbers are uniform (chi-square on what the port sends)", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      multibulk("RANDINT", "600000", "1", "6"),
      (r) => r.split("\r\n").length >= 600_002,
    );
    const counts = [0, 0, 0, 0, 0, 0];
    for (const n of integersOf(reply)) counts[n - 1]++;
    const expected = 100_000;
    const statistic = counts.reduce(
      (s, c) => s + (c - expected) ** 2 / expected,
      0,
    );
    // The 1 - 10^-6 quantile of chi-square with 5 degrees of freedom.
    assert.ok(statistic < 35.9, `chi-square ${statistic} for ${counts}`);
  }));

/** The bulk strings of one RESP array reply. */
function bulksOf(reply: string): string[] {
  const out: string[] = [];
  const lines = reply.split("\r\n");
  assert.match(lines[0], /^\*\d+$/);
  for (let i = 1; i < lines.length - 1; i += 2) {
    assert.match(lines[i], /^\$\d+$/);
    out.push(lines[i + 1]);
  }
  assert.equal(out.length, Number(lines[0].slice(1)));
  return out;
}

async function ask(port: number, request: string): Promise<string> {
  const { reply } = await exchange(
    port,
    request + "PING\r\n",
    (r) => r.endsWith("+PONG\r\n"),
  );
  return reply.slice(0, -"+PONG\r\n".length);
}

Deno.test("SEQUENCE, SHUFFLE, SAMPLE: permutations and samples of what was asked", () =>
  withServer(async (port) => {
    const seq = integersOf(await ask(port, "SEQUENCE -3 6\r\n"));
    assert.deepEqual([...seq].sort((a, b) => a - b), [
      -3,
      -2,
      -1,
      0,
      1,
      2,
      3,
      4,
      5,
      6,
    ]);
    const items = ["a", "b c", "d", "é"];
    const shuffled = bulksOf(await ask(port, multibulk("SHUFFLE", ...items)));
    assert.deepEqual([...shuffled].sort(), [...items].sort());
    const sample = bulksOf(await ask(port, multibulk("SAMPLE", "2", ...items)));
    assert.equal(sample.length, 2);
    assert.equal(new Set(sample).size, 2);
    assert.ok(sample.every((s) => items.includes(s)));
    assert.equal(
      await ask(port, "SAMPLE 5 a b\r\n"),
      "-ERR k: expected an integer from 0 to 2, got 5\r\n",
    );
    assert.match(
      await ask(port, "SEQUENCE 1 2000000\r\n"),
      /^-ERR max: the sequence 1\.\.2000000 holds 2000000 numbers, more than the limit of 1000000\r\n$/,
    );
  }));

Deno.test("SHUFFLE: all 6 orders of 3 items equally often (chi-square)", () =>
  withServer(async (port) => {
    const requests = "SHUFFLE a b c\r\n".repeat(12_000);
    const { reply } = await exchange(
      port,
      requests,
      (r) => r.split("*3\r\n").length > 12_000,
    );
    const counts = new Map<string, number>();
    for (const part of reply.split("*3\r\n").slice(1)) {
      const order = part.split("\r\n").filter((_, i) => i % 2 === 1).join("");
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    assert.equal(counts.size, 6, [...counts.keys()].join(" "));
    const expected = 2000;
    let statistic = 0;
    for (const c of counts.values()) {
      statistic += (c - expected) ** 2 / expected;
    }
    assert.ok(statistic < 35.9, `chi-square ${statistic}`); // df 5, p 1e-6
  }));

Deno.test("UUID, RANDBYTES, RANDSTRING, RANDFLOAT: shapes, alphabets and exact decimals", () =>
  withServer(async (port) => {
    const V4 =
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match((await ask(port, "UUID\r\n")).split("\r\n")[1], V4);
    const uuids = bulksOf(await ask(port, "UUID 50\r\n"));
    assert.equal(new Set(uuids).size, 50);
    assert.ok(uuids.every((u) => V4.test(u)));
    assert.match(
      await ask(port, "RANDBYTES 16 HEX\r\n"),
      /^\$32\r\n[0-9a-f]{32}\r\n$/,
    );
    assert.match(
      await ask(port, "RANDBYTES 3 BASE64\r\n"),
      /^\$4\r\n[A-Za-z0-9+/]{4}\r\n$/,
    );
    assert.match(await ask(port, "RANDBYTES 0\r\n"), /^\$0\r\n\r\n$/);
    const strings = bulksOf(
      await ask(port, multibulk("RANDSTRING", "20", "8", "ALPHABET", "xyé")),
    );
    assert.ok(strings.every((s) => /^[xyé]{8}$/u.test(s)), strings.join(" "));
    const floats = bulksOf(await ask(port, "RANDFLOAT 200 3\r\n"));
    assert.ok(
      floats.every((f) => /^0\.\d{3}$/.test(f)),
      floats.slice(0, 5).join(" "),
    );
    assert.equal(
      await ask(port, "RANDFLOAT 1 16\r\n"),
      "-ERR decimals: expected an integer from 1 to 15, got 16\r\n",
    );
  }));

Deno.test("RANDBYTES: byte values are uniform (chi-square over 256 bins)", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      "RANDBYTES 512000 HEX\r\n",
      (r) => r.length >= 1_024_000 + 12,
    );
    const hex = reply.split("\r\n")[1];
    const counts = new Float64Array(256);
    for (let i = 0; i < hex.length; i += 2) {
      counts[parseInt(hex.slice(i, i + 2), 16)]++;
    }
    const expected = 512_000 / 256;
    let statistic = 0;
    for (const c of counts) statistic += (c - expected) ** 2 / expected;
    // The 1 - 10^-6 quantile of chi-square with 255 degrees of freedom.
    assert.ok(statistic < 375, `chi-square ${statistic}`);
  }));

Deno.test("HELP lists every command, one line each; HELP name gives that line", () =>
  withServer(async (port) => {
    const lines = (await ask(port, "HELP\r\n")).split("\r\n");
    const count = Number(lines[0].slice(1));
    const names = lines.slice(1, 1 + count).map((l) =>
      l.slice(1).split(" ")[0]
    );
    for (
      const name of [
        "RANDINT",
        "SEQUENCE",
        "SHUFFLE",
        "SAMPLE",
        "UUID",
        "RANDBYTES",
        "RANDSTRING",
        "RANDFLOAT",
        "PING",
        "HELLO",
        "QUIT",
      ]
    ) {
      assert.ok(names.includes(name), `HELP lacks ${name}`);
    }
    // Every command HELP names exists, and every command is in HELP.
    const count2 = await ask(port, "COMMAND COUNT\r\n");
    assert.equal(count2, `:${count}\r\n`);
    assert.match(
      await ask(port, "HELP randint\r\n"),
      /^\*1\r\n\+RANDINT count min max \[UNIQUE\] \[FORMAT csv\|lines\|json\] \[SIGNED \[DATA text\]\] \[SEED seed\] -- /,
    );
    assert.equal(
      await ask(port, "HELP NOPE\r\n"),
      "-ERR HELP: no command 'NOPE'; try HELP\r\n",
    );
  }));

Deno.test("GAUSS: normal deviates (chi-square over 20 equally likely bins), doubles in RESP3", () =>
  withServer(async (port) => {
    const { reply } = await exchange(
      port,
      "GAUSS 200000 10 2\r\n",
      (r) => r.split("\r\n").length >= 400_002,
    );
    const values = bulksOf(reply).map(Number);
    assert.equal(values.length, 200_000);
    const bounds = Array.from(
      { length: 19 },
      (_, i) => 10 + 2 * jStat.normal.inv((i + 1) / 20, 0, 1),
    );
    const counts = new Float64Array(20);
    for (const v of values) {
      let bin = 0;
      while (bin < 19 && v > bounds[bin]) bin++;
      counts[bin]++;
    }
    const expected = 10_000;
    let statistic = 0;
    for (const c of counts) statistic += (c - expected) ** 2 / expected;
    // The 1 - 10^-6 quantile of chi-square with 19 degrees of freedom.
    assert.ok(statistic < 59.7, `chi-square ${statistic}: ${counts}`);
    const resp3 = await ask(port, "HELLO 3\r\nGAUSS 2 0 1\r\n");
    assert.match(resp3, /\*2\r\n,-?\d[^\r]*\r\n,-?\d[^\r]*\r\n$/);
    assert.equal(
      await ask(port, "GAUSS 1 0 -1\r\n"),
      "-ERR stddev: expected a number >= 0, got -1\r\n",
    );
    assert.equal(
      await ask(port, "GAUSS 1 x 1\r\n"),
      "-ERR mean: expected a finite number, got 'x'\r\n",
    );
  }));

Deno.test("request port: arguments are binary-safe: ECHO, PING and SHUFFLE give back the bytes sent", () =>
  withServer(async (port) => {
    // Not UTF-8: decoded as text, these bytes would come back as U+FFFD.
    const blob = new Uint8Array([0x57, 0xcf, 0xb0, 0x96, 0xff, 0x00, 0x0d]);
    const bulk = (bytes: Uint8Array) =>
      concat([encoder.encode(`$${bytes.length}\r\n`), bytes, CRLF]);
    const request = (...args: (string | Uint8Array)[]) =>
      concat([
        encoder.encode(`*${args.length}\r\n`),
        ...args.map((a) => bulk(typeof a === "string" ? encoder.encode(a) : a)),
      ]);
    const conn = await Deno.connect({ hostname: HOST, port });
    try {
      await conn.write(concat([
        request("ECHO", blob),
        request("PING", blob),
        request("SHUFFLE", blob),
        // Names are printable ASCII, as Redis has them.
        request("CLIENT", "SETNAME", blob.subarray(0, 5)),
      ]));
      const expected = concat([
        bulk(blob),
        bulk(blob),
        encoder.encode("*1\r\n"),
        bulk(blob),
        encoder.encode(
          "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        ),
      ]);
      const got: Uint8Array[] = [];
      let length = 0;
      const buf = new Uint8Array(4096);
      while (length < expected.length) {
        const n = await readWithin(conn, buf, 5000);
        if (n === null) break;
        got.push(buf.slice(0, n));
        length += n;
      }
      assert.deepEqual(concat(got), expected);
    } finally {
      conn.close();
    }
  }));

const CRLF = encoder.encode("\r\n");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

Deno.test("request port: a long draw gives way: another client's PING is answered before the draw's first byte", () =>
  withServer(async (port) => {
    const drawer = await Deno.connect({ hostname: HOST, port });
    const pinger = await Deno.connect({ hostname: HOST, port });
    try {
      // Seconds of work on this machine, without a turn given up.
      await drawer.write(encoder.encode("UUID 200000 SEED slow\r\n"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pinger.write(encoder.encode("PING\r\n"));
      const order: string[] = [];
      const first = (conn: Deno.Conn, name: string) =>
        readWithin(conn, new Uint8Array(64), 60_000).then(() => {
          order.push(name);
        });
      await Promise.all([first(drawer, "draw"), first(pinger, "pong")]);
      assert.deepEqual(order, ["pong", "draw"]);
    } finally {
      drawer.close();
      pinger.close();
    }
  }));
