/**
 * `server.ts --metrics-port` end to end, as a subprocess: the startup line,
 * exact counts after real traffic on both ports, `promtool check metrics`
 * on the real output, `/readyz` during a graceful shutdown, and the flags'
 * errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertOneLineError,
  readRawText,
  runServer,
  startServer,
} from "../_util.ts";
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

/** Sends RESP arrays on one connection and reads until the server closes. */
async function requestSession(port: number, requests: string[][]) {
  const conn = await Deno.connect({ hostname: HOST, port });
  const wire = requests.map((args) =>
    `*${args.length}\r\n` +
    args.map((arg) => `$${encoder.encode(arg).length}\r\n${arg}\r\n`).join("")
  ).join("");
  await conn.write(encoder.encode(wire));
  return await new Response(conn.readable).text();
}

Deno.test("cli: --metrics-port adds ', metrics on H:M' to the startup line", async () => {
  await using server = await startServer([
    "--request-port",
    "0",
    "--metrics-port",
    "0",
  ]);
  assert.match(
    server.banner,
    /^listening on 127\.0\.0\.1:\d+, requests on 127\.0\.0\.1:\d+, metrics on 127\.0\.0\.1:\d+$/,
  );
  assert.ok(server.metricsPort! > 0);
  await using off = await startServer([]);
  assert.equal(off.metricsPort, undefined);
  assert.doesNotMatch(off.banner, /metrics/);
});

Deno.test("cli: the metrics port stays on 127.0.0.1 when --host is every interface", async () => {
  await using server = await startServer(["--metrics-port", "0"], {
    hostDefault: true,
  });
  assert.match(server.banner, /, metrics on 127\.0\.0\.1:\d+$/);
  assert.equal((await get(server.metricsPort!, "/healthz")).body, "ok\n");
});

Deno.test("cli: /metrics counts exactly what happened on both ports", async () => {
  await using server = await startServer([
    "--request-port",
    "0",
    "--metrics-port",
    "0",
    "--count",
    "3",
  ]);
  const metricsPort = server.metricsPort!;
  let bytes = 0;
  for (let i = 0; i < 4; i++) {
    const text = await readRawText(server.port);
    assert.match(text, /^\d+,\d+,\d+$/);
    bytes += text.length;
  }
  const replies = await requestSession(server.requestPort!, [
    ["RANDINT", "5", "1", "6"],
    ["randint", "2", "1", "100", "UNIQUE"],
    ["RANDINT", "2", "9", "1"], // min above max: an error reply
    ["PING"],
    ["NOSUCH", "x"],
    ["made-up"],
    ["QUIT"],
  ]);
  assert.equal(replies.match(/^-/gm)?.length, 3, replies);
  await requestSession(server.requestPort!, [["ECHO", "x"], ["QUIT"]]);
  const { values, text, contentType } = await scrapeUntil(
    metricsPort,
    (v) =>
      v.get('randport_connections_active{listener="push"}') === 0 &&
      v.get('randport_connections_active{listener="request"}') === 0,
  );
  assert.equal(contentType, "text/plain; version=0.0.4; charset=utf-8");
  const expected: Record<string, number> = {
    'randport_connections_accepted_total{listener="push"}': 4,
    'randport_connections_accepted_total{listener="request"}': 2,
    'randport_connections_rejected_total{listener="push"}': 0,
    'randport_connections_rejected_total{listener="request"}': 0,
    'randport_connections_completed_total{listener="push"}': 4,
    'randport_connections_dropped_total{listener="push"}': 0,
    'randport_connections_timed_out_total{listener="push"}': 0,
    'randport_numbers_sent_total{listener="push"}': 12,
    'randport_bytes_sent_total{listener="push"}': bytes,
    "randport_request_protocol_errors_total": 0,
    'randport_requests_total{command="randint"}': 3,
    'randport_request_errors_total{command="randint"}': 1,
    'randport_requests_total{command="ping"}': 1,
    'randport_request_errors_total{command="ping"}': 0,
    'randport_requests_total{command="unknown"}': 2,
    'randport_request_errors_total{command="unknown"}': 2,
    'randport_requests_total{command="quit"}': 2,
    'randport_requests_total{command="echo"}': 1,
    'randport_request_duration_seconds_count{command="randint"}': 3,
    'randport_request_duration_seconds_bucket{command="randint",le="+Inf"}': 3,
    'randport_request_duration_seconds_count{command="unknown"}': 2,
  };
  for (const [key, value] of Object.entries(expected)) {
    assert.equal(values.get(key), value, key);
  }
  // Cumulative buckets never decrease.
  let previous = 0;
  for (const [key, value] of values) {
    if (
      !key.startsWith(
        'randport_request_duration_seconds_bucket{command="randint"',
      )
    ) continue;
    assert.ok(value >= previous, key);
    previous = value;
  }
  assert.ok(values.get("process_resident_memory_bytes")! > 1e6);
  assert.ok(values.get("deno_heap_used_bytes")! > 0);
  // No TLS or PROXY failures on plaintext ports without headers, and no
  // made-up command name.
  assert.match(
    text,
    /^randport_tls_handshake_failures_total\{listener="push"\} 0$/m,
  );
  assert.match(
    text,
    /^randport_proxy_header_failures_total\{listener="request"\} 0$/m,
  );
  assert.doesNotMatch(text, /made-up|nosuch/i);
  if (PROMTOOL) await assertPromtoolAccepts(text);
});

Deno.test(
  `cli: promtool check metrics passes on the real output${PROMTOOL_NOTE}`,
  {
    ignore: !PROMTOOL,
  },
  async () => {
    await using server = await startServer([
      "--request-port",
      "0",
      "--metrics-port",
      "0",
    ]);
    await readRawText(server.port);
    await requestSession(server.requestPort!, [
      ["HELLO", "3"],
      ["RANDINT", "1", "1", "6", "SEED", "s"],
      ["UUID"],
      ["GAUSS", "0", "1", "x"],
      ["QUIT"],
    ]);
    const { text } = await scrape(server.metricsPort!);
    assert.match(text, /# TYPE randport_request_duration_seconds histogram/);
    await assertPromtoolAccepts(text);
  },
);

Deno.test("cli: /readyz turns 503 on SIGTERM and stays so while the server drains", async () => {
  await using server = await startServer([
    "--stream",
    "--shutdown-grace",
    "2",
    "--write-timeout",
    "0",
    "--request-port",
    "0",
    "--metrics-port",
    "0",
  ]);
  const metricsPort = server.metricsPort!;
  // Never reads: its stream's write waits, so the drain lasts the grace.
  const stuck = await Deno.connect({ hostname: HOST, port: server.port });
  try {
    await scrapeUntil(
      metricsPort,
      (v) => v.get('randport_connections_active{listener="push"}') === 1,
    );
    assert.deepEqual(
      await get(metricsPort, "/readyz").then((r) => [r.status, r.body]),
      [200, "ready\n"],
    );
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const readyz = await (async () => {
      for (;;) {
        const response = await get(metricsPort, "/readyz");
        if (response.status !== 200) return response;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    assert.deepEqual([readyz.status, readyz.body], [503, "shutting down\n"]);
    assert.ok(performance.now() - signalled < 1000, "503 at once");
    // Draining, not dead: liveness and scrapes go on; new clients are not
    // accepted.
    assert.equal((await get(metricsPort, "/healthz")).status, 200);
    assert.equal(
      (await scrape(metricsPort)).values.get(
        'randport_connections_active{listener="push"}',
      ),
      1,
    );
    await assert.rejects(Deno.connect({ hostname: HOST, port: server.port }));
    const { code } = await server.stop(null);
    assert.equal(code, 0);
    assert.ok(performance.now() - signalled >= 1500, "drained for the grace");
    await assert.rejects(fetch(`http://${HOST}:${metricsPort}/readyz`));
  } finally {
    stuck.close();
  }
});

Deno.test("cli: bad metrics flags get one line naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--metrics-port", "x"],
      /--metrics-port: expected an integer from 0 to 65535, got "x"/,
    ],
    [["--metrics-port", "70000"], /--metrics-port: .*70000/],
    [
      ["--metrics-host", "127.0.0.1"],
      /--metrics-host: only with --metrics-port/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const result = await runServer([
      "--port",
      "0",
      "--request-port",
      "off",
      ...args,
    ]);
    assertOneLineError(result, 2, pattern);
  }
});

Deno.test("cli: a metrics port in use is named as such, and nothing is printed", async () => {
  const busy = Deno.listen({ hostname: HOST, port: 0 });
  try {
    const result = await runServer([
      "--host",
      HOST,
      "--port",
      "0",
      "--request-port",
      "0",
      "--metrics-port",
      String(busy.addr.port),
    ]);
    assertOneLineError(
      result,
      1,
      new RegExp(
        `cannot listen on 127\\.0\\.0\\.1:${busy.addr.port} \\(the metrics port, --metrics-port\\): the address is already in use`,
      ),
    );
    assert.equal(result.stdout, "");
  } finally {
    busy.close();
  }
});

Deno.test("cli: --metrics-host chooses the metrics address", async () => {
  await using server = await startServer([
    "--metrics-port",
    "0",
    "--metrics-host",
    "localhost",
  ]);
  assert.match(server.banner, /, metrics on (127\.0\.0\.1|\[::1\]):\d+$/);
});
