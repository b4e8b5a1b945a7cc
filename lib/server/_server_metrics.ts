/**
 * The metrics `serve()` exposes besides the request port's per-command
 * ones: connection counters of both ports and the push port's output,
 * read from their stats objects at each scrape, so that the accept loops
 * and the write loop pay nothing for them.
 *
 * @module
 */

import {
  type CollectedValues,
  type MetricsRegistry,
  registerProcessMetrics,
} from "../metrics/mod.ts";
import type { RequestServerStats } from "../request/serve_requests.ts";
import type { ServerStats } from "./server_stats.ts";

/** The stats of the listeners, as the `listener` label names them. */
interface Listeners {
  push: Readonly<ServerStats>;
  request: Readonly<RequestServerStats> | undefined;
}

/** Registers the server's metrics, read from `listeners` at each scrape. */
export function registerServerMetrics(
  registry: MetricsRegistry,
  listeners: Listeners,
): void {
  const { push, request } = listeners;
  const both = (
    value: (
      stats: Readonly<ServerStats> | Readonly<RequestServerStats>,
    ) => number,
  ) =>
  (): CollectedValues => {
    const values: [{ listener: string }, number][] = [
      [{ listener: "push" }, value(push)],
    ];
    if (request) values.push([{ listener: "request" }, value(request)]);
    return values;
  };
  // Labelled all the same, so that the request port's figures can join
  // them under the same names.
  const pushOnly = (value: () => number) => (): CollectedValues => [
    [{ listener: "push" }, value()],
  ];
  const labelNames = ["listener"];
  registry.counter({
    name: "randport_connections_accepted_total",
    help: "Connections accepted, those then rejected at the limit included.",
    labelNames,
    collect: both((stats) => stats.accepted),
  });
  registry.gauge({
    name: "randport_connections_active",
    help: "Connections open now.",
    labelNames,
    collect: both((stats) => stats.active),
  });
  registry.counter({
    name: "randport_connections_rejected_total",
    help: "Connections turned away at the connection limit.",
    labelNames,
    collect: both((stats) => stats.rejected),
  });
  registry.counter({
    name: "randport_tls_handshake_failures_total",
    help:
      "Connections closed unserved because their TLS handshake failed (plaintext client, refused certificate, timeout).",
    labelNames,
    collect: both((stats) => stats.tlsFailures),
  });
  registry.counter({
    name: "randport_proxy_header_failures_total",
    help:
      "Connections closed unserved for a missing, malformed, late or untrusted PROXY header.",
    labelNames,
    collect: both((stats) => stats.proxyFailures),
  });
  registry.counter({
    name: "randport_connections_completed_total",
    help:
      "Connections whose payload was sent completely or whose stream ended cleanly.",
    labelNames,
    collect: pushOnly(() => push.completed),
  });
  registry.counter({
    name: "randport_connections_dropped_total",
    help: "Connections whose payload was cut short by a network error.",
    labelNames,
    collect: pushOnly(() => push.dropped),
  });
  registry.counter({
    name: "randport_connections_timed_out_total",
    help:
      "Connections closed because the client stopped reading (write timeout).",
    labelNames,
    collect: pushOnly(() => push.timedOut),
  });
  registry.counter({
    name: "randport_numbers_sent_total",
    help: "Numbers sent in payloads.",
    labelNames,
    collect: pushOnly(() => push.numbers),
  });
  registry.counter({
    name: "randport_bytes_sent_total",
    help: "Payload bytes sent.",
    labelNames,
    collect: pushOnly(() => push.bytes),
  });
  if (request) {
    registry.counter({
      name: "randport_request_protocol_errors_total",
      help: "Request-port connections closed for breaking the protocol.",
      collect: () => request.protocolErrors,
    });
  }
  registerProcessMetrics(registry);
}
