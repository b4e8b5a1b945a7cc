/**
 * How the client prints draws from the request port: one value per line,
 * csv or JSON for one draw; one line per draw (or an array of arrays) for
 * `--repeat`; and bytes as hex, base64 or raw.
 *
 * @module
 */

import type { DrawKind } from "./draw_command.ts";
import { UsageError } from "./usage_error.ts";

/** The `--format` values of value draws. */
export const DRAW_FORMATS = ["lines", "csv", "json"] as const;
/** The `--format` values of `randbytes`. */
export const BYTE_FORMATS = ["hex", "base64", "raw"] as const;

/** A `--format` value. */
export type DrawFormat =
  | typeof DRAW_FORMATS[number]
  | typeof BYTE_FORMATS[number];

/**
 * The formats a draw kind can be printed in, the default first.
 *
 * @example Usage
 * ```ts
 * import { drawFormats } from "./draw_output.ts";
 *
 * console.log(drawFormats("bytes").join(" ")); // "hex base64 raw"
 * ```
 *
 * @param kind What the draw's reply holds.
 * @returns The formats.
 */
export function drawFormats(kind: DrawKind): readonly DrawFormat[] {
  return kind === "bytes" ? BYTE_FORMATS : DRAW_FORMATS;
}

/**
 * Checks `--format` for a draw, and refuses csv where items may hold
 * commas.
 *
 * @example Usage
 * ```ts
 * import { checkDrawFormat } from "./draw_output.ts";
 *
 * console.log(checkDrawFormat("csv", { kind: "integers", name: "randint" })); // "csv"
 * ```
 *
 * @param format The value given, or `undefined` for the default.
 * @param draw The draw's kind and subcommand name.
 * @returns The format to print in.
 * @throws {UsageError} Naming `--format` and what it accepts here.
 */
export function checkDrawFormat(
  format: string | undefined,
  draw: { kind: DrawKind; name: string },
): DrawFormat {
  const choices = drawFormats(draw.kind);
  if (format === undefined) return choices[0];
  if (!(choices as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format: expected ${choices.join(" | ")} for ${draw.name}, got ${
        JSON.stringify(format)
      }`,
    );
  }
  if (
    format === "csv" && (draw.name === "shuffle" || draw.name === "sample")
  ) {
    throw new UsageError(
      `--format: not csv for ${draw.name}, whose items may hold commas; use lines or json`,
    );
  }
  return format as DrawFormat;
}

/** Options for {@linkcode formatDraws}. */
export interface FormatDrawsOptions {
  /**
   * What each draw holds.
   *
   * @default {"integers"}
   */
  kind?: DrawKind;
  /**
   * Whether the draws came from `--repeat` (then each draw is one line, or
   * one array of the JSON array), rather than being one draw.
   *
   * @default {false}
   */
  repeated?: boolean;
}

/**
 * The text (or bytes, for `raw`) the client prints for its draws. Values
 * are as the server sent them: integers, decimal text (`randfloat`'s exact
 * digits are kept), strings; bytes as `Uint8Array`.
 *
 * @example Usage
 * ```ts
 * import { formatDraws } from "./draw_output.ts";
 *
 * console.log(formatDraws([[3, 1, 2]], "csv")); // "3,1,2\n"
 * console.log(formatDraws([[1, 2], [3, 4]], "json", { repeated: true })); // "[[1,2],[3,4]]\n"
 * ```
 *
 * @param draws Each draw's values (`Uint8Array` for bytes).
 * @param format How to print them.
 * @param options The kind of values, and whether there were several draws.
 * @returns What to write to stdout.
 */
export function formatDraws(
  draws: readonly (readonly (number | string)[] | Uint8Array)[],
  format: DrawFormat,
  options: FormatDrawsOptions = {},
): string | Uint8Array {
  const kind = options.kind ?? "integers";
  if (kind === "bytes") return formatBytes(draws as Uint8Array[], format);
  const lists = draws as readonly (readonly (number | string)[])[];
  const json = (values: readonly (number | string)[]) =>
    // randfloat's and gauss's decimals go out as the server wrote them:
    // valid JSON numbers, with every digit kept.
    `[${
      values.map((v) =>
        kind === "strings" ? JSON.stringify(String(v)) : String(v)
      ).join(",")
    }]`;
  if (format === "json") {
    return options.repeated
      ? `[${lists.map(json).join(",")}]\n`
      : `${json(lists[0] ?? [])}\n`;
  }
  const separator = format === "csv" ? "," : options.repeated ? " " : "\n";
  // A repeated empty draw still gets its line, so that lines match draws.
  return lists.map((values) =>
    options.repeated || values.length > 0 ? `${values.join(separator)}\n` : ""
  ).join("");
}

function formatBytes(
  draws: Uint8Array[],
  format: DrawFormat,
): string | Uint8Array {
  if (format === "raw") {
    const out = new Uint8Array(draws.reduce((n, d) => n + d.length, 0));
    let offset = 0;
    for (const draw of draws) {
      out.set(draw, offset);
      offset += draw.length;
    }
    return out;
  }
  return draws.map((bytes) =>
    format === "base64" ? `${bytes.toBase64()}\n` : `${bytes.toHex()}\n`
  ).join("");
}
