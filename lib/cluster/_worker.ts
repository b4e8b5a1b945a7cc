// One worker of serveCluster: a whole server (push port, request port) on
// ports it shares with the other workers through SO_REUSEPORT, counting
// against the cluster's connection budget and ordinals, and reporting its
// metrics and final counts to the coordinator.

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import {
  type LogFields,
  type LogLevel,
  type ServerLogger,
  stderrLogger,
} from "../log/logger.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import { ClientBudget } from "../net/client_budget.ts";
import { ConnectionBudget } from "../net/connection_budget.ts";
import { SharedCounter } from "../net/shared_counter.ts";
import { ListenError } from "../server/listen_error.ts";
import { type RandportServer, serve } from "../server/serve.ts";
import { TlsTerminator } from "../transport/tls_terminator.ts";
import type {
  FromWorker,
  ListenFailure,
  StartMessage,
  ToWorker,
} from "./_messages.ts";

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** The worker's lines carry its number: `worker 2: ...`, `"worker":2`. */
function workerLogger(inner: ServerLogger, index: number): ServerLogger {
  return {
    log(level: LogLevel, message: string, fields?: LogFields) {
      inner.log(level, `worker ${index}: ${message}`, {
        event: "message",
        ...fields,
        worker: index,
      });
    },
    enabled: (level) => inner.enabled?.(level) ?? true,
  };
}

function failure(error: unknown): ListenFailure | undefined {
  if (!(error instanceof ListenError)) return undefined;
  const cause = error.cause;
  const name = Object.entries(Deno.errors).find(([, type]) =>
    cause instanceof type
  )?.[0];
  return {
    listener: error.listener,
    hostname: error.hostname,
    port: error.port,
    cause: name ?? "Error",
    message: cause instanceof Error ? cause.message : String(cause),
  };
}

let server: RandportServer | undefined;
let logger: ServerLogger | undefined;
let registry: MetricsRegistry | undefined;
let tls: TlsTerminator | undefined;

function start(message: StartMessage): void {
  const { serve: options, index } = message;
  try {
    tls = message.tls && new TlsTerminator(message.tls.certificate);
    registry = new MetricsRegistry();
    logger = workerLogger(
      stderrLogger(message.log.level, { format: message.log.format }),
      index,
    );
    server = serve({
      ...options,
      metrics: undefined,
      tls: message.tls?.push ? tls : undefined,
      requests: options.requests && {
        ...options.requests,
        tls: message.tls?.requests ? tls : undefined,
      },
      logger,
      registry,
      reusePort: true,
      budget: new ConnectionBudget(message.budget.limit, {
        shared: message.budget.shared,
      }),
      clientBudget: message.clientBudget &&
        new ClientBudget(message.clientBudget.limit, {
          addresses: message.clientBudget.addresses,
          shared: message.clientBudget.shared,
        }),
      ordinals: new SharedCounter(message.ordinals),
      requestIds: new SharedCounter(message.requestIds),
    });
  } catch (error) {
    post({
      type: "failed",
      failure: failure(error),
      message: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  const running = server;
  post({
    type: "listening",
    addr: running.addr,
    requestAddr: running.requests?.addr,
  });
  running.finished.then(() =>
    post({
      type: "finished",
      stats: { ...running.stats },
      requestStats: running.requests && { ...running.requests.stats },
    })
  );
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      start(message);
      break;
    case "shutdown":
      server?.shutdown();
      break;
    case "render":
      post({
        type: "rendered",
        id: message.id,
        text: registry?.render() ?? "",
      });
      break;
    case "reload-tls":
      // Checked by the coordinator first; should this worker still fail to
      // reopen a socket with it, it keeps serving with the old pair.
      try {
        tls?.reload(message.certificate);
      } catch (error) {
        logger?.log(
          "error",
          `TLS certificate not reloaded here, the old one stays: ${
            error instanceof Error ? error.message : error
          }`,
          { event: "tls.reload_failed", error: String(error) },
        );
      }
      break;
  }
};
