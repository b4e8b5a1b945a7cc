// One client connection of the push port: its phase, why it was closed, and
// the deadline the server's sweeper enforces.

/**
 * - `sending`: the payload is being written (a deadline runs only while a
 *   write waits for room: the write timeout);
 * - `lingering`: the payload is out; reading until the client closes, until
 *   the linger deadline;
 * - `closed`: the socket is closed; `closeReason` says why.
 */
export type ConnectionPhase = "sending" | "lingering" | "closed";

/**
 * Why the server closed a connection before the client did:
 * - `done`: the server finished with it (payload sent and lingered, or the
 *   client went away);
 * - `timed-out`: a write waited longer than the write timeout;
 * - `linger-over`: the client did not close within the linger timeout;
 * - `cut-off`: the shutdown grace ended while it was open.
 */
export type CloseReason = "done" | "timed-out" | "linger-over" | "cut-off";

import type { StreamConn } from "../transport/stream_conn.ts";

export class Connection {
  /** The socket, then (once a PROXY header or TLS is through) what it carries. */
  conn: StreamConn;
  readonly ordinal: number;
  #phase: ConnectionPhase = "sending";
  #closeReason: CloseReason | undefined;
  /**
   * `performance.now()` after which the sweeper closes the connection;
   * Infinity while no deadline runs. A plain field, set on every write of
   * the hot path.
   */
  deadline = Infinity;
  /** Numbers and bytes written to it, for its log line. */
  numbers = 0;
  bytes = 0;

  constructor(conn: StreamConn, ordinal: number) {
    this.conn = conn;
    this.ordinal = ordinal;
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** Why the server closed it; `undefined` while it is open. */
  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  /** Whether the server gave up on it (timeout or cut-off), not the client. */
  get abandoned(): boolean {
    const reason = this.#closeReason;
    return reason !== undefined && reason !== "done";
  }

  /** The payload is out: wait up to `timeout` ms for the client to close. */
  linger(timeout: number): void {
    if (this.#phase !== "sending") return;
    this.#phase = "lingering";
    this.deadline = performance.now() + timeout;
  }

  /** The sweeper's check: closes the connection if its deadline has passed. */
  expire(now: number): void {
    if (now <= this.deadline) return;
    this.close(this.#phase === "sending" ? "timed-out" : "linger-over");
  }

  /** Closes the socket, once; the first reason given is the one kept. */
  close(reason: CloseReason): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#closeReason = reason;
    this.deadline = Infinity;
    try {
      this.conn.close();
    } catch {
      // Already closed by the runtime.
    }
  }
}
