import assert from "node:assert/strict";
import {
  connectRequests,
  REQUEST_CLIENT_DEFAULTS,
  type RequestClient,
  type RequestClientOptions,
  resolveRequestClientOptions,
} from "../../lib/client/mod.ts";
import { OptionError, RandportError } from "../../lib/errors/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import {
  REPLY_PARSER_DEFAULTS,
  RequestParser,
  type RespValue,
} from "../../lib/resp/mod.ts";

const HOST = "127.0.0.1";
const encoder = new TextEncoder();

/** Runs `body` with a client of a real request server, in RESP2 or RESP3. */
async function withClient(
  body: (client: RequestClient) => Promise<void>,
  options: RequestClientOptions = {},
) {
  const server = serveRequests({ port: 0 });
  try {
    const client = await connectRequests({
      hostname: HOST,
      port: server.addr.port,
      ...options,
    });
    try {
      await body(client);
    } finally {
      await client.close();
    }
  } finally {
    await server.shutdown();
  }
}

/** The RandportError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<RandportError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RandportError, String(error));
    return error;
  }
  assert.fail("resolved");
}

/** What a stand-in server does with one request: a reply, or an action. */
type Answer = string | "close" | undefined;

/**
 * A stand-in request server: `answer` says what to send for each request
 * (nothing, for `undefined`; `"close"` closes the connection). It records
 * the requests.
 */
function fakeServer(answer: (args: string[]) => Answer) {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const conns = new Set<Deno.Conn>();
  const requests: string[][] = [];
  const handlers: Promise<void>[] = [];
  const serve = async (conn: Deno.Conn) => {
    const parser = new RequestParser();
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        for (const args of parser.push(buf.subarray(0, n))) {
          requests.push(args);
          const reply = answer(args);
          if (reply === "close") {
            conns.delete(conn);
            conn.close();
            return;
          }
          if (reply !== undefined) await conn.write(encoder.encode(reply));
        }
      }
    } catch {
      // Closed by the test.
    }
  };
  const accepting = (async () => {
    try {
      for (;;) {
        const conn = await listener.accept();
        conns.add(conn);
        handlers.push(serve(conn));
      }
    } catch {
      // The listener closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    requests,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      await accepting;
      await Promise.all(handlers);
    },
  };
}

/** HELLO's reply, as far as the client cares: anything but an error. */
const HELLO_OK = "*0\r\n";

Deno.test("request client: RANDINT, in range, unique on request", () =>
  withClient(async (client) => {
    const dice = await client.randint(1000, { min: 1, max: 6 });
    assert.equal(dice.length, 1000);
    assert.ok(dice.every((n) => Number.isInteger(n) && n >= 1 && n <= 6));
    assert.deepEqual([...new Set(dice)].sort(), [1, 2, 3, 4, 5, 6]);
    const lotto = await client.randint(49, { min: 1, max: 49 }, {
      unique: true,
    });
    assert.deepEqual(
      [...lotto].sort((a, b) => a - b),
      Array.from({ length: 49 }, (_, i) => i + 1),
    );
    const extremes = await client.randint(3, {
      min: -Number.MAX_SAFE_INTEGER,
      max: -Number.MAX_SAFE_INTEGER,
    });
    assert.deepEqual(extremes, Array(3).fill(-Number.MAX_SAFE_INTEGER));
    assert.deepEqual(await client.randint(0, { min: 1, max: 2 }), []);
  }));

Deno.test("request client: SEQUENCE, SHUFFLE and SAMPLE", () =>
  withClient(async (client) => {
    const sequence = await client.sequence(-2, 7);
    assert.deepEqual(
      [...sequence].sort((a, b) => a - b),
      [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7],
    );
    // Items with what RESP must carry intact: spaces, line breaks, UTF-8.
    const items = ["a b", "héllo", "x\r\ny", "", "'\"", "🎲"];
    const shuffled = await client.shuffle(items);
    assert.deepEqual([...shuffled].sort(), [...items].sort());
    assert.deepEqual(await client.shuffle([]), []);
    const sample = await client.sample(3, items);
    assert.equal(sample.length, 3);
    assert.equal(new Set(sample).size, 3);
    assert.ok(sample.every((s) => items.includes(s)));
    assert.deepEqual(await client.sample(0, items), []);
    assert.deepEqual(
      [...await client.sample(6, items)].sort(),
      [...items].sort(),
    );
    const error = await failure(client.sample(7, items));
    assert.equal(error.code, "server-error");
    assert.match(error.message, /^ERR k: /);
  }));

Deno.test("request client: UUID, RANDBYTES, RANDSTRING", () =>
  withClient(async (client) => {
    const V4 =
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const [one, ...none] = await client.uuid();
    assert.match(one, V4);
    assert.deepEqual(none, []);
    const ids = await client.uuid(50);
    assert.equal(new Set(ids).size, 50);
    assert.ok(ids.every((id) => V4.test(id)));

    // Raw bytes, all 256 values among them: CR, LF, NUL, 0xff come through.
    const bytes = await client.randbytes(65536);
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.length, 65536);
    assert.equal(new Set(bytes).size, 256);
    assert.deepEqual(await client.randbytes(0), new Uint8Array(0));

    const words = await client.randstring(200, 8);
    assert.equal(words.length, 200);
    assert.ok(words.every((w) => /^[A-Za-z0-9]{8}$/.test(w)));
    const greek = await client.randstring(100, 5, { alphabet: "αβγ🎲" });
    assert.ok(greek.every((w) => [...w].length === 5));
    assert.deepEqual(
      [...new Set(greek.flatMap((w) => [...w]))].sort(),
      ["α", "β", "γ", "🎲"].sort(),
    );
    assert.deepEqual(await client.randstring(2, 0), ["", ""]);
  }));

Deno.test("request client: RANDFLOAT gives the exact decimal strings", () =>
  withClient(async (client) => {
    const six = await client.randfloat(500);
    assert.equal(six.length, 500);
    assert.ok(six.every((x) => /^0\.\d{6}$/.test(x)), six.join(" "));
    const two = await client.randfloat(2000, { decimals: 2 });
    assert.ok(two.every((x) => /^0\.\d{2}$/.test(x)));
    // A grid of 100 values, each equally likely: "0.00" and "0.50" keep
    // their zeros, which numbers would drop.
    assert.ok(new Set(two).size > 90);
    const fifteen = await client.randfloat(10, { decimals: 15 });
    assert.ok(fifteen.every((x) => /^0\.\d{15}$/.test(x)));
    const error = await failure(client.randfloat(1, { decimals: 16 }));
    assert.equal(error.code, "server-error");
    assert.match(error.message, /^ERR decimals: /);
  }));

for (const protocol of [2, 3] as const) {
  Deno.test(`request client: GAUSS as numbers, in RESP${protocol}`, () =>
    withClient(async (client) => {
      assert.equal(client.protocol, protocol);
      const n = 20_000;
      const values = await client.gauss(n, { mean: 100, stddev: 2 });
      assert.equal(values.length, n);
      assert.ok(values.every((v) => typeof v === "number" && isFinite(v)));
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(
        values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1),
      );
      // Both about 7 standard errors wide.
      assert.ok(Math.abs(mean - 100) < 0.1, `mean ${mean}`);
      assert.ok(Math.abs(sd - 2) < 0.07, `sd ${sd}`);
      // The defaults: mean 0, standard deviation 1.
      const standard = await client.gauss(1000);
      assert.ok(Math.abs(standard.reduce((a, b) => a + b, 0) / 1000) < 0.25);
      assert.deepEqual(await client.gauss(3, { stddev: 0, mean: -1.5 }), [
        -1.5,
        -1.5,
        -1.5,
      ]);
    }, { protocol }));
}

Deno.test("request client: PING, and raw commands as text or bytes", () =>
  withClient(async (client) => {
    assert.equal(await client.ping(), "PONG");
    assert.equal(await client.command(["ECHO", "héllo"]), "héllo");
    assert.equal(await client.command(["PING", "x y"]), "x y");
    assert.equal(await client.command(["CLIENT", "GETNAME"]), null);
    assert.equal(await client.command(["CLIENT", "SETNAME", "me"]), "OK");
    assert.equal(await client.command(["CLIENT", "GETNAME"]), "me");
    assert.equal(typeof await client.command(["CLIENT", "ID"]), "number");
    const raw = await client.command(["RANDBYTES", "16"], { bytes: true });
    assert.ok(raw instanceof Uint8Array && raw.length === 16);
    const hex = await client.command(["RANDBYTES", "4", "HEX"]);
    assert.match(hex as string, /^[0-9a-f]{8}$/);
    assert.deepEqual(
      await client.command(["ECHO", new Uint8Array([0x41])]),
      "A",
    );
    const error = await failure(client.command(["FROB", "a"]));
    assert.equal(error.code, "server-error");
    assert.equal(
      error.message,
      "ERR unknown command 'FROB', with args beginning with: 'a'",
    );
    await assert.rejects(client.command([]), OptionError);
  }));

Deno.test("request client: RESP3 replies to raw commands keep their types", () =>
  withClient(async (client) => {
    const hello = await client.command(["HELLO", "3"]) as Map<
      RespValue,
      RespValue
    >;
    assert.ok(hello instanceof Map);
    assert.equal(hello.get("server"), "randport");
    assert.equal(hello.get("proto"), 3);
    assert.equal(await client.command(["CLIENT", "GETNAME"]), null);
    const [x] = await client.command(["GAUSS", "1", "0", "1"]) as number[];
    assert.equal(typeof x, "number");
    assert.deepEqual(
      await client.command(["CONFIG", "GET", "databases"]),
      new Map([["databases", "1"]]),
    );
    assert.equal((await client.randint(5, { min: 1, max: 2 })).length, 5);
  }, { protocol: 3 }));

Deno.test("request client: 1000 calls without awaiting are pipelined and settle in order", () =>
  withClient(async (client) => {
    const calls = Array.from(
      { length: 1000 },
      (_, i) => client.randint(1, { min: i, max: i }),
    );
    assert.deepEqual(
      await Promise.all(calls),
      Array.from({ length: 1000 }, (_, i) => [i]),
    );
    // Mixed draws and errors: each call gets its own reply, an error
    // rejects its call alone.
    const mixed = await Promise.allSettled([
      client.sequence(5, 5),
      client.randint(1, { min: 2, max: 1 }),
      client.ping(),
      client.shuffle(["only"]),
      client.command(["NOPE"]),
      client.randbytes(3),
      client.uuid(2),
    ]);
    assert.deepEqual(mixed.map((r) => r.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const value = (i: number) =>
      (mixed[i] as PromiseFulfilledResult<unknown>).value;
    assert.deepEqual(value(0), [5]);
    assert.equal(value(2), "PONG");
    assert.deepEqual(value(3), ["only"]);
    assert.equal((value(5) as Uint8Array).length, 3);
    assert.equal((value(6) as string[]).length, 2);
  }));

Deno.test("request client: pipelined requests go out in few writes", async () => {
  const reads: number[] = [];
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    const parser = new RequestParser();
    const buf = new Uint8Array(1 << 20);
    let replies = "";
    for (let answered = 0; answered < 1001;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const requests = parser.push(buf.subarray(0, n));
      if (answered > 0) reads.push(requests.length);
      for (const args of requests) {
        replies += args[0] === "HELLO" ? HELLO_OK : "+PONG\r\n";
        answered++;
      }
      await conn.write(encoder.encode(replies));
      replies = "";
    }
    conn.close();
  })();
  const client = await connectRequests({
    hostname: HOST,
    port: (listener.addr as Deno.NetAddr).port,
  });
  const pongs = await Promise.all(
    Array.from({ length: 1000 }, () => client.ping()),
  );
  assert.equal(pongs.length, 1000);
  assert.equal(reads.reduce((a, b) => a + b, 0), 1000);
  // One write of 14 kB; TCP may hand it over in a few reads, not 1000.
  assert.ok(reads.length <= 4, `${reads.length} reads`);
  await client.close();
  await serving;
  listener.close();
});

Deno.test("request client: an error reply rejects with server-error, and the client goes on", () =>
  withClient(async (client) => {
    const error = await failure(client.randint(3, { min: 6, max: 1 }));
    assert.equal(error.code, "server-error");
    assert.equal(
      error.message,
      "ERR max: expected max >= min, got min 6 and max 1",
    );
    const nan = await failure(client.randint(NaN, { min: 1, max: 2 }));
    assert.equal(nan.message, "ERR count: expected an integer, got 'NaN'");
    const syntax = await failure(
      client.command(["RANDINT", "1", "1", "2", "BOGUS"]),
    );
    assert.match(syntax.message, /^ERR syntax error at 'BOGUS'/);
    assert.equal(await client.ping(), "PONG");
    assert.deepEqual(await client.randint(2, { min: 4, max: 4 }), [4, 4]);
  }));

Deno.test("request client: seeds go as the last two arguments of every draw", async () => {
  const server = fakeServer((args) => {
    switch (args[0]) {
      case "HELLO":
        return HELLO_OK;
      case "RANDINT":
      case "SEQUENCE":
        return "*1\r\n:1\r\n";
      case "RANDBYTES":
        return "$2\r\nab\r\n";
      case "GAUSS":
        return "*1\r\n$3\r\n0.5\r\n";
      default:
        return "*1\r\n$1\r\na\r\n";
    }
  });
  const client = await connectRequests({ hostname: HOST, port: server.port });
  await client.randint(3, { min: 1, max: 6 }, { unique: true, seed: 42 });
  await client.randint(3, { min: 1, max: 6 });
  await client.sequence(1, 3, { seed: "s" });
  await client.shuffle(["a", "b"], { seed: 1 });
  await client.sample(1, ["a", "b"], { seed: 1 });
  await client.uuid(undefined, { seed: "x" });
  await client.randbytes(2, { seed: 9007199254740993n });
  await client.randstring(2, 3, { alphabet: "ab", seed: 1 });
  await client.randfloat(2, { seed: 1 });
  await client.randfloat(2, { decimals: 3, seed: 1 });
  assert.deepEqual(await client.gauss(1, { seed: 1 }), [0.5]);
  await client.gauss(1, { mean: 5 });
  assert.deepEqual(server.requests, [
    ["HELLO", "2"],
    ["RANDINT", "3", "1", "6", "UNIQUE", "SEED", "42"],
    ["RANDINT", "3", "1", "6"],
    ["SEQUENCE", "1", "3", "SEED", "s"],
    ["SHUFFLE", "a", "b", "SEED", "1"],
    ["SAMPLE", "1", "a", "b", "SEED", "1"],
    ["UUID", "1", "SEED", "x"],
    ["RANDBYTES", "2", "SEED", "9007199254740993"],
    ["RANDSTRING", "2", "3", "ALPHABET", "ab", "SEED", "1"],
    ["RANDFLOAT", "2", "SEED", "1"],
    ["RANDFLOAT", "2", "3", "SEED", "1"],
    ["GAUSS", "1", "0", "1", "SEED", "1"],
    ["GAUSS", "1", "5", "1"],
  ]);
  await assert.rejects(
    client.uuid(1, { seed: {} as unknown as string }),
    (e) => e instanceof OptionError && e.field === "seed",
  );
  await client.close();
  await server.close();
});

Deno.test("request client: seeded draws give PROTOCOL.md's test vectors", () =>
  withClient(async (client) => {
    // PROTOCOL.md §5.4, through every typed method.
    const dice = { min: 1, max: 49 };
    assert.deepEqual(await client.randint(6, dice, { seed: "hello" }), [
      35,
      16,
      27,
      37,
      25,
      40,
    ]);
    assert.deepEqual(
      await client.randint(6, dice, { unique: true, seed: "hello" }),
      [35, 7, 37, 14, 34, 17],
    );
    assert.deepEqual(await client.sequence(1, 10, { seed: "s" }), [
      10,
      5,
      2,
      9,
      3,
      1,
      8,
      7,
      4,
      6,
    ]);
    const cards = ["ace", "king", "queen", "jack"];
    assert.deepEqual(await client.shuffle(cards, { seed: "cards" }), [
      "jack",
      "queen",
      "king",
      "ace",
    ]);
    assert.deepEqual(await client.sample(2, cards, { seed: "cards" }), [
      "jack",
      "queen",
    ]);
    assert.deepEqual(await client.uuid(1, { seed: "u" }), [
      "ae35c46d-f69c-421f-8852-7c872e59338e",
    ]);
    const bytes = await client.randbytes(16, { seed: "" });
    assert.equal(
      Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
      "5835fdd196a6436538b6d35fcec696cc",
    );
    assert.deepEqual(await client.randstring(2, 8, { seed: "r" }), [
      "hAcuD1vX",
      "P6OJrWko",
    ]);
    assert.deepEqual(
      await client.randstring(1, 12, { alphabet: "01", seed: "bits" }),
      ["110010000001"],
    );
    assert.deepEqual(await client.randfloat(3, { decimals: 4, seed: "f" }), [
      "0.3083",
      "0.2050",
      "0.6732",
    ]);
    assert.deepEqual(await client.gauss(2, { seed: "g" }), [
      0.6075983028664582,
      -0.09926187392221374,
    ]);
    // A number seed is its decimal text.
    assert.deepEqual(
      await client.randint(5, dice, { seed: 42 }),
      await client.randint(5, dice, { seed: "42" }),
    );
  }));

Deno.test("request client: a reply of the wrong type is malformed, and the client goes on", async () => {
  const server = fakeServer((args) =>
    args[0] === "HELLO" ? HELLO_OK : args[0] === "PING" ? "+PONG\r\n" : ":5\r\n"
  );
  const client = await connectRequests({ hostname: HOST, port: server.port });
  for (
    const call of [
      client.randint(1, { min: 1, max: 2 }),
      client.shuffle(["a"]),
      client.randbytes(1),
      client.gauss(1),
    ]
  ) {
    const error = await failure(call);
    assert.equal(error.code, "malformed");
    assert.match(error.message, /^[A-Z]+: expected .*, got the number 5$/);
  }
  assert.equal(await client.ping(), "PONG");
  await client.close();
  await server.close();
});

Deno.test("request client: GAUSS reads RESP2's text and RESP3's doubles, infinities too", async () => {
  const server = fakeServer((args) => {
    if (args[0] === "HELLO") return HELLO_OK;
    return args[1] === "3"
      ? "*3\r\n$3\r\ninf\r\n$4\r\n-inf\r\n$5\r\n-1e-7\r\n"
      : args[1] === "2"
      ? "*2\r\n,inf\r\n,2.5\r\n"
      : "*1\r\n$3\r\nabc\r\n";
  });
  const client = await connectRequests({ hostname: HOST, port: server.port });
  assert.deepEqual(await client.gauss(3), [Infinity, -Infinity, -1e-7]);
  assert.deepEqual(await client.gauss(2), [Infinity, 2.5]);
  assert.equal((await failure(client.gauss(1))).code, "malformed");
  await client.close();
  await server.close();
});

Deno.test("request client: a reply that breaks RESP fails every pending call with malformed", async () => {
  const server = fakeServer((args) =>
    args[0] === "HELLO"
      ? HELLO_OK
      : args[0] === "PING"
      ? "?what\r\n"
      : undefined
  );
  const client = await connectRequests({ hostname: HOST, port: server.port });
  const pending = client.uuid();
  const broken = await failure(client.ping());
  assert.equal(broken.code, "malformed");
  assert.match(
    broken.message,
    /sent a reply that breaks RESP: unknown reply type '\?' \(byte 4\)$/,
  );
  assert.equal(broken.offset, 4);
  assert.equal(await failure(pending), broken);
  const later = await failure(client.ping());
  assert.equal(later.code, "closed");
  assert.equal(later.cause, broken);
  await client.close();
  await server.close();
});

Deno.test("request client: a reply to no request is malformed", async () => {
  const server = fakeServer((args) =>
    args[0] === "HELLO" ? HELLO_OK + "+surprise\r\n" : "+PONG\r\n"
  );
  const client = await connectRequests({ hostname: HOST, port: server.port });
  const error = await failure(client.ping());
  assert.equal(error.code, "closed");
  assert.match(error.message, /has ended: .* sent a reply to no request$/);
  await client.close();
  await server.close();
});

Deno.test("request client: a refused port", async () => {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const error = await failure(connectRequests({ hostname: HOST, port }));
  assert.equal(error.code, "refused");
  assert.match(error.message, /connection refused by 127\.0\.0\.1:\d+/);
});

Deno.test("request client: a server that accepts and never answers times out", async () => {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = listener.accept().then((conn) => accepted.push(conn));
  const started = performance.now();
  const error = await failure(connectRequests({
    hostname: HOST,
    port: (listener.addr as Deno.NetAddr).port,
    timeout: 300,
  }));
  const elapsed = performance.now() - started;
  assert.equal(error.code, "timeout");
  assert.match(error.message, /sent nothing for 0\.3 s with 1 reply due$/);
  assert.ok(elapsed >= 290 && elapsed < 3000, `${elapsed} ms`);
  await accepting;
  for (const conn of accepted) conn.close();
  listener.close();
});

Deno.test("request client: a silence past the timeout fails the pending calls, then the client is closed", async () => {
  const server = fakeServer((args) => {
    if (args[0] === "HELLO") return HELLO_OK;
    if (args[0] === "PING") return "+PONG\r\n";
    return undefined; // draws go unanswered
  });
  const client = await connectRequests({
    hostname: HOST,
    port: server.port,
    timeout: 200,
  });
  // Replies that come in time reset the clock: no timeout while idle.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await client.ping(), "PONG");
  const calls = [client.uuid(), client.randint(1, { min: 1, max: 2 })];
  const errors = await Promise.all(calls.map(failure));
  assert.equal(errors[0], errors[1]);
  assert.equal(errors[0].code, "timeout");
  assert.match(
    errors[0].message,
    /sent nothing for 0\.2 s with 2 replies due$/,
  );
  const later = await failure(client.ping());
  assert.equal(later.code, "closed");
  await client.close();
  await server.close();
});

Deno.test("request client: a server that closes mid-reply resets the pending calls", async () => {
  const server = fakeServer((args) => {
    if (args[0] === "HELLO") return HELLO_OK;
    if (args[0] === "RANDINT") return "*3\r\n:1\r\n:2";
    return "close";
  });
  const client = await connectRequests({ hostname: HOST, port: server.port });
  const first = client.randint(3, { min: 1, max: 2 });
  const second = client.ping();
  const error = await failure(first);
  assert.equal(error.code, "reset");
  assert.match(
    error.message,
    /closed the connection with 2 replies due, in the middle of one$/,
  );
  assert.equal(await failure(second), error);
  await client.close();
  await server.close();
});

Deno.test("request client: a server that closes between replies resets the pending ones", async () => {
  const server = fakeServer((args) =>
    args[0] === "HELLO" ? HELLO_OK : args[0] === "PING" ? "+PONG\r\n" : "close"
  );
  const client = await connectRequests({ hostname: HOST, port: server.port });
  const [pong, lost] = await Promise.allSettled([client.ping(), client.uuid()]);
  assert.deepEqual(pong, { status: "fulfilled", value: "PONG" });
  assert.equal(lost.status, "rejected");
  const error = (lost as PromiseRejectedResult).reason;
  assert.ok(error instanceof RandportError);
  assert.equal(error.code, "reset");
  assert.match(error.message, /with 1 reply due$/);
  await client.close();
  await server.close();
});

Deno.test("request client: a server that ends the connection between calls: later calls are closed", () =>
  withClient(async (client) => {
    assert.equal(await client.command(["QUIT"]), "OK");
    // The server's close arrives after its reply.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const error = await failure(client.ping());
    assert.equal(error.code, "closed");
    assert.match(
      error.message,
      /has ended: 127\.0\.0\.1:\d+ closed the connection$/,
    );
  }));

Deno.test("request client: a server at its connection limit is busy", async () => {
  const server = serveRequests({ port: 0, maxConnections: 1 });
  const options = { hostname: HOST, port: server.addr.port };
  const first = await connectRequests(options);
  const error = await failure(connectRequests(options));
  assert.equal(error.code, "busy");
  assert.equal(error.message, "ERR max number of clients reached");
  assert.equal(await first.ping(), "PONG");
  await first.close();
  await server.shutdown();
});

Deno.test("request client: a server without HELLO speaks RESP2 anyway; NOPROTO refuses RESP3", async () => {
  const server = fakeServer((args) => {
    if (args[0] !== "HELLO") return "+PONG\r\n";
    return args[1] === "2"
      ? "-ERR unknown command 'HELLO', with args beginning with: '2'\r\n"
      : "-NOPROTO unsupported protocol version\r\n";
  });
  const client = await connectRequests({ hostname: HOST, port: server.port });
  assert.equal(await client.ping(), "PONG");
  await client.close();
  const error = await failure(
    connectRequests({ hostname: HOST, port: server.port, protocol: 3 }),
  );
  assert.equal(error.code, "server-error");
  assert.equal(error.message, "NOPROTO unsupported protocol version");
  await server.close();
});

Deno.test("request client: the reply limits hold", () =>
  withClient(async (client) => {
    // HELLO's reply, a flat array of 14 in RESP2, is within them.
    assert.equal((await client.randint(20, { min: 1, max: 2 })).length, 20);
    const error = await failure(client.randint(21, { min: 1, max: 2 }));
    assert.equal(error.code, "malformed");
    assert.match(
      error.message,
      /array of 21 elements exceeds maxElements \(20\)/,
    );
    assert.equal((await failure(client.ping())).code, "closed");
  }, { replyLimits: { maxElements: 20 } }));

Deno.test("request client: close() lets pending calls finish; then calls are closed", async () => {
  const server = serveRequests({ port: 0 });
  const client = await connectRequests({
    hostname: HOST,
    port: server.addr.port,
  });
  const pending = [client.sequence(1, 1000), client.ping()];
  const closing = client.close();
  const refused = await failure(client.ping());
  assert.equal(refused.code, "closed");
  assert.equal(refused.message, "the request client is closed");
  await closing;
  assert.equal((await pending[0] as number[]).length, 1000);
  assert.equal(await pending[1], "PONG");
  await client.close(); // again: nothing more
  assert.equal((await failure(client.uuid())).code, "closed");
  {
    await using disposable = await connectRequests({
      hostname: HOST,
      port: server.addr.port,
    });
    assert.equal(await disposable.ping(), "PONG");
  }
  await server.shutdown();
  assert.equal(server.stats.active, 0);
});

Deno.test("request client: aborting rejects with the signal's reason", async () => {
  const server = fakeServer((
    args,
  ) => (args[0] === "HELLO" ? HELLO_OK : undefined));
  const controller = new AbortController();
  const client = await connectRequests({
    hostname: HOST,
    port: server.port,
    signal: controller.signal,
  });
  const pending = client.uuid();
  const reason = new Error("enough");
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  const later = await failure(client.ping());
  assert.equal(later.code, "closed");
  assert.equal(later.cause, reason);
  await client.close();
  // Aborted before connecting.
  const early = new Error("early");
  await assert.rejects(
    connectRequests({
      hostname: HOST,
      port: server.port,
      signal: AbortSignal.abort(early),
    }),
    (e) => e === early,
  );
  await server.close();
});

Deno.test("request client: options are checked before connecting", async () => {
  const cases: [RequestClientOptions, string][] = [
    [{ port: 0 }, "port"],
    [{ port: 65536 }, "port"],
    [{ hostname: "a b" }, "hostname"],
    [{ hostname: "[]" }, "hostname"],
    [{ timeout: -1 }, "timeout"],
    [{ protocol: 4 as 2 }, "protocol"],
    [{ replyLimits: { maxBulkBytes: 0 } }, "replyLimits.maxBulkBytes"],
    [{ signal: {} as AbortSignal }, "signal"],
  ];
  for (const [options, field] of cases) {
    await assert.rejects(
      connectRequests(options),
      (e) => e instanceof OptionError && e.field === field,
      field,
    );
  }
  assert.deepEqual({ ...REQUEST_CLIENT_DEFAULTS }, {
    hostname: "localhost",
    port: 27680,
    timeout: 10000,
    protocol: 2,
  });
  assert.deepEqual(resolveRequestClientOptions({ hostname: "[::1]" }), {
    hostname: "::1",
    port: 27680,
    timeout: 10000,
    protocol: 2,
    replyLimits: { ...REPLY_PARSER_DEFAULTS },
    signal: undefined,
    tls: undefined,
  });
  await withClient(async (client) => {
    await assert.rejects(
      client.randint(1, null as unknown as { min: number; max: number }),
      (e) => e instanceof OptionError && e.field === "range",
    );
    await assert.rejects(
      client.shuffle(["a", 1 as unknown as string]),
      (e) => e instanceof OptionError && e.field === "items",
    );
    assert.equal(await client.ping(), "PONG");
  });
});
