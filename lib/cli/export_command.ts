/**
 * `deno task client export`: a signing server's draw log as JSON lines, one
 * record per line, for publication (PROTOCOL.md §6), read page by page with
 * `DRAWS`.
 *
 * @module
 */

import { connectRequests } from "../client/request_client.ts";
import { clientTlsFlags } from "./flag_file.ts";
import {
  REQUEST_CLIENT_DEFAULTS,
  resolveRequestClientOptions,
} from "../client/request_client_options.ts";
import { RandportError } from "../errors/randport_error.ts";
import { splitDrawArgs } from "./draw_command.ts";
import { hostFlag, integerFlag, parseFlags, secondsFlag } from "./flags.ts";
import { errorHint } from "./hints.ts";
import { writeText } from "./printer.ts";
import { asUsageError, UsageError } from "./usage_error.ts";

/** `deno task client export --help`. */
export const EXPORT_HELP =
  `Usage: deno task client export [--from N] [--to N] [--host H] [--port N] > draws.jsonl

Writes the signed draws a server has stored (PROTOCOL.md §6) to stdout as JSON
lines, one record per line, in serial order: the form "deno task client
verify" checks and an operator publishes.

Flags:
  --from N      the first serial (default: 1)
  --to N        the last serial (default: the newest)
  --host HOST   the server (default: ${REQUEST_CLIENT_DEFAULTS.hostname})
  --port N      its request port (default: ${REQUEST_CLIENT_DEFAULTS.port})
  --timeout S   seconds allowed to connect and for each reply (default: ${
    REQUEST_CLIENT_DEFAULTS.timeout / 1000
  })
  --tls         speak TLS; --ca FILE trusts that CA (PEM), implies --tls
  -h, --help    show this help`;

const EXPORT_FLAGS = {
  from: { type: "string" },
  to: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  timeout: { type: "string" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** DRAWS returns at most this many records per request. */
const PAGE = 1000;

/**
 * Runs `client export` with its arguments (after the word `export`).
 *
 * @example Usage
 * ```ts
 * import { exportMain } from "./export_command.ts";
 *
 * console.log(typeof exportMain); // "function"
 * ```
 *
 * @param args The command line after `export`.
 * @returns The exit code.
 */
export async function exportMain(args: string[]): Promise<number> {
  const split = splitDrawArgs(["export", ...args], EXPORT_FLAGS);
  const values = parseFlags(split.flags, EXPORT_FLAGS);
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  if (split.positionals.length > 0) {
    throw new UsageError(
      `export: unexpected argument ${
        JSON.stringify(split.positionals[0])
      } (see --help)`,
    );
  }
  const text = (name: keyof typeof EXPORT_FLAGS) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const bound = (name: "from" | "to") => {
    const value = text(name);
    return value === undefined
      ? undefined
      : integerFlag(`--${name}`, value, { min: 1 });
  };
  const from = bound("from") ?? 1;
  const to = bound("to") ?? Infinity;
  if (to < from) {
    throw new UsageError(`--to: expected at least --from (${from}), got ${to}`);
  }
  const tls = await clientTlsFlags(values);
  let options;
  try {
    const host = text("host");
    const port = text("port");
    const timeout = text("timeout");
    options = resolveRequestClientOptions({
      hostname: host === undefined ? undefined : hostFlag("--host", host),
      port: port === undefined ? undefined : integerFlag("--port", port),
      timeout: timeout === undefined
        ? undefined
        : secondsFlag("--timeout", timeout),
      tls,
    });
  } catch (error) {
    throw asUsageError(error, { hostname: "--host", port: "--port" });
  }
  try {
    await using client = await connectRequests(options);
    for (let first = from; first <= to; first += PAGE) {
      const last = Math.min(to, first + PAGE - 1);
      const page = await client.command([
        "DRAWS",
        String(first),
        String(last),
      ]) as string[];
      if (page.length > 0) await writeText(Deno.stdout, page.join("\n") + "\n");
      // A short page is the end of the log.
      if (page.length < last - first + 1) break;
    }
    return 0;
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    if (error instanceof RandportError) {
      if (error.code === "server-error") {
        throw new Error(`the server refused DRAWS: ${error.message}`);
      }
      throw new Error(
        `${error.message}; ${
          errorHint(error.code, { ...options, requestPort: true })
        }`,
      );
    }
    throw error;
  }
}
