import assert from "node:assert/strict";
import {
  FETCH_DEFAULTS,
  FETCH_LIMITS,
  fetchNumbers,
  type FetchOptions,
  resolveFetchOptions,
} from "../../lib/client/mod.ts";
import { OptionError } from "../../lib/errors/mod.ts";

Deno.test("resolveFetchOptions: tls is checked", () => {
  assert.deepEqual(resolveFetchOptions({ tls: true }).tls, {
    caCerts: undefined,
  });
  assert.deepEqual(resolveFetchOptions({ tls: { caCerts: ["PEM"] } }).tls, {
    caCerts: ["PEM"],
  });
  assert.equal(resolveFetchOptions({ tls: false }).tls, undefined);
  assert.throws(
    () => resolveFetchOptions({ tls: { caCerts: [] } }),
    (e) => e instanceof OptionError && e.field === "tls.caCerts",
  );
  assert.throws(
    () => resolveFetchOptions({ tls: "yes" as unknown as boolean }),
    (e) => e instanceof OptionError && e.field === "tls",
  );
});

Deno.test("resolveFetchOptions: the defaults", () => {
  const resolved = resolveFetchOptions();
  assert.deepEqual(resolved, {
    hostname: "localhost",
    port: 27679,
    limit: Infinity,
    timeout: 10000,
    signal: undefined,
    tls: undefined,
  });
  assert.deepEqual({ ...FETCH_DEFAULTS }, {
    hostname: "localhost",
    port: 27679,
    limit: Infinity,
    timeout: 10000,
  });
  assert.deepEqual(FETCH_LIMITS.port, { min: 1, max: 65535 });
});

Deno.test("resolveFetchOptions: brackets come off an IPv6 host", () => {
  assert.equal(resolveFetchOptions({ hostname: "[::1]" }).hostname, "::1");
});

Deno.test("resolveFetchOptions: every bad value names its option", () => {
  const cases: [FetchOptions, string][] = [
    [{ limit: -1 }, "limit"],
    [{ limit: 1.5 }, "limit"],
    [{ limit: NaN }, "limit"],
    [{ timeout: -1 }, "timeout"],
    [{ timeout: 2 ** 31 }, "timeout"],
    [{ timeout: Infinity }, "timeout"],
    [{ port: 0 }, "port"],
    [{ port: 65536 }, "port"],
    [{ hostname: "" }, "hostname"],
    [{ hostname: "local host" }, "hostname"],
    [{ hostname: "[]" }, "hostname"],
    [{ limit: 1e300 }, "limit"],
    [{ signal: "stop" as unknown as AbortSignal }, "signal"],
  ];
  for (const [options, field] of cases) {
    assert.throws(
      () => resolveFetchOptions(options),
      (error) =>
        error instanceof OptionError && error instanceof RangeError &&
        error.field === field,
      JSON.stringify(options),
    );
  }
});

Deno.test("fetchNumbers: a bad option is refused before connecting", async () => {
  // Port 1 would give `refused` if it connected.
  await assert.rejects(
    () => fetchNumbers({ port: 1, limit: -1 }),
    (error) => error instanceof OptionError && error.field === "limit",
  );
});
