/**
 * deploy/haproxy.cfg for real: HAProxy in front of two randport servers
 * that take PROXY protocol v2 from it, on free loopback ports. Clients
 * connect to HAProxy only; the servers must see (and log) each client's own
 * address and port, share the clients between them, and pass HAProxy's
 * health checks, which open with a PROXY v2 LOCAL header, without calling
 * them errors. Ignored, saying why, where haproxy is not installed.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertClassicCsv,
  commandWorks,
  concatBytes,
  freePort,
  readWithin,
  type ServerProcess,
  sleep,
  startServer,
  tempDir,
} from "../_util.ts";
import { readRepoFile, writeFile } from "./_deploy_files.ts";

const HAPROXY = await commandWorks("haproxy", ["-v"]);
const NOTE = HAPROXY
  ? ""
  : " [ignored: haproxy is not installed (Debian: haproxy)]";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The configuration's ports, each replaced by a free one: the frontends,
 * the stats page and the four servers' ports.
 */
const CONFIG_PORTS = [27679, 27680, 8404, 28679, 28680, 28689, 28690] as const;

/**
 * deploy/haproxy.cfg with its ports replaced (each must be there exactly
 * once), and without what needs root or a system install: chroot, the
 * haproxy user and group, the stats socket in /run.
 */
function testConfig(text: string, ports: Map<number, number>): string {
  let config = text;
  for (const [from, to] of ports) {
    const pattern = new RegExp(`:${from}\\b`, "g");
    const count = config.match(pattern)?.length ?? 0;
    assert.equal(count, 1, `port ${from} appears ${count} times in the config`);
    config = config.replace(pattern, `:${to}`);
  }
  const dropped = /^\s+(chroot|user|group|stats socket)\b.*$/gm;
  assert.equal(config.match(dropped)?.length, 4);
  // The frontends bind every interface in production; here loopback only.
  return config.replace(dropped, "").replace(
    /^(\s+bind) :(\d+)$/gm,
    "$1 127.0.0.1:$2",
  );
}

/** HAProxy's `/stats;csv`, one record per line, by column name. */
async function haproxyStats(port: number): Promise<Record<string, string>[]> {
  const response = await fetch(`http://127.0.0.1:${port}/stats;csv`);
  const text = await response.text();
  assert.equal(response.status, 200, text);
  const [header, ...rows] = text.trim().split("\n");
  const names = header.replace(/^# /, "").split(",");
  return rows.map((row) => {
    const values = row.split(",");
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  });
}

/** The stats of the four servers, `backend/server` to record. */
async function serverStats(
  port: number,
): Promise<Map<string, Record<string, string>>> {
  const rows = await haproxyStats(port);
  return new Map(
    rows
      .filter((row) =>
        row.pxname.startsWith("randport_") &&
        !["FRONTEND", "BACKEND"].includes(row.svname)
      )
      .map((row) => [`${row.pxname}/${row.svname}`, row]),
  );
}

/** Reads until the peer closes; returns the bytes. */
async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (let n; (n = await readWithin(conn, buf)) !== null;) {
    parts.push(buf.slice(0, n));
  }
  return concatBytes(parts);
}

/** Reads until `done` holds for what arrived. */
async function readUntil(
  conn: Deno.Conn,
  done: (text: string) => boolean,
): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  while (!done(text)) {
    const n = await readWithin(conn, buf);
    if (n === null) throw new Error(`closed after ${JSON.stringify(text)}`);
    text += decoder.decode(buf.subarray(0, n));
  }
  return text;
}

/** A RESP request. */
function resp(...args: string[]): Uint8Array {
  return encoder.encode(
    `*${args.length}\r\n` +
      args.map((arg) => `$${encoder.encode(arg).length}\r\n${arg}\r\n`).join(
        "",
      ),
  );
}

/** The JSON objects among a server's stderr lines; fails on other lines. */
function jsonLogLines(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((line) => line.trim() !== "").map(
    (line) => {
      try {
        const value = JSON.parse(line);
        assert.ok(value !== null && typeof value === "object");
        return value;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    },
  );
}

/** A client of the test, by the source port it connected from. */
interface Client {
  port: number;
  listener: "push" | "request";
}

/**
 * Whether a log record is the server's line for that client's connection
 * (README, Logs): `connection.served` for a push client (10 numbers),
 * `connection.closed` for a request client (2 requests), with the client's
 * own address and port as `peer`, as its PROXY header names them.
 */
function logsClient(record: Record<string, unknown>, client: Client): boolean {
  if (record.peer !== `127.0.0.1:${client.port}`) return false;
  if (record.listener !== client.listener) return false;
  return client.listener === "push"
    ? record.event === "connection.served" && record.numbers === 10
    : record.event === "connection.closed" && record.requests === 2;
}

/** The sum of a metric's samples whose line matches `labels`. */
function metric(text: string, name: string, labels = ""): number {
  let sum = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    found = true;
  }
  assert.ok(found, `no ${name}${labels} in the metrics`);
  return sum;
}

Deno.test(
  `HAProxy in front of two servers: real client addresses, both servers used, health checks clean${NOTE}`,
  {
    ignore: !HAPROXY,
  },
  async () => {
    const ports = new Map<number, number>();
    for (const port of CONFIG_PORTS) ports.set(port, freePort());
    const config = testConfig(await readRepoFile("deploy/haproxy.cfg"), ports);
    await using dir = await tempDir();
    const configPath = `${dir.path}/haproxy.cfg`;
    await writeFile(configPath, config);

    const serverArgs = (push: number, requests: number) => [
      "--port",
      String(ports.get(push)),
      "--request-port",
      String(ports.get(requests)),
      "--metrics-port",
      "0",
      "--proxy-protocol",
      "all",
      "--trusted-proxy",
      "127.0.0.1/32",
      "--log-level",
      "debug",
      "--log-format",
      "json",
    ];
    await using one = await startServer(serverArgs(28679, 28680));
    await using two = await startServer(serverArgs(28689, 28690));
    const servers: [string, ServerProcess][] = [["one", one], ["two", two]];

    const haproxy = new Deno.Command("haproxy", {
      args: ["-f", configPath, "-db"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const haproxyOutput = Promise.all([
      new Response(haproxy.stdout).text(),
      new Response(haproxy.stderr).text(),
    ]).then(([out, err]) => out + err);
    try {
      const statsPort = ports.get(8404)!;
      const pushPort = ports.get(27679)!;
      const requestPort = ports.get(27680)!;

      // (d) Every check has passed once: L7OK (the push check read a
      // payload's first character, the request check PING's +PONG).
      const names = [
        "randport_push/push1",
        "randport_push/push2",
        "randport_requests/requests1",
        "randport_requests/requests2",
      ];
      const deadline = Date.now() + 20_000;
      for (;;) {
        const stats = await serverStats(statsPort).catch(() => undefined);
        if (
          stats &&
          names.every((name) => stats.get(name)?.check_status === "L7OK")
        ) break;
        if (Date.now() > deadline) {
          throw new Error(
            `checks did not pass: ${
              JSON.stringify(
                stats &&
                  [...stats].map(([name, row]) => [
                    name,
                    row.status,
                    row.check_status,
                    row.last_chk,
                  ]),
              )
            }`,
          );
        }
        await sleep(200);
      }

      // (a) The classic push port, through HAProxy.
      const clients: Client[] = [];
      for (let i = 0; i < 6; i++) {
        const conn = await Deno.connect({
          hostname: "127.0.0.1",
          port: pushPort,
        });
        const { port } = conn.localAddr as Deno.NetAddr;
        clients.push({ port, listener: "push" });
        try {
          assertClassicCsv(decoder.decode(await readToEnd(conn)));
        } finally {
          conn.close();
        }
      }

      // (b) The request port, through HAProxy.
      for (let i = 0; i < 6; i++) {
        const conn = await Deno.connect({
          hostname: "127.0.0.1",
          port: requestPort,
        });
        const { port } = conn.localAddr as Deno.NetAddr;
        clients.push({ port, listener: "request" });
        try {
          await conn.write(
            concatBytes([resp("PING"), resp("RANDINT", "3", "1", "6")]),
          );
          const reply = await readUntil(
            conn,
            (text) => /\*3\r\n(?::\d+\r\n){3}$/.test(text),
          );
          const match = /^\+PONG\r\n\*3\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n$/
            .exec(
              reply,
            );
          assert.ok(match, JSON.stringify(reply));
          for (const n of match.slice(1).map(Number)) {
            assert.ok(n >= 1 && n <= 6, `RANDINT 3 1 6 gave ${n}`);
          }
        } finally {
          conn.close();
        }
      }

      // (d) A few more rounds of checks (every 2 s), all passing.
      await sleep(5_000);
      const stats = await serverStats(statsPort);
      for (const name of names) {
        const row = stats.get(name);
        assert.ok(row, `${name} in HAProxy's stats`);
        assert.equal(row.status, "UP", name);
        assert.equal(row.check_status, "L7OK", name);
        assert.equal(row.chkfail, "0", `${name}: failed checks`);
        assert.equal(row.chkdown, "0", `${name}: went down`);
      }

      // (c) Each client connection is logged, by one of the servers, with the
      // client's own address and port (its header's, not HAProxy's), and both
      // servers had some. The request clients' lines come as they close.
      const logs = new Map<string, Record<string, unknown>[]>();
      const logged = (records: Record<string, unknown>[]) => (client: Client) =>
        records.some((record) => logsClient(record, client));
      const stderrs = () =>
        Promise.all(
          servers.map(([, server]) => server.waitForStderr(() => true)),
        );
      let all = await stderrs();
      const logDeadline = Date.now() + 10_000;
      while (
        !clients.every(logged(all.flatMap(jsonLogLines))) &&
        Date.now() < logDeadline
      ) {
        await sleep(100);
        all = await stderrs();
      }
      for (const [i, [name]] of servers.entries()) {
        logs.set(name, jsonLogLines(all[i]));
      }
      const servedBy = clients.map((client) =>
        servers
          .filter(([name]) => logged(logs.get(name)!)(client))
          .map(([name]) => name)
      );
      const context = `clients ${JSON.stringify(clients)}, servers' logs:\n${
        [...logs].map(([name, records]) =>
          `${name}:\n${
            records.slice(-60).map((record) => JSON.stringify(record)).join(
              "\n",
            )
          }`
        ).join("\n")
      }`;
      for (const [i, names] of servedBy.entries()) {
        assert.equal(
          names.length,
          1,
          `client ${
            JSON.stringify(clients[i])
          } is in ${names.length} servers' logs; ${context}`,
        );
      }
      for (const [name] of servers) {
        for (const listener of ["push", "request"]) {
          assert.ok(
            servedBy.some((names, i) =>
              names[0] === name && clients[i].listener === listener
            ),
            `server ${name} logged no ${listener} client: leastconn sent it none? ${context}`,
          );
        }
      }

      // (d) The checks are no errors in the servers' logs or metrics.
      for (const [name, server] of servers) {
        const errors = logs.get(name)!.filter((record) =>
          record.level === "error"
        );
        assert.deepEqual(errors, [], `server ${name} logged errors`);
        const response = await fetch(
          `http://127.0.0.1:${server.metricsPort}/metrics`,
        );
        const text = await response.text();
        assert.equal(response.status, 200);
        assert.equal(
          metric(text, "randport_connections_dropped_total", 'listener="push"'),
          0,
          `server ${name}: dropped payloads`,
        );
        assert.equal(
          metric(text, "randport_request_protocol_errors_total"),
          0,
          `server ${name}: request protocol errors`,
        );
        assert.equal(
          metric(text, "randport_connections_rejected_total"),
          0,
          `server ${name}: rejected connections`,
        );
        // The checks' LOCAL headers are good headers.
        assert.equal(
          metric(text, "randport_proxy_header_failures_total"),
          0,
          `server ${name}: PROXY header failures`,
        );
      }
    } catch (error) {
      try {
        haproxy.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      const output = await haproxyOutput;
      throw new Error(`${error}\nHAProxy said:\n${output}`, { cause: error });
    } finally {
      try {
        haproxy.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      await haproxy.status;
      await haproxyOutput;
    }
  },
);
