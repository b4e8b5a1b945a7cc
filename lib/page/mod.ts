/**
 * A verification page a person can use (PROTOCOL.md §6):
 * {@linkcode verifyPageRoutes} serves `/verify`, where a browser checks a
 * pasted record or exported log, or one fetched by its serial, with the
 * same code as `@randport/randport/verify` (bundled for browsers, served
 * from memory, no CDN), and shows what was drawn, when, for what request,
 * and whether the signature, the hash, the chain and a seeded result hold.
 * `serve()` of `@randport/randport/server` serves it on the metrics port
 * (`--metrics-port`), with `/pubkey` and `/draws/<serial>` when it signs.
 *
 * Browsers give Web Crypto only to secure contexts: open the page over
 * https, or as `http://localhost` or `http://127.0.0.1` (an SSH tunnel to
 * a server elsewhere).
 *
 * ```ts
 * import { MetricsRegistry, serveMetrics } from "@randport/randport/metrics";
 * import { verifyPageRoutes } from "@randport/randport/page";
 * import { CHAIN_START, type DrawRecord, generateSigningKey, signDraw } from "@randport/randport/signed";
 *
 * const { key } = await generateSigningKey();
 * const stored = new Map<number, DrawRecord>();
 * stored.set(1, await signDraw({
 *   v: 1, key_id: key.keyId, serial: 1, time: new Date().toISOString(),
 *   request: ["RANDINT", "1", "1", "6"], result: "*1\r\n:4\r\n", data: "",
 *   previous: CHAIN_START,
 * }, key));
 * const server = serveMetrics({
 *   registry: new MetricsRegistry(),
 *   port: 0,
 *   routes: verifyPageRoutes({
 *     signer: {
 *       keyId: key.keyId,
 *       publicKey: key.publicKey,
 *       record: (serial) => Promise.resolve(stored.get(serial)), // a ledger's get
 *     },
 *   }),
 * });
 * const base = `http://127.0.0.1:${server.addr.port}`; // a browser opens `${base}/verify`
 * const record = await fetch(`${base}/draws/1`).then((r) => r.json());
 * console.log(record.serial, record.result); // 1 "*1\r\n:4\r\n"
 * console.log(await fetch(`${base}/draws/2`).then((r) => r.text())); // "no record of serial 2\n"
 * await server.shutdown();
 * ```
 *
 * @module
 */

export * from "./verify_page.ts";
