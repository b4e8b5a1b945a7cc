// One connection of a request client. Requests are written as they come,
// those of one turn of the event loop in one write (pipelining); replies
// are matched to them in order. While any reply is due, a silence longer
// than the timeout ends the connection: once one reply is given up on,
// which reply comes next is unknown, so every failure of the connection
// fails every call still waiting, and later calls at once.

import { RandportError } from "../errors/randport_error.ts";
import { encodeRequest } from "../resp/encode_request.ts";
import {
  MalformedReplyError,
  ReplyParser,
  type ReplyParserOptions,
} from "../resp/reply_parser.ts";
import { ReplyError, RespPush, type RespValue } from "../resp/reply_value.ts";
import { classify } from "./_connect.ts";

const READ_BUFFER_BYTES = 65536;

/** What the request port sends a client beyond its connection limit. */
const BUSY = /^ERR max number of clients reached/;

interface Pending {
  resolve(value: RespValue): void;
  reject(error: unknown): void;
}

export interface ChannelOptions {
  /** The server's address, for messages. */
  target: string;
  /** Milliseconds of silence allowed while replies are due; 0 for none. */
  timeout: number;
  limits: ReplyParserOptions;
  signal: AbortSignal | undefined;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Closed already.
  }
}

function replies(count: number): string {
  return count === 1 ? "1 reply" : `${count} replies`;
}

/** The bytes of many requests, for one write. */
function join(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export class RequestChannel {
  readonly #conn: Deno.Conn;
  readonly #target: string;
  readonly #timeout: number;
  readonly #signal: AbortSignal | undefined;
  readonly #parser: ReplyParser;
  /** Calls waiting for their replies, oldest first from `#head`. */
  #pending: (Pending | undefined)[] = [];
  #head = 0;
  #outgoing: Uint8Array[] = [];
  #writing = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Set once the connection is over: why, for the calls after. */
  #ended: { reason: unknown; byClose: boolean } | undefined;
  #closing = false;
  #drained: (() => void) | undefined;
  readonly #reading: Promise<void>;
  readonly #onAbort = () => this.#fail(this.#signal!.reason);

  constructor(conn: Deno.Conn, options: ChannelOptions) {
    this.#conn = conn;
    this.#target = options.target;
    this.#timeout = options.timeout;
    this.#signal = options.signal;
    this.#parser = new ReplyParser(options.limits);
    this.#reading = this.#read();
    if (this.#signal?.aborted) this.#onAbort();
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  get #count(): number {
    return this.#pending.length - this.#head;
  }

  /**
   * Sends one request. Resolves with its reply; rejects for an error reply
   * (the connection goes on) and for a failure of the connection.
   */
  send(args: readonly (string | Uint8Array)[]): Promise<RespValue> {
    if (this.#ended !== undefined || this.#closing) {
      return Promise.reject(this.#closedError());
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeRequest(args);
    } catch (error) {
      return Promise.reject(error);
    }
    const promise = new Promise<RespValue>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
    });
    this.#outgoing.push(bytes);
    if (!this.#writing) {
      this.#writing = true;
      // After the caller's synchronous code: the requests it makes in a
      // loop go out together.
      queueMicrotask(() => this.#flush());
    }
    if (this.#count === 1) this.#arm();
    return promise;
  }

  /** Ends the connection at once, failing the pending calls with `reason`. */
  abort(reason: unknown): void {
    this.#fail(reason);
  }

  /**
   * Refuses new calls, waits for the replies still due, then closes the
   * connection. Never rejects.
   */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      if (this.#ended === undefined && this.#count > 0) {
        await new Promise<void>((resolve) => this.#drained = resolve);
      }
      this.#finish({ reason: undefined, byClose: true });
    }
    await this.#reading;
  }

  #closedError(): RandportError {
    const ended = this.#ended;
    if (ended === undefined || ended.byClose) {
      return new RandportError("closed", "the request client is closed");
    }
    const why = ended.reason instanceof Error
      ? ended.reason.message
      : String(ended.reason);
    return new RandportError(
      "closed",
      `the connection to ${this.#target} has ended: ${why}`,
      { cause: ended.reason },
    );
  }

  async #flush(): Promise<void> {
    try {
      while (this.#outgoing.length > 0 && this.#ended === undefined) {
        const bytes = join(this.#outgoing);
        this.#outgoing = [];
        for (let at = 0; at < bytes.length;) {
          at += await this.#conn.write(bytes.subarray(at));
        }
      }
    } catch {
      // A write fails only on a connection that is over; the read side
      // tells why (the server may have replied, as a busy one does, before
      // it closed), and fails the calls.
      this.#outgoing = [];
    } finally {
      this.#writing = false;
    }
  }

  async #read(): Promise<void> {
    const buf = new Uint8Array(READ_BUFFER_BYTES);
    for (;;) {
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch (error) {
        this.#fail(this.#lost(error));
        return;
      }
      if (this.#ended !== undefined) return;
      if (n === null) {
        this.#endOfStream();
        return;
      }
      let replies: RespValue[];
      try {
        replies = this.#parser.push(buf.subarray(0, n));
      } catch (error) {
        if (!(error instanceof MalformedReplyError)) throw error;
        for (const reply of error.replies) this.#dispatch(reply);
        this.#fail(
          new RandportError(
            "malformed",
            `${this.#target} sent a reply that breaks RESP: ${error.message}`,
            { offset: error.offset, cause: error },
          ),
        );
        return;
      }
      for (const reply of replies) {
        this.#dispatch(reply);
        if (this.#ended !== undefined) return;
      }
      // Bytes arrived: the silence, if replies are still due, starts now.
      this.#arm();
    }
  }

  #dispatch(reply: RespValue): void {
    // Pushes come unasked (randport sends none): no call waits for them.
    if (reply instanceof RespPush) return;
    if (this.#count === 0) {
      this.#fail(
        new RandportError(
          "malformed",
          `${this.#target} sent a reply to no request`,
        ),
      );
      return;
    }
    const call = this.#pending[this.#head]!;
    this.#pending[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (reply instanceof ReplyError) {
      call.reject(
        new RandportError(
          BUSY.test(reply.message) ? "busy" : "server-error",
          reply.message,
        ),
      );
    } else {
      call.resolve(reply);
    }
    if (this.#count === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#drained?.();
    }
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#timeout > 0 && this.#count > 0 && this.#ended === undefined) {
      this.#timer = setTimeout(() => this.#silence(), this.#timeout);
    }
  }

  #silence(): void {
    const middle = this.#parser.inReply ? ", in the middle of one" : "";
    this.#fail(
      new RandportError(
        "timeout",
        `timed out: ${this.#target} sent nothing for ${
          this.#timeout / 1000
        } s with ${replies(this.#count)} due${middle}`,
      ),
    );
  }

  #endOfStream(): void {
    const count = this.#count;
    if (count === 0) {
      this.#finish({
        reason: new Error(`${this.#target} closed the connection`),
        byClose: false,
      });
      return;
    }
    const middle = this.#parser.inReply ? ", in the middle of one" : "";
    this.#fail(
      new RandportError(
        "reset",
        `${this.#target} closed the connection with ${
          replies(count)
        } due${middle}`,
      ),
    );
  }

  /** The read failure as a RandportError, in the words of a request client. */
  #lost(error: unknown): unknown {
    if (this.#ended !== undefined) return error;
    const classified = classify(error, this.#target, this.#timeout);
    if (classified.code !== "reset") return classified;
    return new RandportError(
      "reset",
      `connection reset by ${this.#target} with ${replies(this.#count)} due`,
      { cause: error },
    );
  }

  #fail(reason: unknown): void {
    if (this.#ended !== undefined) return;
    const calls = this.#pending.slice(this.#head);
    this.#pending = [];
    this.#head = 0;
    this.#finish({ reason, byClose: false });
    for (const call of calls) call!.reject(reason);
  }

  #finish(ended: { reason: unknown; byClose: boolean }): void {
    if (this.#ended !== undefined) return;
    this.#ended = ended;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outgoing = [];
    this.#signal?.removeEventListener("abort", this.#onAbort);
    closeQuietly(this.#conn);
    this.#drained?.();
  }
}
