/**
 * TLS on a listener: the server side of the handshake over each accepted
 * connection, with a certificate that can be replaced while the server runs.
 *
 * @module
 */

import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import { OptionError } from "../errors/option_error.ts";
import { connDuplex } from "./_conn_duplex.ts";
import { TlsConn } from "./_tls_conn.ts";
import type { StreamConn } from "./stream_conn.ts";

/** A certificate chain and its private key, PEM-encoded. */
export interface TlsCertificate {
  /** The certificate chain, the server's own certificate first. */
  cert: string;
  /** The private key (PKCS#8, PKCS#1 or SEC1 PEM), unencrypted. */
  key: string;
}

/** Options for {@linkcode TlsTerminator}. */
export interface TlsTerminatorOptions {
  /**
   * How long a client may take to complete the handshake, in milliseconds;
   * a connection still handshaking then is closed.
   *
   * @default {10000}
   */
  handshakeTimeout?: number;
}

/**
 * A client whose TLS handshake failed: it spoke plaintext, refused the
 * certificate, offered nothing this server supports, or took too long.
 *
 * @example Usage
 * ```ts
 * import { TlsHandshakeError } from "@randport/randport/transport";
 *
 * const error = new TlsHandshakeError("timed out after 10 s");
 * console.log(error.message); // "TLS handshake failed: timed out after 10 s"
 * ```
 */
export class TlsHandshakeError extends Error {
  /**
   * The client's address, when `openConnection` knows it (behind a PROXY
   * header, the one the header names).
   */
  remoteAddr: Deno.Addr | undefined;

  /**
   * Creates the error.
   *
   * @param detail What went wrong, in words.
   * @param options The underlying error, as `cause`.
   */
  constructor(detail: string, options?: ErrorOptions) {
    super(`TLS handshake failed: ${detail}`, options);
    this.name = "TlsHandshakeError";
  }
}

/** The client's failure, in a few words: the first line, without "Error: ". */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || "the connection closed";
}

function secureContext(
  certificate: TlsCertificate,
  field: string,
): SecureContext {
  for (const part of ["cert", "key"] as const) {
    if (typeof certificate?.[part] !== "string") {
      throw new OptionError(`${field}.${part}`, "expected a PEM string");
    }
  }
  // node:tls takes a key that does not match, or a certificate as the key,
  // and fails every handshake afterwards: check them here instead.
  let certificateObject: X509Certificate;
  let privateKey: KeyObject;
  try {
    certificateObject = new X509Certificate(certificate.cert);
  } catch (error) {
    throw new OptionError(
      `${field}.cert`,
      `not a PEM certificate: ${describe(error)}`,
    );
  }
  try {
    privateKey = createPrivateKey(certificate.key);
  } catch (error) {
    throw new OptionError(
      `${field}.key`,
      `not an unencrypted PEM private key: ${describe(error)}`,
    );
  }
  if (!certificateObject.checkPrivateKey(privateKey)) {
    throw new OptionError(
      field,
      "the private key does not match the certificate",
    );
  }
  let context: SecureContext;
  try {
    context = createSecureContext({
      cert: certificate.cert,
      key: certificate.key,
    });
  } catch (error) {
    throw new OptionError(
      field,
      `the certificate and key cannot be used: ${describe(error)}`,
    );
  }
  // Deno's node:tls runs on rustls, which takes fewer key types than the
  // checks above (no RSA-PSS, Ed448 or DSA keys): such a pair would fail
  // every handshake. rustls is asked here, on a throwaway loopback socket.
  try {
    Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: certificate.cert,
      key: certificate.key,
    }).close();
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw error;
    throw new OptionError(
      field,
      `the certificate and key cannot be used by rustls: ${describe(error)}`,
    );
  }
  return context;
}

/**
 * Runs the server side of TLS over connections that a plain listener
 * accepted: after a PROXY header, if the listener reads one, because the
 * header comes before the handshake. `reload` replaces the certificate for
 * the connections that come after it; those in progress keep theirs.
 *
 * @example Usage
 * ```ts ignore
 * import { TlsTerminator } from "@randport/randport/transport";
 *
 * const tls = new TlsTerminator({
 *   cert: Deno.readTextFileSync("cert.pem"),
 *   key: Deno.readTextFileSync("key.pem"),
 * });
 * using listener = Deno.listen({ port: 8443 });
 * const conn = await tls.accept(await listener.accept());
 * await conn.write(new TextEncoder().encode("hello"));
 * conn.close();
 * ```
 */
export class TlsTerminator {
  #context: SecureContext;
  readonly #handshakeTimeout: number;

  /**
   * Checks the certificate and key.
   *
   * @param certificate The certificate chain and key.
   * @param options The handshake timeout.
   * @throws {OptionError} Naming `tls` when they cannot be used (not PEM,
   * the key does not match the certificate, ...).
   */
  constructor(certificate: TlsCertificate, options: TlsTerminatorOptions = {}) {
    this.#context = secureContext(certificate, "tls");
    const timeout = options.handshakeTimeout ?? 10000;
    if (!(timeout > 0 && timeout <= 2 ** 31 - 1)) {
      throw new OptionError(
        "handshakeTimeout",
        "expected milliseconds from 1 to 2^31−1",
      );
    }
    this.#handshakeTimeout = timeout;
  }

  /**
   * Replaces the certificate for connections accepted from now on; when
   * the new one cannot be used, the old one stays and this throws.
   *
   * @param certificate The new certificate chain and key.
   * @throws {OptionError} As the constructor does.
   */
  reload(certificate: TlsCertificate): void {
    this.#context = secureContext(certificate, "tls");
  }

  /**
   * Runs the handshake over `conn`.
   *
   * @param conn A connection just accepted (or just past its PROXY header).
   * @returns The decrypted connection, once the handshake is done.
   * @throws {TlsHandshakeError} When it fails or times out; `conn` is
   * closed then.
   */
  accept(conn: StreamConn): Promise<StreamConn> {
    const socket = new TLSSocket(connDuplex(conn), {
      isServer: true,
      secureContext: this.#context,
    });
    const { promise, resolve, reject } = Promise.withResolvers<StreamConn>();
    const timer = setTimeout(() => {
      fail(`timed out after ${this.#handshakeTimeout / 1000} s`);
    }, this.#handshakeTimeout);
    function fail(detail: string, cause?: unknown): void {
      clearTimeout(timer);
      socket.destroy();
      reject(new TlsHandshakeError(detail, { cause }));
    }
    // A client that closes before or in its ClientHello ends the stream
    // with neither an error nor a close: without this, it would hold its
    // places until the handshake timeout (a load balancer's TCP check).
    const onEnd = () => fail("the client closed the connection");
    socket.once("secure", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.removeAllListeners("close");
      socket.off("end", onEnd);
      resolve(new TlsConn(socket, conn));
    });
    socket.once("error", (error) => fail(describe(error), error));
    socket.once("close", () => fail("the client closed the connection"));
    socket.once("end", onEnd);
    return promise;
  }
}
