// Connecting, reading within a timeout, and turning what the runtime throws
// into one RandportError with a code.

import { RandportError } from "../errors/randport_error.ts";
import { formatAddress } from "../net/address.ts";
import type { ClientTlsOptions } from "./client_tls_options.ts";

export function describeTarget(hostname: string, port: number): string {
  return formatAddress({ transport: "tcp", hostname, port });
}

export function classify(
  error: unknown,
  target: string,
  timeout: number,
): RandportError {
  if (error instanceof RandportError) return error;
  if (error instanceof TlsFailure) {
    const host = target.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
    return new RandportError("tls", tlsProblem(error, target, host), {
      cause: error.cause,
    });
  }
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new RandportError(
      "refused",
      `connection refused by ${target}: no server is listening there`,
      { cause: error },
    );
  }
  if (
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BrokenPipe
  ) {
    return new RandportError(
      "reset",
      `connection reset by ${target} before the payload was complete`,
      { cause: error },
    );
  }
  if (
    error instanceof DOMException && error.name === "TimeoutError" ||
    error instanceof Deno.errors.TimedOut
  ) {
    return new RandportError(
      "timeout",
      `timed out after ${timeout / 1000} s connecting to ${target}`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to lookup address|Name or service not known/i.test(message)) {
    return new RandportError(
      "unknown-host",
      `unknown host ${JSON.stringify(target.replace(/:\d+$/, ""))}: ${message}`,
      { cause: error },
    );
  }
  const host = target.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (/^invalid host /i.test(message)) {
    return new RandportError(
      "unknown-host",
      `invalid host ${JSON.stringify(host)}: not a host name or address`,
      { cause: error },
    );
  }
  // The errno's name, as the runtime gives it on every system.
  const code = (error as { code?: unknown })?.code;
  const words = typeof code === "string" ? OS_ERRORS[code]?.(host) : undefined;
  return new RandportError(
    "network",
    words === undefined
      ? `${target}: ${message}`
      : `cannot reach ${target}: ${words}`,
    { cause: error },
  );
}

/** Errors a connect can fail with, by errno name, in words for people. */
const OS_ERRORS: Record<string, (host: string) => string> = {
  // For an IPv6 link-local address: a missing interface.
  EINVAL: (host) =>
    /^fe[89ab]/i.test(host) && !host.includes("%")
      ? `a link-local IPv6 address needs its interface, as in ${host}%eth0`
      : "this host cannot connect to that address",
  EAFNOSUPPORT: () => "this host has no IPv6",
  EADDRNOTAVAIL: () => "this host has no address to connect from to that one",
  ENETUNREACH: (host) =>
    host.includes(":")
      ? "no network route to it (does this host have IPv6 connectivity?)"
      : "no network route to it",
  EHOSTUNREACH: () => "no route to that host",
};

/**
 * Connects, and with `tls` runs the handshake too, all within `timeout`,
 * so that a certificate the client refuses fails here, with a `tls` error,
 * not at the first read.
 */
export async function connect(
  hostname: string,
  port: number,
  timeout: number,
  signal: AbortSignal | undefined,
  tls?: ClientTlsOptions,
): Promise<Deno.Conn> {
  const signals = [
    signal,
    timeout > 0 ? AbortSignal.timeout(timeout) : undefined,
  ]
    .filter((s): s is AbortSignal => s !== undefined);
  const deadline = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const tcp = await Deno.connect({ hostname, port, signal: deadline });
  // Small writes go out at once (requests, a TLS handshake's last flight),
  // instead of waiting for a delayed ACK, as Redis clients do.
  try {
    tcp.setNoDelay(true);
  } catch {
    // A socket that cannot take it is used as it is.
  }
  if (tls === undefined) return tcp;
  const conn = await Deno.startTls(tcp, { hostname, caCerts: tls.caCerts });
  const onAbort = () => conn.close();
  deadline?.addEventListener("abort", onAbort, { once: true });
  try {
    await conn.handshake();
  } catch (error) {
    try {
      conn.close();
    } catch {
      // Closed by the deadline.
    }
    throw deadline?.aborted ? deadline.reason : new TlsFailure(error);
  } finally {
    deadline?.removeEventListener("abort", onAbort);
  }
  return conn;
}

/** A handshake that failed, told apart from a failure to connect. */
class TlsFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The handshake's failure, in words, from rustls' messages. */
function tlsProblem(error: TlsFailure, target: string, host: string): string {
  const message = error.message;
  if (/UnknownIssuer|CaUsedAsEndEntity|BadSignature/.test(message)) {
    return `TLS: the certificate of ${target} is not signed by a CA this client trusts (give the CA's certificate: --ca FILE, or the tls.caCerts option)`;
  }
  if (/NotValidForName|not valid for name/.test(message)) {
    return `TLS: the certificate of ${target} is not valid for the name ${
      JSON.stringify(host)
    } (connect by a name the certificate carries)`;
  }
  if (/Expired|certificate expired/i.test(message)) {
    return `TLS: the certificate of ${target} has expired`;
  }
  if (/NotValidYet|not valid yet/i.test(message)) {
    return `TLS: the certificate of ${target} is not valid yet`;
  }
  if (/corrupt message|InvalidContentType|wrong version/i.test(message)) {
    return `TLS: ${target} does not speak TLS (a plaintext server? leave out --tls)`;
  }
  if (
    error.cause instanceof Deno.errors.UnexpectedEof ||
    error.cause instanceof Deno.errors.ConnectionReset
  ) {
    return `TLS: ${target} closed the connection during the handshake (a plaintext server, or one that refused this client)`;
  }
  return `TLS: handshake with ${target} failed: ${message.split("\n")[0]}`;
}

/**
 * A read that fails with a `timeout` error after `timeout` ms of silence;
 * `received` (bytes so far) tells the message whether the server had sent
 * anything before it fell silent.
 */
export async function readWithin(
  conn: Deno.Conn,
  buf: Uint8Array,
  timeout: number,
  target: string,
  received: number,
): Promise<number | null> {
  if (timeout <= 0) return await conn.read(buf);
  const read = conn.read(buf);
  // The read is abandoned if the timer wins; its rejection is expected.
  read.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() =>
      reject(
        new RandportError(
          "timeout",
          received === 0
            ? `timed out: ${target} sent nothing for ${timeout / 1000} s`
            : `timed out: ${target} sent nothing more for ${
              timeout / 1000
            } s after ${received} bytes`,
        ),
      ), timeout);
  });
  try {
    return await Promise.race([read, silence]);
  } finally {
    clearTimeout(timer);
  }
}
