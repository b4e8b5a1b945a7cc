/**
 * The verification page's routes in process: what `verifyPageRoutes`
 * answers for each path and method, with a signer and without, its
 * headers (the Content-Security-Policy above all), its checks, and
 * `serveMetrics`'s `routes` option and `serve()`'s metrics port serving
 * them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import { MetricsRegistry, serveMetrics } from "../../lib/metrics/mod.ts";
import { PAGE_SCRIPT } from "../../lib/page/_page_bundle.ts";
import {
  VERIFY_PAGE_CSP,
  verifyPageRoutes,
  type VerifyPageSigner,
} from "../../lib/page/mod.ts";
import { serve } from "../../lib/server/mod.ts";
import {
  CHAIN_START,
  type DrawRecord,
  generateSigningKey,
  signDraw,
} from "../../lib/signed/mod.ts";

const BASE = "http://127.0.0.1";

async function signer(): Promise<
  VerifyPageSigner & { records: DrawRecord[] }
> {
  const { key } = await generateSigningKey();
  const record = await signDraw({
    v: 1,
    key_id: key.keyId,
    serial: 1,
    time: "2026-12-02T12:00:00.000Z",
    request: ["RANDINT", "1", "1", "6"],
    result: "*1\r\n:4\r\n",
    data: "",
    previous: CHAIN_START,
  }, key);
  return {
    keyId: key.keyId,
    publicKey: key.publicKey,
    records: [record],
    record: (serial) => Promise.resolve(serial === 1 ? record : undefined),
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function answer(
  routes: ReturnType<typeof verifyPageRoutes>,
  path: string,
  method = "GET",
) {
  const response = await routes(new Request(`${BASE}${path}`, { method }));
  if (response === undefined) return undefined;
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    headers: response.headers,
    body: await response.text(),
  };
}

Deno.test("verifyPageRoutes: the page, its script and style, with their headers", async () => {
  const routes = verifyPageRoutes();
  const page = await answer(routes, "/verify");
  assert.equal(page?.status, 200);
  assert.equal(page?.type, "text/html; charset=utf-8");
  assert.equal(page?.headers.get("content-security-policy"), VERIFY_PAGE_CSP);
  assert.match(VERIFY_PAGE_CSP, /(^|; )script-src 'self'(;|$)/);
  assert.match(VERIFY_PAGE_CSP, /(^|; )default-src 'none'(;|$)/);
  assert.ok(!VERIFY_PAGE_CSP.includes("unsafe"));
  assert.equal(page?.headers.get("x-content-type-options"), "nosniff");
  // No inline script or style: the policy would block them.
  assert.ok(!/<script(?![^>]*\bsrc=)/.test(page!.body), "an inline script");
  assert.ok(!/<style|\sstyle=|\son[a-z]+=/.test(page!.body));
  for (const id of ["key", "serial", "fetch", "records", "verify"]) {
    assert.ok(page!.body.includes(`id="${id}"`), id);
  }
  // Every field has its label.
  for (const id of ["key", "serial", "records"]) {
    assert.ok(page!.body.includes(`<label for="${id}">`), id);
  }
  const script = await answer(routes, "/verify.js");
  assert.equal(script?.type, "text/javascript; charset=utf-8");
  assert.equal(script?.body, PAGE_SCRIPT);
  const style = await answer(routes, "/verify.css");
  assert.equal(style?.type, "text/css; charset=utf-8");
  assert.match(style!.body, /^:root \{/);
  // Twice: the bodies are served from memory, not used up.
  assert.equal((await answer(routes, "/verify.js"))?.body, PAGE_SCRIPT);
});

Deno.test("verifyPageRoutes: without a signer, /pubkey and /draws answer 404 and say why", async () => {
  const routes = verifyPageRoutes();
  for (const path of ["/pubkey", "/draws/1", "/draws/x"]) {
    assert.deepEqual(
      await answer(routes, path).then((a) => [a?.status, a?.body]),
      [
        404,
        "this server signs no draws (it needs --signing-key and --draw-log)\n",
      ],
      path,
    );
  }
  assert.equal(await answer(routes, "/metrics"), undefined);
  assert.equal(await answer(routes, "/verify/"), undefined);
  assert.equal(await answer(routes, "/draws/1/2"), undefined);
  const post = await answer(routes, "/verify", "POST");
  assert.equal(post?.status, 405);
  assert.equal(post?.headers.get("allow"), "GET, HEAD");
});

Deno.test("verifyPageRoutes: a signer's /pubkey and /draws/<serial>, 404, 400 and 500", async () => {
  const s = await signer();
  const routes = verifyPageRoutes({ signer: s });
  const key = await answer(routes, "/pubkey");
  assert.equal(key?.type, "application/json; charset=utf-8");
  assert.equal(
    key?.body,
    `{"algorithm":"Ed25519","key_id":"${s.keyId}","public_key":"${
      hex(s.publicKey)
    }"}\n`,
  );
  const record = await answer(routes, "/draws/1");
  assert.equal(record?.status, 200);
  assert.equal(record?.type, "application/json; charset=utf-8");
  assert.equal(record?.body, `${JSON.stringify(s.records[0])}\n`);
  assert.deepEqual(
    await answer(routes, "/draws/2").then((a) => [a?.status, a?.body]),
    [404, "no record of serial 2\n"],
  );
  assert.deepEqual(
    await answer(routes, "/draws/9007199254740991").then((a) => a?.status),
    404,
  );
  for (
    const bad of [
      "0",
      "007",
      "-3",
      "1e3",
      "1.5",
      "%31",
      "abc",
      "",
      "9".repeat(17),
    ]
  ) {
    const got = await answer(routes, `/draws/${bad}`);
    assert.equal(got?.status, 400, bad);
    assert.equal(
      got?.body,
      `serial: expected an integer from 1 to 9007199254740991, got ${
        JSON.stringify(bad)
      }\n`,
    );
  }
  const failing = verifyPageRoutes({
    signer: { ...s, record: () => Promise.reject(new Error("disk on fire")) },
  });
  assert.deepEqual(
    await answer(failing, "/draws/1").then((a) => [a?.status, a?.body]),
    [500, "the draw log could not be read\n"],
  );
});

Deno.test("verifyPageRoutes: a signer not of its form is an OptionError naming it", async () => {
  const s = await signer();
  const wrong: unknown[] = [
    null,
    {},
    { ...s, keyId: 1 },
    { ...s, publicKey: new Uint8Array(31) },
    { ...s, publicKey: "00".repeat(32) },
    { ...s, record: undefined },
  ];
  for (const value of wrong) {
    assert.throws(
      () => verifyPageRoutes({ signer: value as VerifyPageSigner }),
      (error: unknown) =>
        error instanceof OptionError && error.field === "signer",
    );
  }
});

Deno.test("serveMetrics: routes serve other paths, and 404 stays for the rest", async () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "app_total", help: "H." }).inc();
  const server = serveMetrics({
    registry,
    port: 0,
    routes: (request, url) =>
      url.pathname === "/hello"
        ? new Response(`hello ${request.method}\n`)
        : url.pathname === "/later"
        ? Promise.resolve(new Response("later\n"))
        : undefined,
  });
  try {
    const get = async (path: string, method = "GET") => {
      const response = await fetch(
        `${BASE}:${server.addr.port}${path}`,
        { method },
      );
      return [response.status, await response.text()];
    };
    assert.deepEqual(await get("/hello"), [200, "hello GET\n"]);
    assert.deepEqual(await get("/later"), [200, "later\n"]);
    assert.deepEqual(await get("/hello", "HEAD"), [200, ""]);
    assert.deepEqual(await get("/nothing"), [404, "not found\n"]);
    assert.deepEqual(await get("/hello", "POST"), [
      405,
      "method not allowed\n",
    ]);
    // The endpoint's own paths come first.
    assert.match(String((await get("/metrics"))[1]), /app_total 1\n$/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serve(): the metrics port serves the page; a server that signs nothing has no /pubkey", async () => {
  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    metrics: { port: 0 },
  });
  try {
    const base = `${BASE}:${server.metrics!.addr.port}`;
    const page = await fetch(`${base}/verify`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-security-policy"), VERIFY_PAGE_CSP);
    await page.body?.cancel();
    const script = await fetch(`${base}/verify.js`);
    assert.equal(await script.text(), PAGE_SCRIPT);
    const key = await fetch(`${base}/pubkey`);
    assert.equal(key.status, 404);
    assert.match(await key.text(), /^this server signs no draws/);
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    await metrics.body?.cancel();
  } finally {
    await server.shutdown();
  }
});
