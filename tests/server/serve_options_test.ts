import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import {
  resolveServeOptions,
  serve,
  SERVE_DEFAULTS,
  SERVE_LIMITS,
  type ServeOptions,
} from "../../lib/server/mod.ts";
import { PayloadSpecError } from "../../lib/wire/mod.ts";

function fieldOf(options: ServeOptions): string {
  try {
    resolveServeOptions(options);
  } catch (error) {
    assert.ok(error instanceof OptionError, String(error));
    assert.ok(!error.message.includes("\n"));
    assert.ok(error.message.startsWith(`${error.field}: `), error.message);
    return error.field;
  }
  assert.fail(`accepted ${JSON.stringify(options)}`);
}

Deno.test("resolveServeOptions: the defaults", () => {
  const resolved = resolveServeOptions();
  assert.equal(resolved.hostname, undefined);
  assert.equal(resolved.port, 27679);
  assert.equal(resolved.chunkSize, 16384);
  assert.equal(resolved.shutdownGrace, 5000);
  assert.equal(resolved.lingerTimeout, 2000);
  assert.equal(resolved.backlog, 4096);
  assert.equal(resolved.maxConnections, 10000);
  assert.equal(resolved.writeTimeout, 30000);
  assert.deepEqual(
    { ...SERVE_DEFAULTS },
    {
      port: resolved.port,
      chunkSize: resolved.chunkSize,
      shutdownGrace: resolved.shutdownGrace,
      lingerTimeout: resolved.lingerTimeout,
      backlog: resolved.backlog,
      maxConnections: resolved.maxConnections,
      writeTimeout: resolved.writeTimeout,
    },
  );
  assert.equal(resolved.payload.count, 10);
  assert.ok(Object.isFrozen(SERVE_DEFAULTS) && Object.isFrozen(SERVE_LIMITS));
});

Deno.test("resolveServeOptions: every bad value names its option", () => {
  const cases: [ServeOptions, string][] = [
    [{ maxConnections: 0 }, "maxConnections"],
    [{ maxConnections: 1.5 }, "maxConnections"],
    [{ maxConnections: NaN }, "maxConnections"],
    [{ port: -1 }, "port"],
    [{ port: 65536 }, "port"],
    [{ port: "80" as unknown as number }, "port"],
    [{ backlog: 0 }, "backlog"],
    [{ backlog: 127 }, "backlog"],
    [{ backlog: 65536 }, "backlog"],
    [{ chunkSize: 63 }, "chunkSize"],
    [{ chunkSize: 65537 }, "chunkSize"],
    [{ writeTimeout: -1 }, "writeTimeout"],
    [{ writeTimeout: 2 ** 31 }, "writeTimeout"],
    [{ writeTimeout: NaN }, "writeTimeout"],
    [{ shutdownGrace: -5 }, "shutdownGrace"],
    [{ shutdownGrace: Infinity }, "shutdownGrace"],
    [{ lingerTimeout: NaN }, "lingerTimeout"],
    [{ lingerTimeout: 2 ** 31 }, "lingerTimeout"],
    [{ hostname: "" }, "hostname"],
    [{ hostname: "a b" }, "hostname"],
    [{ logger: {} as never }, "logger"],
    [{ payload: null as never }, "payload"],
    [{ payload: 5 as never }, "payload"],
    [{ maxConnections: 2 ** 53 }, "maxConnections"],
    [{ signal: {} as AbortSignal }, "signal"],
  ];
  for (const [options, field] of cases) {
    assert.equal(fieldOf(options), field, JSON.stringify(options));
  }
  assert.equal(
    (() => {
      try {
        resolveServeOptions({ maxConnections: 0 });
      } catch (error) {
        return (error as Error).message;
      }
    })(),
    "maxConnections: expected an integer >= 1, got 0",
  );
});

Deno.test("resolveServeOptions: payload errors are PayloadSpecErrors, which are OptionErrors", () => {
  assert.throws(
    () => resolveServeOptions({ payload: { min: 5, max: 1 } }),
    (error) => error instanceof PayloadSpecError && error.field === "max",
  );
});

Deno.test("resolveServeOptions: the edges of each range are accepted", () => {
  for (const field of ["port", "chunkSize", "backlog"] as const) {
    const { min, max } = SERVE_LIMITS[field];
    assert.equal(resolveServeOptions({ [field]: min })[field], min);
    assert.equal(resolveServeOptions({ [field]: max })[field], max);
  }
  assert.equal(resolveServeOptions({ maxConnections: 1 }).maxConnections, 1);
  assert.equal(resolveServeOptions({ writeTimeout: 0 }).writeTimeout, 0);
  // Deadlines the sweeper checks against the clock may be Infinity
  // ("never"); the grace is a timer, which Infinity would fire at once.
  assert.equal(
    resolveServeOptions({ writeTimeout: Infinity }).writeTimeout,
    Infinity,
  );
  assert.equal(
    resolveServeOptions({ lingerTimeout: Infinity }).lingerTimeout,
    Infinity,
  );
  assert.equal(
    resolveServeOptions({ maxConnections: Infinity }).maxConnections,
    Infinity,
  );
  assert.throws(
    () => resolveServeOptions({ shutdownGrace: Infinity }),
    /shutdownGrace: expected milliseconds from 0 to 2147483647, got Infinity/,
  );
  assert.throws(
    () => resolveServeOptions({ lingerTimeout: NaN }),
    /lingerTimeout: expected milliseconds up to 2147483647 \(0 or less for none\), or Infinity, got NaN/,
  );
  // Any linger of 0 or less means none (documented).
  assert.equal(resolveServeOptions({ lingerTimeout: -3 }).lingerTimeout, 0);
  assert.equal(resolveServeOptions({ lingerTimeout: 0.5 }).lingerTimeout, 0.5);
});

Deno.test("serve: refuses bad options before it listens", async () => {
  assert.throws(
    () => serve({ hostname: "127.0.0.1", port: 0, maxConnections: 0 }),
    (error) => error instanceof OptionError && error.field === "maxConnections",
  );
  // Nothing was left listening or scheduled: a valid server still starts
  // and the test's resource sanitizer finds nothing open.
  const server = serve({ hostname: "127.0.0.1", port: 0 });
  await server.shutdown();
});
