/**
 * Where the servers' log lines go: {@linkcode LOG_LEVELS}, the
 * {@linkcode ServerLogger} interface, {@linkcode stderrLogger} and the
 * default {@linkcode errorsToStderr}.
 *
 * ```ts
 * import { stderrLogger } from "@randport/randport/log";
 * import { serve } from "@randport/randport/server";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, logger: stderrLogger("info") });
 * await server.shutdown(); // logs "... info stopped: 0 accepted, ..."
 * ```
 *
 * @module
 */

export * from "./logger.ts";
