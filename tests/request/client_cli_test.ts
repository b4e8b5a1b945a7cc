/**
 * The client's draw subcommands against the real server's request port:
 * `client.ts randint 6 1 49 --unique` and the others, their formats,
 * `--seed`, `--repeat`, `--stats`, and their errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  assertOneLineError,
  CLIENT_TS,
  freePort,
  runClient,
  type ServerProcess,
  startServer,
} from "../_util.ts";

let server: ServerProcess | undefined;

async function draw(...args: string[]) {
  server ??= await startServer(["--request-port", "0"]);
  // Right after the subcommand: after a "--", it would be an item.
  const [name, ...rest] = args;
  const port = ["--port", String(server.requestPort)];
  return await runClient([name, ...port, ...rest], {
    timeoutMs: 30_000,
  });
}

async function drawOk(...args: string[]): Promise<string> {
  const result = await draw(...args);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  return result.stdout;
}

function lines(text: string): string[] {
  assert.ok(text.endsWith("\n"), JSON.stringify(text));
  return text.slice(0, -1).split("\n");
}

Deno.test("client draws: every subcommand, its formats and its flags", async (t) => {
  try {
    await t.step(
      "randint 6 1 49 --unique: six distinct lines in 1..49",
      async () => {
        const drawn = lines(await drawOk("randint", "6", "1", "49", "--unique"))
          .map(Number);
        assert.equal(drawn.length, 6);
        assert.equal(new Set(drawn).size, 6);
        assert.ok(drawn.every((n) => Number.isInteger(n) && n >= 1 && n <= 49));
      },
    );
    await t.step("negative arguments, csv and json", async () => {
      const csv = await drawOk("randint", "5", "-5", "-1", "--format", "csv");
      assert.match(csv, /^-[1-5](,-[1-5]){4}\n$/);
      const json = JSON.parse(
        await drawOk("randint", "4", "-3", "3", "--format", "json"),
      );
      assert.equal(json.length, 4);
      assert.ok(json.every((n: number) => n >= -3 && n <= 3));
    });
    await t.step(
      "--repeat N: N draws, one line each; json an array of arrays",
      async () => {
        const rows = lines(
          await drawOk("randint", "3", "1", "6", "--repeat", "7"),
        );
        assert.equal(rows.length, 7);
        for (const row of rows) assert.match(row, /^[1-6] [1-6] [1-6]$/);
        const json = JSON.parse(
          await drawOk("uuid", "--repeat", "3", "--format", "json"),
        );
        assert.equal(json.length, 3);
        assert.equal(new Set(json.flat()).size, 3);
      },
    );
    await t.step(
      "--seed: PROTOCOL.md 5.4's vector, the same from every run",
      async () => {
        const expected = "35\n16\n27\n37\n25\n40\n";
        assert.equal(
          await drawOk("randint", "6", "1", "49", "--seed", "hello"),
          expected,
        );
        assert.equal(
          await drawOk(
            "shuffle",
            "ace",
            "king",
            "queen",
            "jack",
            "--seed",
            "cards",
          ),
          "jack\nqueen\nking\nace\n",
        );
        assert.equal(
          await drawOk("randbytes", "16", "--seed", ""),
          "5835fdd196a6436538b6d35fcec696cc\n",
        );
      },
    );
    await t.step("sequence, shuffle, sample, and items after --", async () => {
      const permutation = lines(await drawOk("sequence", "-2", "7")).map(
        Number,
      );
      assert.deepEqual([...permutation].sort((a, b) => a - b), [
        -2,
        -1,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
      ]);
      const items = ["-a", "--b", "c d", "é"];
      const shuffled = JSON.parse(
        await drawOk("shuffle", "--format", "json", "--", ...items),
      );
      assert.deepEqual([...shuffled].sort(), [...items].sort());
      const two = lines(await drawOk("sample", "2", "x", "y", "z"));
      assert.equal(two.length, 2);
      assert.equal(new Set(two).size, 2);
    });
    await t.step(
      "uuid, randbytes in hex, base64 and raw, randstring, randfloat, gauss",
      async () => {
        const ids = lines(await drawOk("uuid", "3"));
        for (const id of ids) {
          assert.match(
            id,
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
        }
        assert.match(await drawOk("randbytes", "8"), /^[0-9a-f]{16}\n$/);
        const base64 = await drawOk("randbytes", "9", "--format", "base64");
        assert.equal(atob(base64.trim()).length, 9);
        const hex = await drawOk("randbytes", "300", "--seed", "r");
        assert.match(hex, /^[0-9a-f]{600}\n$/);
        // Raw bytes are not text: read them as bytes.
        const raw = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-net",
            CLIENT_TS,
            "randbytes",
            "300",
            "--format",
            "raw",
            "--seed",
            "r",
            "--port",
            String(server!.requestPort),
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(raw.code, 0, new TextDecoder().decode(raw.stderr));
        assert.equal(
          Array.from(raw.stdout, (b) => b.toString(16).padStart(2, "0")).join(
            "",
          ),
          hex.trim(),
        );
        const strings = lines(
          await drawOk("randstring", "4", "6", "--alphabet", "xyz"),
        );
        assert.equal(strings.length, 4);
        for (const s of strings) assert.match(s, /^[xyz]{6}$/);
        const floats = JSON.parse(
          await drawOk("randfloat", "5", "3", "--format", "json"),
        );
        assert.equal(floats.length, 5);
        assert.ok(floats.every((f: number) => f >= 0 && f < 1));
        const exact = lines(await drawOk("randfloat", "20", "4"));
        for (const f of exact) assert.match(f, /^0\.\d{4}$/);
        const normal = await drawOk(
          "gauss",
          "3",
          "100",
          "0",
          "--format",
          "csv",
        );
        assert.equal(normal, "100,100,100\n");
      },
    );
    await t.step("--stats tests against the range asked for", async () => {
      const report = await drawOk("randint", "60000", "1", "6", "--stats");
      assert.match(report, /^count\s+60000$/m);
      assert.match(report, /uniform 1\.\.6/);
      assert.match(report, /chi-square .* with 5 degrees of freedom/);
      const histogram = await drawOk("sequence", "1", "4", "--histogram");
      assert.match(histogram, /^4 numbers in 1\.\.4/);
    });
    await t.step("bad arguments and flags: one line, exit 2", async () => {
      const cases: [string[], RegExp][] = [
        [
          ["randint", "x", "1", "6"],
          /the server refused randint: count: expected an integer, got 'x'/,
        ],
        [
          ["randint", "6", "9", "1"],
          /the server refused randint: max: expected max >= min/,
        ],
        [
          ["randint", "6", "1"],
          /randint: expected count min max, got 2 arguments/,
        ],
        [["frob"], /unknown command "frob": expected one of randint, sequence/],
        [["shuffle", "a", "--format", "csv"], /--format: not csv for shuffle/],
        [
          ["randbytes", "4", "--format", "csv"],
          /--format: expected hex \| base64 \| raw for randbytes/,
        ],
        [
          ["randint", "1", "1", "6", "--seed", "s", "--repeat", "2"],
          /--repeat: with --seed every draw would be the same/,
        ],
        [
          ["shuffle", "a", "--stats"],
          /--stats: only with randint and sequence/,
        ],
        [["uuid", "--unique"], /--unique: only with randint/],
        [
          ["randint", "1", "1", "6", "--repeat", "0"],
          /--repeat: expected an integer from 1 to 1000000, got "0"/,
        ],
        [["randint", "1", "1", "6", "--bogus"], /unknown flag --bogus/],
      ];
      for (const [args, pattern] of cases) {
        assertOneLineError(await draw(...args), 2, pattern);
      }
    });
  } finally {
    await server?.stop();
  }
});

Deno.test("client draws: a request port that is not there names --request-port", async () => {
  const port = freePort();
  const result = await runClient([
    "randint",
    "6",
    "1",
    "49",
    "--port",
    String(port),
  ]);
  assertOneLineError(
    result,
    1,
    new RegExp(`connection refused by localhost:${port}`),
    new RegExp(`deno task serve --request-port ${port}`),
  );
});
