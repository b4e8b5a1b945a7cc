/**
 * The verifier runs outside Deno: lib/verify bundled for the browser
 * (`deno bundle --platform browser`, as a verification page would ship
 * it) and imported by Node.js gives the same verdicts, problem for
 * problem, on the same records, good and tampered. Node's Web Crypto does
 * the hashing and the Ed25519 checks there.
 *
 * The test task runs without --allow-read and --allow-write, so the bundle
 * goes to a `mktemp -d` directory that `deno bundle` writes and `rm`
 * removes, and the records reach Node on its stdin.
 *
 * @module
 */

import assert from "node:assert/strict";
import { drawReply } from "../../lib/request/draw_reply.ts";
import { signDraw } from "../../lib/signed/mod.ts";
import {
  parseDrawRecords,
  verifyChain,
  verifyDraw,
} from "../../lib/verify/mod.ts";
import { run } from "../_util.ts";
import { fixture, hex, signChain } from "./_records.ts";

const VERIFY_MOD = new URL("../../lib/verify/mod.ts", import.meta.url)
  .pathname;

const NODE = await run("node", ["--version"], { timeoutMs: 10_000 })
  .then((result) => result.code === 0 ? result.stdout.trim() : undefined)
  .catch(() => undefined);

/**
 * Reads `{ publicKey, sets }` on stdin, each set a log's text; for each,
 * the chain's verdict and every record's own, as JSON on stdout.
 */
const NODE_SCRIPT = `
const verify = await import(process.argv[1]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { publicKey, sets } = JSON.parse(input);
const out = [];
for (const text of sets) {
  const records = verify.parseDrawRecords(text);
  out.push({
    chain: await verify.verifyChain(records, publicKey),
    draws: await Promise.all(records.map((r) => verify.verifyDraw(r, publicKey))),
  });
}
console.log(JSON.stringify({ node: process.version, out }));
`;

Deno.test({
  name:
    "verify: the same library, bundled, gives the same verdicts in Node.js" +
    (NODE ? ` (${NODE})` : " [ignored: node is not installed]"),
  ignore: NODE === undefined,
  fn: async () => {
    const { key, records } = await fixture();
    const lines = (list: unknown[]) =>
      list.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const seeded = records[0];
    const forged = await signDraw({
      ...seeded,
      result: await drawReply(seeded.request.slice(0, -2)),
    }, key);
    const [fork] = await signChain(key, [{ request: ["UUID"] }], {
      serial: 2,
      previous: records[0].hash,
    });
    const sets = [
      lines(records),
      lines(records.with(2, { ...records[2], data: "changed" })),
      lines(records.toSpliced(4, 1)),
      lines(records.with(0, forged)),
      lines(records.with(1, fork)),
      lines(records.with(3, { ...records[3], hash: records[2].hash })),
      lines(
        records.with(5, { ...records[5], signature: records[4].signature }),
      ),
      lines(records.with(6, { ...records[6], data: "\ud800" })),
      lines(records.with(7, { ...records[7], serial: 9 })),
    ];
    const publicKey = hex(key.publicKey);
    const expected = [];
    for (const text of sets) {
      const parsed = parseDrawRecords(text);
      expected.push({
        chain: await verifyChain(parsed, publicKey),
        draws: await Promise.all(
          parsed.map((r) => verifyDraw(r, publicKey)),
        ),
      });
    }
    assert.equal(expected[0].chain.ok, true);
    assert.ok(expected.slice(1).every((e) => !e.chain.ok));

    const dir = await run("mktemp", ["-d"], { timeoutMs: 5_000 });
    assert.equal(dir.code, 0, dir.stderr);
    const path = dir.stdout.trim();
    assert.match(path, /^\/.+\/tmp\.[A-Za-z0-9]+$/);
    try {
      const bundle = `${path}/verify.mjs`;
      const bundled = await run(Deno.execPath(), [
        "bundle",
        "--platform",
        "browser",
        "--output",
        bundle,
        VERIFY_MOD,
      ], { timeoutMs: 60_000 });
      assert.equal(bundled.code, 0, bundled.stderr);
      const node = await run("node", [
        "--input-type=module",
        "--no-warnings",
        "--eval",
        NODE_SCRIPT,
        `file://${bundle}`,
      ], { stdin: JSON.stringify({ publicKey, sets }), timeoutMs: 60_000 });
      assert.equal(node.code, 0, node.stderr);
      const result = JSON.parse(node.stdout);
      assert.equal(result.node, NODE);
      // Through JSON, as Node's verdicts came: `undefined` fields drop out.
      assert.deepEqual(result.out, JSON.parse(JSON.stringify(expected)));
    } finally {
      await run("rm", ["-rf", "--", path], { timeoutMs: 10_000 });
    }
  },
});
