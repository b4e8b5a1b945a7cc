import assert from "node:assert/strict";
import {
  choiceFlag,
  hostFlag,
  integerFlag,
  parseFlags,
  secondsFlag,
} from "../../lib/cli/flags.ts";
import { asUsageError, UsageError } from "../../lib/cli/usage_error.ts";
import { OptionError } from "../../lib/errors/mod.ts";
import { PayloadSpecError } from "../../lib/wire/mod.ts";

const DECLARATIONS = {
  min: { type: "string" },
  port: { type: "string" },
  stream: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail("no UsageError thrown");
}

Deno.test("parseFlags: values by name; a negative number after a flag is its value", () => {
  assert.deepEqual(
    { ...parseFlags(["--min", "-5", "--stream"], DECLARATIONS) },
    { min: "-5", stream: true },
  );
  assert.deepEqual({ ...parseFlags(["--min=-5"], DECLARATIONS) }, {
    min: "-5",
  });
  assert.deepEqual({ ...parseFlags(["-h"], DECLARATIONS) }, { help: true });
  // Only after a value-taking flag: a boolean flag leaves "-5" alone, and
  // "-5" is then an unknown flag.
  assert.match(
    usageMessage(() => parseFlags(["--stream", "-5"], DECLARATIONS)),
    /^unknown flag -5/,
  );
});

Deno.test("parseFlags: each mistake is one line naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--nope"],
      /^unknown flag --nope \(see --help for the flags there are\)$/,
    ],
    [["extra"], /^unexpected argument "extra": every option is a --flag/],
    [["--port"], /^--port: expected a value after it$/],
    [["--stream=yes"], /^--stream: takes no value$/],
    [["--help=x"], /^--help: takes no value$/],
  ];
  for (const [args, expected] of cases) {
    const message = usageMessage(() => parseFlags(args, DECLARATIONS));
    assert.match(message, expected, args.join(" "));
    assert.ok(!message.includes("\n"), message);
  }
});

Deno.test("integerFlag: plain integers in range only", () => {
  assert.equal(integerFlag("--port", "8080", { min: 0, max: 65535 }), 8080);
  assert.equal(integerFlag("--min", "-9007199254740991"), -(2 ** 53 - 1));
  assert.equal(integerFlag("--min", "+7"), 7);
  const rejected: [string, string, RegExp][] = [
    [
      "0x10",
      "--port",
      /^--port: expected an integer from 0 to 65535, got "0x10"$/,
    ],
    ["1e3", "--port", /got "1e3"/],
    ["1.5", "--port", /got "1.5"/],
    ["", "--port", /got ""$/],
    ["65536", "--port", /got "65536"/],
    ["-1", "--port", /got "-1"/],
    ["9007199254740992", "--min", /expected an integer within ±\(2\^53−1\)/],
  ];
  for (const [value, flag, expected] of rejected) {
    assert.match(
      usageMessage(() =>
        integerFlag(
          flag,
          value,
          flag === "--port" ? { min: 0, max: 65535 } : {},
        )
      ),
      expected,
      value,
    );
  }
  assert.match(
    usageMessage(() => integerFlag("--limit", "-1", { min: 0 })),
    /^--limit: expected an integer >= 0, got "-1"$/,
  );
});

Deno.test("secondsFlag: plain decimals to milliseconds, rounded up", () => {
  assert.equal(secondsFlag("--timeout", "1.5"), 1500);
  assert.equal(secondsFlag("--timeout", ".25"), 250);
  assert.equal(secondsFlag("--timeout", "2."), 2000);
  assert.equal(secondsFlag("--timeout", "0"), 0);
  // A tiny positive timeout must not become 0, which means "no limit".
  assert.equal(secondsFlag("--timeout", "0.0004"), 1);
  assert.equal(secondsFlag("--timeout", "2147483"), 2_147_483_000);
  for (const value of ["1e3", "0x10", "", "-1", "Infinity", "2147484", "1,5"]) {
    assert.match(
      usageMessage(() => secondsFlag("--timeout", value)),
      /^--timeout: expected a number of seconds from 0 to 2147483, got /,
      value,
    );
  }
});

Deno.test("hostFlag and choiceFlag", () => {
  assert.equal(hostFlag("--host", "[::1]"), "[::1]");
  assert.equal(hostFlag("--host", "example.org"), "example.org");
  for (const value of ["", "a b", " localhost"]) {
    assert.match(
      usageMessage(() => hostFlag("--host", value)),
      /^--host: expected a host name or address, got /,
    );
  }
  const choices = ["csv", "lines", "json"] as const;
  assert.equal(choiceFlag("--format", "json", { choices }), "json");
  assert.equal(
    usageMessage(() => choiceFlag("--format", "xml", { choices })),
    '--format: expected one of csv, lines, json, got "xml"',
  );
});

Deno.test("asUsageError: an option's error names its flag; others pass through", () => {
  const flags = { maxConnections: "--max-connections", count: "--count" };
  const mapped = asUsageError(
    new OptionError("maxConnections", "expected an integer >= 1, got 0"),
    flags,
  );
  assert.ok(mapped instanceof UsageError);
  assert.equal(
    mapped.message,
    "--max-connections: expected an integer >= 1, got 0",
  );
  const spec = asUsageError(new PayloadSpecError("count", "too many"), flags);
  assert.equal((spec as Error).message, "--count: too many");
  // An option without a flag keeps its own name rather than vanishing.
  assert.equal(
    (asUsageError(new OptionError("logger", "bad"), flags) as Error).message,
    "logger: bad",
  );
  const other = new Error("disk full");
  assert.equal(asUsageError(other, flags), other);
});
