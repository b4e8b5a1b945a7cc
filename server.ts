/**
 * `deno task serve`: the randport server's command line.
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
// The flag modules only: the rest of cli/ is the client's presentation.
import {
  choiceFlag,
  hostFlag,
  integerFlag,
  parseFlags,
  secondsFlag,
} from "./lib/cli/flags.ts";
import { runMain } from "./lib/cli/run_main.ts";
import { onStopSignals } from "./lib/cli/stop_signals.ts";
import { asUsageError, UsageError } from "./lib/cli/usage_error.ts";
import { formatAddress } from "./lib/net/mod.ts";
import { OptionError } from "./lib/errors/mod.ts";
import { type RandportCluster, serveCluster } from "./lib/cluster/mod.ts";
import type { FlagValues } from "./lib/cli/flags.ts";
import { readFlagFile } from "./lib/cli/flag_file.ts";
import {
  type TlsCertificate,
  TlsTerminator,
  type TransportOptions,
} from "./lib/transport/mod.ts";
import { type DrawLedger, openLedger } from "./lib/ledger/mod.ts";
import { REQUEST_DEFAULTS, type RequestSigning } from "./lib/request/mod.ts";
import { generateSigningKey, importSigningKey } from "./lib/signed/mod.ts";
import {
  ListenError,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type MetricsPortOptions,
  type RandportServer,
  type RequestPortOptions,
  resolveServeOptions,
  serve,
  SERVE_DEFAULTS,
  SERVE_LIMITS,
  type ServeOptions,
  type ServerLogger,
  stderrLogger,
} from "./lib/server/mod.ts";
import {
  PAYLOAD_FORMATS,
  type PayloadSpecOptions,
  resolvePayloadSpec,
} from "./lib/wire/mod.ts";

const PAYLOAD_DEFAULTS = resolvePayloadSpec();
const seconds = (ms: number) => ms / 1000;

/** The flag of every option the command line sets, for error messages. */
const FLAG_OF: Record<string, string> = {
  hostname: "--host",
  port: "--port",
  count: "--count",
  min: "--min",
  max: "--max",
  format: "--format",
  stream: "--stream",
  unique: "--unique",
  seed: "--seed",
  maxConnections: "--max-connections",
  maxConnectionsPerClient: "--max-connections-per-client",
  writeTimeout: "--write-timeout",
  lingerTimeout: "--linger-timeout",
  shutdownGrace: "--shutdown-grace",
  backlog: "--backlog",
  chunkSize: "--chunk-size",
  "requests.port": "--request-port",
  "requests.maxNumbers": "--max-numbers",
  "requests.maxBulkBytes": "--max-bulk-bytes",
  "requests.maxRequestBytes": "--max-request-bytes",
  "requests.maxInlineBytes": "--max-inline-bytes",
  "requests.maxPendingBytes": "--max-pending-bytes",
  "requests.idleTimeout": "--idle-timeout",
  "metrics.port": "--metrics-port",
  "metrics.hostname": "--metrics-host",
  "proxyProtocol.trusted": "--trusted-proxy",
  "requests.proxyProtocol.trusted": "--trusted-proxy",
};

const HELP =
  `randport server ${denoJson.version}: hands out random numbers over TCP.

On the push port, every client that connects is sent a payload (by default 10
integers in 1..100, comma-separated, no newline) and the connection closes. On
the request port, clients ask for the draw they need in the Redis protocol
(redis-cli -p ${REQUEST_DEFAULTS.port} RANDINT 6 1 49 UNIQUE). See PROTOCOL.md.

Usage: deno task serve [flags]
       randport-server [flags]

Flags:
  --host HOST        address to listen on (default: every interface, IPv6 and IPv4)
  --port N           TCP port, 0 for any free one (default: ${SERVE_DEFAULTS.port})
  --count N          numbers per payload (default: ${PAYLOAD_DEFAULTS.count})
  --min N            smallest number, inclusive (default: ${PAYLOAD_DEFAULTS.min})
  --max N            largest number, inclusive (default: ${PAYLOAD_DEFAULTS.max})
                     min and max may be any integers within ±(2^53−1)
  --format F         ${
    PAYLOAD_FORMATS.join(" | ")
  } (default: ${PAYLOAD_DEFAULTS.format})
  --stream           send numbers until the client disconnects (csv or lines)
  --unique           no number repeats within a payload (count <= range size)
  --seed N           deterministic numbers: each connection's payload depends
                     only on the seed and the connection's ordinal since start

Limits:
  --max-connections N  clients served at once, on both ports together; more
                       are turned away (default: ${SERVE_DEFAULTS.maxConnections})
  --max-connections-per-client N  connections one client address may hold
                       at once, both ports together (behind --proxy-protocol,
                       the address the header names); more are turned away
                       (default: no such limit)
  --write-timeout S    disconnect a client that reads nothing for S seconds
                       (default: ${
    seconds(SERVE_DEFAULTS.writeTimeout)
  }; 0: never)
  --linger-timeout S   after the payload, wait about S seconds for the client
                       to close, discarding what it sent (default: ${
    seconds(SERVE_DEFAULTS.lingerTimeout)
  }; 0: close
                       at once, as the classic server does)
  --shutdown-grace S   on SIGINT/SIGTERM, seconds payloads in flight get to
                       finish (default: ${
    seconds(SERVE_DEFAULTS.shutdownGrace)
  })
  --backlog N          kernel queue of connections not yet accepted,
                       ${SERVE_LIMITS.backlog.min}..${SERVE_LIMITS.backlog.max} (default: ${SERVE_DEFAULTS.backlog})
  --chunk-size N       bytes generated ahead per client, ${SERVE_LIMITS.chunkSize.min}..${SERVE_LIMITS.chunkSize.max} (default: ${SERVE_DEFAULTS.chunkSize})
  --log-level L        error | info | debug (default: error); logs go to stderr
  --log-format F       text | json: json writes one object per line, with
                       time, level, event, conn, peer and the event's figures
                       (README, Logs) (default: text)

Request port (the limits above hold for it too; --max-connections counts
the connections of both ports together):
  --request-port N     TCP port of the request port, 0 for any free one,
                       off for none (default: ${REQUEST_DEFAULTS.port}); on the same --host
  --max-numbers N      the most numbers (or bytes, characters) one request
                       may ask for (default: ${REQUEST_DEFAULTS.maxNumbers})
  --max-bulk-bytes N   the longest argument of a request (default: ${REQUEST_DEFAULTS.maxBulkBytes})
  --max-request-bytes N  the most bytes of one request's arguments together
                       (default: ${REQUEST_DEFAULTS.maxRequestBytes})
  --max-inline-bytes N the longest inline (telnet-style) request (default: ${REQUEST_DEFAULTS.maxInlineBytes})
  --max-pending-bytes N replies that may wait to be written before the server
                       stops reading a client's requests (default: ${REQUEST_DEFAULTS.maxPendingBytes})
  --idle-timeout S     close a request connection silent for S seconds
                       (default: ${
    seconds(REQUEST_DEFAULTS.idleTimeout)
  }; 0: never)

Signed draws (PROTOCOL.md §6; the server reads and writes these two files
only, so run it with --allow-read=KEY,LOG --allow-write=LOG):
  --signing-key FILE   an Ed25519 private key, PKCS#8 PEM (from --keygen, or
                       openssl genpkey -algorithm ed25519)
  --draw-log FILE|URL  where each signed record is stored before it is sent:
                       a SQLite file, or postgres://USER:PASS@HOST/DB for one
                       log shared by several servers; the chain continues
                       from it
  --keygen             print a new signing key (PEM) and exit:
                       deno task keygen > key.pem

TLS (README, TLS; the server reads these two files only: run it with
--allow-read=CERT,KEY):
  --tls-cert FILE      the certificate chain, PEM, the server's own first
  --tls-key FILE       its private key, PEM (PKCS#8, PKCS#1 or SEC1)
  --tls WHICH          all | push | requests: the listeners that speak TLS;
                       the others stay plaintext (default: all)
                       SIGHUP reloads both files; new connections get the
                       new certificate, and a bad one keeps the old

PROXY protocol (PROTOCOL.md §7; behind HAProxy's send-proxy or send-proxy-v2):
  --proxy-protocol WHICH  all | push | requests: the listeners that require a
                       PROXY header (v1 or v2) before anything else; clients
                       are then known by the address it names
  --trusted-proxy CIDR the proxies whose headers are believed (addresses or
                       CIDR blocks, comma-separated or repeated); required
                       with --proxy-protocol; anyone else is closed unserved

Every core (README, Workers):
  --workers N|auto     N accept loops in workers on the same ports
                       (SO_REUSEPORT), one connection limit, one count of
                       --seed ordinals and one metrics endpoint for them all;
                       auto: one per core (default: 1). N > 1 needs
                       --unstable-net and --allow-read= the project folder
                       (a worker loads its code from files): deno task
                       serve-workers; no signed draws

Metrics (README, Metrics):
  --metrics-port N     serve HTTP on port N: /metrics (Prometheus text format),
                       /healthz, /readyz (503 once shutdown begins); 0 for any
                       free one (default: off)
  --metrics-host HOST  its address (default: 127.0.0.1, not --host: metrics
                       tell whoever reads them how the server is used)

  -h, --help         show this help
  -V, --version      show the version

Examples:
  deno task serve                                  # the classic exercise
  deno task serve --port 9000 --min -5 --max 5     # negative ranges
  deno task serve --format lines --stream          # numbers forever, one per line
  deno task serve --count 6 --max 49 --unique      # a lottery draw
  deno task serve --seed 42 --port 0               # reproducible, any free port

On start it prints one line, "listening on HOST:PORT, requests on HOST:PORT"
(without the second part under --request-port off), ", metrics on
HOST:PORT" after them with --metrics-port, and ", N workers" with --workers. SIGINT or SIGTERM stop it
gracefully (exit 0); a second signal stops it at once (exit 130 or 143), unless
it comes within 250 ms of the first: then it is a copy of the same Ctrl-C, as
under deno task, which forwards the terminal's signal.`;

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  count: { type: "string" },
  min: { type: "string" },
  max: { type: "string" },
  format: { type: "string" },
  stream: { type: "boolean" },
  unique: { type: "boolean" },
  seed: { type: "string" },
  "max-connections": { type: "string" },
  "max-connections-per-client": { type: "string" },
  "write-timeout": { type: "string" },
  "linger-timeout": { type: "string" },
  "shutdown-grace": { type: "string" },
  backlog: { type: "string" },
  "chunk-size": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  "request-port": { type: "string" },
  "max-numbers": { type: "string" },
  "max-bulk-bytes": { type: "string" },
  "max-request-bytes": { type: "string" },
  "max-inline-bytes": { type: "string" },
  "max-pending-bytes": { type: "string" },
  "idle-timeout": { type: "string" },
  "signing-key": { type: "string" },
  "draw-log": { type: "string" },
  keygen: { type: "boolean" },
  "metrics-port": { type: "string" },
  "metrics-host": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  tls: { type: "string" },
  "proxy-protocol": { type: "string" },
  "trusted-proxy": { type: "string", multiple: true },
  workers: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

function payloadOptions(
  values: FlagValues,
): PayloadSpecOptions {
  const options: PayloadSpecOptions = {
    stream: values.stream === true,
    unique: values.unique === true,
  };
  if (typeof values.count === "string") {
    options.count = integerFlag("--count", values.count, { min: 0 });
  }
  for (const name of ["min", "max", "seed"] as const) {
    const value = values[name];
    if (typeof value === "string") {
      options[name] = integerFlag(`--${name}`, value);
    }
  }
  if (typeof values.format === "string") {
    options.format = choiceFlag("--format", values.format, {
      choices: PAYLOAD_FORMATS,
    });
  }
  // Checked here, before the limit flags are read, so that a payload
  // mistake is the one reported when there are several (as ever).
  try {
    resolvePayloadSpec(options);
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  return options;
}

function limitOptions(
  values: FlagValues,
): ServeOptions {
  const options: ServeOptions = {};
  const text = (name: string) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const maxConnections = text("max-connections");
  if (maxConnections !== undefined) {
    options.maxConnections = integerFlag(
      "--max-connections",
      maxConnections,
      SERVE_LIMITS.maxConnections,
    );
  }
  const perClient = text("max-connections-per-client");
  if (perClient !== undefined) {
    options.maxConnectionsPerClient = integerFlag(
      "--max-connections-per-client",
      perClient,
      { min: 1, max: 2 ** 31 - 1 },
    );
  }
  const writeTimeout = text("write-timeout");
  if (writeTimeout !== undefined) {
    options.writeTimeout = secondsFlag("--write-timeout", writeTimeout);
  }
  const lingerTimeout = text("linger-timeout");
  if (lingerTimeout !== undefined) {
    options.lingerTimeout = secondsFlag("--linger-timeout", lingerTimeout);
  }
  const shutdownGrace = text("shutdown-grace");
  if (shutdownGrace !== undefined) {
    options.shutdownGrace = secondsFlag("--shutdown-grace", shutdownGrace);
  }
  const backlog = text("backlog");
  if (backlog !== undefined) {
    options.backlog = integerFlag("--backlog", backlog, SERVE_LIMITS.backlog);
  }
  const chunkSize = text("chunk-size");
  if (chunkSize !== undefined) {
    options.chunkSize = integerFlag(
      "--chunk-size",
      chunkSize,
      SERVE_LIMITS.chunkSize,
    );
  }
  const logLevel = text("log-level");
  const logFormat = text("log-format");
  options.logger = stderrLogger(
    logLevel === undefined
      ? "error"
      : choiceFlag("--log-level", logLevel, { choices: LOG_LEVELS }),
    {
      format: logFormat === undefined
        ? "text"
        : choiceFlag("--log-format", logFormat, { choices: LOG_FORMATS }),
    },
  );
  return options;
}

/** The request port's options, or `undefined` for `--request-port off`. */
function requestOptions(
  values: FlagValues,
): RequestPortOptions | undefined {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const port = text("request-port");
  if (port === "off") {
    for (const name of Object.keys(REQUEST_FLAGS)) {
      if (text(name) !== undefined) {
        throw new UsageError(
          `--${name}: the request port is off (--request-port off)`,
        );
      }
    }
    return undefined;
  }
  const options: RequestPortOptions = {
    port: port === undefined ? REQUEST_DEFAULTS.port : requestPortFlag(port),
  };
  for (const [name, field] of Object.entries(REQUEST_FLAGS)) {
    const value = text(name);
    if (value === undefined) continue;
    options[field] = field === "idleTimeout"
      ? secondsFlag(`--${name}`, value)
      : integerFlag(`--${name}`, value);
  }
  return options;
}

function requestPortFlag(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > SERVE_LIMITS.port.max!) {
    throw new UsageError(
      `--request-port: expected an integer from 0 to 65535, or off, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return port;
}

/** The request port's limit flags and the options they set. */
const REQUEST_FLAGS: Record<
  string,
  Exclude<
    keyof RequestPortOptions,
    "port" | "signing" | "tls" | "proxyProtocol"
  >
> = {
  "max-numbers": "maxNumbers",
  "max-bulk-bytes": "maxBulkBytes",
  "max-request-bytes": "maxRequestBytes",
  "max-inline-bytes": "maxInlineBytes",
  "max-pending-bytes": "maxPendingBytes",
  "idle-timeout": "idleTimeout",
};

/** The key and ledger of `--signing-key` and `--draw-log`, or none. */
async function signingOptions(
  values: FlagValues,
  requests: RequestPortOptions | undefined,
): Promise<RequestSigning | undefined> {
  const keyFile = values["signing-key"];
  const logFile = values["draw-log"];
  if (typeof keyFile !== "string") {
    if (typeof logFile === "string") {
      throw new UsageError("--draw-log: only with --signing-key");
    }
    return undefined;
  }
  if (typeof logFile !== "string") {
    throw new UsageError(
      "--signing-key: needs --draw-log FILE (each signed record is stored before it is sent)",
    );
  }
  if (requests === undefined) {
    throw new UsageError(
      "--signing-key: the request port is off, and signed draws are made there",
    );
  }
  const key = await importSigningKey(
    await readFlagFile("--signing-key", keyFile),
  ).catch((error) => {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--signing-key: ${keyFile}: ${error.message}`);
  });
  let ledger: DrawLedger;
  try {
    ledger = await openLedger(logFile);
  } catch (error) {
    // Its message names the location (password hidden) and the cause.
    throw new UsageError(
      `--draw-log: ${error instanceof Error ? error.message : error}`,
    );
  }
  return { key, ledger };
}

/** The metrics port of `--metrics-port` and `--metrics-host`, or none. */
function metricsOptions(
  values: FlagValues,
): MetricsPortOptions | undefined {
  const port = values["metrics-port"];
  const host = values["metrics-host"];
  if (typeof port !== "string") {
    if (typeof host === "string") {
      throw new UsageError("--metrics-host: only with --metrics-port");
    }
    return undefined;
  }
  return {
    port: integerFlag("--metrics-port", port, SERVE_LIMITS.port),
    hostname: typeof host === "string"
      ? hostFlag("--metrics-host", host)
      : undefined,
  };
}

/** Which listeners a `--tls` or `--proxy-protocol` value names. */
const LISTENER_CHOICES = ["all", "push", "requests"] as const;

interface Transports {
  push: TransportOptions;
  requests: TransportOptions;
  /** The certificate as read at start, if TLS is on. */
  certificate: TlsCertificate | undefined;
  /** Reads the certificate's files again (SIGHUP), if TLS is on. */
  readCertificate: (() => Promise<TlsCertificate>) | undefined;
}

/** `--tls-*`, `--proxy-protocol` and `--trusted-proxy`: each listener's transport. */
async function transportOptions(
  values: FlagValues,
  requests: RequestPortOptions | undefined,
): Promise<Transports> {
  const transports: Transports = {
    push: {},
    requests: {},
    certificate: undefined,
    readCertificate: undefined,
  };
  const which = (flag: string, value: unknown) => {
    const choice = choiceFlag(flag, String(value), {
      choices: LISTENER_CHOICES,
    });
    if (choice !== "push" && requests === undefined) {
      if (choice === "requests") {
        throw new UsageError(
          `${flag}: the request port is off (--request-port off)`,
        );
      }
      return ["push"] as const;
    }
    return choice === "all" ? ["push", "requests"] as const : [choice];
  };
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if (typeof certFile === "string" || typeof keyFile === "string") {
    if (typeof certFile !== "string") {
      throw new UsageError("--tls-key: needs --tls-cert FILE beside it");
    }
    if (typeof keyFile !== "string") {
      throw new UsageError("--tls-cert: needs --tls-key FILE beside it");
    }
    const read = async (): Promise<TlsCertificate> => ({
      cert: await readFlagFile("--tls-cert", certFile),
      key: await readFlagFile("--tls-key", keyFile),
    });
    let terminator: TlsTerminator;
    try {
      transports.certificate = await read();
      terminator = new TlsTerminator(transports.certificate);
    } catch (error) {
      if (!(error instanceof OptionError)) throw error;
      const flag = error.field === "tls.cert"
        ? "--tls-cert"
        : error.field === "tls.key"
        ? "--tls-key"
        : "--tls-cert, --tls-key";
      throw new UsageError(`${flag}: ${error.detail}`);
    }
    for (const listener of which("--tls", values.tls ?? "all")) {
      transports[listener].tls = terminator;
    }
    transports.readCertificate = read;
  } else if (values.tls !== undefined) {
    throw new UsageError("--tls: only with --tls-cert and --tls-key");
  }
  const trusted = values["trusted-proxy"];
  const proxies = (Array.isArray(trusted) ? trusted : [])
    .flatMap((entry) => String(entry).split(","))
    .map((entry) => entry.trim());
  if (values["proxy-protocol"] !== undefined) {
    if (proxies.length === 0) {
      throw new UsageError(
        "--proxy-protocol: needs --trusted-proxy CIDR (the proxies whose headers are believed)",
      );
    }
    for (
      const listener of which("--proxy-protocol", values["proxy-protocol"])
    ) {
      transports[listener].proxyProtocol = { trusted: proxies };
    }
  } else if (proxies.length > 0) {
    throw new UsageError("--trusted-proxy: only with --proxy-protocol");
  }
  return transports;
}

function startupFailure(error: unknown) {
  if (!(error instanceof ListenError)) return error;
  const { hostname, port } = error;
  // The default is `::` or, without IPv6, `0.0.0.0`: name neither.
  const address = hostname === undefined
    ? `port ${port} of every interface`
    : formatAddress({ transport: "tcp", hostname, port });
  const where = error.listener === "requests"
    ? `${address} (the request port; --request-port off to go without)`
    : error.listener === "metrics"
    ? `${address} (the metrics port, --metrics-port)`
    : address;
  error = error.cause;
  const causes: [new (...args: never[]) => Error, string][] = [
    [Deno.errors.AddrInUse, "the address is already in use"],
    [
      Deno.errors.PermissionDenied,
      "permission denied (ports below 1024 need privileges)",
    ],
    [
      Deno.errors.AddrNotAvailable,
      "no interface of this host has that address",
    ],
  ];
  const cause = causes.find(([type]) => error instanceof type)?.[1] ??
    (error instanceof Error ? error.message : String(error));
  return new Error(`cannot listen on ${where}: ${cause}`);
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, FLAGS);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.version) {
    console.log(`randport server ${denoJson.version}`);
    return 0;
  }
  if (values.keygen) {
    // To stdout: the server then needs no permission to write it.
    console.log((await generateSigningKey()).pem.trimEnd());
    return 0;
  }
  const port = typeof values.port === "string"
    ? integerFlag("--port", values.port, SERVE_LIMITS.port)
    : SERVE_DEFAULTS.port;
  const hostname = typeof values.host === "string"
    ? hostFlag("--host", values.host)
    : undefined;
  const options: ServeOptions = {
    hostname,
    port,
    payload: payloadOptions(values),
    ...limitOptions(values),
    requests: requestOptions(values),
    metrics: metricsOptions(values),
  };
  // Every value is checked by the library; its errors name the option, and
  // the flag it came from is named here.
  try {
    resolveServeOptions(options);
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  const transports = await transportOptions(values, options.requests);
  Object.assign(options, transports.push);
  if (options.requests) Object.assign(options.requests, transports.requests);
  try {
    resolveServeOptions(options);
  } catch (error) {
    throw asUsageError(error, FLAG_OF);
  }
  const workers = workersFlag(values.workers);
  if (workers > 1) {
    return await clusterMain(workers, values, options, transports);
  }
  const signing = await signingOptions(values, options.requests);
  if (signing && options.requests) options.requests.signing = signing;

  let server: RandportServer;
  try {
    server = serve(options);
  } catch (error) {
    signing?.ledger.close();
    throw startupFailure(error);
  }
  server.finished.then(() => signing?.ledger.close());
  // A second signal exits at once; one Ctrl-C counts once (see
  // stop_signals.ts).
  // The listeners stay until the process exits: removed earlier, a copy
  // of the signal arriving in between would kill it with the default action.
  onStopSignals(() => server.shutdown());
  const terminator = options.tls ?? options.requests?.tls;
  onReloadSignal(
    transports,
    options.logger!,
    (certificate) => terminator!.reload(certificate),
  );
  // Only now: a supervisor may signal as soon as it reads this line.
  console.log(
    banner(server.addr, server.requests?.addr, server.metrics?.addr),
  );
  if (signing) {
    const { keyId, publicKey } = signing.key;
    console.log(
      `signing draws with Ed25519 key ${keyId}, public key ${publicKey.toHex()}`,
    );
  }
  await server.finished;
  return 0;
}

/** The one startup line. */
function banner(
  push: Deno.NetAddr,
  requests: Deno.NetAddr | undefined,
  metrics: Deno.NetAddr | undefined,
  workers = 1,
): string {
  return `listening on ${formatAddress(push)}${
    requests ? `, requests on ${formatAddress(requests)}` : ""
  }${metrics ? `, metrics on ${formatAddress(metrics)}` : ""}${
    workers > 1 ? `, ${workers} workers` : ""
  }`;
}

/** SIGHUP: read the certificate's files again and hand them to `reload`. */
function onReloadSignal(
  transports: Transports,
  logger: ServerLogger,
  reload: (certificate: TlsCertificate) => void,
): void {
  const read = transports.readCertificate;
  if (!read) return;
  Deno.addSignalListener("SIGHUP", () => {
    read().then(reload).then(
      () =>
        logger.log("info", "TLS certificate reloaded (SIGHUP)", {
          event: "tls.reloaded",
        }),
      (error) => {
        const why = error instanceof OptionError ? error.detail : error.message;
        logger.log(
          "error",
          `TLS certificate not reloaded, the old one stays: ${why}`,
          { event: "tls.reload_failed", error: why },
        );
      },
    );
  });
}

/** `--workers N` or `auto` (the cores this process may use). */
function workersFlag(value: unknown): number {
  if (value === undefined) return 1;
  if (value === "auto") return navigator.hardwareConcurrency || 1;
  return integerFlag("--workers", String(value), { min: 1, max: 256 });
}

/**
 * `--workers N` with N > 1: the same server in N workers on the same ports
 * (lib/cluster), after checking what workers need from Deno.
 */
async function clusterMain(
  workers: number,
  values: FlagValues,
  options: ServeOptions,
  transports: Transports,
): Promise<number> {
  if (
    typeof (Deno as { listenDatagram?: unknown }).listenDatagram !== "function"
  ) {
    throw new UsageError(
      "--workers: the workers share the ports through SO_REUSEPORT, an unstable Deno API: run with --unstable-net",
    );
  }
  const code = new URL("./lib/", import.meta.url);
  // A compiled executable's modules are embedded (a deno-compile-* path),
  // and read without a permission.
  const embedded = code.pathname.includes("/deno-compile-");
  if (
    code.protocol === "file:" && !embedded &&
    Deno.permissions.querySync({ name: "read", path: code }).state !==
      "granted"
  ) {
    throw new UsageError(
      `--workers: each worker loads its code from ${code.pathname}: run with --allow-read=${code.pathname}`,
    );
  }
  if (values["signing-key"] !== undefined) {
    throw new UsageError(
      "--workers: signed draws have one writer per key's chain: run one instance per key (--workers 1), each with its own --signing-key",
    );
  }
  const { logger: _logger, tls: _tls, requests, ...serveOptions } = options;
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  let cluster: RandportCluster;
  try {
    cluster = await serveCluster({
      workers,
      serve: {
        ...serveOptions,
        requests: requests && (({ tls: _, signing: __, ...rest }) => rest)(
          requests,
        ),
      },
      tls: transports.certificate && {
        certificate: transports.certificate,
        push: options.tls !== undefined,
        requests: requests?.tls !== undefined,
      },
      logLevel: (text("log-level") ?? "error") as LogLevel,
      logFormat: (text("log-format") ?? "text") as LogFormat,
    });
  } catch (error) {
    throw startupFailure(error);
  }
  onStopSignals(() => cluster.shutdown());
  onReloadSignal(
    transports,
    options.logger!,
    (certificate) => cluster.reloadTls(certificate),
  );
  console.log(
    banner(cluster.addr, cluster.requestAddr, cluster.metrics?.addr, workers),
  );
  await cluster.finished;
  return 0;
}

if (import.meta.main) await runMain("randport server", main);
