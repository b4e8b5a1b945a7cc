import assert from "node:assert/strict";
import { formatAddress, unbracketHost } from "../../lib/net/mod.ts";

function tcp(hostname: string, port: number): Deno.NetAddr {
  return { transport: "tcp", hostname, port };
}

Deno.test("formatAddress: IPv6 in brackets, IPv4 and names as they are", () => {
  assert.equal(formatAddress(tcp("127.0.0.1", 27679)), "127.0.0.1:27679");
  assert.equal(formatAddress(tcp("localhost", 1)), "localhost:1");
  assert.equal(formatAddress(tcp("::", 27679)), "[::]:27679");
  assert.equal(formatAddress(tcp("::1", 0)), "[::1]:0");
  assert.equal(formatAddress(tcp("fe80::1%eth0", 80)), "[fe80::1%eth0]:80");
});

Deno.test("unbracketHost: removes one pair of surrounding brackets only", () => {
  assert.equal(unbracketHost("[::1]"), "::1");
  assert.equal(unbracketHost("::1"), "::1");
  assert.equal(unbracketHost("localhost"), "localhost");
  assert.equal(unbracketHost("[::1"), "[::1");
  assert.equal(unbracketHost("::1]"), "::1]");
  assert.equal(unbracketHost("[]"), "");
});

Deno.test("formatAddress and unbracketHost undo each other", () => {
  for (const hostname of ["::1", "127.0.0.1", "example.org", "::"]) {
    const text = formatAddress(tcp(hostname, 9));
    assert.equal(unbracketHost(text.slice(0, text.lastIndexOf(":"))), hostname);
  }
});
