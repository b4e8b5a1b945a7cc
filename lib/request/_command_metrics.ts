/**
 * The request port's metrics per command: requests, error replies, and how
 * long each took, under a `command` label that only the commands of the
 * table can take (anything else is `unknown`), so that a client sending
 * made-up names cannot add series.
 *
 * @module
 */

import type {
  CounterSeries,
  HistogramSeries,
  MetricsRegistry,
} from "../metrics/mod.ts";
import { COMMANDS } from "./_commands.ts";

/**
 * In seconds, from 10 µs (a `PING`, a `RANDINT` of a few numbers) to 5 s (a
 * draw of millions, a signed draw whose ledger waits on its disk): the
 * clients' defaults start at 5 ms, above nearly every command.
 */
export const COMMAND_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
]);

interface Series {
  requests: CounterSeries;
  errors: CounterSeries;
  duration: HistogramSeries;
}

/** Counts each request under its command; see `RequestServerOptions.metrics`. */
export class CommandMetrics {
  readonly #make: (command: string) => Series;
  /** By name as clients send it: upper and lower case, no other spelling. */
  readonly #byName = new Map<string, Series>();
  #unknown: Series | undefined;

  constructor(registry: MetricsRegistry) {
    const labelNames = ["command"];
    const requests = registry.counter({
      name: "randport_requests_total",
      help: "Requests the request port answered, by command.",
      labelNames,
    });
    const errors = registry.counter({
      name: "randport_request_errors_total",
      help: "Requests answered with an error reply, by command.",
      labelNames,
    });
    const duration = registry.histogram({
      name: "randport_request_duration_seconds",
      help:
        "Time to run a request and buffer its reply, by command (not the network's time).",
      labelNames,
      buckets: COMMAND_DURATION_BUCKETS,
    });
    // Every series of a command at once, so that an error ratio has its
    // denominator and numerator from the first request.
    this.#make = (command) => {
      const labels = { command };
      return {
        requests: requests.labels(labels),
        errors: errors.labels(labels),
        duration: duration.labels(labels),
      };
    };
  }

  /**
   * Counts a request that began at `started` (`performance.now()`) and has
   * just been answered.
   *
   * @returns Now, which is when the next request of a pipeline begins: one
   * clock reading per request, not two.
   */
  record(name: string, failed: boolean, started: number): number {
    const series = this.#byName.get(name) ?? this.#lookup(name);
    const now = performance.now();
    series.requests.inc();
    if (failed) series.errors.inc();
    series.duration.observe((now - started) / 1000);
    return now;
  }

  #lookup(name: string): Series {
    const upper = name.toUpperCase();
    if (!Object.hasOwn(COMMANDS, upper)) {
      return this.#unknown ??= this.#make("unknown");
    }
    const lower = upper.toLowerCase();
    const series = this.#byName.get(upper) ?? this.#make(lower);
    this.#byName.set(upper, series);
    this.#byName.set(lower, series);
    return series;
  }
}
