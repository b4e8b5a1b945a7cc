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
  return new RandportError("network", `${target}: ${message}`, {
    cause: error,
  });
}

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

/** A read that fails with a `timeout` error after `timeout` ms of silence. */
export async function readWithin(
  conn: Deno.TcpConn,
  buf: Uint8Array,
  timeout: number,
  target: string,
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
          `timed out: ${target} sent nothing for ${timeout / 1000} s`,
        ),
      ), timeout);
  });
  try {
    return await Promise.race([read, silence]);
  } finally {
    clearTimeout(timer);
  }
}
