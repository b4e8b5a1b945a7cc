/**
 * Trusted proxies (PROTOCOL.md §7): CIDR blocks and bare addresses, IPv4
 * and IPv6 in one space (IPv4-mapped peers of a dual-stack listener match
 * IPv4 entries), and the errors that name a bad entry.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OptionError } from "../../lib/errors/mod.ts";
import {
  parseTrustedProxies,
  TrustedProxies,
} from "../../lib/transport/mod.ts";

function tcp(hostname: string): Deno.NetAddr {
  return { transport: "tcp", hostname, port: 40000 };
}

/** Which of the hosts the list trusts, as `host: true|false` lines. */
function verdicts(trusted: TrustedProxies, hosts: string[]): string[] {
  return hosts.map((host) => `${host}: ${trusted.has(tcp(host))}`);
}

Deno.test("IPv4 blocks: /8, /32, /0 and bare addresses", () => {
  const trusted = parseTrustedProxies([
    "10.0.0.0/8",
    "192.0.2.7",
    "198.51.100.128/25",
  ]);
  assert.deepEqual(trusted.entries, [
    "10.0.0.0/8",
    "192.0.2.7/32",
    "198.51.100.128/25",
  ]);
  assert.deepEqual(
    verdicts(trusted, [
      "10.0.0.0",
      "10.255.255.255",
      "11.0.0.0",
      "9.255.255.255",
      "192.0.2.7",
      "192.0.2.8",
      "198.51.100.127",
      "198.51.100.128",
      "198.51.100.255",
      "::1",
    ]),
    [
      "10.0.0.0: true",
      "10.255.255.255: true",
      "11.0.0.0: false",
      "9.255.255.255: false",
      "192.0.2.7: true",
      "192.0.2.8: false",
      "198.51.100.127: false",
      "198.51.100.128: true",
      "198.51.100.255: true",
      "::1: false",
    ],
  );
  const everyone = parseTrustedProxies(["0.0.0.0/0"]);
  assert.deepEqual(verdicts(everyone, ["1.2.3.4", "255.255.255.255", "::2"]), [
    "1.2.3.4: true",
    "255.255.255.255: true",
    "::2: false",
  ]);
});

Deno.test("IPv6 blocks: ::1/128, fd00::/8, brackets, any spelling", () => {
  const trusted = parseTrustedProxies([
    "::1/128",
    "fd00::/8",
    "[2001:DB8::]/32",
    "[fe80::1]",
  ]);
  assert.deepEqual(trusted.entries, [
    "::1/128",
    "fd00::/8",
    "2001:db8::/32",
    "fe80::1/128",
  ]);
  assert.deepEqual(
    verdicts(trusted, [
      "::1",
      "0:0:0:0:0:0:0:1",
      "::2",
      "fd00::",
      "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "fc00::1",
      "fe00::",
      "2001:db8:ffff::1",
      "2001:db9::",
      "fe80::1",
      "fe80::1%eth0",
      "[fe80::1]",
      "127.0.0.1",
    ]),
    [
      "::1: true",
      "0:0:0:0:0:0:0:1: true",
      "::2: false",
      "fd00::: true",
      "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff: true",
      "fc00::1: false",
      "fe00::: false",
      "2001:db8:ffff::1: true",
      "2001:db9::: false",
      "fe80::1: true",
      "fe80::1%eth0: true",
      "[fe80::1]: true",
      "127.0.0.1: false",
    ],
  );
});

Deno.test("IPv4-mapped peers match IPv4 entries, and mapped entries match IPv4 peers", () => {
  const v4 = parseTrustedProxies(["127.0.0.1/32", "10.0.0.0/8"]);
  assert.deepEqual(
    verdicts(v4, [
      "::ffff:127.0.0.1",
      "::FFFF:7f00:1",
      "::ffff:10.9.8.7",
      "::ffff:127.0.0.2",
      "::127.0.0.1",
      "64:ff9b::127.0.0.1",
    ]),
    [
      "::ffff:127.0.0.1: true",
      "::FFFF:7f00:1: true",
      "::ffff:10.9.8.7: true",
      "::ffff:127.0.0.2: false",
      "::127.0.0.1: false",
      "64:ff9b::127.0.0.1: false",
    ],
  );
  const mapped = parseTrustedProxies(["::ffff:10.0.0.0/104"]);
  assert.deepEqual(mapped.entries, ["::ffff:10.0.0.0/104"]);
  assert.deepEqual(verdicts(mapped, ["10.1.1.1", "11.1.1.1"]), [
    "10.1.1.1: true",
    "11.1.1.1: false",
  ]);
});

Deno.test("comma lists, spaces around items, the class and the function alike", () => {
  const trusted = parseTrustedProxies([" 127.0.0.1 , ::1", "10.0.0.0/8"]);
  assert.deepEqual(trusted.entries, ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]);
  assert.ok(trusted instanceof TrustedProxies);
  assert.deepEqual(new TrustedProxies(["127.0.0.1,::1"]).entries, [
    "127.0.0.1/32",
    "::1/128",
  ]);
  assert.deepEqual(parseTrustedProxies([]).entries, []);
  assert.equal(parseTrustedProxies([]).has(tcp("127.0.0.1")), false);
});

Deno.test("only IP addresses of TCP or UDP peers can be trusted", () => {
  const trusted = parseTrustedProxies(["0.0.0.0/0", "::/0"]);
  assert.equal(trusted.has(tcp("localhost")), false);
  assert.equal(trusted.has(tcp("")), false);
  assert.equal(
    trusted.has({ transport: "udp", hostname: "1.2.3.4", port: 1 }),
    true,
  );
  assert.equal(trusted.has({ transport: "unix", path: "/tmp/sock" }), false);
});

Deno.test("bad entries: the error names the field, the entry and what was expected", () => {
  const cases: [string, string][] = [
    ["10.0.0.0/33", '"10.0.0.0/33": expected a prefix length from 0 to 32'],
    ["::1/129", '"::1/129": expected a prefix length from 0 to 128'],
    ["10.0.0.0/08", '"10.0.0.0/08": expected a prefix length from 0 to 32'],
    ["10.0.0.0/", '"10.0.0.0/": expected a prefix length from 0 to 32'],
    ["10.0.0.0/-1", '"10.0.0.0/-1": expected a prefix length from 0 to 32'],
    ["10.0.0.0/8/8", '"10.0.0.0/8/8": expected a prefix length from 0 to 32'],
    [
      "10.0.0.1/8",
      '"10.0.0.1/8" has bits set past its /8 prefix: expected 10.0.0.0/8, or 10.0.0.1/32 for the one address',
    ],
    [
      "fd00::1/8",
      '"fd00::1/8" has bits set past its /8 prefix: expected fd00::/8, or fd00::1/128 for the one address',
    ],
    [
      "010.0.0.1",
      '"010.0.0.1": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ],
    [
      "127.1",
      '"127.1": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ],
    [
      "localhost",
      '"localhost": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ],
    [
      "fe80::1%eth0",
      '"fe80::1%eth0": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ],
    [
      "/8",
      '"/8": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
    ],
    [
      "",
      'empty entry in "": expected an address or CIDR block between commas',
    ],
    [
      "127.0.0.1,,::1",
      'empty entry in "127.0.0.1,,::1": expected an address or CIDR block between commas',
    ],
  ];
  for (const [entry, detail] of cases) {
    assert.throws(
      () => parseTrustedProxies(["127.0.0.1", entry]),
      (error) => {
        assert.ok(error instanceof OptionError, String(error));
        assert.equal(error.field, "trustedProxies");
        assert.equal(error.detail, detail);
        assert.equal(error.message, `trustedProxies: ${detail}`);
        return true;
      },
      entry,
    );
  }
});

Deno.test("the field in errors is the caller's", () => {
  assert.throws(
    () => parseTrustedProxies(["nope"], { field: "--trusted-proxy" }),
    (error) =>
      error instanceof OptionError &&
      error.message ===
        '--trusted-proxy: "nope": expected an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8',
  );
  assert.throws(
    () => new TrustedProxies("10.0.0.0/8" as unknown as string[]),
    (error) =>
      error instanceof OptionError &&
      error.message ===
        "trustedProxies: expected a list of addresses or CIDR blocks",
  );
  assert.throws(
    () => parseTrustedProxies([8 as unknown as string], { field: "trusted" }),
    (error) =>
      error instanceof OptionError &&
      error.message ===
        "trusted: expected addresses or CIDR blocks as strings, got number",
  );
});
