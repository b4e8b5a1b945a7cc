/**
 * Test helpers: run the real `server.ts` and `client.ts` as subprocesses,
 * and small Python 3 peers with the classic exercise's behaviour.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
export const SERVER_TS = `${ROOT}server.ts`;
export const CLIENT_TS = `${ROOT}client.ts`;

const decoder = new TextDecoder();

/** What a finished subprocess left behind. */
export interface Finished {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** A running `server.ts`. */
export interface ServerProcess extends AsyncDisposable {
  /** Port it reported in its `listening on HOST:PORT` line. */
  port: number;
  /**
   * The request port from `, requests on HOST:PORT`; `undefined` when it is
   * off (the default here, unless `args` has `--request-port`).
   */
  requestPort: number | undefined;
  /** The metrics port from `, metrics on HOST:PORT` (`--metrics-port`). */
  metricsPort: number | undefined;
  /** That whole first line. */
  banner: string;
  child: Deno.ChildProcess;
  /**
   * Sends a signal (none for `null`: the server was signalled already) and
   * waits for the exit; stderr is what it printed.
   */
  stop(signal?: Deno.Signal | null): Promise<Finished>;
  /** Resolves once `done` holds for the server's stderr so far. */
  waitForStderr(
    done: (stderr: string) => boolean,
    timeoutMs?: number,
  ): Promise<string>;
  /** Resolves once `done` holds for its stdout after the first line so far. */
  waitForStdout(
    done: (stdout: string) => boolean,
    timeoutMs?: number,
  ): Promise<string>;
}

/**
 * Starts `server.ts` with `--port 0` on 127.0.0.1 and `--request-port off`
 * (unless `args` says otherwise) and waits for its `listening on` line.
 * `permissions` are flags for `deno run` besides `--allow-net`, such as the
 * `--allow-read=` and `--allow-write=` that signing needs.
 */
export async function startServer(
  args: string[] = [],
  options: { hostDefault?: boolean; permissions?: string[] } = {},
): Promise<ServerProcess> {
  const defaults = options.hostDefault ? [] : ["--host", "127.0.0.1"];
  const hasPort = args.includes("--port");
  const hasRequestPort = args.includes("--request-port");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      ...(options.permissions ?? []),
      SERVER_TS,
      ...defaults,
      ...(hasPort ? [] : ["--port", "0"]),
      ...(hasRequestPort ? [] : ["--request-port", "off"]),
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stderrSoFar = "";
  const stderr = (async () => {
    for await (
      const text of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      stderrSoFar += text;
    }
    return stderrSoFar;
  })();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      const status = await child.status;
      throw new Error(
        `server exited (${status.code}) before listening: ${await stderr}`,
      );
    }
    text += value;
  }
  clearTimeout(deadline);
  const banner = text.slice(0, text.indexOf("\n"));
  let stdoutSoFar = text.slice(banner.length + 1);
  const restOfStdout = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return stdoutSoFar;
      stdoutSoFar += value;
    }
  })();
  const match =
    /^listening on (.+?):(\d+)(?:, requests on (.+?):(\d+))?(?:, metrics on (.+?):(\d+))?(?:, (\d+) workers)?$/
      .exec(banner);
  if (!match) throw new Error(`unexpected first line: ${banner}`);
  let stopped: Promise<Finished> | undefined;
  const stop = (signal: Deno.Signal | null = "SIGTERM") => {
    stopped ??= (async () => {
      try {
        if (signal !== null) child.kill(signal);
      } catch {
        // Already exited.
      }
      const status = await child.status;
      return {
        code: status.code,
        signal: status.signal,
        stdout: await restOfStdout,
        stderr: await stderr,
      };
    })();
    return stopped;
  };
  const waitFor = (name: string, output: () => string) =>
  async (
    done: (text: string) => boolean,
    timeoutMs = 30_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    while (!done(output())) {
      if (Date.now() > deadline) {
        throw new Error(
          `server ${name} not as expected within ${timeoutMs} ms: ${output()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return output();
  };
  return {
    port: Number(match[2]),
    requestPort: match[4] === undefined ? undefined : Number(match[4]),
    metricsPort: match[6] === undefined ? undefined : Number(match[6]),
    banner,
    child,
    stop,
    waitForStderr: waitFor("stderr", () => stderrSoFar),
    waitForStdout: waitFor("stdout", () => stdoutSoFar),
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}

/** Runs a command to completion, killing it after `timeoutMs`. */
export async function run(
  command: string,
  args: string[],
  options: { timeoutMs?: number; stdin?: string } = {},
): Promise<Finished> {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const timer = setTimeout(
    () => child.kill("SIGKILL"),
    options.timeoutMs ?? 60_000,
  );
  const output = await child.output();
  clearTimeout(timer);
  return {
    code: output.code,
    signal: output.signal,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A directory from `mktemp -d`, removed (with `rm -rf`) on disposal. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const made = await run("mktemp", ["-d"], { timeoutMs: 5_000 });
  assert.equal(made.code, 0, made.stderr);
  const path = made.stdout.trim();
  // rm -rf on whatever mktemp printed: make sure it is a fresh temp dir.
  assert.match(path, /^\/.+\/tmp\.[A-Za-z0-9]+$/);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await run("rm", ["-rf", "--", path], { timeoutMs: 10_000 });
    },
  };
}

/** Runs `client.ts` with `args` to completion. */
export function runClient(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<Finished> {
  return run(
    Deno.execPath(),
    ["run", "--allow-net", CLIENT_TS, ...args],
    options,
  );
}

/** Runs `server.ts` with `args`, for invocations that exit by themselves. */
export function runServer(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<Finished> {
  return run(Deno.execPath(), ["run", "--allow-net", SERVER_TS, ...args], {
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** Runs a Python 3 script given as text, with `args`. */
export function runPython(
  script: string,
  args: string[] = [],
  options: { timeoutMs?: number } = {},
): Promise<Finished> {
  return run("python3", ["-c", script, ...args], options);
}

/** Checks a csv payload of the classic shape: `count` integers in min..max. */
export function assertClassicCsv(
  text: string,
  options: { count?: number; min?: number; max?: number } = {},
): number[] {
  const { count = 10, min = 1, max = 100 } = options;
  if (!/^-?\d+(,-?\d+)*$/.test(text)) {
    throw new Error(`not a csv payload: ${JSON.stringify(text)}`);
  }
  const numbers = text.split(",").map(Number);
  if (numbers.length !== count) {
    throw new Error(
      `expected ${count} numbers, got ${numbers.length}: ${text}`,
    );
  }
  for (const n of numbers) {
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`${n} is outside ${min}..${max}: ${text}`);
    }
  }
  return numbers;
}

// ---------------------------------------------------------------------------
// Helpers for the end-to-end, interop, load and command-line tests.

/** Exactly one protocol number: no '+', no leading zeros, no "-0". */
export const NUMBER = "(?:0|-?[1-9]\\d{0,15})";

/** The exact grammar of each payload format (PROTOCOL.md §2.2), for `count` numbers. */
export function payloadGrammar(
  format: "csv" | "lines" | "json",
  count: number,
): RegExp {
  if (format === "lines") {
    return new RegExp(`^(?:${NUMBER}\\n){${count}}$`);
  }
  const list = count === 0 ? "" : `${NUMBER}(?:,${NUMBER}){${count - 1}}`;
  return new RegExp(format === "json" ? `^\\[${list}\\]$` : `^${list}$`);
}

/** Parses the numbers of a payload that matched `payloadGrammar`, exactly (as bigints). */
export function payloadNumbers(
  format: "csv" | "lines" | "json",
  text: string,
): bigint[] {
  const body = format === "json" ? text.slice(1, -1) : text;
  if (body === "") return [];
  const parts = format === "lines"
    ? body.slice(0, -1).split("\n")
    : body.split(",");
  return parts.map((part) => BigInt(part));
}

/** How long a raw read in a test may wait before it fails the test. */
export const READ_DEADLINE_MS = 20_000;

/**
 * `conn.read(buf)` with a deadline: a test whose server sends nothing (or
 * never stops) fails with a clear message instead of hanging.
 */
export async function readWithin(
  conn: { read(p: Uint8Array): Promise<number | null> },
  buf: Uint8Array,
  ms = READ_DEADLINE_MS,
): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = conn.read(buf);
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`test read: nothing arrived for ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
    // Settles once the connection is closed; the test has failed by then.
    read.catch(() => {});
  }
}

/**
 * Connects to a `--stream` server (writing `header` first, such as a PROXY
 * line) and waits for its first bytes: a connection the server is now
 * serving, held open until the caller closes it.
 */
export async function holdStream(
  port: number,
  header = "",
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  if (header) await conn.write(new TextEncoder().encode(header));
  const n = await readWithin(conn, new Uint8Array(64));
  assert.ok(n !== null && n > 0, "a held stream is being served");
  return conn;
}

/**
 * Connects (like `nc`) and returns every byte the server sent, up to its
 * close; fails after `READ_DEADLINE_MS` of silence or 64 MiB (a server that
 * streams when it should not).
 */
export async function readRaw(
  port: number,
  hostname = "127.0.0.1",
): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname, port });
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    const buf = new Uint8Array(65536);
    for (let n; (n = await readWithin(conn, buf)) !== null;) {
      parts.push(buf.slice(0, n));
      total += n;
      if (total > 64 * 2 ** 20) {
        throw new Error(`test read: more than 64 MiB from port ${port}`);
      }
    }
  } finally {
    conn.close();
  }
  return concatBytes(parts);
}

/** The parts, end to end, in one new array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `readRaw` as text. */
export async function readRawText(
  port: number,
  hostname = "127.0.0.1",
): Promise<string> {
  return decoder.decode(await readRaw(port, hostname));
}

/**
 * Asserts a failed command's output: exit `code`, exactly one line on
 * stderr, no stack trace, and every pattern found in that line. Returns the
 * line.
 */
export function assertOneLineError(
  result: Finished,
  code: number,
  ...patterns: RegExp[]
): string {
  const context = `exit ${result.code}, stderr ${
    JSON.stringify(result.stderr)
  }`;
  if (result.code !== code) {
    throw new Error(`expected exit code ${code}: ${context}`);
  }
  if (!/^[^\n]+\n$/.test(result.stderr)) {
    throw new Error(`expected exactly one line on stderr: ${context}`);
  }
  if (
    /^\s+at /m.test(result.stderr) || /\berror: Uncaught\b/i.test(result.stderr)
  ) {
    throw new Error(`stack trace on stderr: ${context}`);
  }
  const line = result.stderr.slice(0, -1);
  for (const pattern of patterns) {
    if (!pattern.test(line)) {
      throw new Error(`stderr does not match ${pattern}: ${context}`);
    }
  }
  return line;
}

/** A port on 127.0.0.1 that nothing listens on (free a moment ago). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Whether this machine can listen on ::1 (IPv6 loopback). */
export function ipv6Available(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

/** Reads a child's stdout line by line. */
export class LineReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line without its '\n'; `null` at the end of the stream. */
  async next(): Promise<string | null> {
    for (;;) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        if (this.#buffer === "") return null;
        const rest = this.#buffer;
        this.#buffer = "";
        return rest;
      }
      this.#buffer += value;
    }
  }

  /** Everything left, once the stream ends. */
  async rest(): Promise<string> {
    let text = this.#buffer;
    this.#buffer = "";
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) return text;
      text += value;
    }
  }
}

/** A running Python 3 peer whose first stdout line is the port it listens on. */
export interface PythonPeer extends AsyncDisposable {
  port: number;
  /** Its stdout after the port line. */
  lines: LineReader;
  child: Deno.ChildProcess;
  /** Kills it and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts a Python 3 script (given as text) that listens on 127.0.0.1 and
 * prints its port as the first line of stdout.
 */
export async function startPython(
  script: string,
  args: string[] = [],
): Promise<PythonPeer> {
  const child = new Deno.Command("python3", {
    args: ["-u", "-c", script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = new LineReader(child.stdout);
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const first = await lines.next();
  clearTimeout(deadline);
  if (first === null || !/^\d+$/.test(first)) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
    throw new Error(`python peer did not report a port: ${first}`);
  }
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
      await lines.rest().catch(() => "");
    })();
    return stopped;
  };
  return {
    port: Number(first),
    lines,
    child,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * A Python 3 server for client tests: sends the bytes given in hex to every
 * client, then closes. Mode `close` closes normally (FIN); `reset` closes
 * with SO_LINGER {1, 0}, which sends a RST; `silent` accepts and never sends;
 * `hold` sends and then keeps the connection open without a word more.
 */
export const PYTHON_RAW_SERVER = `
import socket, struct, sys, time
payload = bytes.fromhex(sys.argv[1])
mode = sys.argv[2]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print(srv.getsockname()[1], flush=True)
held = []
while True:
    conn, _ = srv.accept()
    if mode == "silent":
        held.append(conn)
        continue
    conn.sendall(payload)
    if mode == "hold":
        held.append(conn)
        continue
    if mode == "reset":
        time.sleep(0.2)  # the partial payload arrives first, then the RST
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
`;

/** Starts `PYTHON_RAW_SERVER` sending `payload`. */
export function startRawPythonServer(
  payload: string | Uint8Array,
  mode: "close" | "reset" | "silent" | "hold" = "close",
): Promise<PythonPeer> {
  const bytes = typeof payload === "string"
    ? new TextEncoder().encode(payload)
    : payload;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return startPython(PYTHON_RAW_SERVER, [hex, mode]);
}

/** Spawns `client.ts` with stdout and stderr piped, for streaming its output. */
export function spawnClient(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", CLIENT_TS, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Whether a program is installed and runs: `command args` exits 0 within
 * 5 s. Tests that need a Debian tool ask this, and are ignored (saying so
 * in their names) where it is missing.
 */
export async function commandWorks(
  command: string,
  args: string[],
): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(5000),
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}
