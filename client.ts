/**
 * `deno task client`: the randport client's command line.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import {
  asUsageError,
  choiceFlag,
  clientTlsFlags,
  createColors,
  DRAW_COMMANDS,
  drawMain,
  emptyPayloadNote,
  errorHint,
  exportMain,
  formatHistogram,
  formatStats,
  hostFlag,
  integerFlag,
  interruptedNote,
  longReadNote,
  NumberPrinter,
  type NumberSink,
  onStopSignals,
  parseFlags,
  rangeFlag,
  ReadProgress,
  readSession,
  runMain,
  secondsFlag,
  terminalWidth,
  UsageError,
  verifyMain,
  writeText,
} from "./lib/cli/mod.ts";
import {
  FETCH_DEFAULTS,
  FETCH_LIMITS,
  REQUEST_CLIENT_DEFAULTS,
  resolveFetchOptions,
} from "./lib/client/mod.ts";
import { RandportError } from "./lib/errors/mod.ts";
import { StreamStats } from "./lib/stats/mod.ts";
import { PAYLOAD_FORMATS } from "./lib/wire/mod.ts";

/** The flag of every option the command line sets, for error messages. */
const FLAG_OF: Record<string, string> = {
  hostname: "--host",
  port: "--port",
  limit: "--limit",
  timeout: "--timeout",
};

const HELP =
  `randport client ${denoJson.version}: fetches random numbers from a randport server.

Reads the whole payload (csv, lines or json, detected automatically, of any
length) and prints the numbers, or a summary of them.

Usage: deno task client [flags]                  (the push port)
       deno task client COMMAND ARG... [flags]      (the request port)
       randport-client ...

Flags:
  --host HOST        server to connect to (default: ${FETCH_DEFAULTS.hostname})
  --port N           server port (default: ${FETCH_DEFAULTS.port})
  --format F         output: lines | csv | json (default: lines, one per line)
  --limit N          stop after N numbers and close (for --stream servers)
  --timeout S        seconds allowed to connect, and for any silence while
                     reading (default: ${
    FETCH_DEFAULTS.timeout / 1000
  }; 0: no limit)
  --stats            print count, min, max, mean, standard deviation and a
                     chi-square test of uniformity instead of the numbers
  --histogram        print a bar chart of the numbers instead of them
                     (with --stats, both)
  --range MIN..MAX   the range the numbers should be uniform over, for --stats
                     and --histogram (default: the smallest..largest seen)
  --tls              speak TLS (to a server started with --tls-cert)
  --ca FILE          trust the CA certificate (PEM) in FILE instead of the
                     system's; implies --tls (run with --allow-read=FILE)
  -q, --quiet        no progress line and no notes on stderr (errors still)
  -h, --help         show this help
  -V, --version      show the version

Examples:
  deno task client                            # 10 numbers, one per line
  deno task client --format csv               # 58,25,73,22,19,48,61,33,47,31
  deno task client --format json              # [58,25,73,22,19,48,61,33,47,31]
  deno task client --port 9000 --limit 1000   # the first 1000 of a stream
  deno task client --limit 10000000 > out.txt # with a progress line on stderr
  deno task client --stats --range 1..100     # is it uniform over 1..100?
  deno task client --histogram                # a bar chart of the spread
  deno task client --stats --histogram --limit 100000 --range 1..100
  deno task client --host ::1 --timeout 2 --quiet

A progress line appears on stderr during long reads when stderr is a terminal
(and the numbers are not printed to that same terminal). Ctrl-C stops a read:
what was read is still printed or summarized, and the exit code is 130.
Colours appear only on terminals, and never when NO_COLOR is set.

Draws from the request port (PROTOCOL.md §5; default port ${REQUEST_CLIENT_DEFAULTS.port}):
  randint count min max        integers in min..max (--unique: none twice)
  sequence min max             a random permutation of min..max
  shuffle item ...             the items in random order
  sample k item ...            k of the items, none twice
  uuid [count]                 version 4 UUIDs
  randbytes n                  n random bytes (--format hex | base64 | raw)
  randstring count length      strings over A-Z a-z 0-9 (--alphabet CHARS)
  randfloat count [decimals]   exact decimals uniform in [0, 1)
  gauss count mean stddev      normal deviates
Their flags: --host, --port, --timeout, --tls, --ca and -q as above; --format lines | csv |
json (lines: one value per line); --seed S (a draw anyone can recompute from
S, PROTOCOL.md §5.4); --repeat N (N draws, pipelined on one connection, one
line each); --stats, --histogram and --range on randint and sequence (the
range defaults to the one asked for). Arguments may be negative numbers;
after --, every word is an argument (items that start with dashes).

  deno task client randint 6 1 49 --unique       # a lottery draw
  deno task client randint 3 1 6 --repeat 5      # five throws of three dice
  deno task client shuffle ace king queen jack --seed "beacon 4242"
  deno task client randint 100000 1 6 --stats    # is the port's die fair?

Signed draws (PROTOCOL.md §6) are checked with
  deno task client verify --public-key HEX < draws.jsonl
(see deno task client verify --help); a signing server's log is exported,
one record per line, with deno task client export > draws.jsonl.

Exit codes: 0 success, 1 network or payload error, 2 bad flags or arguments
(the server's own refusals of an argument included), 130 Ctrl-C.`;

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  format: { type: "string" },
  limit: { type: "string" },
  timeout: { type: "string" },
  stats: { type: "boolean" },
  histogram: { type: "boolean" },
  range: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  tls: { type: "boolean" },
  ca: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** Numbers read without the payload ending before the stream note. */
const LONG_READ = 100_000;

async function main(): Promise<number> {
  // A first word that is no flag is a draw subcommand of the request port.
  const first = Deno.args[0];
  const later = Deno.args.find((arg) => Object.hasOwn(DRAW_COMMANDS, arg));
  if (first?.startsWith("-") && later !== undefined) {
    throw new UsageError(
      `put the flags after the subcommand: deno task client ${later} ... ${first}`,
    );
  }
  // Not a draw: it checks signed records (lib/cli/verify_command.ts).
  if (first === "verify") return await verifyMain(Deno.args.slice(1));
  if (first === "export") return await exportMain(Deno.args.slice(1));
  if (first !== undefined && !first.startsWith("-")) {
    return await drawMain(Deno.args, { help: HELP });
  }
  const values = parseFlags(Deno.args, FLAGS);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    console.log(`randport client ${denoJson.version}`);
    return 0;
  }
  const hostname = typeof values.host === "string"
    ? hostFlag("--host", values.host)
    : FETCH_DEFAULTS.hostname;
  const port = typeof values.port === "string"
    ? integerFlag("--port", values.port, FETCH_LIMITS.port)
    : FETCH_DEFAULTS.port;
  const format = typeof values.format === "string"
    ? choiceFlag("--format", values.format, { choices: PAYLOAD_FORMATS })
    : "lines";
  const limit = typeof values.limit === "string"
    ? integerFlag("--limit", values.limit, FETCH_LIMITS.limit)
    : Infinity;
  const timeout = typeof values.timeout === "string"
    ? secondsFlag("--timeout", values.timeout)
    : FETCH_DEFAULTS.timeout;
  const tls = await clientTlsFlags(values);
  // Every value is checked by the library; its errors name the option, and
  // the flag it came from is named here.
  try {
    resolveFetchOptions({ hostname, port, limit, timeout });
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  const summary = values.stats === true || values.histogram === true;
  const range = typeof values.range === "string"
    ? rangeFlag("--range", values.range)
    : undefined;
  if (range !== undefined && !summary) {
    throw new UsageError("--range: only with --stats or --histogram");
  }
  if (typeof values.format === "string" && summary) {
    throw new UsageError(
      "--format: only for printed numbers; --stats and --histogram print a summary",
    );
  }
  const quiet = values.quiet === true;

  // These three need no permission, unlike reading NO_COLOR or COLUMNS.
  const stdoutTerminal = Deno.stdout.isTerminal();
  const stderrTerminal = Deno.stderr.isTerminal();
  const color = !Deno.noColor;

  const stats = summary ? new StreamStats({ range }) : undefined;
  const printer = new NumberPrinter(Deno.stdout, { format });
  const sink: NumberSink = stats
    ? (numbers) => stats.add(numbers)
    : (numbers) => printer.print(numbers);
  // Numbers scrolling on the same terminal would tear a progress line, and
  // make it pointless.
  const progress = !quiet && stderrTerminal && (summary || !stdoutTerminal)
    ? new ReadProgress({
      total: Number.isFinite(limit) ? limit : undefined,
      hint: summary ? "Ctrl-C stops and prints the summary" : "Ctrl-C stops",
      colors: createColors({ enabled: color }),
    })
    : undefined;
  // The progress line already says how to stop; without it, say it once.
  const noteAfter = !quiet && stdoutTerminal && !progress && limit === Infinity
    ? LONG_READ
    : Infinity;
  // On a shared screen the note must not start in the middle of a csv line.
  const noteBreak = stderrTerminal && !summary && format !== "lines"
    ? "\n"
    : "";

  // Ctrl-C stops the read; a second one exits at once; one Ctrl-C that
  // reaches us twice (under `deno task`) counts once.
  const interrupt = new AbortController();
  onStopSignals(() => interrupt.abort(), {
    signals: ["SIGINT"],
    beforeExit: () => progress?.stop(),
  });

  try {
    const { count, interrupted } = await readSession(sink, {
      hostname,
      port,
      tls,
      limit,
      timeout,
      signal: interrupt.signal,
      progress,
      noteAfter,
      onLongRead: (count) =>
        console.error(
          `${noteBreak}randport client: ${longReadNote(count, { summary })}`,
        ),
    });
    // What was read is printed, or summarized, even after a Ctrl-C.
    if (stats) {
      const colors = createColors({ enabled: color && stdoutTerminal });
      const width = stdoutTerminal ? terminalWidth() : 80;
      const parts = [];
      if (values.histogram) {
        parts.push(formatHistogram(stats, { width, colors }));
      }
      if (values.stats) parts.push(formatStats(stats, { colors }));
      await writeText(Deno.stdout, parts.join("\n"));
    } else {
      await printer.finish();
    }
    if (interrupted) {
      console.error(`randport client: ${interruptedNote(count)}`);
      return 130;
    }
    // Silent success would look like a hung or broken client.
    if (count === 0 && !quiet && limit !== 0) {
      console.error(`randport client: ${emptyPayloadNote()}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return 0; // e.g. `| head`
    if (error instanceof RandportError) {
      throw new Error(
        `${error.message}; ${errorHint(error.code, { hostname, port })}`,
      );
    }
    throw error;
  }
}

if (import.meta.main) await runMain("randport client", main);
