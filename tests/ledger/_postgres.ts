/**
 * A throwaway PostgreSQL server for the tests: Debian's binaries
 * (`/usr/lib/postgresql/N/bin`), a cluster made by initdb in a `mktemp -d`
 * directory, listening on a free port of 127.0.0.1 and on a unix socket in
 * that directory, stopped and removed afterwards. Every step is a
 * subprocess with a deadline: the test task has no --allow-read or
 * --allow-write.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Finished, freePort, run } from "../_util.ts";

/** Any one step takes a second or two; this is only there for hangs. */
const STEP_DEADLINE_MS = 30_000;

/** Where Debian keeps the newest PostgreSQL's programs, or why not. */
async function findPostgres(): Promise<
  { bin: string; runAs: string[] } | { missing: string }
> {
  const found = await run("sh", [
    "-c",
    "ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1",
  ], { timeoutMs: 5_000 }).catch(() => undefined);
  const initdb = found?.stdout.trim();
  if (!initdb) {
    return {
      missing:
        "PostgreSQL is not installed (Debian: postgresql, postgresql-client)",
    };
  }
  const bin = initdb.slice(0, -"/initdb".length);
  // initdb, pg_ctl and postgres come with the server (Debian: postgresql),
  // psql with the client (postgresql-client), in the same version's bin.
  const programs = ["initdb", "pg_ctl", "postgres", "psql"];
  const present = await run("sh", [
    "-c",
    `cd "$1" && ls ${programs.join(" ")}`,
    "sh",
    bin,
  ], { timeoutMs: 5_000 }).catch(() => undefined);
  const missing = programs.filter((name) =>
    !present?.stdout.split("\n").includes(name)
  );
  if (missing.length > 0) {
    return {
      missing: `${
        missing.join(", ")
      } not in ${bin} (Debian: postgresql, postgresql-client)`,
    };
  }
  const uid = await run("id", ["-u"], { timeoutMs: 5_000 });
  if (uid.stdout.trim() !== "0") return { bin, runAs: [] };
  // initdb and postgres refuse to run as root: as root, run them as the
  // user Debian's package made for them.
  const runAs = ["runuser", "-u", "postgres", "--"];
  const check = await run(runAs[0], [...runAs.slice(1), "true"], {
    timeoutMs: 5_000,
  }).catch(() => undefined);
  if (check?.code !== 0) {
    return {
      missing:
        "running as root, and `runuser -u postgres` does not work (PostgreSQL refuses root)",
    };
  }
  return { bin, runAs };
}

const FOUND = await findPostgres();

/**
 * `""` where PostgreSQL is installed, else a note for the names of the
 * tests that need it, saying why they are ignored.
 */
export const POSTGRES_NOTE = "missing" in FOUND
  ? ` [ignored: ${FOUND.missing}]`
  : "";

/** A running throwaway server. */
export interface ThrowawayPostgres extends AsyncDisposable {
  /** Its TCP port on 127.0.0.1. */
  port: number;
  /** The role the ledger signs in as (it owns the databases). */
  user: string;
  /** Its password. */
  password: string;
  /**
   * Creates an empty database owned by `user` and returns its URL, with
   * the password.
   */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Runs `command` (program and arguments), killed after the deadline. */
function exec(command: string[]): Promise<Finished> {
  return run(command[0], command.slice(1), { timeoutMs: STEP_DEADLINE_MS });
}

/** Runs one step of the server's life, failing the test with its output. */
async function step(command: string[], what: string): Promise<Finished> {
  const result = await exec(command);
  assert.equal(
    result.code,
    0,
    `${what}: exit ${result.code} ${
      result.signal ?? ""
    }\n${result.stdout}${result.stderr}`,
  );
  return result;
}

/**
 * Makes and starts a throwaway cluster. Only where {@linkcode POSTGRES_NOTE}
 * is empty.
 */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  if ("missing" in FOUND) throw new Error(FOUND.missing);
  const { bin, runAs } = FOUND;
  const as = (program: string, ...args: string[]) => [
    ...runAs,
    `${bin}/${program}`,
    ...args,
  ];
  // Made by the user the server runs as, so that it may write there.
  const made = await step([...runAs, "mktemp", "-d"], "mktemp -d");
  const dir = made.stdout.trim();
  // rm -rf on whatever mktemp printed: make sure it is a fresh temp dir.
  assert.match(dir, /^\/.+\/tmp\.[A-Za-z0-9]+$/);
  const data = `${dir}/data`;
  let running = false;
  const stop = async () => {
    if (running) {
      running = false;
      // immediate: the data is thrown away, so nothing needs a clean stop.
      await exec(
        as("pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"),
      );
    }
    await exec(["rm", "-rf", "--", dir]);
  };
  try {
    // The superuser signs in over the socket (trust: only this user can
    // reach it, in its 0700 directory); TCP, where the ledger connects,
    // takes passwords, as a real deployment would.
    await step(
      as(
        "initdb",
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
        // initdb's own fsyncs; the server's stay on, as the ledger needs.
        "--no-sync",
      ),
      "initdb",
    );
    let port = 0;
    for (let attempt = 1;; attempt++) {
      port = freePort();
      const started = await exec(as(
        "pg_ctl",
        "-D",
        data,
        "-l",
        `${dir}/log`,
        "-w",
        "-t",
        "30",
        "-o",
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
        "start",
      ));
      if (started.code === 0) break;
      // The port, free a moment ago, may have been taken since: once more.
      const log = await run("cat", [`${dir}/log`], { timeoutMs: 5_000 });
      assert.ok(
        attempt < 3,
        `pg_ctl start: ${started.stdout}${started.stderr}${log.stdout}`,
      );
    }
    running = true;
    const user = "randport";
    const password = Array.from(
      crypto.getRandomValues(new Uint8Array(12)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const psql = (sql: string) =>
      step(
        as(
          "psql",
          "-X",
          "-q",
          "-h",
          dir,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          "postgres",
          "-v",
          "ON_ERROR_STOP=1",
          "-c",
          sql,
        ),
        `psql -c ${sql}`,
      );
    await psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
    let databases = 0;
    return {
      port,
      user,
      password,
      async createDatabase() {
        const name = `draws_${++databases}`;
        await psql(`CREATE DATABASE ${name} OWNER ${user}`);
        return `postgres://${user}:${password}@127.0.0.1:${port}/${name}`;
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
