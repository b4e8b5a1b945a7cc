// What the coordinator of serveCluster and its workers say to each other,
// through postMessage (structured clones: plain data and shared memory).

import type { LogFormat, LogLevel } from "../log/logger.ts";
import type { RequestServerStats } from "../request/serve_requests.ts";
import type { ServerStats } from "../server/server_stats.ts";
import type { TlsCertificate } from "../transport/tls_terminator.ts";
import type { ClusterServeOptions } from "./cluster_options.ts";

export interface StartMessage {
  type: "start";
  index: number;
  serve: ClusterServeOptions;
  tls:
    | { certificate: TlsCertificate; push: boolean; requests: boolean }
    | undefined;
  log: { level: LogLevel; format: LogFormat };
  budget: { limit: number; shared: SharedArrayBuffer };
  clientBudget:
    | { limit: number; addresses: number; shared: SharedArrayBuffer }
    | undefined;
  ordinals: SharedArrayBuffer;
  requestIds: SharedArrayBuffer;
}

export type ToWorker =
  | StartMessage
  | { type: "shutdown" }
  | { type: "render"; id: number }
  | { type: "reload-tls"; certificate: TlsCertificate };

export interface ListenFailure {
  listener: "push" | "requests" | "metrics";
  hostname: string | undefined;
  port: number;
  /** The Deno.errors class's name (AddrInUse, ...), if it is one. */
  cause: string;
  message: string;
}

export type FromWorker =
  | {
    type: "listening";
    addr: Deno.NetAddr;
    requestAddr: Deno.NetAddr | undefined;
  }
  | { type: "failed"; failure: ListenFailure | undefined; message: string }
  | { type: "rendered"; id: number; text: string }
  | {
    type: "finished";
    stats: ServerStats;
    requestStats: RequestServerStats | undefined;
  };
