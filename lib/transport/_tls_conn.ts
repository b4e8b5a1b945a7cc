// The decrypted side of a server-side node:tls socket, as a StreamConn: the
// servers read and write it as they do a Deno.TcpConn, with the same
// backpressure (a write waits until the socket has room) and the same
// errors (Deno.errors.*) for a client that goes away.

import type { TLSSocket } from "node:tls";
import type { StreamConn } from "./stream_conn.ts";

/** Buffered plaintext beyond which the socket stops reading the client. */
const HIGH_WATER = 65536;

function denoError(error: unknown): Error {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ECONNRESET") return new Deno.errors.ConnectionReset(message);
  if (code === "EPIPE") return new Deno.errors.BrokenPipe(message);
  if (code === "ETIMEDOUT") return new Deno.errors.TimedOut(message);
  // A TLS alert or a record that fails to decrypt: the client's doing.
  return new Deno.errors.ConnectionAborted(message);
}

export class TlsConn implements StreamConn {
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  readonly #socket: TLSSocket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #failure: Error | undefined;
  #waiters: (() => void)[] = [];

  constructor(socket: TLSSocket, under: StreamConn) {
    this.#socket = socket;
    this.remoteAddr = under.remoteAddr;
    this.localAddr = under.localAddr;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered >= HIGH_WATER) socket.pause();
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (error: Error) => {
      this.#failure ??= denoError(error);
      this.#notify();
    });
    socket.on("close", () => {
      this.#failure ??= new Deno.errors.BadResource("connection closed");
      this.#ended = true;
      this.#notify();
    });
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Settles at the socket's next event (data, end, error, close). */
  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      if (this.#failure) throw this.#failure;
      await this.#changed();
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, p.length - n);
      p.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
    if (this.#buffered < HIGH_WATER) this.#socket.resume();
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    if (this.#failure) throw this.#failure;
    if (this.#socket.writableEnded) {
      throw new Deno.errors.BrokenPipe(
        "the connection's writing side is closed",
      );
    }
    // Done once node has handed the encrypted bytes to the connection, as a
    // Deno.Conn's write is done once the kernel has them: then nothing is
    // left in node's buffers when the server closes, and a close that
    // comes while a write waits (a timeout, a shutdown) fails that write
    // instead of letting it look delivered.
    const socket = this.#socket;
    await new Promise<void>((resolve, reject) => {
      const onClose = () =>
        reject(
          this.#failure ??
            new Deno.errors.BadResource("the connection was closed"),
        );
      socket.once("close", onClose);
      // Not copied: the caller reuses its buffer only once this settles,
      // after node has encrypted and handed on these bytes.
      socket.write(p, (error?: Error | null) => {
        socket.off("close", onClose);
        if (error) reject(this.#failure ?? denoError(error));
        else resolve();
      });
    });
    return p.length;
  }

  closeWrite(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableEnded || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once("close", resolve);
      socket.end(() => {
        socket.off("close", resolve);
        resolve();
      });
    });
  }

  close(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    // close_notify first when nothing waits to be written, so that the
    // client can tell the end from a truncation (rustls reports "peer
    // closed connection without sending TLS close_notify"); with a write
    // still waiting (a client that stopped reading, a shutdown's cut-off),
    // at once. The timer covers a client that stopped reading since.
    if (!socket.writableEnded && socket.writableLength === 0) {
      const timer = setTimeout(() => socket.destroy(), 1000);
      socket.end(() => {
        clearTimeout(timer);
        socket.destroy();
      });
      socket.once("close", () => clearTimeout(timer));
      return;
    }
    socket.destroy();
  }
}
