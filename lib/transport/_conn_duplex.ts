// A StreamConn as a Node.js Duplex stream, so that node:tls can run a
// server-side handshake over a connection that Deno.listen accepted (and
// from which a PROXY header may already have been read): Deno.listenTls
// can do neither that nor a certificate change without a new listener.

import { Duplex } from "node:stream";
import type { StreamConn } from "./stream_conn.ts";

const READ_BYTES = 16384;

export function connDuplex(conn: StreamConn): Duplex {
  let reading = false;
  let closed = false;
  const duplex = new Duplex({
    read() {
      if (reading || closed) return;
      reading = true;
      pump();
    },
    write(chunk: Uint8Array, _encoding, callback) {
      writeAll(chunk).then(() => callback(), (error) => callback(error));
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), () => callback());
    },
    destroy(error, callback) {
      closed = true;
      try {
        conn.close();
      } catch {
        // Closed already.
      }
      callback(error);
    },
  });

  async function pump(): Promise<void> {
    try {
      while (!closed) {
        // A buffer per read: node:tls keeps what it is given.
        const buf = new Uint8Array(READ_BYTES);
        const n = await conn.read(buf);
        if (n === null) {
          duplex.push(null);
          return;
        }
        if (!duplex.push(buf.subarray(0, n))) break;
      }
    } catch (error) {
      if (!closed) duplex.destroy(error as Error);
      return;
    }
    reading = false;
  }

  async function writeAll(chunk: Uint8Array): Promise<void> {
    for (let offset = 0; offset < chunk.length;) {
      offset += await conn.write(chunk.subarray(offset));
    }
  }

  return duplex;
}
