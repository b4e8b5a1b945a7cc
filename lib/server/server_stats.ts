/**
 * The counters a running server keeps.
 *
 * @module
 */

/** Counters of a running server. */
export interface ServerStats {
  /** Connections accepted since start. */
  accepted: number;
  /** Connections open now. */
  active: number;
  /** Connections whose payload was sent completely (or whose stream ended cleanly). */
  completed: number;
  /** Connections whose fixed payload was cut short by a network error. */
  dropped: number;
  /** Connections disconnected because they stopped reading (write timeout). */
  timedOut: number;
  /** Connections turned away with `ERR busy` at the connection limit. */
  rejected: number;
  /** Connections closed unserved for a missing, bad or untrusted PROXY header. */
  proxyFailures: number;
  /** Connections closed unserved because their TLS handshake failed. */
  tlsFailures: number;
  /** Numbers sent. */
  numbers: number;
  /** Payload bytes sent. */
  bytes: number;
}
