/**
 * The metrics endpoint in process: `serveMetrics`'s paths and methods,
 * `serve()`'s `metrics` option (its checks, its default address, a port in
 * use, `/readyz` during shutdown), and the request port's per-command
 * metrics with `serveRequests`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import {
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
  serveMetrics,
} from "../../lib/metrics/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import {
  ListenError,
  resolveServeOptions,
  serve,
} from "../../lib/server/mod.ts";
import { readRawText } from "../_util.ts";
import {
  assertPromtoolAccepts,
  get,
  PROMTOOL,
  PROMTOOL_NOTE,
  scrape,
  scrapeUntil,
} from "./_scrape.ts";

const HOST = "127.0.0.1";
const encoder = new TextEncoder();

/** Sends `requests` (inline commands) on one connection; reads to the close. */
async function session(port: number, requests: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: HOST, port });
  await conn.write(encoder.encode(requests.map((r) => `${r}\r\n`).join("")));
  return await new Response(conn.readable).text();
}

Deno.test("serveMetrics: /metrics, /healthz, /readyz, 404, 405, HEAD", async () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "app_total", help: "H." }).inc(3);
  let ready = true;
  const server = serveMetrics({ registry, port: 0, ready: () => ready });
  try {
    assert.equal(server.addr.hostname, HOST);
    const port = server.addr.port;
    const metrics = await scrape(port);
    assert.equal(metrics.contentType, PROMETHEUS_CONTENT_TYPE);
    assert.equal(
      metrics.text,
      "# HELP app_total H.\n# TYPE app_total counter\napp_total 3\n",
    );
    assert.deepEqual(
      await get(port, "/healthz").then((r) => [r.status, r.body]),
      [
        200,
        "ok\n",
      ],
    );
    assert.deepEqual(
      await get(port, "/readyz").then((r) => [r.status, r.body]),
      [
        200,
        "ready\n",
      ],
    );
    ready = false;
    assert.deepEqual(
      await get(port, "/readyz").then((r) => [r.status, r.body]),
      [
        503,
        "shutting down\n",
      ],
    );
    // Liveness stays: a drained instance is not a dead one.
    assert.equal((await get(port, "/healthz")).status, 200);
    for (const path of ["/", "/metrics/", "/favicon.ico", "/healthz?x=1"]) {
      const { status } = await get(port, path);
      assert.equal(status, path === "/healthz?x=1" ? 200 : 404, path);
    }
    const post = await fetch(`http://${HOST}:${port}/metrics`, {
      method: "POST",
      body: "x",
    });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await fetch(`http://${HOST}:${port}/metrics`, {
      method: "HEAD",
    });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  } finally {
    await server.shutdown();
  }
  await assert.rejects(
    fetch(`http://${HOST}:${server.addr.port}/healthz`),
    TypeError,
  );
});

Deno.test("serveMetrics: a collect function that throws is a 500, not a crash", async () => {
  const registry = new MetricsRegistry();
  registry.gauge({
    name: "app_broken",
    help: "B.",
    collect: () => {
      throw new Error("no reading");
    },
  });
  const server = serveMetrics({ registry, port: 0 });
  try {
    const { status, body } = await get(server.addr.port, "/metrics");
    assert.equal(status, 500);
    assert.match(body, /no reading/);
    assert.equal((await get(server.addr.port, "/healthz")).status, 200);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serve: the metrics option is checked, each field named", () => {
  const field = (metrics: unknown) => {
    try {
      resolveServeOptions({ metrics } as never);
    } catch (error) {
      assert.ok(error instanceof OptionError);
      return error.field;
    }
    return undefined;
  };
  assert.equal(field(null), "metrics");
  assert.equal(field(9000), "metrics");
  assert.equal(field({}), "metrics.port");
  assert.equal(field({ port: 65536 }), "metrics.port");
  assert.equal(field({ port: 1.5 }), "metrics.port");
  assert.equal(field({ port: 0, hostname: "a b" }), "metrics.hostname");
  assert.equal(field({ port: 0, hostname: "" }), "metrics.hostname");
  assert.deepEqual(resolveServeOptions({ metrics: { port: 0 } }).metrics, {
    port: 0,
    hostname: HOST,
  });
  assert.equal(resolveServeOptions({}).metrics, undefined);
});

Deno.test("serve: metrics off by default; on loopback by default when on", async () => {
  const off = serve({ port: 0, lingerTimeout: 0 });
  assert.equal(off.metrics, undefined);
  await off.shutdown();
  // Every interface for the push port; still loopback for the metrics.
  const on = serve({ port: 0, lingerTimeout: 0, metrics: { port: 0 } });
  try {
    assert.equal(on.metrics?.addr.hostname, HOST);
    const { values } = await scrape(on.metrics!.addr.port);
    assert.equal(
      values.get('randport_connections_accepted_total{listener="push"}'),
      0,
    );
    // No request port: no request-port samples, no per-command families.
    assert.ok(![...values.keys()].some((key) => key.includes('"request"')));
    assert.ok(
      ![...values.keys()].some((key) => key.startsWith("randport_request")),
    );
  } finally {
    await on.shutdown();
  }
});

Deno.test("serve: a metrics port in use is a ListenError, and nothing stays listening", () => {
  const busy = Deno.listen({ hostname: HOST, port: 0 });
  const push = Deno.listen({ hostname: HOST, port: 0 });
  const pushPort = push.addr.port;
  push.close();
  try {
    assert.throws(
      () =>
        serve({
          hostname: HOST,
          port: pushPort,
          requests: { port: 0 },
          metrics: { port: busy.addr.port },
        }),
      (error) =>
        error instanceof ListenError && error.listener === "metrics" &&
        error.port === busy.addr.port && error.hostname === HOST &&
        error.cause instanceof Deno.errors.AddrInUse,
    );
    // The push port was let go.
    Deno.listen({ hostname: HOST, port: pushPort }).close();
  } finally {
    busy.close();
  }
});

Deno.test("serve: push counters are what happened", async () => {
  const server = serve({
    hostname: HOST,
    port: 0,
    payload: { count: 4, min: 10, max: 99 },
    metrics: { port: 0 },
  });
  try {
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      bytes += (await readRawText(server.addr.port)).length;
    }
    const { values, text } = await scrapeUntil(
      server.metrics!.addr.port,
      (v) => v.get('randport_connections_active{listener="push"}') === 0,
    );
    const push = (name: string) => values.get(`${name}{listener="push"}`);
    assert.equal(push("randport_connections_accepted_total"), 5);
    assert.equal(push("randport_connections_completed_total"), 5);
    assert.equal(push("randport_connections_dropped_total"), 0);
    assert.equal(push("randport_connections_timed_out_total"), 0);
    assert.equal(push("randport_connections_rejected_total"), 0);
    assert.equal(push("randport_numbers_sent_total"), 20);
    assert.equal(push("randport_bytes_sent_total"), bytes);
    assert.equal(bytes, 5 * 11); // "10,20,30,40": four two-digit numbers
    if (PROMTOOL) await assertPromtoolAccepts(text);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serve: /readyz is 503 from the start of shutdown until the drain ends", async () => {
  const server = serve({
    hostname: HOST,
    port: 0,
    payload: { stream: true, format: "lines" },
    shutdownGrace: 1500,
    writeTimeout: 0,
    metrics: { port: 0 },
  });
  const metricsPort = server.metrics!.addr.port;
  // A client that never reads: its stream's write waits until the grace
  // is over, which keeps the server shutting down.
  const stuck = await Deno.connect({ hostname: HOST, port: server.addr.port });
  try {
    await scrapeUntil(
      metricsPort,
      (v) => v.get('randport_connections_active{listener="push"}') === 1,
    );
    assert.equal((await get(metricsPort, "/readyz")).status, 200);
    const started = performance.now();
    const finished = server.shutdown();
    const readyz = await get(metricsPort, "/readyz");
    assert.deepEqual([readyz.status, readyz.body], [503, "shutting down\n"]);
    // Still scraped and alive while it drains.
    assert.equal((await get(metricsPort, "/healthz")).status, 200);
    assert.equal(
      (await scrape(metricsPort)).values.get(
        'randport_connections_active{listener="push"}',
      ),
      1,
    );
    await finished;
    assert.ok(performance.now() - started >= 1000, "drained within the grace");
    await assert.rejects(fetch(`http://${HOST}:${metricsPort}/readyz`));
  } finally {
    stuck.close();
    await server.finished;
  }
});

Deno.test("serveRequests: per-command requests, errors, durations; one 'unknown' series", async () => {
  const registry = new MetricsRegistry();
  const server = serveRequests({ port: 0, metrics: registry });
  try {
    const unknown = Array.from({ length: 50 }, (_, i) => `MADEUP${i} x`);
    const replies = await session(server.addr.port, [
      "RANDINT 3 1 10",
      "randint 2 1 6",
      "RandInt 1 5 1", // min above max: an error reply
      "PING",
      "ECHO hi",
      "RANDINT 1", // wrong arity: an error reply
      ...unknown,
      "QUIT",
    ]);
    assert.equal(replies.match(/^-/gm)?.length, 52, replies);
    const values = new Map(
      registry.render().split("\n").filter((l) => l && l[0] !== "#").map(
        (
          l,
        ) => [
          l.slice(0, l.lastIndexOf(" ")),
          Number(l.slice(l.lastIndexOf(" ") + 1)),
        ],
      ),
    );
    const requests = (command: string) =>
      values.get(`randport_requests_total{command="${command}"}`);
    const errors = (command: string) =>
      values.get(`randport_request_errors_total{command="${command}"}`);
    assert.equal(requests("randint"), 4);
    assert.equal(errors("randint"), 2);
    assert.equal(requests("ping"), 1);
    assert.equal(errors("ping"), 0);
    assert.equal(requests("echo"), 1);
    assert.equal(requests("quit"), 1);
    assert.equal(requests("unknown"), 50);
    assert.equal(errors("unknown"), 50);
    // Only the commands used, each once, in lower case.
    const commands = [...values.keys()]
      .filter((key) => key.startsWith("randport_requests_total"))
      .map((key) => /command="([^"]*)"/.exec(key)![1]);
    assert.deepEqual(commands, ["randint", "ping", "echo", "unknown", "quit"]);
    const duration = (suffix: string, command: string, le?: string) =>
      values.get(
        `randport_request_duration_seconds_${suffix}{command="${command}"${
          le === undefined ? "" : `,le="${le}"`
        }}`,
      );
    assert.equal(duration("count", "randint"), 4);
    assert.equal(duration("bucket", "randint", "+Inf"), 4);
    assert.equal(duration("bucket", "unknown", "+Inf"), 50);
    const sum = duration("sum", "randint")!;
    assert.ok(sum > 0 && sum < 5, `${sum}`);
    assert.equal(
      [...values.keys()].filter((key) =>
        key.startsWith(
          'randport_request_duration_seconds_bucket{command="ping"',
        )
      ).length,
      18, // 17 bounds from 10 µs to 5 s, and +Inf
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveRequests: the metrics option must be a MetricsRegistry", () => {
  assert.throws(
    () => serveRequests({ port: 0, metrics: {} as MetricsRegistry }),
    (error) => error instanceof OptionError && error.field === "metrics",
  );
});

Deno.test(`promtool accepts a registry of every type${PROMTOOL_NOTE}`, {
  ignore: !PROMTOOL,
}, async () => {
  const registry = new MetricsRegistry();
  const server = serveRequests({ port: 0, metrics: registry });
  try {
    await session(server.addr.port, ["RANDINT 1 1 6", "NOPE", "QUIT"]);
    await assertPromtoolAccepts(registry.render());
  } finally {
    await server.shutdown();
  }
});
