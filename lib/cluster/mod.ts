/**
 * A server on every core: {@linkcode serveCluster} runs N workers, each
 * with the push and request ports' accept loops on the same ports
 * (`SO_REUSEPORT`), with one connection budget, one count of ordinals and
 * one metrics endpoint for them all. `server.ts --workers N` uses it.
 *
 * ```ts ignore
 * import { serveCluster } from "@randport/randport/cluster";
 *
 * const cluster = await serveCluster({ workers: 2, serve: { port: 0 } });
 * await cluster.shutdown();
 * ```
 *
 * @module
 */

export * from "./cluster_options.ts";
export * from "./serve_cluster.ts";
