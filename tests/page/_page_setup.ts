/**
 * Test helpers for the verification page: a real signing `server.ts` with
 * its metrics port, signed draws made on its request port, a tampered
 * record, and the page driven in Chromium (see `_chromium.ts`). Files go
 * through subprocesses (sh, base64): the tests run without --allow-read
 * and --allow-write.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests } from "../../lib/client/mod.ts";
import type { DrawRecord } from "../../lib/signed/mod.ts";
import { readSigningLine, type SigningServer } from "../_signing.ts";
import { run, SERVER_TS, startServer } from "../_util.ts";
import type { Browser, Page } from "./_chromium.ts";

/** A signing server with its metrics port (where the page is). */
export interface PageServer extends SigningServer {
  /** `http://127.0.0.1:PORT`, the metrics port. */
  base: string;
}

/** Runs a shell script; `$0`, `$1`, … are `args`, so paths need no quoting. */
async function sh(script: string, args: string[], stdin?: string) {
  const result = await run("sh", ["-c", script, ...args], {
    timeoutMs: 20_000,
    stdin,
  });
  assert.equal(result.code, 0, `sh -c ${script}: ${result.stderr}`);
  return result;
}

/**
 * Starts `server.ts` signing with a new key in `dir`, its draw log there,
 * and `--metrics-port 0`; its permissions name those two files only.
 */
export async function startPageServer(dir: string): Promise<PageServer> {
  const key = `${dir}/key.pem`;
  const log = `${dir}/draws.db`;
  await sh('exec "$0" run "$1" --keygen > "$2"', [
    Deno.execPath(),
    SERVER_TS,
    key,
  ]);
  const server = await startServer([
    "--request-port",
    "0",
    "--metrics-port",
    "0",
    "--signing-key",
    key,
    "--draw-log",
    log,
  ], { permissions: [`--allow-read=${key},${log}`, `--allow-write=${log}`] });
  const signing = await readSigningLine(server);
  assert.ok(server.metricsPort !== undefined, server.banner);
  return { ...signing, base: `http://127.0.0.1:${server.metricsPort}` };
}

/**
 * Two signed draws, as the request port replies them (JSON on one line):
 * serial 1 unseeded with DATA, serial 2 seeded.
 */
export async function signedDraws(port: number): Promise<string[]> {
  await using client = await connectRequests({
    hostname: "127.0.0.1",
    port,
    timeout: 10_000,
  });
  const replies = [
    await client.command([
      "RANDINT",
      "6",
      "1",
      "49",
      "SIGNED",
      "DATA",
      "raffle 12",
    ]),
    await client.command([
      "RANDINT",
      "6",
      "1",
      "49",
      "SEED",
      "page test",
      "SIGNED",
    ]),
  ];
  for (const reply of replies) assert.equal(typeof reply, "string");
  return replies as string[];
}

/**
 * The record with one digit of its result changed (the first number's
 * last digit), and the result before and after.
 */
export function tamper(
  line: string,
): { line: string; from: string; to: string } {
  const record = JSON.parse(line) as DrawRecord;
  const match = /^(\*\d+\r\n:\d*)(\d)\r\n/.exec(record.result);
  assert.ok(match, `not a RANDINT result: ${JSON.stringify(record.result)}`);
  const digit = String((Number(match[2]) + 1) % 10);
  const result = `${match[1]}${digit}${
    record.result.slice(match[0].length - 2)
  }`;
  return {
    line: JSON.stringify({ ...record, result }),
    from: record.result,
    to: result,
  };
}

/** What the page shows after a verification. */
export interface Shown {
  /** `ok` or `fail`: the summary's verdict. */
  verdict: string;
  /** The summary line. */
  summary: string;
  /** Each record's card, as its text reads (innerText). */
  cards: { verdict: string; text: string }[];
}

async function shown(page: Page): Promise<Shown> {
  await page.waitFor(
    `["ok", "fail"].includes(document.getElementById("summary").dataset.verdict)`,
  );
  return await page.evaluate<Shown>(`({
    verdict: document.getElementById("summary").dataset.verdict,
    summary: document.getElementById("summary").innerText,
    cards: [...document.querySelectorAll("#results article")].map((card) => ({
      verdict: card.dataset.verdict,
      text: card.innerText,
    })),
  })`);
}

/** Marks the summary, so that a wait sees the next verdict, not the last. */
async function pending(page: Page): Promise<void> {
  await page.evaluate(
    `document.getElementById("summary").dataset.verdict = "pending"`,
  );
}

/** Opens the page of `base` in a new tab, once its script is ready. */
export async function openVerifyPage(
  browser: Browser,
  base: string,
): Promise<Page> {
  const page = await browser.newPage({ width: 1000, height: 900 });
  await page.navigate(`${base}/verify`);
  try {
    await page.waitFor(
      `document.documentElement.dataset.ready === "true"`,
      10_000,
    );
  } catch (error) {
    // Most likely its script did not load: say what the browser said.
    throw new Error(
      `the page's script never got ready (${
        (error as Error).message
      }); the browser said: ${page.errors.join("; ") || "nothing"}`,
    );
  }
  return page;
}

/** Types a serial, clicks Fetch, and reads the verdict. */
export async function fetchSerial(page: Page, serial: string): Promise<Shown> {
  await page.fill("serial", serial);
  await pending(page);
  await page.click("fetch");
  return await shown(page);
}

/** Pastes `text` into the records box, clicks Verify, reads the verdict. */
export async function verifyPasted(page: Page, text: string): Promise<Shown> {
  await page.fill("records", text);
  await pending(page);
  await page.click("verify");
  return await shown(page);
}

/** A PNG's width and height, from its IHDR chunk; fails if not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...png.subarray(0, 8)], signature, "not a PNG");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Writes a PNG to `path` (through `base64 -d`: this process may not write). */
export async function savePng(path: string, png: Uint8Array): Promise<void> {
  await sh('base64 -d > "$0"', [path], png.toBase64());
  const written = await sh('wc -c < "$0"', [path]);
  assert.equal(Number(written.stdout.trim()), png.length);
}
