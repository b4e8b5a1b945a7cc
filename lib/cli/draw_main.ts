/**
 * The draw subcommands of `deno task client` (`randint 6 1 49 --unique`,
 * `uuid 3`, ...): flags to a request, the request to the port, the reply
 * printed or summarized.
 *
 * @module
 */

import { connectRequests } from "../client/request_client.ts";
import { FETCH_LIMITS } from "../client/fetch_options.ts";
import { resolveRequestClientOptions } from "../client/request_client_options.ts";
import { RandportError } from "../errors/randport_error.ts";
import { StreamStats } from "../stats/stream_stats.ts";
import { createColors } from "./colors.ts";
import { drawRequest, splitDrawArgs } from "./draw_command.ts";
import { checkDrawFormat, formatDraws } from "./draw_output.ts";
import { writeText } from "./printer.ts";
import { clientTlsFlags } from "./flag_file.ts";
import {
  hostFlag,
  integerFlag,
  parseFlags,
  rangeFlag,
  secondsFlag,
} from "./flags.ts";
import { errorHint } from "./hints.ts";
import { formatHistogram } from "./histogram.ts";
import { formatStats } from "./stats_report.ts";
import { onStopSignals } from "./stop_signals.ts";
import { terminalWidth } from "./terminal_width.ts";
import { asUsageError, UsageError } from "./usage_error.ts";

/** The flag of every option the request client takes, for its errors. */
const FLAG_OF: Record<string, string> = {
  hostname: "--host",
  port: "--port",
  timeout: "--timeout",
};

/** The flags of the draw subcommands. */
export const DRAW_FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  timeout: { type: "string" },
  format: { type: "string" },
  unique: { type: "boolean" },
  alphabet: { type: "string" },
  seed: { type: "string" },
  repeat: { type: "string" },
  stats: { type: "boolean" },
  histogram: { type: "boolean" },
  range: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The most draws one `--repeat` asks for. */
const MAX_REPEAT = 1_000_000;

/** Options for {@linkcode drawMain}. */
export interface DrawMainOptions {
  /** What `--help` prints. */
  help: string;
}

/**
 * `deno task client COMMAND ARG... [flags]`: one draw from the request
 * port, or `--repeat N` of them pipelined, printed or summarized.
 *
 * @example Usage
 * ```ts
 * import { drawMain } from "./draw_main.ts";
 *
 * console.log(typeof drawMain); // "function"
 * ```
 *
 * @param args The command line, the subcommand's name first.
 * @param options The help text.
 * @returns The exit code.
 * @throws {UsageError} For bad flags or arguments, and the server's
 * refusal of an argument.
 */
export async function drawMain(
  args: string[],
  options: DrawMainOptions,
): Promise<number> {
  const split = splitDrawArgs(args, DRAW_FLAGS);
  const values = parseFlags(split.flags, DRAW_FLAGS);
  if (values.help) {
    console.log(options.help);
    return 0;
  }
  const text = (name: keyof typeof DRAW_FLAGS) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const request = drawRequest(split.name, split.positionals, {
    unique: values.unique === true,
    alphabet: text("alphabet"),
    seed: text("seed"),
  });
  const host = text("host");
  const port = text("port");
  const timeout = text("timeout");
  const clientOptions = {
    hostname: host === undefined ? undefined : hostFlag("--host", host),
    port: port === undefined
      ? undefined
      : integerFlag("--port", port, FETCH_LIMITS.port),
    timeout: timeout === undefined
      ? undefined
      : secondsFlag("--timeout", timeout),
    tls: await clientTlsFlags(values),
  };
  let resolved;
  try {
    resolved = resolveRequestClientOptions(clientOptions);
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  const repeatText = text("repeat");
  const repeat = repeatText === undefined
    ? 1
    : integerFlag("--repeat", repeatText, { min: 1, max: MAX_REPEAT });
  if (repeatText !== undefined && typeof values.seed === "string") {
    throw new UsageError(
      "--repeat: with --seed every draw would be the same; vary the seed instead",
    );
  }
  const summary = values.stats === true || values.histogram === true;
  if (summary && request.kind !== "integers") {
    throw new UsageError(
      `--${
        values.stats ? "stats" : "histogram"
      }: only with randint and sequence`,
    );
  }
  if (summary && text("format") !== undefined) {
    throw new UsageError(
      "--format: only for printed numbers; --stats and --histogram print a summary",
    );
  }
  const rangeText = text("range");
  if (rangeText !== undefined && !summary) {
    throw new UsageError("--range: only with --stats or --histogram");
  }
  const format = checkDrawFormat(text("format"), {
    kind: request.kind,
    name: split.name,
  });
  const range = rangeText === undefined
    ? request.range
    : rangeFlag("--range", rangeText);

  const interrupt = new AbortController();
  onStopSignals(() => interrupt.abort(), { signals: ["SIGINT"] });
  const bytes = request.kind === "bytes";
  let draws: (number | string)[][] | Uint8Array[];
  try {
    const client = await connectRequests({
      ...resolved,
      signal: interrupt.signal,
    });
    try {
      // Every call is made before any reply is awaited: the client writes
      // them together, one pipeline.
      const calls = Array.from(
        { length: repeat },
        () => client.command(request.args, { bytes }),
      );
      // UUID without a count replies with one string, not an array of one.
      draws = (await Promise.all(calls)).map((reply) =>
        Array.isArray(reply) || reply instanceof Uint8Array ? reply : [reply]
      ) as typeof draws;
    } finally {
      await client.close();
    }
  } catch (error) {
    if (interrupt.signal.aborted) {
      console.error("randport client: interrupted");
      return 130;
    }
    if (error instanceof RandportError) {
      const where = { hostname: resolved.hostname, port: resolved.port };
      if (error.code === "server-error") {
        // The server names the argument at fault: the user's to fix.
        throw new UsageError(
          `the server refused ${split.name}: ${
            error.message.replace(/^ERR /, "")
          } (see --help)`,
        );
      }
      throw new Error(
        `${error.message}; ${
          errorHint(error.code, { ...where, requestPort: true })
        }`,
      );
    }
    throw error;
  }
  try {
    if (summary) {
      const stats = new StreamStats({ range });
      for (const draw of draws as number[][]) stats.add(draw);
      const stdoutTerminal = Deno.stdout.isTerminal();
      const colors = createColors({
        enabled: !Deno.noColor && stdoutTerminal,
      });
      const parts = [];
      if (values.histogram) {
        parts.push(formatHistogram(stats, {
          width: stdoutTerminal ? terminalWidth() : 80,
          colors,
        }));
      }
      if (values.stats) parts.push(formatStats(stats, { colors }));
      await writeText(Deno.stdout, parts.join("\n"));
      return 0;
    }
    const output = formatDraws(draws, format, {
      kind: request.kind,
      repeated: repeatText !== undefined,
    });
    if (typeof output === "string") await writeText(Deno.stdout, output);
    else {
      for (let offset = 0; offset < output.length;) {
        offset += await Deno.stdout.write(output.subarray(offset));
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0; // e.g. `| head`
    throw error;
  }
  return 0;
}
