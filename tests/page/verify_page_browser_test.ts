/**
 * The verification page through the real `server.ts` (issue 12): a
 * signing server with `--metrics-port` serves `/verify`, `/pubkey` and
 * `/draws/<serial>`, and in a real headless Chromium (Debian's
 * `chromium`, driven over the DevTools protocol) the page verifies a
 * record fetched by its serial, a pasted log, and a record with one digit
 * of its result changed, which it names as failing. The page's whole
 * rendering is taken as a PNG to a temporary file.
 *
 * Without Chromium the browser test is ignored, saying so in its name.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PAGE_SCRIPT } from "../../lib/page/_page_bundle.ts";
import { VERIFY_PAGE_CSP } from "../../lib/page/mod.ts";
import { tempDir } from "../_util.ts";
import { chromiumVersion, launchChromium } from "./_chromium.ts";
import {
  fetchSerial,
  openVerifyPage,
  pngSize,
  savePng,
  signedDraws,
  startPageServer,
  tamper,
  verifyPasted,
} from "./_page_setup.ts";

const CHROMIUM = await chromiumVersion();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("verify page: a signing server.ts serves /verify, /verify.js, /pubkey and /draws/<serial> on its metrics port", async () => {
  await using dir = await tempDir();
  const signing = await startPageServer(dir.path);
  await using _server = signing.server;
  const lines = await signedDraws(signing.requestPort);
  const get = async (path: string) => {
    const response = await fetch(`${signing.base}${path}`);
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      csp: response.headers.get("content-security-policy"),
      body: await response.text(),
    };
  };
  const page = await get("/verify");
  assert.equal(page.status, 200);
  assert.equal(page.type, "text/html; charset=utf-8");
  assert.equal(page.csp, VERIFY_PAGE_CSP);
  assert.match(page.body, /<script type="module" src="verify\.js"><\/script>/);
  const script = await get("/verify.js");
  assert.equal(script.type, "text/javascript; charset=utf-8");
  assert.equal(script.body, PAGE_SCRIPT);
  assert.deepEqual(JSON.parse((await get("/pubkey")).body), {
    algorithm: "Ed25519",
    key_id: signing.keyId,
    public_key: hex(signing.publicKey),
  });
  // Exactly the request port's record, as an export's line.
  assert.deepEqual(await get("/draws/1"), {
    status: 200,
    type: "application/json; charset=utf-8",
    csp: null,
    body: `${lines[0]}\n`,
  });
  assert.equal((await get("/draws/2")).body, `${lines[1]}\n`);
  const missing = await get("/draws/3");
  assert.deepEqual([missing.status, missing.body], [
    404,
    "no record of serial 3\n",
  ]);
  for (const bad of ["0", "01", "-1", "1.0", "x", "9007199254740992", ""]) {
    const answer = await get(`/draws/${bad}`);
    assert.equal(answer.status, 400, bad);
    assert.match(answer.body, /^serial: expected an integer from 1 to /, bad);
  }
  // The metrics endpoint is still itself.
  assert.equal((await get("/healthz")).body, "ok\n");
  assert.equal((await get("/elsewhere")).status, 404);
  const stopped = await signing.server.stop();
  assert.equal(stopped.code, 0, stopped.stderr);
});

Deno.test({
  name:
    "verify page: in headless Chromium, a record fetched by serial and a pasted log verify, a tampered record fails by name" +
    (CHROMIUM ? ` (${CHROMIUM})` : " [ignored: chromium is not installed]"),
  ignore: CHROMIUM === undefined,
  fn: async () => {
    await using dir = await tempDir();
    const signing = await startPageServer(dir.path);
    await using _server = signing.server;
    const lines = await signedDraws(signing.requestPort);
    await using browser = await launchChromium(`${dir.path}/profile`);
    const page = await openVerifyPage(browser, signing.base);

    // The key field is filled in from /pubkey, and says what that proves.
    assert.equal(
      await page.evaluate(`document.getElementById("key").value`),
      hex(signing.publicKey),
    );
    assert.match(
      await page.evaluate<string>(
        `document.getElementById("key-note").innerText`,
      ),
      new RegExp(`Filled in from this server \\(key id ${signing.keyId}\\)`),
    );

    // (a) Fetched by serial: the seeded draw, recomputed.
    const fetched = await fetchSerial(page, "2");
    assert.equal(fetched.verdict, "ok", fetched.summary);
    assert.match(
      fetched.summary,
      new RegExp(
        `^Verified: 1 record, serial 2, key ${signing.keyId}: signatures and hashes hold, 1 seeded result recomputed, chain intact from serial 2 \\(mid-chain\\)\\.$`,
      ),
    );
    assert.equal(fetched.cards.length, 1);
    const seeded = fetched.cards[0].text;
    const record2 = JSON.parse(lines[1]);
    assert.match(seeded, /^Serial 2\s*verifies/);
    assert.ok(seeded.includes(record2.time), seeded);
    assert.ok(
      seeded.includes('RANDINT "6" "1" "49" "SEED" "page test"'),
      seeded,
    );
    const numbers = record2.result.match(/:(\d+)/g).map((n: string) =>
      n.slice(1)
    );
    assert.ok(seeded.includes(numbers.join(", ")), seeded);
    assert.ok(
      seeded.includes(`signature: ok, and hash: ok (key id ${signing.keyId})`),
      seeded,
    );
    assert.ok(
      seeded.includes(
        "seeded recomputation: ok, the result is what the seed gives",
      ),
      seeded,
    );
    assert.equal(
      await page.evaluate(`document.getElementById("records").value`),
      lines[1],
    );

    // (b) Pasted: the whole log as an export writes it, one chain.
    const log = await verifyPasted(page, lines.join("\n") + "\n");
    assert.equal(log.verdict, "ok", log.summary);
    assert.match(
      log.summary,
      /^Verified: 2 records, serials 1–2, .*chain intact\.$/,
    );
    assert.deepEqual(log.cards.map((c) => c.verdict), ["ok", "ok"]);
    assert.ok(log.cards[0].text.includes("raffle 12"), log.cards[0].text);
    assert.ok(
      log.cards[0].text.includes("seeded recomputation: not a seeded draw"),
    );
    assert.ok(
      log.cards[0].text.includes("chain: ok, serial 1 begins the chain"),
    );
    assert.ok(
      log.cards[1].text.includes(
        "chain: ok, previous is the hash of the record before",
      ),
    );
    const good = await page.screenshot();

    // (c) One digit of a result changed: the hash no longer holds, and
    // for the seeded draw the recomputation names the result.
    const changed = tamper(lines[1]);
    const tampered = await verifyPasted(page, changed.line);
    assert.equal(tampered.verdict, "fail", tampered.summary);
    assert.equal(
      tampered.summary,
      "Does not verify: 1 of 1 record fails; the first, serial 2: hash: the record's fields do not match its hash and signature: serial, time, request, result, data or previous was changed",
    );
    const card = tampered.cards[0];
    assert.equal(card.verdict, "fail");
    assert.match(card.text, /^Serial 2\s*does not verify/);
    assert.ok(
      card.text.includes(
        "hash: the record's fields do not match its hash and signature: serial, time, request, result, data or previous was changed",
      ),
      card.text,
    );
    assert.match(
      card.text,
      /seeded recomputation: result: is not what the seed gives: recomputed "\*6\\r\\n:/,
    );
    assert.ok(!card.text.includes("signature: ok"), card.text);
    // The unseeded draw, tampered in the log: only its hash can tell.
    const first = tamper(lines[0]);
    const tamperedLog = await verifyPasted(
      page,
      `${first.line}\n${lines[1]}\n`,
    );
    assert.equal(tamperedLog.verdict, "fail");
    assert.deepEqual(tamperedLog.cards.map((c) => c.verdict), ["fail", "ok"]);
    assert.ok(
      tamperedLog.cards[0].text.includes(
        "hash: the record's fields do not match",
      ),
    );
    assert.ok(
      tamperedLog.cards[0].text.includes(
        "seeded recomputation: not a seeded draw",
      ),
    );
    assert.ok(
      tamperedLog.summary.startsWith(
        "Does not verify: 1 of 2 records fails; the first, serial 1: hash: ",
      ),
    );
    const bad = await page.screenshot();

    // A wrong key is named too.
    await page.fill("key", "00".repeat(32));
    const wrongKey = await verifyPasted(page, lines[1]);
    assert.equal(wrongKey.verdict, "fail");
    assert.match(wrongKey.summary, /serial 2: key_id: /);

    for (const [name, png] of [["good", good], ["tampered", bad]] as const) {
      const { width, height } = pngSize(png);
      // The page's width (the viewport's 1000 less a scroll bar), and all
      // of its height.
      assert.ok(width > 900 && width <= 1000, `${name}: ${width}`);
      assert.ok(height >= 900, `${name}: ${height}`);
      await savePng(`${dir.path}/${name}.png`, png);
    }
    // The page's own script and style load under its CSP, and nothing
    // throws.
    assert.deepEqual(page.errors, []);
    await browser.close();
    const stopped = await signing.server.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
  },
});
