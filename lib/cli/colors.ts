/**
 * ANSI colours for the client's terminal output, switched on or off as a
 * whole.
 *
 * Written here rather than taken from npm because every colour package we
 * tried (picocolors, colorette, kleur, ansis, chalk, ansi-colors,
 * yoctocolors, tinyrainbow) reads `TERM`, `CI` or similar through
 * `process.env` when it is imported, which under Deno needs `--allow-env`: a
 * permission prompt on a terminal, a crash elsewhere. The client runs with
 * `--allow-net` only; callers decide with `Deno.stdout.isTerminal()` and
 * `Deno.noColor`, which need no permission.
 *
 * @module
 */

/** Styles that wrap text in ANSI escape codes, or return it unchanged. */
export interface Colors {
  /** Whether the styles add escape codes. */
  readonly enabled: boolean;
  /** Bold text. */
  bold(text: string): string;
  /** Dim text, for labels and notes. */
  dim(text: string): string;
  /** Red text, for bad news. */
  red(text: string): string;
  /** Green text, for good news. */
  green(text: string): string;
  /** Yellow text, for doubtful news. */
  yellow(text: string): string;
  /** Cyan text, for bars. */
  cyan(text: string): string;
}

/** Options for {@linkcode createColors}. */
export interface ColorsOptions {
  /**
   * Whether to colour at all. Callers pass whether the output is a terminal
   * and `NO_COLOR` is unset (`!Deno.noColor`).
   *
   * @default {false}
   */
  enabled?: boolean;
}

function style(open: number, close: number): (text: string) => string {
  return (text) => text === "" ? "" : `\x1b[${open}m${text}\x1b[${close}m`;
}

function plain(text: string): string {
  return text;
}

/**
 * Returns the styles, active or not.
 *
 * @example Usage
 * ```ts
 * import { createColors } from "./colors.ts";
 *
 * const colors = createColors({
 *   enabled: Deno.stdout.isTerminal() && !Deno.noColor,
 * });
 * console.log(colors.green("looks uniform"));
 * ```
 *
 * @param options Whether to colour.
 * @returns The styles.
 */
export function createColors(options: ColorsOptions = {}): Colors {
  const enabled = options.enabled ?? false;
  return {
    enabled,
    bold: enabled ? style(1, 22) : plain,
    dim: enabled ? style(2, 22) : plain,
    red: enabled ? style(31, 39) : plain,
    green: enabled ? style(32, 39) : plain,
    yellow: enabled ? style(33, 39) : plain,
    cyan: enabled ? style(36, 39) : plain,
  };
}
