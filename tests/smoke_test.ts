import assert from "node:assert/strict";
import { assertClassicCsv, runClient, startServer } from "./_util.ts";

Deno.test("client reads the default payload", async () => {
  await using server = await startServer();
  const result = await runClient(["--host", "127.0.0.1", "--port", String(server.port), "--format", "csv"]);
  assert.equal(result.code, 0);
  assertClassicCsv(result.stdout.trim());
  const stopped = await server.stop();
  assert.equal(stopped.code, 0);
});
