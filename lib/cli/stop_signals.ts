/**
 * Stopping a command on SIGINT or SIGTERM: the first signal asks for a
 * graceful stop, a deliberate second one exits at once, and one Ctrl-C that
 * reaches the process twice counts once.
 *
 * Why twice: a terminal sends Ctrl-C's SIGINT to the whole foreground
 * process group, and `deno task` (in that group too) forwards the signal to
 * the command it runs. The copies arrive within milliseconds of each other,
 * so signals closer than {@linkcode DUPLICATE_SIGNAL_MS} to the first are
 * taken as copies of it.
 *
 * @module
 */

/**
 * Signals this close (in milliseconds) after the first are copies of it, not
 * a second request. A person pressing Ctrl-C again, having seen that the
 * first one is still being honoured, takes longer than this.
 *
 * @example Usage
 * ```ts
 * import { DUPLICATE_SIGNAL_MS } from "./stop_signals.ts";
 *
 * console.log(DUPLICATE_SIGNAL_MS); // 250
 * ```
 */
export const DUPLICATE_SIGNAL_MS = 250;

/** The stop signals, with the exit code of a process killed by each. */
const STOP_SIGNALS: [Deno.Signal, number][] = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
];

/** Options for {@linkcode onStopSignals}. */
export interface StopSignalsOptions {
  /**
   * Which signals stop the command.
   *
   * @default {["SIGINT", "SIGTERM"]}
   */
  signals?: readonly Deno.Signal[];
  /**
   * Called on a deliberate second signal, before the process exits with
   * that signal's code (130 for SIGINT, 143 for SIGTERM): the place to
   * clear a progress line.
   *
   * @default {undefined}
   */
  beforeExit?: () => void;
  /**
   * Signals closer than this to the first, in milliseconds, are copies of
   * it and ignored.
   *
   * @default {DUPLICATE_SIGNAL_MS}
   */
  duplicateMs?: number;
}

/**
 * Calls `stop` on the first stop signal; ignores copies of it (see the
 * module documentation); exits at once, with the shell's code for death by
 * that signal, on a second signal that comes later.
 *
 * @example Usage
 * ```ts
 * import { onStopSignals } from "./stop_signals.ts";
 *
 * const controller = new AbortController();
 * const remove = onStopSignals(() => controller.abort());
 * // ... work until controller.signal is aborted ...
 * remove();
 * ```
 *
 * @param stop Starts the graceful stop; called once.
 * @param options The signals, what to do before a forced exit, and the
 * window for copies.
 * @returns A function that removes the listeners.
 */
export function onStopSignals(
  stop: () => void,
  options: StopSignalsOptions = {},
): () => void {
  const names = options.signals ?? STOP_SIGNALS.map(([name]) => name);
  const duplicateMs = options.duplicateMs ?? DUPLICATE_SIGNAL_MS;
  let first: number | undefined;
  const removers = STOP_SIGNALS
    .filter(([name]) => names.includes(name))
    .map(([name, exitCode]) => {
      const handler = () => {
        const now = performance.now();
        if (first === undefined) {
          first = now;
          stop();
          return;
        }
        if (now - first < duplicateMs) return;
        options.beforeExit?.();
        Deno.exit(exitCode);
      };
      Deno.addSignalListener(name, handler);
      return () => Deno.removeSignalListener(name, handler);
    });
  return () => {
    for (const remove of removers) remove();
  };
}
