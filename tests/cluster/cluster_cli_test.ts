/**
 * `server.ts --workers N`: N accept loops in workers on the same ports, as
 * one server: the kernel spreads connections over them, the connection
 * limit, the `--seed` ordinals and request ids hold across them, one
 * metrics endpoint sums them, and one signal stops them all.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests, fetchNumbers } from "../../lib/client/mod.ts";
import { makeCertificates, OPENSSL } from "../_tls.ts";
import {
  assertPromtoolAccepts,
  PROMTOOL,
  PROMTOOL_NOTE,
} from "../metrics/_scrape.ts";
import {
  assertClassicCsv,
  assertOneLineError,
  holdStream,
  readRawText,
  run,
  SERVER_TS,
  startServer,
  tempDir,
} from "../_util.ts";

const LIB = new URL("../../lib/", import.meta.url).pathname;
const WORKER_PERMISSIONS = [`--allow-read=${LIB}`, "--unstable-net"];

function cluster(args: string[]) {
  return startServer(["--workers", "2", ...args], {
    permissions: WORKER_PERMISSIONS,
  });
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}

Deno.test(`workers: two workers share both ports, and one /metrics counts them together${PROMTOOL_NOTE}`, async () => {
  await using server = await cluster([
    "--request-port",
    "0",
    "--metrics-port",
    "0",
    "--log-level",
    "debug",
    "--log-format",
    "json",
  ]);
  assert.match(server.banner, /, 2 workers$/);
  const total = 200;
  for (let i = 0; i < total; i += 20) {
    const texts = await Promise.all(
      Array.from({ length: 20 }, () => readRawText(server.port)),
    );
    for (const text of texts) assertClassicCsv(text);
  }
  const ids = new Set<number>();
  for (let i = 0; i < 10; i++) {
    const client = await connectRequests({
      hostname: "127.0.0.1",
      port: server.requestPort!,
    });
    assert.equal(await client.command(["PING"]), "PONG");
    ids.add(await client.command(["CLIENT", "ID"]) as number);
    await client.close();
  }
  // Ids are unique across the workers.
  assert.equal(ids.size, 10);
  const metrics = await (await fetch(
    `http://127.0.0.1:${server.metricsPort}/metrics`,
  )).text();
  assert.match(
    metrics,
    new RegExp(
      `^randport_connections_accepted_total\\{listener="push"\\} ${total}$`,
      "m",
    ),
  );
  assert.match(
    metrics,
    /^randport_connections_accepted_total\{listener="request"\} 10$/m,
  );
  assert.match(metrics, /^randport_requests_total\{command="ping"\} 10$/m);
  assert.match(
    metrics,
    new RegExp(
      `^randport_numbers_sent_total\\{listener="push"\\} ${total * 10}$`,
      "m",
    ),
  );
  // One HELP and TYPE per family, as one server writes them.
  assert.equal(
    metrics.match(/^# TYPE randport_connections_accepted_total /gm)?.length,
    1,
  );
  if (PROMTOOL) await assertPromtoolAccepts(metrics);
  const stderr = await server.waitForStderr((text) =>
    jsonLines(text).filter((e) => e.event === "connection.served").length >=
      total
  );
  const byWorker = new Map<unknown, number>();
  for (const entry of jsonLines(stderr)) {
    if (entry.event !== "connection.served") continue;
    byWorker.set(entry.worker, (byWorker.get(entry.worker) ?? 0) + 1);
  }
  // The kernel spreads connections over both (all on one: odds 2^-199).
  assert.deepEqual([...byWorker.keys()].sort(), [0, 1]);
  const stopped = await server.stop("SIGTERM");
  assert.equal(stopped.code, 0, stopped.stderr);
  const summary = jsonLines(stopped.stderr).find((entry) =>
    entry.event === "cluster.stopped"
  );
  assert.equal(summary?.accepted, total);
  assert.equal(summary?.completed, total);
  assert.equal(summary?.workers, 2);
});

Deno.test("workers: --seed payloads are a single server's, ordinal by ordinal", async () => {
  const args = ["--seed", "42", "--count", "5", "--max", "1000000"];
  const read = async (port: number) => {
    const payloads = [];
    // One at a time: the ordinals follow the order of the connections.
    for (let i = 0; i < 12; i++) payloads.push(await readRawText(port));
    return payloads;
  };
  await using single = await startServer(args);
  await using workers = await cluster(args);
  const expected = await read(single.port);
  assert.equal(new Set(expected).size, 12);
  assert.deepEqual(await read(workers.port), expected);
});

Deno.test("workers: --max-connections holds for the whole server, not per worker", async () => {
  await using server = await cluster([
    "--stream",
    "--max-connections",
    "3",
    "--metrics-port",
    "0",
  ]);
  // Each stream is being served: its first bytes arrive.
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await holdStream(server.port));
  // Whichever worker takes them, the next clients are turned away.
  for (let i = 0; i < 4; i++) {
    assert.match(await readRawText(server.port), /^ERR busy /);
  }
  for (const conn of streams) conn.close();
  const metrics = await (await fetch(
    `http://127.0.0.1:${server.metricsPort}/metrics`,
  )).text();
  assert.match(
    metrics,
    /^randport_connections_rejected_total\{listener="push"\} 4$/m,
  );
});

Deno.test("workers: --max-connections-per-client holds across the workers", async () => {
  await using server = await cluster([
    "--stream",
    "--max-connections-per-client",
    "2",
  ]);
  const streams = [];
  for (let i = 0; i < 2; i++) streams.push(await holdStream(server.port));
  for (let i = 0; i < 4; i++) {
    assert.equal(
      await readRawText(server.port),
      "ERR busy too many connections from your address\n",
    );
  }
  for (const conn of streams) conn.close();
});

Deno.test({
  name: `workers: TLS in every worker, both of them serving${
    OPENSSL ? "" : " (ignored: needs openssl, Debian's openssl)"
  }`,
  ignore: !OPENSSL,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await startServer([
    "--workers",
    "2",
    "--tls-cert",
    files.cert,
    "--tls-key",
    files.key,
    "--log-level",
    "debug",
    "--log-format",
    "json",
  ], {
    permissions: [
      `--allow-read=${LIB},${files.cert},${files.key}`,
      "--unstable-net",
    ],
    hostDefault: true,
  });
  const total = 40;
  for (let i = 0; i < total; i++) {
    const numbers = await fetchNumbers({
      hostname: "localhost",
      port: server.port,
      tls: { caCerts: [files.caPem] },
    });
    assert.equal(numbers.length, 10);
  }
  // Both workers ran handshakes (all 40 on one: odds 2^-39).
  const stderr = await server.waitForStderr((text) =>
    jsonLines(text).filter((e) => e.event === "connection.served").length >=
      total
  );
  const workers = new Set(
    jsonLines(stderr).filter((e) => e.event === "connection.served").map((
      e,
    ) => e.worker),
  );
  assert.deepEqual([...workers].sort(), [0, 1]);
});

Deno.test("workers: what --workers needs is said in one line", async () => {
  const serve = (permissions: string[], args: string[]) =>
    run(Deno.execPath(), [
      "run",
      "--allow-net",
      ...permissions,
      SERVER_TS,
      "--port",
      "0",
      "--request-port",
      "off",
      ...args,
    ], { timeoutMs: 20_000 });
  // deno.json turns unstable net on; without the config it is off.
  assertOneLineError(
    await serve(["--no-config", `--allow-read=${LIB}`], ["--workers", "2"]),
    2,
    /--workers: .*run with --unstable-net/,
  );
  assertOneLineError(
    await serve(["--unstable-net"], ["--workers", "2"]),
    2,
    /--workers: each worker loads its code from .*lib\/: run with --allow-read=/,
  );
  assertOneLineError(
    await serve(WORKER_PERMISSIONS, ["--workers", "0"]),
    2,
    /--workers: expected an integer from 1 to 256/,
  );
  assertOneLineError(
    await serve(WORKER_PERMISSIONS, ["--workers", "two"]),
    2,
    /--workers: expected an integer/,
  );
});
