/**
 * Takes the verification page's screenshots for a person to look at: a
 * signing server, two signed draws, the page in headless Chromium with
 * the log verified (`good.png`) and with one digit of a result changed
 * (`tampered.png`), written to DIR.
 *
 *     deno run --allow-net --allow-run tests/page/_screenshot_page.ts DIR
 *
 * @module
 */

import { tempDir } from "../_util.ts";
import { launchChromium } from "./_chromium.ts";
import {
  openVerifyPage,
  savePng,
  signedDraws,
  startPageServer,
  tamper,
  verifyPasted,
} from "./_page_setup.ts";

const out = Deno.args[0];
if (out === undefined) {
  console.error("usage: _screenshot_page.ts DIR");
  Deno.exit(2);
}
await using dir = await tempDir();
const signing = await startPageServer(dir.path);
await using _server = signing.server;
const lines = await signedDraws(signing.requestPort);
await using browser = await launchChromium(`${dir.path}/profile`);
const page = await openVerifyPage(browser, signing.base);
const good = await verifyPasted(page, lines.join("\n") + "\n");
await savePng(`${out}/good.png`, await page.screenshot());
const bad = await verifyPasted(page, tamper(lines[1]).line);
await savePng(`${out}/tampered.png`, await page.screenshot());
console.log(`${out}/good.png: ${good.summary}`);
console.log(`${out}/tampered.png: ${bad.summary}`);
