/**
 * `deno task bench --tls`: what TLS costs randport, next to the same
 * server in plaintext and to a `Deno.listenTls` ceiling in the same run.
 *
 * - one stream (`--stream`, 1..100 csv), MB/s read by a TLS client that
 *   counts bytes;
 * - short connections: 8 clients at a time, each a full handshake, the
 *   classic payload and a close, connections/s.
 *
 * randport's TLS is node:tls over the connection Deno.listen accepted (a
 * PROXY header comes before the handshake, SIGHUP swaps the certificate,
 * and a Deno.listenTls connection cannot be closed before its handshake
 * ends), so the ceiling shows what rustls alone would give.
 *
 * @module
 */

import { fixed, median } from "./_format.ts";
import { startServer } from "./_process.ts";

/** Options for {@linkcode benchTls}. */
export interface TlsBenchOptions {
  root: string;
  rounds: number;
  seconds: number;
  log: (message: string) => void;
}

/** One server's figures. */
export interface TlsFigures {
  name: string;
  streamMegabytesPerSecond: number;
  connectionsPerSecond: number;
}

/** What {@linkcode benchTls} found. */
export interface TlsReport {
  servers: TlsFigures[];
  problem?: string;
}

async function sh(script: string, cwd: string): Promise<void> {
  const out = await new Deno.Command("sh", {
    args: ["-c", script],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function certificates(dir: string) {
  const ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  await sh(
    [
      `openssl req -x509 ${ec} -keyout ca.key -out ca.pem -days 1 -subj /CN=bench-ca`,
      `openssl req ${ec} -keyout key.pem -out leaf.csr -subj /CN=localhost`,
      `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > leaf.ext`,
      `openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 1 -extfile leaf.ext`,
    ].join(" && "),
    dir,
  );
  return Deno.readTextFileSync(`${dir}/ca.pem`);
}

async function readStream(
  port: number,
  tls: boolean,
  ca: string,
  seconds: number,
): Promise<number> {
  const raw = await Deno.connect({ hostname: "127.0.0.1", port });
  raw.setNoDelay(true);
  const conn = tls
    ? await Deno.startTls(raw, { hostname: "localhost", caCerts: [ca] })
    : raw;
  const buf = new Uint8Array(65536);
  // A warm-up tenth, then the measured time.
  const warm = performance.now() + seconds * 100;
  while (performance.now() < warm) await conn.read(buf);
  let bytes = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const n = await conn.read(buf);
    if (n === null) break;
    bytes += n;
  }
  const elapsed = (performance.now() - start) / 1000;
  conn.close();
  return bytes / elapsed / 1e6;
}

async function shortConnections(
  port: number,
  tls: boolean,
  ca: string,
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const buf = new Uint8Array(1024);
  const client = async () => {
    while (performance.now() < end) {
      const raw = await Deno.connect({ hostname: "127.0.0.1", port });
      raw.setNoDelay(true);
      const conn = tls
        ? await Deno.startTls(raw, { hostname: "localhost", caCerts: [ca] })
        : raw;
      let text = 0;
      try {
        for (let n; (n = await conn.read(buf)) !== null;) text += n;
      } catch {
        // A reset after the payload counts as served if the payload came.
      }
      conn.close();
      if (text > 0) done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: 8 }, client));
  return done / ((performance.now() - start) / 1000);
}

/**
 * Measures randport with and without TLS and the listenTls ceiling, taking
 * turns round by round.
 */
export async function benchTls(options: TlsBenchOptions): Promise<TlsReport> {
  const { root, rounds, seconds, log } = options;
  const dir = Deno.makeTempDirSync({ prefix: "randport-tls-bench-" });
  try {
    let ca: string;
    try {
      ca = await certificates(dir);
    } catch (error) {
      return { servers: [], problem: `openssl: ${error}` };
    }
    const deno = Deno.execPath();
    const files = [
      `--tls-cert`,
      `${dir}/cert.pem`,
      `--tls-key`,
      `${dir}/key.pem`,
    ];
    const read = `--allow-read=${dir}`;
    const subjects = [
      {
        name: "randport, TLS",
        tls: true,
        command: (stream: boolean) => [
          deno,
          "run",
          "--allow-net",
          read,
          `${root}server.ts`,
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "--request-port",
          "off",
          ...files,
          ...(stream ? ["--stream"] : []),
        ],
        marker: "server.ts",
      },
      {
        name: "randport, plaintext",
        tls: false,
        command: (stream: boolean) => [
          deno,
          "run",
          "--allow-net",
          `${root}server.ts`,
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "--request-port",
          "off",
          ...(stream ? ["--stream"] : []),
        ],
        marker: "server.ts",
      },
      {
        name: "Deno.listenTls ceiling",
        tls: true,
        command: (stream: boolean) => [
          deno,
          "run",
          "--allow-net",
          read,
          `${root}bench/tls_ceiling_server.ts`,
          "--port",
          "0",
          "--cert",
          `${dir}/cert.pem`,
          "--key",
          `${dir}/key.pem`,
          ...(stream ? ["--stream"] : []),
        ],
        marker: "tls_ceiling_server.ts",
      },
    ];
    const stream = new Map<string, number[]>();
    const conns = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const subject of subjects) {
        for (const kind of ["stream", "conn"] as const) {
          log(`tls: ${subject.name}, ${kind}, round ${round + 1}/${rounds}`);
          await using server = await startServer(
            subject.name,
            subject.command(kind === "stream"),
            { marker: subject.marker },
          );
          const value = kind === "stream"
            ? await readStream(server.port, subject.tls, ca, seconds)
            : await shortConnections(server.port, subject.tls, ca, seconds);
          const map = kind === "stream" ? stream : conns;
          map.set(subject.name, [...(map.get(subject.name) ?? []), value]);
        }
      }
    }
    return {
      servers: subjects.map((s) => ({
        name: s.name,
        streamMegabytesPerSecond: median(stream.get(s.name)!),
        connectionsPerSecond: median(conns.get(s.name)!),
      })),
    };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The report's lines: figures, then ratios. */
export function tlsLines(report: TlsReport): string[] {
  if (report.problem) return [`TLS: not measured (${report.problem})`];
  const [tls, plain, ceiling] = report.servers;
  const lines = report.servers.map((s) =>
    `  ${s.name.padEnd(24)} one stream ${
      fixed(s.streamMegabytesPerSecond, 0).padStart(5)
    } MB/s   short connections (8 at a time) ${
      fixed(s.connectionsPerSecond, 0).padStart(6)
    }/s`
  );
  lines.push(
    `  randport TLS / plaintext: stream ${
      fixed(tls.streamMegabytesPerSecond / plain.streamMegabytesPerSecond, 2)
    }x, connections ${
      fixed(tls.connectionsPerSecond / plain.connectionsPerSecond, 2)
    }x; randport TLS / listenTls ceiling: stream ${
      fixed(tls.streamMegabytesPerSecond / ceiling.streamMegabytesPerSecond, 2)
    }x, connections ${
      fixed(tls.connectionsPerSecond / ceiling.connectionsPerSecond, 2)
    }x`,
  );
  return ["TLS (median of rounds):", ...lines];
}
