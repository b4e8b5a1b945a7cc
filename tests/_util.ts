/**
 * Test helpers: run the real `server.ts` and `client.ts` as subprocesses,
 * and small Python 3 peers with the classic exercise's behaviour.
 *
 * @module
 */

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
  /** That whole first line. */
  banner: string;
  child: Deno.ChildProcess;
  /** Sends a signal and waits for the exit; stderr is what it printed. */
  stop(signal?: Deno.Signal): Promise<Finished>;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/**
 * Starts `server.ts` with `--port 0` on 127.0.0.1 (unless `args` says
 * otherwise) and waits for its `listening on` line.
 */
export async function startServer(
  args: string[] = [],
  options: { hostDefault?: boolean } = {},
): Promise<ServerProcess> {
  const defaults = options.hostDefault ? [] : ["--host", "127.0.0.1"];
  const hasPort = args.includes("--port");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      SERVER_TS,
      ...defaults,
      ...(hasPort ? [] : ["--port", "0"]),
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = readAll(child.stderr);
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
  const restOfStdout = (async () => {
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return rest;
      rest += value;
    }
  })();
  const banner = text.slice(0, text.indexOf("\n"));
  const match = /^listening on (.+):(\d+)$/.exec(banner);
  if (!match) throw new Error(`unexpected first line: ${banner}`);
  let stopped: Promise<Finished> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") => {
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // Already exited.
      }
      const status = await child.status;
      return {
        code: status.code,
        signal: status.signal,
        stdout: text.slice(banner.length + 1) + await restOfStdout,
        stderr: await stderr,
      };
    })();
    return stopped;
  };
  return {
    port: Number(match[2]),
    banner,
    child,
    stop,
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
