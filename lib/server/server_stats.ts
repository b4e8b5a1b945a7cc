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

/**
 * The counts of a stopped server in words, as its `stopped:` log line
 * says them (README, Hardening), and by name for JSON logs. The PROXY and
 * TLS failures are named only when there were some.
 *
 * @example Usage
 * ```ts
 * import { describeStopped } from "@randport/randport/server";
 *
 * const stats = {
 *   accepted: 3, active: 0, completed: 2, dropped: 0, timedOut: 0,
 *   rejected: 1, proxyFailures: 0, tlsFailures: 0, numbers: 20, bytes: 58,
 * };
 * console.log(describeStopped(stats).text);
 * // "3 accepted, 2 completed, 0 dropped, 0 timed out, 1 rejected as busy"
 * ```
 *
 * @param stats The counts.
 * @returns The words, and the counts by name.
 */
export function describeStopped(stats: Readonly<ServerStats>): {
  text: string;
  fields: Record<string, number>;
} {
  const { accepted, completed, dropped, timedOut, rejected } = stats;
  const { proxyFailures, tlsFailures } = stats;
  const unserved = proxyFailures + tlsFailures > 0
    ? `, ${proxyFailures} bad PROXY headers, ${tlsFailures} failed TLS handshakes`
    : "";
  return {
    text:
      `${accepted} accepted, ${completed} completed, ${dropped} dropped, ${timedOut} timed out, ${rejected} rejected as busy${unserved}`,
    fields: {
      accepted,
      completed,
      dropped,
      timedOut,
      rejected,
      proxyFailures,
      tlsFailures,
    },
  };
}
