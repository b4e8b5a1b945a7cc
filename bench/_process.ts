/**
 * Processes for the benchmark: servers started and stopped, the real server
 * process found behind launchers, and what /proc says about memory and CPU.
 * Linux only, like the benchmark.
 *
 * @module
 */

const decoder = new TextDecoder();

/** Clock ticks per second of /proc/PID/stat times (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** A server started by {@linkcode startServer}. */
export interface ServerProcess extends AsyncDisposable {
  /** What it is, for the report. */
  name: string;
  /** The port from its `listening on HOST:PORT` line (the first one). */
  port: number;
  /** That first line, for servers that name more than one port. */
  line: string;
  /** The process that does the work (not a launcher in front of it). */
  pid: number;
  /** Stops it: SIGTERM, then SIGKILL after 3 s. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** Working directory. */
  cwd?: string;
  /**
   * A string the real process's command line contains, to find it behind a
   * launcher (`deno` may be a shim that starts the runtime as a child).
   */
  marker: string;
}

/**
 * Starts a server that prints `listening on HOST:PORT` on stdout when it is
 * ready, and finds the process that actually serves.
 */
export async function startServer(
  name: string,
  command: string[],
  options: StartServerOptions,
): Promise<ServerProcess> {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) {
        const status = await child.status;
        throw new Error(
          `${name} exited (${status.code}) before listening: ${await stderr}`,
        );
      }
      text += value;
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) {
      // Discard.
    }
  })();
  // The first address: randport prints `listening on H:P, requests on H:Q`.
  const match = /listening on \S+:(\d+)/.exec(text);
  if (!match) throw new Error(`${name}: unexpected first line: ${text}`);
  const pid = findServingPid(child.pid, options.marker);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const target of new Set([pid, child.pid])) {
        try {
          Deno.kill(target, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
      const killer = setTimeout(() => {
        for (const target of new Set([pid, child.pid])) {
          try {
            Deno.kill(target, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
      }, 3000);
      await child.status;
      clearTimeout(killer);
      await stderr;
    })();
    return stopped;
  };
  return {
    name,
    port: Number(match[1]),
    line: text.split("\n")[0],
    pid,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The children of a process, from /proc/PID/task/TID/children. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(
        `/proc/${pid}/task/${task.name}/children`,
      );
      for (const child of text.trim().split(/\s+/)) {
        if (child) children.push(Number(child));
      }
    }
  } catch {
    // Exited meanwhile.
  }
  return children;
}

function commandLine(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll(
      "\0",
      " ",
    );
  } catch {
    return "";
  }
}

/**
 * The deepest process, among `root` and its descendants, whose command line
 * contains `marker`: behind a launcher (a shell, `npx`, a `deno` shim) that
 * is the runtime that serves.
 */
export function findServingPid(root: number, marker: string): number {
  let best = root;
  let level = [root];
  while (level.length > 0) {
    const found = level.find((pid) => commandLine(pid).includes(marker));
    if (found !== undefined) best = found;
    level = level.flatMap(childrenOf);
  }
  return best;
}

/** Memory of a process, in bytes. */
export interface Memory {
  /** Resident set size now (VmRSS). */
  rss: number;
  /** The largest it has been (VmHWM). */
  peak: number;
}

/** Reads VmRSS and VmHWM from /proc/PID/status; zeros once it has exited. */
export function readMemory(pid: number): Memory {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** CPU seconds a process has used, all its threads, user and system. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 from here.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine, all CPUs (from /proc/stat). */
export function machineBusySeconds(): number {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line
    .split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * Samples a process's memory every `intervalMs` until stopped; `stop`
 * returns the largest RSS seen and the kernel's high-water mark.
 */
export function sampleMemory(
  pid: number,
  intervalMs = 100,
): { stop(): Memory } {
  let largest = readMemory(pid).rss;
  const timer = setInterval(() => {
    largest = Math.max(largest, readMemory(pid).rss);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = readMemory(pid);
      return {
        rss: Math.max(largest, last.rss),
        peak: Math.max(last.peak, largest, last.rss),
      };
    },
  };
}

/** Runs a command to completion and returns its stdout, or throws. */
export async function runCommand(
  command: string[],
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<string> {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(
    () => child.kill("SIGKILL"),
    options.timeoutMs ?? 60_000,
  );
  const output = await child.output();
  clearTimeout(timer);
  if (!output.success) {
    throw new Error(
      `${command[0]} failed (${output.code}): ${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout);
}
