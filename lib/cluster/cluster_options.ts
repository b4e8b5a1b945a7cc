/**
 * The options of {@linkcode serveCluster}: one server's options, which
 * every worker gets, and what the workers share.
 *
 * @module
 */

import type { LogFormat, LogLevel } from "../log/logger.ts";
import type {
  RequestPortOptions,
  ServeOptions,
} from "../server/serve_options.ts";
import type { TlsCertificate } from "../transport/tls_terminator.ts";

/**
 * What every worker's `serve()` is given: {@linkcode ServeOptions} that can
 * be copied to a worker (no objects with methods). The request port's
 * signing is not among them: a key's chain has one writer (see
 * {@linkcode serveCluster}).
 */
export type ClusterServeOptions =
  & Omit<
    ServeOptions,
    | "tls"
    | "logger"
    | "signal"
    | "registry"
    | "budget"
    | "ordinals"
    | "requestIds"
    | "reusePort"
    | "requests"
  >
  & {
    /** The request port's options, signing and TLS aside. */
    requests?: Omit<RequestPortOptions, "signing" | "tls">;
  };

/** Options for {@linkcode serveCluster}. */
export interface ClusterOptions {
  /** How many workers, each with its own accept loops: 1 to 256. */
  workers: number;
  /**
   * Every worker's server options; `metrics` is served once, by the
   * coordinator, with every worker's figures summed.
   */
  serve: ClusterServeOptions;
  /**
   * TLS, and on which listeners.
   *
   * @default {undefined}
   */
  tls?: {
    /** The certificate chain and key. */
    certificate: TlsCertificate;
    /** Whether the push port speaks TLS. */
    push: boolean;
    /** Whether the request port speaks TLS. */
    requests: boolean;
  };
  /**
   * The least severe level logged, by every worker and the coordinator.
   *
   * @default {"error"}
   */
  logLevel?: LogLevel;
  /**
   * The log lines' format.
   *
   * @default {"text"}
   */
  logFormat?: LogFormat;
  /**
   * Aborting it starts the cluster's shutdown.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}
