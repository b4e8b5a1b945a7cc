/**
 * The verification page's script, lib/page/_page_bundle.ts, is what
 * `deno task bundle-page` makes of the code as it is now: bundled again
 * here (in a subprocess) and compared byte for byte, so that a change to
 * lib/verify (or anything it imports) without a new bundle fails. The
 * committed file is read with `cat`: the tests run without --allow-read.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PAGE_SCRIPT } from "../../lib/page/_page_bundle.ts";
import { run } from "../_util.ts";
import {
  BUNDLE_MODULE,
  bundleModuleText,
  bundlePageScript,
} from "./_bundle_page.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("page bundle: lib/page/_page_bundle.ts is not stale (else: deno task bundle-page)", async () => {
  const script = await bundlePageScript();
  const committed = await run("cat", [`${ROOT}${BUNDLE_MODULE}`], {
    timeoutMs: 10_000,
  });
  assert.equal(committed.code, 0, committed.stderr);
  const stale = `${BUNDLE_MODULE} is stale: run deno task bundle-page`;
  assert.ok(PAGE_SCRIPT === script, stale);
  assert.ok(committed.stdout === bundleModuleText(script), stale);
});

Deno.test("page bundle: a browser ES module with no Deno API, no import left, no source path", () => {
  // Deno.pid is in INFO's reply, which the verifier never runs.
  assert.ok(
    !/\bDeno\.(?!pid\b)/.test(PAGE_SCRIPT),
    "a Deno API besides Deno.pid",
  );
  // A browser cannot load node: modules (or any other): whatever lib/verify
  // imports must be plain Web code, all in the bundle.
  const imports = [
    ...PAGE_SCRIPT.matchAll(
      /\bimport\s*(?:[^"'()]*?from\s*)?["']([^"']+)["']/g,
    ),
    ...PAGE_SCRIPT.matchAll(/\bimport\(\s*["']([^"']+)["']/g),
  ].map((match) => match[1]);
  assert.deepEqual(
    imports,
    [],
    `the bundle imports ${
      imports.join(", ")
    }: a module lib/verify reaches (deno info lib/verify/mod.ts) needs them, and no browser has them`,
  );
  const remote = /https?:\/\/(?!localhost\b|127\.0\.0\.1\b)[\w.-]+/.exec(
    PAGE_SCRIPT,
  );
  assert.equal(remote, null, "a remote URL");
  assert.ok(!PAGE_SCRIPT.includes(ROOT), "an absolute path of this checkout");
  // The verifier's own messages are in it: it is the library's code.
  assert.ok(
    PAGE_SCRIPT.includes(
      "the record's fields do not match its hash and signature",
    ),
  );
  assert.ok(PAGE_SCRIPT.includes("is not what the seed gives"));
});
