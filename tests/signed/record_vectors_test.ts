/**
 * PROTOCOL.md §6.2's test vectors, checked by code that no one here wrote
 * where it can be: the signed bytes against encodeDrawRecord, the hash
 * against Python's hashlib, the signature against OpenSSL, the results
 * against drawReply, and signing with the document's key reproducing them;
 * and §6.3's commitment vector.
 *
 * @module
 */

import assert from "node:assert/strict";
import { drawReply } from "../../lib/request/mod.ts";
import {
  CHAIN_START,
  commitmentOf,
  commitSecret,
  type DrawRecord,
  encodeDrawRecord,
  importSigningKey,
  signDraw,
  verifyRecordSignature,
} from "../../lib/signed/mod.ts";
import { run } from "../_util.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The text block after a marker comment in PROTOCOL.md. */
async function block(marker: string): Promise<string> {
  // The tests may run programs but not read files: cat reads it.
  const file = await run("cat", [`${ROOT}PROTOCOL.md`]);
  assert.equal(file.code, 0, file.stderr);
  const match = new RegExp(
    `<!-- ${marker} -->\\n+\`\`\`text\\n([\\s\\S]*?)\`\`\``,
  )
    .exec(file.stdout);
  assert.ok(match, `PROTOCOL.md has a ${marker} block`);
  return match[1].trim();
}

async function vectors() {
  const pemBlock = (await run("cat", [`${ROOT}PROTOCOL.md`])).stdout;
  const pem = /-----BEGIN PRIVATE KEY-----\n[^\n]+\n-----END PRIVATE KEY-----/
    .exec(pemBlock)![0];
  const records = (await block("record vectors")).split("\n").map((line) =>
    JSON.parse(line) as DrawRecord
  );
  return { pem, records, bytes: await block("record bytes") };
}

const RFC8032_PUBLIC =
  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

Deno.test("§6.2 vectors: the signed bytes, hash, signature and chain", async () => {
  const { pem, records, bytes } = await vectors();
  const key = await importSigningKey(pem);
  assert.equal(hex(key.publicKey), RFC8032_PUBLIC);
  assert.equal(hex(encodeDrawRecord(records[0])), bytes);
  for (const record of records) {
    assert.equal(await verifyRecordSignature(record, key.publicKey), undefined);
    // Ed25519 is deterministic: signing again gives the same record.
    const { hash: _h, signature: _s, ...unsigned } = record;
    assert.deepEqual(await signDraw(unsigned, key), record);
    // Both are seeded: their results are what the seeds give.
    assert.equal(await drawReply(record.request), record.result);
  }
  assert.equal(records[0].previous, CHAIN_START);
  assert.equal(records[1].previous, records[0].hash);
});

Deno.test("§6.2 vectors: Python's hashlib gives the same hashes of the signed bytes", async () => {
  const { records } = await vectors();
  const script =
    "import hashlib, sys\nfor line in sys.stdin: print(hashlib.sha256(bytes.fromhex(line.strip())).hexdigest())";
  const result = await run("python3", ["-c", script], {
    stdin: records.map((r) => hex(encodeDrawRecord(r))).join("\n") + "\n",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    result.stdout.trim().split("\n"),
    records.map((r) => r.hash),
  );
});

const OPENSSL = await run("openssl", ["version"]).then(
  (r) => r.code === 0,
  () => false,
);

Deno.test({
  name: `§6.2 vectors: OpenSSL verifies the signatures with the public key${
    OPENSSL ? "" : " [ignored: openssl is not installed]"
  }`,
  ignore: !OPENSSL,
  fn: async () => {
    const { records } = await vectors();
    // SPKI DER of an Ed25519 public key: a fixed 12-byte prefix, the key.
    const spki = "302a300506032b6570032100" + RFC8032_PUBLIC;
    for (const record of records) {
      const signature = hex(
        Uint8Array.from(atob(record.signature), (c) => c.charCodeAt(0)),
      );
      const script = `
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
unhex() { python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(sys.argv[2]))' "$@"; }
unhex "$dir/pub.der" "$1"
unhex "$dir/msg" "$2"
unhex "$dir/sig" "$3"
openssl pkeyutl -verify -pubin -keyform DER -inkey "$dir/pub.der" -rawin -in "$dir/msg" -sigfile "$dir/sig"
`;
      const result = await run("sh", [
        "-c",
        script,
        "sh",
        spki,
        hex(encodeDrawRecord(record)),
        signature,
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /Signature Verified Successfully/);
      // And a changed byte is refused by OpenSSL too.
      const forged = hex(encodeDrawRecord({ ...record, data: "raffle 13" }));
      const bad = await run("sh", [
        "-c",
        script,
        "sh",
        spki,
        forged,
        signature,
      ]);
      assert.notEqual(bad.code, 0);
    }
  },
});

Deno.test("§6.3 vector: the secret of commitment 3 and its commitment", async () => {
  const { pem } = await vectors();
  const key = await importSigningKey(pem);
  const secret = await commitSecret(key, 3);
  assert.equal(
    secret,
    "aa43f5b9547264e8d80d93f164c650529e5a4baf556a8258821fb38403cd599d",
  );
  assert.equal(
    await commitmentOf(secret),
    "ec9368593e53f481a6ffa5fa26c8cc5b7fa24222416990cc3d65b680ffcd604b",
  );
  // Independently: Python's hashlib over the tag and the secret's bytes.
  const result = await run("python3", [
    "-c",
    "import hashlib, sys; print(hashlib.sha256(b'randport-commit-v1' + bytes.fromhex(sys.argv[1])).hexdigest())",
    secret,
  ]);
  assert.equal(result.stdout.trim(), await commitmentOf(secret));
});
