/**
 * One read as the client command runs it: the numbers go to a sink (a
 * printer or statistics), a progress line follows along, a note is given
 * once when the payload looks endless, and an abort (Ctrl-C) ends the read
 * cleanly instead of failing it.
 *
 * @module
 */

import type { FetchOptions } from "../client/fetch_options.ts";
import { streamNumbers } from "../client/stream_numbers.ts";
import type { ReadProgress } from "./progress.ts";

/**
 * Receives every batch of numbers: `NumberPrinter.prototype.print` and
 * `StreamStats.prototype.add` both fit.
 */
export type NumberSink = (numbers: number[]) => void | Promise<void>;

/** Options for {@linkcode readSession}: where to read, and what to show. */
export interface ReadSessionOptions extends FetchOptions {
  /**
   * Kept up to date with the count, and stopped (its line cleared) however
   * the read ends.
   *
   * @default {undefined}
   */
  progress?: ReadProgress;
  /**
   * After this many numbers, if the payload has not ended, `onLongRead` is
   * called once.
   *
   * @default {Infinity}
   */
  noteAfter?: number;
  /**
   * Called once when `noteAfter` numbers have arrived and more are coming:
   * the place to say how to stop an endless stream.
   *
   * @default {undefined}
   */
  onLongRead?: (count: number) => void;
}

/** How a {@linkcode readSession} ended. */
export interface ReadSessionResult {
  /** Numbers read and given to the sink. */
  count: number;
  /**
   * Whether `signal` ended the read (the numbers so far were all
   * delivered); otherwise the payload or `limit` did.
   */
  interrupted: boolean;
}

/**
 * Reads numbers with {@linkcode streamNumbers} into `sink`. An abort of
 * `options.signal` is not an error here: the read stops, and the result says
 * it was interrupted. Every other failure is thrown, after the progress line
 * is cleared.
 *
 * @example Usage
 * ```ts
 * import { serve } from "../server/serve.ts";
 * import { StreamStats } from "../stats/stream_stats.ts";
 * import { readSession } from "./read_session.ts";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { stream: true } });
 * const stats = new StreamStats();
 * const { count, interrupted } = await readSession(
 *   (numbers) => stats.add(numbers),
 *   { hostname: "127.0.0.1", port: server.addr.port, limit: 1000 },
 * );
 * console.log(count, interrupted, stats.mean); // 1000 false 50.5 or so
 * await server.shutdown();
 * ```
 *
 * @param sink Receives the numbers, batch by batch.
 * @param options Where to read, `limit`, `timeout`, `signal`, progress and the
 * long-read note.
 * @returns How many numbers were read, and whether the signal stopped it.
 * @throws {RandportError} For network and payload failures.
 */
export async function readSession(
  sink: NumberSink,
  options: ReadSessionOptions = {},
): Promise<ReadSessionResult> {
  const { progress, onLongRead } = options;
  const noteAfter = options.noteAfter ?? Infinity;
  let count = 0;
  let noted = false;
  try {
    for await (const batch of streamNumbers(options)) {
      await sink(batch);
      count += batch.length;
      progress?.update(count);
      // A batch that reaches `limit` ends the read: nothing more is coming.
      if (!noted && count >= noteAfter && count < (options.limit ?? Infinity)) {
        noted = true;
        onLongRead?.(count);
      }
    }
  } catch (error) {
    // Whatever an abort broke (connect, read), it was a request to stop.
    if (options.signal?.aborted) {
      return { count, interrupted: true };
    }
    throw error;
  } finally {
    progress?.stop();
  }
  return { count, interrupted: false };
}
