/**
 * `deno task client`: the randport client's command line.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { DEFAULT_PORT } from "./lib/address.ts";
import { streamNumbers } from "./lib/client.ts";
import { RandportError } from "./lib/errors.ts";
import {
  choiceFlag,
  integerFlag,
  parseFlags,
  runMain,
  secondsFlag,
} from "./lib/flags.ts";
import { errorHint } from "./lib/hints.ts";
import { PAYLOAD_FORMATS } from "./lib/payload.ts";
import { NumberPrinter } from "./lib/printer.ts";

const HELP =
  `randport client ${denoJson.version}: fetches random numbers from a randport server.

Reads the whole payload (csv, lines or json, detected automatically, of any
length) and prints the numbers.

Usage: deno task client [flags]
       randport-client [flags]

Flags:
  --host HOST        server to connect to (default: localhost)
  --port N           server port (default: ${DEFAULT_PORT})
  --format F         output: lines | csv | json (default: lines, one number per line)
  --limit N          stop after N numbers and close (for --stream servers)
  --timeout S        seconds allowed to connect and for any silence (default: 10; 0: none)
  -h, --help         show this help
  -V, --version      show the version

Examples:
  deno task client                           # 10 numbers, one per line
  deno task client --format csv              # 58,25,73,22,19,48,61,33,47,31
  deno task client --port 9000 --limit 1000  # the first 1000 of a stream
  deno task client --host ::1 --timeout 2

Exit codes: 0 success, 1 network or payload error, 2 bad flags.`;

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  format: { type: "string" },
  limit: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, FLAGS);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    console.log(`randport client ${denoJson.version}`);
    return 0;
  }
  const hostname = typeof values.host === "string" ? values.host : "localhost";
  const port = typeof values.port === "string"
    ? integerFlag("--port", values.port, { min: 1, max: 65535 })
    : DEFAULT_PORT;
  const format = typeof values.format === "string"
    ? choiceFlag("--format", values.format, { choices: PAYLOAD_FORMATS })
    : "lines";
  const limit = typeof values.limit === "string"
    ? integerFlag("--limit", values.limit, { min: 0 })
    : Infinity;
  const timeout = typeof values.timeout === "string"
    ? secondsFlag("--timeout", values.timeout)
    : 10000;

  const printer = new NumberPrinter(Deno.stdout, { format });
  try {
    for await (
      const batch of streamNumbers({ hostname, port, limit, timeout })
    ) {
      await printer.print(batch);
    }
    await printer.finish();
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0; // e.g. `| head`
    if (error instanceof RandportError) {
      throw new Error(`${error.message}; ${errorHint(error.code)}`);
    }
    throw error;
  }
  return 0;
}

if (import.meta.main) await runMain("randport client", main);
