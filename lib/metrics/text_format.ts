/**
 * The pieces of the Prometheus text exposition format, version 0.0.4, that
 * every metric type writes the same way: the content type, escaping, and
 * how a sample's value is spelled.
 *
 * @module
 */

/**
 * The `Content-Type` of a scrape in the text exposition format 0.0.4.
 *
 * @example Usage
 * ```ts
 * import { PROMETHEUS_CONTENT_TYPE } from "@randport/randport/metrics";
 *
 * console.log(PROMETHEUS_CONTENT_TYPE); // "text/plain; version=0.0.4; charset=utf-8"
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/**
 * Escapes the text of a `# HELP` line: a backslash becomes `\\` and a line
 * feed `\n`; quotes stay as they are there.
 *
 * @example Usage
 * ```ts
 * import { escapeHelp } from "@randport/randport/metrics";
 *
 * console.log(escapeHelp("one\ntwo \\ \"three\"")); // one\ntwo \\ "three"
 * ```
 *
 * @param text Any text.
 * @returns The text as it goes after `# HELP name `.
 */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/**
 * Escapes a label value: a backslash becomes `\\`, a double quote `\"` and a
 * line feed `\n`.
 *
 * @example Usage
 * ```ts
 * import { escapeLabelValue } from "@randport/randport/metrics";
 *
 * console.log(escapeLabelValue('say "hi"\n')); // say \"hi\"\n
 * ```
 *
 * @param value Any text.
 * @returns The text as it goes between the quotes of `name="..."`.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(
    /[\\"\n]/g,
    (c) => c === "\n" ? "\\n" : c === '"' ? '\\"' : "\\\\",
  );
}

/**
 * Spells a sample's value as the format wants it: `+Inf`, `-Inf`, `NaN`,
 * and otherwise the shortest decimal that reads back as the same number
 * (JavaScript's `1e+21` is one that Prometheus parses).
 *
 * @example Usage
 * ```ts
 * import { formatSampleValue } from "@randport/randport/metrics";
 *
 * console.log(formatSampleValue(Infinity)); // "+Inf"
 * console.log(formatSampleValue(0.25)); // "0.25"
 * ```
 *
 * @param value Any number.
 * @returns Its text.
 */
export function formatSampleValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}
