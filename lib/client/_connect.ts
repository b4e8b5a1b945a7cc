// Connecting, reading within a timeout, and turning what the runtime throws
// into one RandportError with a code.

import { RandportError } from "../errors/randport_error.ts";
import { formatAddress } from "../net/address.ts";

export function describeTarget(hostname: string, port: number): string {
  return formatAddress({ transport: "tcp", hostname, port });
}

export function classify(
  error: unknown,
  target: string,
  timeout: number,
): RandportError {
  if (error instanceof RandportError) return error;
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

export async function connect(
  hostname: string,
  port: number,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Deno.TcpConn> {
  const signals = [
    signal,
    timeout > 0 ? AbortSignal.timeout(timeout) : undefined,
  ]
    .filter((s): s is AbortSignal => s !== undefined);
  return await Deno.connect({
    hostname,
    port,
    signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
  });
}

/**
 * A read that fails with a `timeout` error after `timeout` ms of silence;
 * `received` (bytes so far) tells the message whether the server had sent
 * anything before it fell silent.
 */
export async function readWithin(
  conn: Deno.TcpConn,
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
