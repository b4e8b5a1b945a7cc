/**
 * TLS end to end: `server.ts --tls-cert --tls-key` on both ports, read by
 * the classic client's TLS twin (Python's ssl around the same recv(1024)),
 * by `client.ts --tls --ca`, by the library, and by `redis-cli --tls`;
 * the errors a client gets for an untrusted certificate, a name mismatch
 * and a plaintext server; and a certificate reload on SIGHUP.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests, fetchNumbers } from "../../lib/client/mod.ts";
import { RandportError } from "../../lib/errors/mod.ts";
import {
  makeCertificates,
  OPENSSL,
  startTlsServer,
  type TlsFiles,
} from "../_tls.ts";
import {
  assertClassicCsv,
  assertOneLineError,
  CLIENT_TS,
  commandWorks,
  readRaw,
  readWithin,
  run,
  runPython,
  SERVER_TS,
  startServer,
  tempDir,
} from "../_util.ts";

const REDIS_CLI = await commandWorks("redis-cli", ["--version"]);
const ignore = !OPENSSL;
const needs = OPENSSL ? "" : " (ignored: needs openssl, Debian's openssl)";

function serverTls(files: TlsFiles, extra: string[] = []) {
  return startTlsServer(files, extra, { hostDefault: true });
}

function client(args: string[], ca?: string) {
  return run(Deno.execPath(), [
    "run",
    "--allow-net",
    ...(ca ? [`--allow-read=${ca}`] : []),
    CLIENT_TS,
    ...args,
  ], { timeoutMs: 30_000 });
}

/** The classic client, wrapped in Python's ssl module: one recv(1024). */
const PYTHON_TLS_CLIENT = `
import socket, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("localhost", int(sys.argv[2])), timeout=20) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as s:
        data = s.recv(1024)
        print(data.decode())
        print(s.version())
`;

Deno.test({
  name:
    `TLS on the push port: Python's ssl client reads the classic payload${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files);
  const result = await runPython(PYTHON_TLS_CLIENT, [
    files.caCert,
    String(server.port),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const [payload, version] = result.stdout.trim().split("\n");
  assertClassicCsv(payload);
  assert.match(version, /^TLSv1\.[23]$/);
});

Deno.test({
  name:
    `TLS: client.ts --ca reads the payload; untrusted, wrong name and plaintext are one-line errors${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files);
  const port = String(server.port);

  const good = await client(
    ["--host", "localhost", "--port", port, "--ca", files.caCert],
    files.caCert,
  );
  assert.equal(good.code, 0, good.stderr);
  const numbers = good.stdout.trim().split("\n").map(Number);
  assert.equal(numbers.length, 10);
  assert.ok(numbers.every((n) => Number.isInteger(n) && n >= 1 && n <= 100));

  // The system's store does not know the test CA.
  assertOneLineError(
    await client(["--host", "localhost", "--port", port, "--tls"]),
    1,
    /not signed by a CA this client trusts/,
    /--ca FILE/,
  );
  // 127.0.0.2 reaches the server (which listens on every address), but the
  // certificate names localhost, 127.0.0.1 and ::1 only.
  assertOneLineError(
    await client(
      ["--host", "127.0.0.2", "--port", port, "--ca", files.caCert],
      files.caCert,
    ),
    1,
    /not valid for the name "127\.0\.0\.2"/,
    /connect by a name the certificate carries/,
  );
  // A plaintext client gets no payload: at most a TLS alert record (0x15).
  const raw = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await raw.write(new TextEncoder().encode("hello\r\n"));
  const got = new Uint8Array(64);
  const n = await readWithin(raw, got).catch(() => null);
  raw.close();
  assert.ok(n === null || got[0] === 0x15, `got ${got.subarray(0, n ?? 0)}`);

  // And a TLS client of a plaintext server is told so.
  await using plain = await startServer([], { hostDefault: true });
  assertOneLineError(
    await client(
      [
        "--host",
        "localhost",
        "--port",
        String(plain.port),
        "--ca",
        files.caCert,
      ],
      files.caCert,
    ),
    1,
    /does not speak TLS/,
  );
});

Deno.test({
  name:
    `TLS: the library reads both ports with caCerts, and the server counts failed handshakes${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files, [
    "--request-port",
    "0",
    "--metrics-port",
    "0",
  ]);
  const tls = { caCerts: [files.caPem] };
  const numbers = await fetchNumbers({
    hostname: "localhost",
    port: server.port,
    tls,
  });
  assert.equal(numbers.length, 10);

  const requests = await connectRequests({
    hostname: "localhost",
    port: server.requestPort!,
    tls,
  });
  try {
    assert.equal(await requests.command(["PING"]), "PONG");
    const dice = await requests.command(["RANDINT", "1000", "1", "6"]);
    assert.ok(Array.isArray(dice) && dice.length === 1000);
    assert.ok(dice.every((n) => typeof n === "number" && n >= 1 && n <= 6));
  } finally {
    await requests.close();
  }

  await assert.rejects(
    fetchNumbers({ hostname: "localhost", port: server.port, tls: true }),
    (error) => error instanceof RandportError && error.code === "tls",
  );
  // Plaintext on the request port: the handshake fails, nothing is served.
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.requestPort!,
  });
  await conn.write(new TextEncoder().encode("PING\r\n"));
  const buf = new Uint8Array(64);
  const n = await conn.read(buf).catch(() => null);
  conn.close();
  assert.ok(n === null || !new TextDecoder().decode(buf).includes("PONG"));

  const metrics = await (await fetch(
    `http://127.0.0.1:${server.metricsPort}/metrics`,
  )).text();
  const failures = (listener: string) =>
    Number(
      new RegExp(
        `^randport_tls_handshake_failures_total\\{listener="${listener}"\\} (\\d+)$`,
        "m",
      ).exec(metrics)?.[1],
    );
  assert.equal(failures("push"), 1);
  assert.equal(failures("request"), 1);
});

Deno.test({
  name: `TLS: redis-cli --tls talks to the request port${needs}${
    REDIS_CLI ? "" : " (ignored: needs redis-cli, Debian's redis-tools)"
  }`,
  ignore: ignore || !REDIS_CLI,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files, ["--request-port", "0"]);
  const cli = (...args: string[]) =>
    run("redis-cli", [
      "--tls",
      "--cacert",
      files.caCert,
      "-h",
      "localhost",
      "-p",
      String(server.requestPort),
      ...args,
    ], { timeoutMs: 20_000 });
  const ping = await cli("PING");
  assert.equal(ping.stdout.trim(), "PONG", ping.stderr);
  const draw = await cli("RANDINT", "6", "1", "49", "UNIQUE");
  const drawn = draw.stdout.trim().split("\n").map(Number);
  assert.equal(drawn.length, 6, draw.stdout + draw.stderr);
  assert.equal(new Set(drawn).size, 6);
  assert.ok(drawn.every((n) => n >= 1 && n <= 49));
});

Deno.test({
  name:
    `TLS: --tls requests serves the push port in plaintext beside a TLS request port${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files, [
    "--request-port",
    "0",
    "--tls",
    "requests",
  ]);
  assertClassicCsv(new TextDecoder().decode(await readRaw(server.port)));
  const requests = await connectRequests({
    hostname: "localhost",
    port: server.requestPort!,
    tls: { caCerts: [files.caPem] },
  });
  assert.equal(await requests.command(["PING"]), "PONG");
  await requests.close();
});

Deno.test({
  name:
    `TLS: SIGHUP reloads the certificate for new connections; a bad one keeps the old${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const first = await makeCertificates(dir.path, "a");
  const second = await makeCertificates(dir.path, "b");
  // The server reads live.pem and live.key, which the test replaces.
  const cert = `${dir.path}/live.pem`;
  const key = `${dir.path}/live.key`;
  const install = async (files: TlsFiles) => {
    const done = await run("cp", [files.cert, cert], { timeoutMs: 5000 });
    assert.equal(done.code, 0, done.stderr);
    const done2 = await run("cp", [files.key, key], { timeoutMs: 5000 });
    assert.equal(done2.code, 0, done2.stderr);
  };
  await install(first);
  await using server = await startServer(
    ["--tls-cert", cert, "--tls-key", key, "--log-level", "info"],
    { permissions: [`--allow-read=${cert},${key}`], hostDefault: true },
  );
  const read = (files: TlsFiles) =>
    fetchNumbers({
      hostname: "localhost",
      port: server.port,
      tls: { caCerts: [files.caPem] },
    });
  assert.equal((await read(first)).length, 10);
  await assert.rejects(read(second), RandportError);

  await install(second);
  server.child.kill("SIGHUP");
  await server.waitForStderr((text) =>
    text.includes("TLS certificate reloaded")
  );
  assert.equal((await read(second)).length, 10);
  await assert.rejects(read(first), RandportError);

  // Reloads under load: clients that trust both CAs keep connecting while
  // the listening socket is swapped, and none is refused or reset.
  const both = { caCerts: [first.caPem, second.caPem] };
  let stop = false;
  let served = 0;
  const failures: string[] = [];
  const load = Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        const numbers = await fetchNumbers({
          hostname: "localhost",
          port: server.port,
          tls: both,
        });
        if (numbers.length === 10) served++;
        else failures.push(`${numbers.length} numbers`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  });
  for (let i = 0; i < 6; i++) {
    await install(i % 2 === 0 ? first : second);
    server.child.kill("SIGHUP");
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  stop = true;
  await Promise.all(load);
  // The certificate changes in node:tls, not in the listening socket:
  // nothing is refused or reset.
  assert.deepEqual(failures, []);
  assert.ok(served > 20, `${served} served`);
  await install(second);
  server.child.kill("SIGHUP");
  await new Promise((resolve) => setTimeout(resolve, 200));

  // A key that does not match the certificate: refused, the old one stays.
  const copy = await run("cp", [first.key, key], { timeoutMs: 5000 });
  assert.equal(copy.code, 0, copy.stderr);
  server.child.kill("SIGHUP");
  await server.waitForStderr((text) =>
    /TLS certificate not reloaded, the old one stays: /.test(text)
  );
  assert.equal((await read(second)).length, 10);
  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
});

Deno.test({
  name: `TLS: bad --tls flags are one-line usage errors${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  const serve = (args: string[], read = `${files.cert},${files.key}`) =>
    run(Deno.execPath(), [
      "run",
      "--allow-net",
      `--allow-read=${read}`,
      SERVER_TS,
      "--port",
      "0",
      "--request-port",
      "off",
      ...args,
    ], { timeoutMs: 20_000 });
  assertOneLineError(
    await serve(["--tls-cert", files.cert]),
    2,
    /--tls-cert: needs --tls-key FILE/,
  );
  assertOneLineError(
    await serve([
      "--tls-cert",
      files.cert,
      "--tls-key",
      files.key,
      "--tls",
      "both",
    ]),
    2,
    /--tls: expected one of all, push, requests/,
  );
  assertOneLineError(
    await serve([
      "--tls-cert",
      files.cert,
      "--tls-key",
      files.key,
      "--tls",
      "requests",
    ]),
    2,
    /--tls: the request port is off/,
  );
  assertOneLineError(
    await serve(["--tls-cert", files.cert, "--tls-key", files.cert]),
    2,
    /--tls-key: not an unencrypted PEM private key/,
  );
  assertOneLineError(
    await serve(["--tls-cert", files.key, "--tls-key", files.key]),
    2,
    /--tls-cert: not a PEM certificate/,
  );
  const other = await makeCertificates(dir.path, "other");
  assertOneLineError(
    await serve(
      ["--tls-cert", files.cert, "--tls-key", other.key],
      `${files.cert},${other.key}`,
    ),
    2,
    /--tls-cert, --tls-key: the private key does not match the certificate/,
  );
  assertOneLineError(
    await serve(["--tls-cert", files.cert, "--tls-key", files.key], files.cert),
    2,
    new RegExp(
      `--tls-key: cannot read .*key\\.pem: no permission to read it \\(run with --allow-read=`,
    ),
  );
  assertOneLineError(
    await serve(["--tls", "all"]),
    2,
    /--tls: only with --tls-cert and --tls-key/,
  );
});

Deno.test({
  name:
    `TLS after a PROXY header: the header first, then the handshake, and the log names the real client${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files, [
    "--proxy-protocol",
    "all",
    "--trusted-proxy",
    "127.0.0.1,::1",
    "--log-level",
    "debug",
    "--log-format",
    "json",
  ]);
  const result = await runPython(
    `
import socket, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=20) as raw:
    raw.sendall(b"PROXY TCP4 192.0.2.5 127.0.0.1 5555 %s\\r\\n" % sys.argv[2].encode())
    with context.wrap_socket(raw, server_hostname="localhost") as s:
        print(s.recv(1024).decode())
`,
    [files.caCert, String(server.port)],
  );
  assert.equal(result.code, 0, result.stderr);
  assertClassicCsv(result.stdout.trim());
  const stderr = await server.waitForStderr((text) =>
    text.includes('"event":"connection.served"')
  );
  const served = stderr.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .find((entry) => entry.event === "connection.served");
  assert.equal(served.peer, "192.0.2.5:5555");
});

Deno.test({
  name:
    `TLS: client export and verify --from-server reach a TLS request port with --ca${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  const key = `${dir.path}/signing.pem`;
  const log = `${dir.path}/draws.sqlite`;
  const made = await run(Deno.execPath(), ["run", SERVER_TS, "--keygen"], {
    timeoutMs: 20_000,
  });
  assert.equal(made.code, 0, made.stderr);
  const write = await run("sh", ["-c", `cat > '${key}'`], {
    stdin: made.stdout,
    timeoutMs: 5000,
  });
  assert.equal(write.code, 0, write.stderr);
  await using server = await startServer([
    "--tls-cert",
    files.cert,
    "--tls-key",
    files.key,
    "--request-port",
    "0",
    "--signing-key",
    key,
    "--draw-log",
    log,
  ], {
    permissions: [
      `--allow-read=${files.cert},${files.key},${key},${dir.path}`,
      `--allow-write=${dir.path}`,
    ],
    hostDefault: true,
  });
  const tls = { caCerts: [files.caPem] };
  const requests = await connectRequests({
    hostname: "localhost",
    port: server.requestPort!,
    tls,
  });
  await requests.command(["RANDINT", "3", "1", "6", "SIGNED"]);
  await requests.close();
  const port = String(server.requestPort);
  const exported = await client(
    ["export", "--host", "localhost", "--port", port, "--ca", files.caCert],
    files.caCert,
  );
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.stdout.trim().split("\n").length, 1);
  const verified = await run(Deno.execPath(), [
    "run",
    "--allow-net",
    `--allow-read=${files.caCert}`,
    CLIENT_TS,
    "verify",
    "--from-server",
    "--host",
    "localhost",
    "--port",
    port,
    "--ca",
    files.caCert,
  ], { stdin: exported.stdout, timeoutMs: 30_000 });
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stdout + verified.stderr, /1 record/);
});

Deno.test({
  name:
    `TLS: the server's closes send close_notify (--linger-timeout 0, QUIT), so clients see an end, not a truncation${needs}`,
  ignore,
}, async () => {
  await using dir = await tempDir();
  const files = await makeCertificates(dir.path);
  await using server = await serverTls(files, [
    "--linger-timeout",
    "0",
    "--request-port",
    "0",
  ]);
  const readAll = async (conn: Deno.TlsConn, send?: string) => {
    if (send) await conn.write(new TextEncoder().encode(send));
    const buf = new Uint8Array(4096);
    let text = "";
    // rustls throws UnexpectedEof on a close without close_notify.
    for (let n; (n = await readWithin(conn, buf)) !== null;) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    return text;
  };
  const connect = (port: number) =>
    Deno.connectTls({ hostname: "localhost", port, caCerts: [files.caPem] });
  for (let i = 0; i < 5; i++) {
    assertClassicCsv(await readAll(await connect(server.port)));
  }
  assert.equal(
    await readAll(await connect(server.requestPort!), "PING\r\nQUIT\r\n"),
    "+PONG\r\n+OK\r\n",
  );
});
