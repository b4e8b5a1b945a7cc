/**
 * Client side: connect to a randport server (or any server speaking the
 * classic protocol), read the payload to its end and parse it.
 *
 * @module
 */

import { RandportError } from "./errors.ts";
import { PayloadParser } from "./parser.ts";
import { DEFAULT_PORT, formatAddress, unbracketHost } from "./address.ts";

/** Options for {@linkcode streamNumbers} and {@linkcode fetchNumbers}. */
export interface FetchOptions {
  /**
   * The server's host name or address.
   *
   * @default {"localhost"}
   */
  hostname?: string;
  /**
   * The server's port.
   *
   * @default {27679}
   */
  port?: number;
  /**
   * Stop after this many numbers and close the connection (how to read a
   * part of a never-ending stream).
   *
   * @default {Infinity}
   */
  limit?: number;
  /**
   * Milliseconds allowed for connecting, and for each silence while
   * reading; 0 waits forever.
   *
   * @default {10000}
   */
  timeout?: number;
  /**
   * Aborting it closes the connection; the call then rejects with the
   * signal's reason (not a `RandportError`), as `fetch` does.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

const READ_BUFFER_BYTES = 65536;
const MAX_TIMEOUT = 2 ** 31 - 1;

function describeTarget(hostname: string, port: number): string {
  return formatAddress({ transport: "tcp", hostname, port });
}

function classify(
  error: unknown,
  target: string,
  timeout: number,
): RandportError {
  if (error instanceof RandportError) return error;
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new RandportError(
      "refused",
      `connection refused by ${target}: no server is listening there`,
      { cause: error },
    );
  }
  if (
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe
  ) {
    return new RandportError(
      "reset",
      `connection reset by ${target} before the payload was complete`,
      { cause: error },
    );
  }
  if (
    error instanceof DOMException && error.name === "TimeoutError" ||
    error instanceof Deno.errors.TimedOut
  ) {
    return new RandportError(
      "timeout",
      `timed out after ${timeout / 1000} s connecting to ${target}`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to lookup address|Name or service not known/i.test(message)) {
    return new RandportError(
      "unknown-host",
      `unknown host ${JSON.stringify(target.replace(/:\d+$/, ""))}: ${message}`,
      { cause: error },
    );
  }
  return new RandportError("network", `${target}: ${message}`, {
    cause: error,
  });
}

async function connect(
  hostname: string,
  port: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Deno.TcpConn> {
  const signals = [
    signal,
    timeout > 0 ? AbortSignal.timeout(timeout) : undefined,
  ]
    .filter((s): s is AbortSignal => s !== undefined);
  return await Deno.connect({
    hostname,
    port,
    signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
  });
}

/** A read that fails with a `timeout` error after `timeout` ms of silence. */
async function readWithin(
  conn: Deno.TcpConn,
  buf: Uint8Array,
  timeout: number,
  target: string,
): Promise<number | null> {
  if (timeout <= 0) return await conn.read(buf);
  const read = conn.read(buf);
  // The read is abandoned if the timer wins; its rejection is expected.
  read.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() =>
      reject(
        new RandportError(
          "timeout",
          `timed out: ${target} sent nothing for ${timeout / 1000} s`,
        ),
      ), timeout);
  });
  try {
    return await Promise.race([read, silence]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connects and yields the numbers in batches as they arrive, until the
 * server closes or `limit` numbers have been read. Each batch holds the
 * numbers completed by one read; for a long stream this is much cheaper than
 * one promise per number.
 *
 * @example Usage
 * ```ts
 * import { streamNumbers } from "@randport/randport";
 *
 * let sum = 0;
 * for await (const batch of streamNumbers({ port: 27679, limit: 1_000_000 })) {
 *   for (const n of batch) sum += n;
 * }
 * console.log(sum);
 * ```
 *
 * @param options Where to connect, how many to read, and the timeout.
 * @returns The batches.
 * @throws {RandportError} For every failure, with a code telling which.
 */
export async function* streamNumbers(
  options: FetchOptions = {},
): AsyncGenerator<number[], void, undefined> {
  const hostname = unbracketHost(options.hostname ?? "localhost");
  const port = options.port ?? DEFAULT_PORT;
  const timeout = options.timeout ?? 10000;
  let remaining = options.limit ?? Infinity;
  const target = describeTarget(hostname, port);
  if (
    !(remaining >= 0) ||
    !(Number.isInteger(remaining) || remaining === Infinity)
  ) {
    throw new RangeError(
      `limit: expected a non-negative integer or Infinity, got ${remaining}`,
    );
  }
  // Timers overflow past 2^31−1 ms.
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT) {
    throw new RangeError(
      `timeout: expected milliseconds from 0 to ${MAX_TIMEOUT}, got ${timeout}`,
    );
  }
  let conn: Deno.TcpConn;
  try {
    conn = await connect(hostname, port, timeout, options.signal);
  } catch (error) {
    // An abort is the caller's own doing: hand its reason back, as fetch does.
    if (options.signal?.aborted) throw options.signal.reason;
    throw classify(error, target, timeout);
  }
  const onAbort = () => conn.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const parser = new PayloadParser();
    const buf = new Uint8Array(READ_BUFFER_BYTES);
    while (remaining > 0) {
      const length = await readWithin(conn, buf, timeout, target);
      const batch = length === null
        ? parser.end()
        : parser.push(buf.subarray(0, length));
      if (batch.length >= remaining) {
        yield batch.length > remaining ? batch.slice(0, remaining) : batch;
        return;
      }
      remaining -= batch.length;
      if (batch.length > 0) yield batch;
      if (length === null) return;
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw classify(error, target, timeout);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    try {
      conn.close();
    } catch {
      // Already closed by an abort.
    }
  }
}

/**
 * Connects, reads the whole payload (or `limit` numbers) and returns the
 * numbers.
 *
 * @example Usage
 * ```ts
 * import { fetchNumbers } from "@randport/randport";
 *
 * const numbers = await fetchNumbers({ hostname: "localhost", port: 27679 });
 * console.log(numbers); // e.g. [58, 25, 73, 22, 19, 48, 61, 33, 47, 31]
 * ```
 *
 * @param options Where to connect, how many to read, and the timeout.
 * @returns The numbers, in the order they were sent.
 * @throws {RandportError} For every failure, with a code telling which.
 */
export async function fetchNumbers(
  options: FetchOptions = {},
): Promise<number[]> {
  const numbers: number[] = [];
  for await (const batch of streamNumbers(options)) {
    for (const n of batch) numbers.push(n);
  }
  return numbers;
}
