/**
 * The TLS ceiling for `deno task bench --tls`: `Deno.listenTls` (rustls,
 * in Rust) writing one constant, pre-filled buffer to every client as fast
 * as it reads (`--stream`), or one constant classic payload and a close.
 * What a Deno server could do with TLS if nothing else cost anything.
 *
 * deno run --allow-net --allow-read bench/tls_ceiling_server.ts --port 0 \
 *   --cert cert.pem --key key.pem [--stream]
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    cert: { type: "string" },
    key: { type: "string" },
    stream: { type: "boolean", default: false },
  },
});

const listener = Deno.listenTls({
  hostname: "127.0.0.1",
  port: Number(values.port),
  cert: Deno.readTextFileSync(values.cert!),
  key: Deno.readTextFileSync(values.key!),
});
console.log(`listening on 127.0.0.1:${listener.addr.port}`);

const chunk = new TextEncoder().encode(
  "58,25,73,22,19,48,61,33,47,31,".repeat(546),
);
const classic = new TextEncoder().encode("58,25,73,22,19,48,61,33,47,31");

async function serve(conn: Deno.TlsConn): Promise<void> {
  try {
    if (values.stream) {
      for (;;) await conn.write(chunk);
    }
    await conn.write(classic);
    await conn.closeWrite();
  } catch {
    // The reader went away.
  } finally {
    try {
      conn.close();
    } catch {
      // Closed.
    }
  }
}

for await (const conn of listener) serve(conn);
