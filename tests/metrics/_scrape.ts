/**
 * Helpers for the metrics tests: scrape an endpoint, read its samples, and
 * run `promtool check metrics` where Debian's prometheus package put it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { run } from "../_util.ts";

/** What `/metrics` answered, and its samples by `name{labels}`. */
export interface Scrape {
  text: string;
  contentType: string | null;
  values: Map<string, number>;
}

/** `name{labels} value` lines, keyed by everything before the value. */
export function parseSamples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const key = line.slice(0, space);
    assert.ok(!values.has(key), `sample ${key} appears twice`);
    const value = line.slice(space + 1);
    values.set(
      key,
      value === "+Inf"
        ? Infinity
        : value === "-Inf"
        ? -Infinity
        : Number(value),
    );
  }
  return values;
}

/** GETs `path` from the endpoint on 127.0.0.1:`port`. */
export async function get(
  port: number,
  path: string,
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: response.status,
    body: await response.text(),
    headers: response.headers,
  };
}

/** Scrapes `/metrics`. */
export async function scrape(port: number): Promise<Scrape> {
  const { status, body, headers } = await get(port, "/metrics");
  assert.equal(status, 200, body);
  return {
    text: body,
    contentType: headers.get("content-type"),
    values: parseSamples(body),
  };
}

/** Scrapes until `done` holds for the values (counters lag a close). */
export async function scrapeUntil(
  port: number,
  done: (values: Map<string, number>) => boolean,
  timeoutMs = 10_000,
): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await scrape(port);
    if (done(result.values)) return result;
    if (Date.now() > deadline) {
      throw new Error(
        `metrics not as expected within ${timeoutMs} ms:\n${result.text}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function hasPromtool(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("promtool", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/** Whether `promtool` runs here. */
export const PROMTOOL = await hasPromtool();

/** Appended to the names of tests that need promtool, where it is missing. */
export const PROMTOOL_NOTE = PROMTOOL
  ? ""
  : " [ignored: promtool is not installed (Debian: apt-get install prometheus)]";

/**
 * Asserts that `promtool check metrics` accepts the text: it parses it as
 * the text format and lints names, units, HELP and counter suffixes, and
 * exits non-zero on any problem.
 */
export async function assertPromtoolAccepts(text: string): Promise<void> {
  const result = await run("promtool", ["check", "metrics"], {
    stdin: text,
    timeoutMs: 20_000,
  });
  assert.equal(
    result.code,
    0,
    `promtool check metrics failed:\n${result.stdout}${result.stderr}\n---\n${text}`,
  );
  assert.equal(result.stdout + result.stderr, "", "promtool lint findings");
}
