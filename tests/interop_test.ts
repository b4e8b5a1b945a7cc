/**
 * Interoperability with the classic exercise: its Python client against our
 * real server, its Python server against our real client, and a raw
 * `nc`-like read of the exact bytes.
 */

import assert from "node:assert/strict";
import {
  assertClassicCsv,
  ipv6Available,
  readRawText,
  runClient,
  runPython,
  startPython,
  startServer,
} from "./_util.ts";

const CLASSIC_BYTES = /^\d{1,3}(,\d{1,3}){9}$/;

/** The classic client: connect, ONE recv(1024), split(','), int() each. */
const PYTHON_CLASSIC_CLIENT = `
import json, socket, sys
host, port, connections = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for _ in range(connections):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    data = s.recv(1024)
    s.close()
    numbers = [int(x) for x in data.decode().split(',')]
    print(json.dumps({"raw": data.decode(), "numbers": numbers}))
`;

/**
 * The classic server: accept, sendall(','.join(...)), close. Prints each
 * payload's numbers as JSON after it closed the connection.
 */
const PYTHON_CLASSIC_SERVER = `
import json, random, socket, sys
count = int(sys.argv[1])
trailer = {"none": "", "lf": "\\n", "crlf": "\\r\\n"}[sys.argv[2]]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print(srv.getsockname()[1], flush=True)
while True:
    conn, _ = srv.accept()
    numbers = [random.randint(1, 100) for _ in range(count)]
    conn.sendall((",".join(str(n) for n in numbers) + trailer).encode())
    conn.close()
    print(json.dumps(numbers), flush=True)
`;

function expectedOutput(format: string, numbers: number[]): string {
  switch (format) {
    case "csv":
      return numbers.join(",") + "\n";
    case "json":
      return JSON.stringify(numbers) + "\n";
    default:
      return numbers.map((n) => `${n}\n`).join("");
  }
}

function checkClassicClientOutput(stdout: string, connections: number) {
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, connections, stdout.slice(0, 500));
  for (const line of lines) {
    const { raw, numbers } = JSON.parse(line) as {
      raw: string;
      numbers: number[];
    };
    assert.match(raw, CLASSIC_BYTES);
    assert.equal(numbers.length, 10, raw);
    for (const n of numbers) {
      assert.ok(Number.isInteger(n) && n >= 1 && n <= 100, raw);
    }
    assert.deepEqual(assertClassicCsv(raw), numbers);
  }
}

Deno.test("the classic Python client reads 10 numbers in 1..100 from our server, 200 times in a row", async () => {
  await using server = await startServer();
  const result = await runPython(PYTHON_CLASSIC_CLIENT, [
    "127.0.0.1",
    String(server.port),
    "200",
  ]);
  assert.equal(result.code, 0, result.stderr);
  checkClassicClientOutput(result.stdout, 200);
  const stopped = await server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stderr, "");
});

Deno.test("the classic Python client reads a default-host server over IPv4 and IPv6 loopback", async (t) => {
  await using server = await startServer([], { hostDefault: true });
  const v4 = await runPython(PYTHON_CLASSIC_CLIENT, [
    "127.0.0.1",
    String(server.port),
    "5",
  ]);
  assert.equal(v4.code, 0, v4.stderr);
  checkClassicClientOutput(v4.stdout, 5);
  await t.step({
    name: "over ::1",
    ignore: !ipv6Available(),
    fn: async () => {
      const v6 = await runPython(PYTHON_CLASSIC_CLIENT, [
        "::1",
        String(server.port),
        "5",
      ]);
      assert.equal(v6.code, 0, v6.stderr);
      checkClassicClientOutput(v6.stdout, 5);
    },
  });
});

Deno.test("the payloads the classic client sees differ from connection to connection", async () => {
  await using server = await startServer();
  const result = await runPython(PYTHON_CLASSIC_CLIENT, [
    "127.0.0.1",
    String(server.port),
    "20",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const raws = new Set(
    result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).raw),
  );
  // 20 draws of 100^10 payloads: a repeat means the numbers are not random.
  assert.equal(raws.size, 20);
});

Deno.test("a classic client that sends bytes before reading still gets its whole payload", async () => {
  await using server = await startServer(["--count", "1000"]);
  const script = `
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n" + b"x" * 100000)
chunks = []
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    chunks.append(chunk)
s.close()
print(b"".join(chunks).decode())
`;
  const result = await runPython(script, [String(server.port)]);
  assert.equal(result.code, 0, result.stderr);
  assertClassicCsv(result.stdout.trimEnd(), { count: 1000 });
});

// Reads the whole payload, waits, then sends `size` bytes and, 0.1 s later,
// a few more. Prints "accepted" if all of it went through (the server reads
// while it lingers: 16 MiB overflows the socket buffers of a server that
// does not read), "reset" if the server had closed, "stalled" if the sends
// blocked for 5 s.
const PYTHON_SEND_AFTER_PAYLOAD = `
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
time.sleep(float(sys.argv[2]))
s.settimeout(5)
try:
    s.sendall(b"x" * int(sys.argv[3]))
    time.sleep(0.1)
    s.sendall(b"x" * 1000)
    time.sleep(0.1)
    s.sendall(b"x" * 1000)
    print("accepted", data.count(b",") + 1)
except socket.timeout:
    print("stalled", data.count(b",") + 1)
except OSError:
    print("reset", data.count(b",") + 1)
`;

for (
  const [flags, wait, size, expected] of [
    [[], 0, 16 << 20, "accepted"],
    [["--linger-timeout", "1"], 0, 1000, "accepted"],
    [["--linger-timeout", "0.2"], 1.5, 1000, "reset"],
    [["--linger-timeout", "0"], 0, 1000, "reset"],
  ] as const
) {
  Deno.test(`linger ${JSON.stringify(flags)}: ${size} bytes sent ${wait} s after the payload are ${expected === "reset" ? "answered with a reset" : "accepted while the server lingers"}`, async () => {
    await using server = await startServer([...flags]);
    const result = await runPython(PYTHON_SEND_AFTER_PAYLOAD, [
      String(server.port),
      String(wait),
      String(size),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${expected} 10\n`);
  });
}

for (const format of ["lines", "csv", "json"]) {
  Deno.test(`our client reads the classic Python server (--format ${format})`, async () => {
    await using python = await startPython(PYTHON_CLASSIC_SERVER, [
      "10",
      "none",
    ]);
    for (let i = 0; i < 3; i++) {
      const result = await runClient([
        "--host",
        "127.0.0.1",
        "--port",
        String(python.port),
        "--format",
        format,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      const sent = JSON.parse((await python.lines.next())!) as number[];
      assert.equal(sent.length, 10);
      assert.equal(result.stdout, expectedOutput(format, sent));
    }
  });
}

Deno.test("our client reads a classic Python server sending 100000 numbers (far more than 1 KiB)", async () => {
  await using python = await startPython(PYTHON_CLASSIC_SERVER, [
    "100000",
    "none",
  ]);
  for (const format of ["lines", "csv", "json"]) {
    const result = await runClient([
      "--host",
      "127.0.0.1",
      "--port",
      String(python.port),
      "--format",
      format,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const sent = JSON.parse((await python.lines.next())!) as number[];
    assert.equal(sent.length, 100000);
    assert.ok(result.stdout.length > 1024);
    assert.equal(result.stdout, expectedOutput(format, sent), format);
  }
});

for (const trailer of ["lf", "crlf"]) {
  Deno.test(`our client reads a classic Python server that ends its payload with ${trailer}`, async () => {
    await using python = await startPython(PYTHON_CLASSIC_SERVER, [
      "10",
      trailer,
    ]);
    for (const format of ["lines", "csv", "json"]) {
      const result = await runClient([
        "--host",
        "127.0.0.1",
        "--port",
        String(python.port),
        "--format",
        format,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const sent = JSON.parse((await python.lines.next())!) as number[];
      assert.equal(result.stdout, expectedOutput(format, sent), format);
    }
  });
}

Deno.test("our client reads a Python server that trickles its payload one byte per segment", async () => {
  const script = `
import socket, time
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for byte in b"58,25,73,22,19,48,61,33,47,100":
    conn.sendall(bytes([byte]))
    time.sleep(0.005)
conn.close()
`;
  await using python = await startPython(script);
  const result = await runClient([
    "--host",
    "127.0.0.1",
    "--port",
    String(python.port),
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "[58,25,73,22,19,48,61,33,47,100]\n");
});

Deno.test("raw read like nc: exactly 10 numbers, comma-separated, no spaces, no newline", async () => {
  await using server = await startServer();
  const seen = new Set<number>();
  for (let i = 0; i < 100; i++) {
    const text = await readRawText(server.port);
    assert.match(text, CLASSIC_BYTES);
    assert.ok(!text.endsWith("\n"));
    for (const n of assertClassicCsv(text)) {
      assert.doesNotMatch(String(n), /^0/);
      seen.add(n);
    }
  }
  // 1000 draws from 1..100 miss both ends with probability ~ 2 * e^-10.
  assert.ok(seen.has(1) || seen.has(2), "the low end of 1..100 never came");
  assert.ok(seen.has(100) || seen.has(99), "the high end never came");
  assert.ok(seen.size >= 90, `only ${seen.size} distinct values in 1000`);
});

Deno.test("raw read like `nc < /dev/null`: a client that half-closes at once still gets the payload", async () => {
  await using server = await startServer(["--count", "5000"]);
  for (let i = 0; i < 5; i++) {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    await conn.closeWrite();
    const text = await new Response(conn.readable).text();
    assertClassicCsv(text, { count: 5000 });
  }
});
