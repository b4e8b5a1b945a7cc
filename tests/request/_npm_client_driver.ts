/**
 * Drives the request port with npm Redis clients that no one here wrote:
 * ioredis (RESP2 only: its parser rejects RESP3's `%`) and node-redis v5
 * (RESP2 and RESP3). `npm_client_test.ts` runs it as
 * `deno run --allow-net --allow-env _npm_client_driver.ts PORT`, in a
 * process of its own because ioredis reads the environment and the test
 * task grants no `--allow-env`. It prints one JSON object, every reply as
 * the client handed it over; the test judges them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { createClient, RESP_TYPES } from "redis";
import {
  ALPHABET,
  ITEMS,
  PIPELINE,
  pipelineCommand,
} from "./_npm_client_scenario.ts";

const HOST = "127.0.0.1";
const port = Number(Deno.args[0]);
if (!Number.isInteger(port) || port <= 0) {
  throw new Error(`usage: _npm_client_driver.ts PORT (got ${Deno.args[0]})`);
}

/** A reply made fit for JSON, keeping what kind of thing the client returned. */
function plain(value: unknown): unknown {
  // JSON would drop the key, and a step that returned nothing ran all the same.
  if (value === undefined) return { undefined: true };
  if (value instanceof Error) {
    return {
      error: {
        class: value.constructor.name,
        name: value.name,
        message: value.message,
      },
    };
  }
  if (value instanceof Uint8Array) {
    return {
      bytes: Array.from(value, (b) => b.toString(16).padStart(2, "0")).join(
        "",
      ),
    };
  }
  if (value instanceof Map) {
    return { map: [...value].map(([k, v]) => [plain(k), plain(v)]) };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "bigint") return { bigint: String(value) };
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { number: String(value) };
  }
  if (value !== null && typeof value === "object") {
    return {
      object: Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, plain(v)]),
      ),
    };
  }
  return value;
}

type Results = Record<string, unknown>;

/** Runs one step; an exception is its result, so one failure shows them all. */
async function step(
  results: Results,
  name: string,
  body: () => Promise<unknown> | unknown,
): Promise<void> {
  try {
    results[name] = plain(await body());
  } catch (error) {
    results[name] = plain(error);
  }
}

async function ioredisScenario(results: Results): Promise<void> {
  const events: string[] = [];
  const redis = new Redis({
    host: HOST,
    port,
    connectionName: "randport-ioredis",
    lazyConnect: true,
    // A failure must surface, not turn into retries until the deadline.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    commandTimeout: 10_000,
  });
  redis.on("error", (error: Error) => events.push(`error: ${error.message}`));
  redis.on("end", () => events.push("end"));
  const call = (...args: string[]) => redis.call(args[0], ...args.slice(1));
  try {
    await redis.connect();
    // "ready" means its handshake went through, the INFO ready check too.
    results.statusAfterConnect = redis.status;
    await step(results, "nameFromHandshake", () => redis.client("GETNAME"));
    await step(results, "ping", () => redis.ping());
    await step(results, "pingMessage", () => redis.ping("hello there"));
    await step(results, "echo", () => redis.echo("héllo wörld 😀"));
    await step(results, "info", () => redis.info());
    await step(results, "infoServer", () => redis.info("server"));
    await step(results, "configGetAll", () => redis.config("GET", "*"));
    await step(results, "configGetOne", () => call("CONFIG", "GET", "save"));
    await step(results, "setname", () => redis.client("SETNAME", "renamed"));
    await step(results, "getname", () => redis.client("GETNAME"));
    await step(results, "clientId", () => redis.client("ID"));
    await step(results, "select0", () => redis.select(0));
    await step(results, "select1", () => redis.select(1));
    await step(results, "command", () => call("COMMAND"));
    await step(results, "commandCount", () => call("COMMAND", "COUNT"));
    await step(results, "commandDocs", () => call("COMMAND", "DOCS"));
    await step(results, "help", () => call("HELP"));
    await step(results, "helpRandint", () => call("HELP", "RANDINT"));
    await step(results, "helpUnknown", () => call("HELP", "FROB"));
    await step(results, "hello2", () => call("HELLO", "2"));

    await step(results, "randint", () => call("RANDINT", "100", "1", "6"));
    await step(results, "randintZero", () => call("RANDINT", "0", "1", "6"));
    await step(
      results,
      "randintWide",
      () => call("RANDINT", "50", "-9007199254740991", "9007199254740991"),
    );
    await step(
      results,
      "randintUnique",
      () => call("RANDINT", "49", "1", "49", "UNIQUE"),
    );
    await step(
      results,
      "randintLottery",
      () => call("RANDINT", "6", "1", "49", "unique"),
    );
    for (const format of ["csv", "lines", "json"]) {
      await step(
        results,
        `randintFormat_${format}`,
        () => call("RANDINT", "20", "-50", "50", "FORMAT", format),
      );
    }
    await step(
      results,
      "randintUniqueJson",
      () => call("RANDINT", "10", "1", "10", "UNIQUE", "FORMAT", "json"),
    );
    await step(results, "sequence", () => call("SEQUENCE", "1", "100"));
    await step(results, "sequenceNegative", () => call("SEQUENCE", "-3", "3"));
    await step(results, "shuffle", () => call("SHUFFLE", ...ITEMS));
    await step(results, "sample", () => call("SAMPLE", "3", ...ITEMS));
    await step(
      results,
      "sampleAll",
      () => call("SAMPLE", String(ITEMS.length), ...ITEMS),
    );
    await step(results, "sampleNone", () => call("SAMPLE", "0", "a", "b"));
    await step(results, "uuid", () => call("UUID"));
    await step(results, "uuids", () => call("UUID", "50"));
    // callBuffer: decoded as UTF-8, random bytes would not survive.
    await step(results, "randbytes", () => redis.callBuffer("RANDBYTES", "64"));
    await step(
      results,
      "randbytesHex",
      () => call("RANDBYTES", "16", "HEX"),
    );
    await step(
      results,
      "randbytesBase64",
      () => call("RANDBYTES", "16", "BASE64"),
    );
    await step(results, "randbytesZero", () => call("RANDBYTES", "0"));
    await step(results, "randstring", () => call("RANDSTRING", "5", "12"));
    await step(
      results,
      "randstringAlphabet",
      () => call("RANDSTRING", "20", "10", "ALPHABET", ALPHABET),
    );
    await step(results, "randfloat", () => call("RANDFLOAT", "50"));
    await step(results, "randfloat2", () => call("RANDFLOAT", "50", "2"));
    await step(results, "randfloat15", () => call("RANDFLOAT", "50", "15"));
    await step(results, "gauss", () => call("GAUSS", "2000", "10", "2"));
    await step(results, "gaussZero", () => call("GAUSS", "3", "-2.5", "0"));

    const errors: [string, string[]][] = [
      ["count", ["RANDINT", "x", "1", "6"]],
      ["maxBelowMin", ["RANDINT", "1", "6", "1"]],
      ["uniqueTooMany", ["RANDINT", "50", "1", "49", "UNIQUE"]],
      ["syntax", ["RANDINT", "1", "1", "6", "BOGUS"]],
      ["unknown", ["FROB", "a", "b"]],
      ["arity", ["ECHO"]],
      ["noproto", ["HELLO", "4"]],
    ];
    const errorResults: Results = {};
    for (const [name, args] of errors) {
      await step(errorResults, name, () => call(...args));
    }
    results.errors = errorResults;
    await step(results, "pingAfterErrors", () => redis.ping());
    results.statusAfterErrors = redis.status;

    const pipeline = redis.pipeline();
    for (let i = 0; i < PIPELINE; i++) {
      const [name, ...args] = pipelineCommand(i);
      pipeline.call(name, ...args);
    }
    await step(results, "pipeline", async () => {
      const replies = await pipeline.exec();
      return replies?.map(([error, reply]) => error ?? reply);
    });

    await step(results, "resetName", () => redis.client("SETNAME", "before"));
    await step(results, "reset", () => call("RESET"));
    await step(results, "nameAfterReset", () => redis.client("GETNAME"));
    await step(results, "quit", () => redis.quit());
    // The server closes after QUIT's +OK; "end" is ioredis seeing that.
    const deadline = Date.now() + 5000;
    while (!events.includes("end") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    results.statusAfterQuit = redis.status;
  } finally {
    results.events = events;
    redis.disconnect();
  }
}

async function nodeRedisResp3Scenario(results: Results): Promise<void> {
  const events: string[] = [];
  // No name: HELLO 3 alone, so that GETNAME shows RESP3's null first.
  const client = createClient({
    RESP: 3,
    socket: {
      host: HOST,
      port,
      reconnectStrategy: false,
      connectTimeout: 10_000,
    },
  });
  client.on("error", (error: Error) => events.push(`error: ${error.message}`));
  const call = (...args: string[]) =>
    client.sendCommand(args, { timeout: 10_000 });
  // The default turns maps into plain objects; Map shows that `%` came.
  // (withTypeMapping does not reach sendCommand in node-redis 5.12.)
  const maps = (...args: string[]) =>
    client.sendCommand(args, {
      timeout: 10_000,
      typeMapping: { [RESP_TYPES.MAP]: Map },
    });
  try {
    await client.connect();
    results.isReady = client.isReady;
    await step(results, "nameBefore", () => call("CLIENT", "GETNAME"));
    await step(results, "setname", () => call("CLIENT", "SETNAME", "resp3"));
    await step(results, "getname", () => call("CLIENT", "GETNAME"));
    await step(results, "clientId", () => call("CLIENT", "ID"));
    await step(results, "hello", () => maps("HELLO", "3"));
    await step(results, "ping", () => client.ping());
    await step(results, "echo", () => client.echo("héllo wörld 😀"));
    await step(results, "configGetAll", () => maps("CONFIG", "GET", "*"));
    await step(results, "commandDocs", () => maps("COMMAND", "DOCS"));
    await step(results, "command", () => call("COMMAND"));
    await step(results, "select0", () => call("SELECT", "0"));
    await step(results, "info", () => call("INFO"));
    await step(results, "helpRandint", () => call("HELP", "RANDINT"));
    await step(results, "gauss", () => call("GAUSS", "2000", "0", "1"));
    await step(results, "gaussZero", () => call("GAUSS", "2", "5", "0"));
    await step(results, "randint", () => call("RANDINT", "100", "1", "6"));
    await step(
      results,
      "randintUnique",
      () => call("RANDINT", "10", "1", "10", "UNIQUE"),
    );
    await step(
      results,
      "randintLines",
      () => call("RANDINT", "5", "1", "6", "FORMAT", "lines"),
    );
    await step(results, "sequence", () => call("SEQUENCE", "1", "20"));
    await step(results, "shuffle", () => call("SHUFFLE", ...ITEMS));
    await step(results, "sample", () => call("SAMPLE", "2", ...ITEMS));
    await step(results, "uuids", () => call("UUID", "3"));
    await step(
      results,
      "randbytes",
      () =>
        client.sendCommand(["RANDBYTES", "64"], {
          timeout: 10_000,
          typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
        }),
    );
    await step(
      results,
      "randstringAlphabet",
      () => call("RANDSTRING", "5", "10", "ALPHABET", ALPHABET),
    );
    await step(results, "randfloat", () => call("RANDFLOAT", "10", "3"));
    await step(results, "errorCount", () => call("RANDINT", "x", "1", "6"));
    await step(results, "errorUnknown", () => call("FROB", "a", "b"));
    await step(results, "pingAfterErrors", () => client.ping());
    // node-redis pipelines what is sent in one tick: one write of them all.
    await step(results, "pipeline", async () => {
      const settled = await Promise.allSettled(
        Array.from({ length: PIPELINE }, (_, i) => call(...pipelineCommand(i))),
      );
      return settled.map((s) => s.status === "fulfilled" ? s.value : s.reason);
    });
    await step(results, "hello2", () => call("HELLO", "2"));
    await step(results, "gaussResp2", () => call("GAUSS", "3", "0", "1"));
    await step(results, "close", () => client.close());
  } finally {
    results.events = events;
    if (client.isOpen) client.destroy();
  }
}

async function nodeRedisResp2Scenario(results: Results): Promise<void> {
  const events: string[] = [];
  const client = createClient({
    name: "randport-node-redis",
    socket: {
      host: HOST,
      port,
      reconnectStrategy: false,
      connectTimeout: 10_000,
    },
  });
  client.on("error", (error: Error) => events.push(`error: ${error.message}`));
  const call = (...args: string[]) =>
    client.sendCommand(args, { timeout: 10_000 });
  try {
    await client.connect();
    results.isReady = client.isReady;
    await step(results, "nameFromHandshake", () => call("CLIENT", "GETNAME"));
    await step(results, "hello", () => call("HELLO"));
    await step(results, "configGet", () => client.configGet("*"));
    await step(results, "gauss", () => call("GAUSS", "3", "0", "1"));
    await step(results, "randint", () => call("RANDINT", "10", "1", "6"));
    await step(results, "errorCount", () => call("RANDINT", "x", "1", "6"));
    await step(results, "ping", () => client.ping());
    await step(results, "close", () => client.close());
  } finally {
    results.events = events;
    if (client.isOpen) client.destroy();
  }
}

const report: Record<string, Results> = {
  ioredis: {},
  nodeRedisResp3: {},
  nodeRedisResp2: {},
};
// One after the other, so that each client's connection is its own.
await ioredisScenario(report.ioredis);
await nodeRedisResp3Scenario(report.nodeRedisResp3);
await nodeRedisResp2Scenario(report.nodeRedisResp2);
console.log(JSON.stringify(report));
