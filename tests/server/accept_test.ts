/**
 * A client that resets before the server accepts it is its own affair:
 * the accept loop goes on at once, without an error line.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertClassicCsv,
  readRawText,
  runPython,
  startServer,
} from "../_util.ts";

Deno.test("accept: a flood of connect-and-reset clients neither stalls other clients nor logs errors", async () => {
  await using server = await startServer(["--request-port", "0"]);
  const flood = runPython(
    `
import socket, struct, sys, time
end = time.time() + 1.5
n = 0
for port in map(int, sys.argv[1:]):
    pass
while time.time() < end:
    for port in map(int, sys.argv[1:]):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            pass
        s.close()
        n += 1
print(n)
`,
    [String(server.port), String(server.requestPort)],
  );
  // Served meanwhile, each well within the client's deadline.
  for (let i = 0; i < 10; i++) assertClassicCsv(await readRawText(server.port));
  const result = await flood;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(Number(result.stdout) > 500, `${result.stdout} resets`);
  const stopped = await server.stop();
  assert.equal(stopped.code, 0);
  assert.doesNotMatch(stopped.stderr, /accept failed/);
});
