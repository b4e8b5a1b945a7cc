/**
 * The process's own metrics, under the names Prometheus's client libraries
 * use, so that the dashboards made for them work.
 *
 * @module
 */

import type { MetricsRegistry } from "./registry.ts";

/**
 * Registers the process's memory (`Deno.memoryUsage()`, read at each
 * scrape) and start time:
 *
 * - `process_resident_memory_bytes`: resident set size;
 * - `process_start_time_seconds`: since the Unix epoch;
 * - `deno_heap_total_bytes`, `deno_heap_used_bytes`: V8's heap;
 * - `deno_external_memory_bytes`: memory V8 tracks outside its heap
 *   (buffers).
 *
 * @example Usage
 * ```ts
 * import { MetricsRegistry, registerProcessMetrics } from "@randport/randport/metrics";
 *
 * const registry = new MetricsRegistry();
 * registerProcessMetrics(registry);
 * console.log(registry.render().includes("process_resident_memory_bytes ")); // true
 * ```
 *
 * @param registry Where to register them.
 * @throws {TypeError} When one of the names is registered already.
 */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    collect: () => Deno.memoryUsage().rss,
  });
  // The time origin is when the runtime started, before any module ran.
  const started = performance.timeOrigin / 1000;
  registry.gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    collect: () => started,
  });
  registry.gauge({
    name: "deno_heap_total_bytes",
    help: "Size of V8's heap in bytes.",
    collect: () => Deno.memoryUsage().heapTotal,
  });
  registry.gauge({
    name: "deno_heap_used_bytes",
    help: "Bytes of V8's heap in use.",
    collect: () => Deno.memoryUsage().heapUsed,
  });
  registry.gauge({
    name: "deno_external_memory_bytes",
    help: "Bytes V8 tracks outside its heap, such as buffers.",
    collect: () => Deno.memoryUsage().external,
  });
}
