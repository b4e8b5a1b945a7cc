/**
 * The routes of the verification page: the page, its script and style,
 * and, for a signing server, its public key and its stored records.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import type { DrawRecord } from "../verify/mod.ts";
import { PAGE_SCRIPT } from "./_page_bundle.ts";
import { PAGE_CSS, PAGE_HTML } from "./_page_html.ts";

/** What the page serves of a signing server: its key and its records. */
export interface VerifyPageSigner {
  /** The key's id, 32 lowercase hex digits (`SigningKey.keyId`). */
  keyId: string;
  /** The raw 32-byte Ed25519 public key (`SigningKey.publicKey`). */
  publicKey: Uint8Array;
  /**
   * Looks up a stored record of this key: a server passes its draw log's
   * `get(keyId, serial)`.
   *
   * @param serial The record's serial, from 1.
   * @returns The record, or `undefined` when there is none.
   */
  record(serial: number): Promise<DrawRecord | undefined>;
}

/** Options for {@linkcode verifyPageRoutes}. */
export interface VerifyPageOptions {
  /**
   * The signing server's key and records, for `/pubkey` and
   * `/draws/<serial>`. Without it those answer 404 and the page verifies
   * what is pasted into it, with a pasted key.
   *
   * @default {undefined}
   */
  signer?: VerifyPageSigner;
}

/**
 * The handler {@linkcode verifyPageRoutes} returns: a response for the
 * page's paths, `undefined` for any other (the caller's 404).
 */
export type VerifyPageRoutes = (
  request: Request,
  url?: URL,
) => Promise<Response | undefined>;

/**
 * The page's Content-Security-Policy: its own script and style only (no
 * inline script, nothing from elsewhere), requests to its own server only.
 */
export const VERIFY_PAGE_CSP: string = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const NO_SIGNER =
  "this server signs no draws (it needs --signing-key and --draw-log)\n";

const encoder = new TextEncoder();

/** Served as they are: encoded once. */
const FILES = new Map<string, { body: Uint8Array; type: string }>([
  ["/verify", { body: encoder.encode(PAGE_HTML), type: "text/html" }],
  ["/verify.js", {
    body: encoder.encode(PAGE_SCRIPT),
    type: "text/javascript",
  }],
  ["/verify.css", { body: encoder.encode(PAGE_CSS), type: "text/css" }],
]);

function respond(
  body: BodyInit,
  status: number,
  type: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": `${type}; charset=utf-8`,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...headers,
    },
  });
}

function text(body: string, status: number): Response {
  return respond(body, status, "text/plain");
}

function json(value: unknown): Response {
  return respond(`${JSON.stringify(value)}\n`, 200, "application/json");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A serial as a path gives it: 1 to 2^53−1, in digits, no leading zero. */
function serialOf(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const serial = Number(text);
  return Number.isSafeInteger(serial) ? serial : undefined;
}

function checkSigner(value: unknown): VerifyPageSigner | undefined {
  if (value === undefined) return undefined;
  const signer = value as Partial<VerifyPageSigner> | null;
  if (
    typeof signer?.keyId !== "string" ||
    !(signer.publicKey instanceof Uint8Array) ||
    signer.publicKey.length !== 32 ||
    typeof signer.record !== "function"
  ) {
    throw new OptionError(
      "signer",
      "expected { keyId, publicKey (32 bytes), record(serial) }",
    );
  }
  return signer as VerifyPageSigner;
}

/**
 * The verification page's routes, for an HTTP server (`serveMetrics`'s
 * `routes`, which `serve()` passes for the metrics port), all `GET` (and
 * `HEAD`):
 *
 * - `/verify`: the page (HTML, with {@linkcode VERIFY_PAGE_CSP}); paste a
 *   record or an exported log, or fetch one by serial, and the browser
 *   verifies it with `@randport/randport/verify`'s own code;
 * - `/verify.js` and `/verify.css`: its script (that code, bundled for
 *   browsers, served from memory) and style;
 * - `/pubkey`: the signer's key as JSON,
 *   `{"algorithm":"Ed25519","key_id":"…","public_key":"…"}`, as the
 *   request port's `PUBKEY` gives it;
 * - `/draws/<serial>`: the stored record of that serial as JSON on one
 *   line, as an export writes it; 404 when there is none, 400 when the
 *   serial is not an integer from 1 to 2^53−1 in plain digits, 500 when
 *   the draw log cannot be read.
 *
 * Without a `signer`, `/pubkey` and `/draws/…` answer 404 with
 * `this server signs no draws`. Other methods on these paths get 405; other
 * paths, `undefined`.
 *
 * @example Usage
 * ```ts
 * import { verifyPageRoutes } from "@randport/randport/page";
 *
 * const routes = verifyPageRoutes(); // a server that signs nothing
 * const page = await routes(new Request("http://127.0.0.1/verify"));
 * console.log(page?.status, page?.headers.get("content-type")); // 200 "text/html; charset=utf-8"
 * const key = await routes(new Request("http://127.0.0.1/pubkey"));
 * console.log(key?.status, await key?.text()); // 404 "this server signs no draws (...)\n"
 * console.log(await routes(new Request("http://127.0.0.1/metrics"))); // undefined
 * ```
 *
 * @param options The signer's key and records, if the server signs.
 * @returns The handler: a response, or `undefined` for another path.
 * @throws {OptionError} When `signer` is not of its form.
 */
export function verifyPageRoutes(
  options: VerifyPageOptions = {},
): VerifyPageRoutes {
  const signer = checkSigner(options.signer);
  const key = signer && {
    algorithm: "Ed25519",
    key_id: signer.keyId,
    public_key: hex(signer.publicKey),
  };
  return async (request, url = new URL(request.url)) => {
    const path = url.pathname;
    const file = FILES.get(path);
    const draw = /^\/draws\/([^/]*)$/.exec(path);
    if (file === undefined && draw === null && path !== "/pubkey") {
      return undefined;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return respond("method not allowed\n", 405, "text/plain", {
        allow: "GET, HEAD",
      });
    }
    if (file !== undefined) {
      return respond(
        file.body.slice(),
        200,
        file.type,
        file.type === "text/html"
          ? { "content-security-policy": VERIFY_PAGE_CSP }
          : {},
      );
    }
    if (signer === undefined) return text(NO_SIGNER, 404);
    if (draw === null) return json(key);
    const serial = serialOf(draw[1]);
    if (serial === undefined) {
      const given = draw[1].length > 40 ? `${draw[1].slice(0, 40)}…` : draw[1];
      return text(
        `serial: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER}, got ${
          JSON.stringify(given)
        }\n`,
        400,
      );
    }
    let record: DrawRecord | undefined;
    try {
      record = await signer.record(serial);
    } catch {
      return text("the draw log could not be read\n", 500);
    }
    return record === undefined
      ? text(`no record of serial ${serial}\n`, 404)
      : json(record);
  };
}
