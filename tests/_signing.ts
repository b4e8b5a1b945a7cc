/**
 * Test helper: the second line a signing `server.ts` prints, read into the
 * key it signs with.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ServerProcess } from "./_util.ts";

/** A running signing server and what it said about its key. */
export interface SigningServer {
  server: ServerProcess;
  requestPort: number;
  keyId: string;
  publicKey: Uint8Array;
}

const SIGNING_LINE =
  /^signing draws with Ed25519 key ([0-9a-f]{32}), public key ([0-9a-f]{64})\n$/;

/**
 * Waits for `server`'s `signing draws with Ed25519 key …` line and returns
 * the key it names; on any failure the server is killed (SIGKILL) first.
 */
export async function readSigningLine(
  server: ServerProcess,
): Promise<SigningServer> {
  try {
    const stdout = await server.waitForStdout((s) => s.includes("\n"), 10_000);
    const match = SIGNING_LINE.exec(stdout);
    assert.ok(match, `unexpected second line: ${JSON.stringify(stdout)}`);
    assert.ok(server.requestPort !== undefined, server.banner);
    return {
      server,
      requestPort: server.requestPort,
      keyId: match[1],
      publicKey: Uint8Array.from(
        match[2].match(/../g)!,
        (pair) => parseInt(pair, 16),
      ),
    };
  } catch (error) {
    await server.stop("SIGKILL");
    throw error;
  }
}
