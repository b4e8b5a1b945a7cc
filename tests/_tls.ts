// Certificates for the TLS tests, made with openssl in a temporary
// directory: a CA, and a server certificate it signs for `localhost` and
// 127.0.0.1 (rustls refuses a self-signed certificate used as its own CA).

import assert from "node:assert/strict";
import {
  commandWorks,
  run,
  type ServerProcess,
  startServer,
  tempDir,
} from "./_util.ts";

/** Whether openssl is here; the TLS tests need it to make certificates. */
export const OPENSSL = await commandWorks("openssl", ["version"]);

/** Files of one CA and the server certificate it signed. */
export interface TlsFiles {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
  /** The PEM texts, for the library's options. */
  caPem: string;
  certPem: string;
  keyPem: string;
}

async function sh(script: string, cwd: string): Promise<string> {
  const result = await run("sh", ["-c", `cd '${cwd}' && ${script}`], {
    timeoutMs: 30_000,
  });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/**
 * Makes `<name>-ca.pem`, `<name>-cert.pem` and `<name>-key.pem` in `dir`.
 * `names` are the server certificate's subjectAltNames.
 */
export async function makeCertificates(
  dir: string,
  name = "a",
  names = "DNS:localhost,IP:127.0.0.1,IP:::1",
): Promise<TlsFiles> {
  const ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  await sh(
    [
      `openssl req -x509 ${ec} -keyout ${name}-ca.key -out ${name}-ca.pem -days 2 -subj /CN=randport-test-ca-${name}`,
      `openssl req ${ec} -keyout ${name}-key.pem -out ${name}.csr -subj /CN=localhost`,
      `printf 'subjectAltName=${names}\\nbasicConstraints=CA:FALSE\\n' > ${name}.ext`,
      `openssl x509 -req -in ${name}.csr -CA ${name}-ca.pem -CAkey ${name}-ca.key -CAcreateserial -out ${name}-cert.pem -days 2 -extfile ${name}.ext`,
    ].join(" && ") + " 2>&1",
    dir,
  );
  const cat = (file: string) => sh(`cat ${file}`, dir);
  return {
    dir,
    caCert: `${dir}/${name}-ca.pem`,
    cert: `${dir}/${name}-cert.pem`,
    key: `${dir}/${name}-key.pem`,
    caPem: await cat(`${name}-ca.pem`),
    certPem: await cat(`${name}-cert.pem`),
    keyPem: await cat(`${name}-key.pem`),
  };
}

export { tempDir };

/**
 * Starts `server.ts` (as `startServer` does) with `files` as its
 * certificate, allowed to read those two files and nothing else.
 */
export function startTlsServer(
  files: Pick<TlsFiles, "cert" | "key">,
  args: string[] = [],
  options: { hostDefault?: boolean } = {},
): Promise<ServerProcess> {
  return startServer(
    ["--tls-cert", files.cert, "--tls-key", files.key, ...args],
    {
      permissions: [`--allow-read=${files.cert},${files.key}`],
      hostDefault: options.hostDefault,
    },
  );
}
