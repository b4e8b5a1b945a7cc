/**
 * Reading a payload as it arrives: connect, parse, yield the numbers batch
 * by batch.
 *
 * @module
 */

import { RandportError } from "../errors/randport_error.ts";
import { PayloadParser } from "../wire/parser.ts";
import { classify, connect, describeTarget, readWithin } from "./_connect.ts";
import { type FetchOptions, resolveFetchOptions } from "./fetch_options.ts";

const READ_BUFFER_BYTES = 65536;

/**
 * Connects and yields the numbers in batches as they arrive, until the
 * server closes or `limit` numbers have been read. Each batch holds the
 * numbers completed by one read; for a long stream this is much cheaper than
 * one promise per number.
 *
 * @example Usage
 * ```ts
 * import { streamNumbers } from "@randport/randport/client";
 * import { serve } from "@randport/randport/server";
 *
 * // As `deno task serve --stream --port 0` would: numbers until we stop.
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { stream: true } });
 * let sum = 0;
 * const options = { hostname: "127.0.0.1", port: server.addr.port, limit: 1_000_000 };
 * for await (const batch of streamNumbers(options)) {
 *   for (const n of batch) sum += n;
 * }
 * console.log(sum / 1_000_000); // about 50.5
 * await server.shutdown();
 * ```
 *
 * @param options Where to connect, how many to read, and the timeout.
 * @returns The batches.
 * @throws {OptionError} When an option cannot be honoured, before
 * connecting.
 * @throws {RandportError} For every failure, with a code telling which.
 */
export async function* streamNumbers(
  options: FetchOptions = {},
): AsyncGenerator<number[], void, undefined> {
  const { hostname, port, timeout, signal, limit, tls } = resolveFetchOptions(
    options,
  );
  let remaining = limit;
  const target = describeTarget(hostname, port);
  let conn: Deno.Conn;
  try {
    conn = await connect(hostname, port, timeout, signal, tls);
  } catch (error) {
    // An abort is the caller's own doing: hand its reason back, as fetch does.
    if (signal?.aborted) throw signal.reason;
    throw classify(error, target, timeout);
  }
  const onAbort = () => conn.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const parser = new PayloadParser();
    const buf = new Uint8Array(READ_BUFFER_BYTES);
    while (remaining > 0) {
      const length = await readWithin(
        conn,
        buf,
        timeout,
        target,
        parser.bytesRead,
      );
      let batch: number[];
      try {
        batch = length === null
          ? parser.end()
          : parser.push(buf.subarray(0, length));
      } catch (error) {
        // Numbers before a malformed byte are delivered, as those before a
        // truncation are; a limit they reach ends the read before the error.
        const good = error instanceof RandportError ? error.numbers : [];
        if (good.length > 0) yield good.slice(0, remaining);
        if (good.length >= remaining) return;
        // Delivered already: the error the caller sees holds none of them.
        throw good.length > 0 && error instanceof RandportError
          ? new RandportError(error.code, error.message, {
            offset: error.offset,
          })
          : error;
      }
      if (batch.length >= remaining) {
        yield batch.length > remaining ? batch.slice(0, remaining) : batch;
        return;
      }
      remaining -= batch.length;
      if (batch.length > 0) yield batch;
      if (length === null) return;
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw classify(error, target, timeout);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    try {
      conn.close();
    } catch {
      // Already closed by an abort.
    }
  }
}
