/**
 * One Ctrl-C is one request to stop, through `deno task` as through
 * `deno run`. A terminal sends SIGINT to its whole foreground process group,
 * and `deno task` forwards it to the command as well, so the command can see
 * two signals for one Ctrl-C. These tests start the real `deno task serve`
 * and `deno task client` in a process group of their own and signal the
 * group, as a terminal does, many times.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DUPLICATE_SIGNAL_MS } from "../lib/cli/stop_signals.ts";
import { serve } from "../lib/server/mod.ts";
import { readWithin, sleep } from "./_util.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const RUNS = 8;

interface Group {
  child: Deno.ChildProcess;
  stdout: Promise<string>;
  stderr: Promise<string>;
  /** Resolves once stdout has shown `done(text)`; rejects after 20 s. */
  waitForStdout(done: (text: string) => boolean): Promise<void>;
  /** Sends `signal` to every process of the group, as a terminal does. */
  signalGroup(signal: Deno.Signal): void;
}

/** Runs `deno task <args>` as the leader of a new process group. */
function startTask(args: string[]): Group {
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      "import os, sys; os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])",
      Deno.execPath(),
      "task",
      "-q",
      ...args,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  let stdoutSoFar = "";
  const waiters: { done: (text: string) => boolean; resolve(): void }[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>, out: boolean) => {
    let text = "";
    for await (const part of stream.pipeThrough(new TextDecoderStream())) {
      text += part;
      if (!out) continue;
      stdoutSoFar = text;
      for (const waiter of waiters.splice(0)) {
        if (waiter.done(stdoutSoFar)) waiter.resolve();
        else waiters.push(waiter);
      }
    }
    return text;
  };
  const stdout = collect(child.stdout, true);
  const stderr = collect(child.stderr, false);
  return {
    child,
    stdout,
    stderr,
    waitForStdout(done) {
      if (done(stdoutSoFar)) return Promise.resolve();
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const timer = setTimeout(
        () => reject(new Error(`stdout so far: ${stdoutSoFar.slice(0, 200)}`)),
        20_000,
      );
      waiters.push({
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      return promise;
    },
    signalGroup(signal) {
      // The leader's pid is the group's id: a negative pid signals them all.
      Deno.kill(-child.pid, signal);
    },
  };
}

/** A reader that takes the payload's first bytes, then stops reading. */
async function stalledReader(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  assert.notEqual(await readWithin(conn, new Uint8Array(100)), null);
  return conn;
}

function serverTask(): Group {
  return startTask([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--request-port",
    "0",
    "--count",
    "50000000",
    "--shutdown-grace",
    "1",
    "--log-level",
    "info",
  ]);
}

function portOf(stdout: string): number {
  return Number(/listening on \S+:(\d+)/.exec(stdout)![1]);
}

Deno.test(`deno task serve: one Ctrl-C to the process group is one graceful stop (${RUNS} runs)`, async () => {
  for (let run = 0; run < RUNS; run++) {
    const task = serverTask();
    await task.waitForStdout((text) => text.includes("listening on"));
    const conn = await stalledReader(portOf(await peekStdout(task)));
    try {
      const start = performance.now();
      task.signalGroup("SIGINT");
      const status = await task.child.status;
      const elapsed = performance.now() - start;
      const stderr = await task.stderr;
      // Taken as two signals, the server exits 130 within milliseconds,
      // abandoning the payload in flight.
      assert.equal(status.code, 0, `run ${run}: ${stderr}`);
      assert.match(stderr, /shutting down: 1 connection in flight/);
      assert.match(stderr, /shutdown grace over: closing 1 connection$/m);
      assert.ok(elapsed >= 900, `run ${run}: stopped after ${elapsed} ms`);
      await task.stdout;
    } finally {
      conn.close();
    }
  }
});

Deno.test("deno task serve: a deliberate second Ctrl-C still exits at once (130)", async () => {
  const task = serverTask();
  await task.waitForStdout((text) => text.includes("listening on"));
  const conn = await stalledReader(portOf(await peekStdout(task)));
  try {
    task.signalGroup("SIGINT");
    await sleep(DUPLICATE_SIGNAL_MS + 150);
    const start = performance.now();
    task.signalGroup("SIGINT");
    const status = await task.child.status;
    const elapsed = performance.now() - start;
    await task.stdout;
    const stderr = await task.stderr;
    assert.equal(status.code, 130, stderr);
    // Well before the second of grace the first signal gave.
    assert.ok(elapsed < 700, `exited ${elapsed} ms after the second signal`);
  } finally {
    conn.close();
  }
});

Deno.test(`deno task client: one Ctrl-C to the process group prints what was read and says so (${RUNS} runs)`, async () => {
  // A stream that a reader could read forever; slow, so that the client is
  // mid-read when the signal comes.
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    payload: { stream: true },
    lingerTimeout: 0,
  });
  try {
    for (let run = 0; run < RUNS; run++) {
      const task = startTask([
        "client",
        "--host",
        "127.0.0.1",
        "--port",
        String(server.addr.port),
        "--format",
        "json",
      ]);
      await task.waitForStdout((text) => text.length > 1000);
      task.signalGroup("SIGINT");
      const status = await task.child.status;
      const stdout = await task.stdout;
      const stderr = await task.stderr;
      // Taken as two, the client exits before it closes the array and
      // before it says it was interrupted.
      assert.equal(status.code, 130, `run ${run}: ${stderr}`);
      assert.match(stderr, /interrupted/, `run ${run}`);
      assert.ok(stdout.endsWith("]\n"), `run ${run}: ...${stdout.slice(-20)}`);
      const numbers = JSON.parse(stdout) as number[];
      assert.ok(numbers.length > 100, `run ${run}: ${numbers.length} numbers`);
      assert.match(
        stderr,
        new RegExp(`\\b${numbers.length}\\b`),
        `run ${run}: the note counts what was printed`,
      );
    }
  } finally {
    await server.shutdown();
  }
});

/** The server's stdout so far, which holds its listening line. */
async function peekStdout(task: Group): Promise<string> {
  let text = "";
  await task.waitForStdout((so) => {
    text = so;
    return true;
  });
  return text;
}
