/**
 * How wide stdout's terminal is, for the histogram.
 *
 * @module
 */

/**
 * Stdout's width in columns; 80 when it cannot be told.
 *
 * @example Usage
 * ```ts
 * import { terminalWidth } from "./terminal_width.ts";
 *
 * console.log(terminalWidth() > 0); // true
 * ```
 *
 * @returns The number of columns.
 */
export function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80; // Not a console after all (e.g. a pipe on Windows).
  }
}
