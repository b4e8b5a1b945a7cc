/**
 * `client export`: a signing server's log as JSON lines, page by page, that
 * `client verify` accepts whole.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectRequests } from "../../lib/client/mod.ts";
import { SqliteLedger } from "../../lib/ledger/mod.ts";
import { serveRequests } from "../../lib/request/mod.ts";
import { generateSigningKey } from "../../lib/signed/mod.ts";
import { assertOneLineError, CLIENT_TS, run, runClient } from "../_util.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("client export: every record, in order, over several DRAWS pages; client verify accepts them", async () => {
  const { key } = await generateSigningKey();
  const ledger = new SqliteLedger(":memory:");
  const server = serveRequests({ port: 0, signing: { key, ledger } });
  try {
    const port = String(server.addr.port);
    {
      await using client = await connectRequests({
        hostname: "127.0.0.1",
        port: server.addr.port,
      });
      // More than one page of DRAWS (1000 records).
      await Promise.all(
        Array.from(
          { length: 1203 },
          () => client.command(["RANDINT", "1", "1", "6", "SIGNED"]),
        ),
      );
    }
    const all = await runClient([
      "export",
      "--host",
      "127.0.0.1",
      "--port",
      port,
    ]);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).serial),
      Array.from({ length: 1203 }, (_, i) => i + 1),
    );
    const part = await runClient([
      "export",
      "--host",
      "127.0.0.1",
      "--port",
      port,
      "--from",
      "999",
      "--to",
      "1001",
    ]);
    assert.deepEqual(part.stdout.trimEnd().split("\n"), lines.slice(998, 1001));
    const verified = await run(Deno.execPath(), [
      "run",
      "--allow-net",
      CLIENT_TS,
      "verify",
      "--public-key",
      hex(key.publicKey),
    ], { stdin: all.stdout });
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(
      verified.stdout,
      /^ok: 1203 records, serials 1\.\.1203, chain intact/,
    );
    assertOneLineError(
      await runClient(["export", "--port", port, "--from", "5", "--to", "2"]),
      2,
      /--to: expected at least --from \(5\), got 2/,
    );
  } finally {
    await server.shutdown();
    await ledger.close();
  }
});
