/**
 * The command lines' presentation: flag parsing, hints, colours, the
 * progress line, the number printer, the `--stats` report and the
 * histogram. Used by `server.ts` and `client.ts`; not part of the published
 * API (no `deno.json` export), so it may change with the command lines.
 *
 * ```ts
 * import { integerFlag, parseFlags } from "./mod.ts";
 *
 * const values = parseFlags(["--port", "9000"], { port: { type: "string" } });
 * console.log(integerFlag("--port", String(values.port), { min: 0, max: 65535 })); // 9000
 * ```
 *
 * @module
 */

export * from "./colors.ts";
export * from "./flag_file.ts";
export * from "./flags.ts";
export * from "./hints.ts";
export * from "./histogram.ts";
export * from "./printer.ts";
export * from "./progress.ts";
export * from "./read_session.ts";
export * from "./run_main.ts";
export * from "./stats_report.ts";
export * from "./stop_signals.ts";
export * from "./usage_error.ts";
export * from "./draw_command.ts";
export * from "./draw_main.ts";
export * from "./terminal_width.ts";
export * from "./draw_output.ts";
export * from "./verify_command.ts";
export * from "./export_command.ts";
