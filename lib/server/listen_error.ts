/**
 * The error `serve()` throws when one of its ports cannot be bound.
 *
 * @module
 */

/** Which of the server's listeners a {@linkcode ListenError} is about. */
export type Listener = "push" | "requests" | "metrics";

/** Options for {@linkcode ListenError}. */
export interface ListenErrorOptions {
  /**
   * The address asked for; `undefined` for every interface.
   *
   * @default {undefined}
   */
  hostname?: string;
  /**
   * The port asked for.
   *
   * @default {0}
   */
  port?: number;
  /**
   * The error from `Deno.listen`.
   *
   * @default {undefined}
   */
  cause?: unknown;
}

/**
 * A port `serve()` could not listen on. Its `cause` is the error from
 * `Deno.listen` (`Deno.errors.AddrInUse`, `Deno.errors.PermissionDenied`,
 * ...); nothing is left listening.
 *
 * @example Usage
 * ```ts
 * import { ListenError, serve } from "@randport/randport/server";
 *
 * const first = serve({ hostname: "127.0.0.1", port: 0 });
 * try {
 *   serve({ hostname: "127.0.0.1", port: first.addr.port });
 * } catch (error) {
 *   if (error instanceof ListenError) {
 *     console.log(error.listener, error.cause instanceof Deno.errors.AddrInUse); // "push" true
 *   }
 * }
 * await first.shutdown();
 * ```
 */
export class ListenError extends Error {
  /** Which port: the push port, the request port, or the metrics port. */
  readonly listener: Listener;
  /** The address asked for; `undefined` for every interface. */
  readonly hostname: string | undefined;
  /** The port asked for. */
  readonly port: number;

  /**
   * Creates the error.
   *
   * @param listener Which port.
   * @param options Where it was to listen, and why it could not.
   */
  constructor(listener: Listener, options: ListenErrorOptions) {
    const { cause, ...address } = options;
    const where = `${address.hostname ?? "every interface"} port ${
      address.port ?? 0
    }`;
    super(
      `cannot listen on ${where} (${listener} port): ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "ListenError";
    this.listener = listener;
    this.hostname = address.hostname;
    this.port = address.port ?? 0;
  }
}
