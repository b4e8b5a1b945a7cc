/**
 * The shape of the code, checked from the module graph that `deno info`
 * reports: packages depend only on the packages below them, there are no
 * import cycles, `_` files stay private to their folder, the command-line
 * code is not published, and the root export stays small.
 *
 * @module
 */

import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import * as root from "../lib/mod.ts";

const ROOT = new URL("..", import.meta.url);
const ROOT_PATH = ROOT.pathname;

/** Each package, and the packages it may import from. */
const ALLOWED: Record<string, string[]> = {
  errors: [],
  random: ["errors"],
  net: [],
  transport: ["errors", "net"],
  stats: [],
  log: ["errors"],
  signed: [],
  ledger: ["signed"],
  resp: [],
  metrics: [],
  request: [
    "errors",
    "ledger",
    "log",
    "metrics",
    "net",
    "random",
    "resp",
    "signed",
    "transport",
    "wire",
  ],
  wire: ["errors", "random"],
  server: [
    "errors",
    "log",
    "metrics",
    "random",
    "net",
    "wire",
    "request",
    "transport",
    "page",
  ],
  client: ["errors", "net", "wire", "resp"],
  verify: ["signed", "request"],
  cluster: [
    "errors",
    "log",
    "metrics",
    "net",
    "page",
    "request",
    "server",
    "transport",
  ],
  page: ["errors", "verify"],
  cli: [
    "errors",
    "random",
    "net",
    "stats",
    "wire",
    "client",
    "signed",
    "verify",
  ],
};

interface InfoModule {
  specifier: string;
  dependencies?: {
    specifier: string;
    code?: { specifier?: string };
    type?: { specifier?: string };
    isDynamic?: boolean;
  }[];
}

/** `"from -> to"` of each import made with `await import()`. */
const DYNAMIC = new Set<string>();

/** Local module path (relative to the repository) -> the paths it imports. */
async function graph(entries: string[]): Promise<Map<string, string[]>> {
  const edges = new Map<string, string[]>();
  for (const entry of entries) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT_PATH,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: InfoModule[];
    };
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (from === undefined) continue;
      const to = (module.dependencies ?? [])
        .flatMap((d) => [d.code?.specifier, d.type?.specifier])
        .filter((s): s is string => s !== undefined);
      edges.set(from, [...new Set(to)]);
      for (const d of module.dependencies ?? []) {
        if (d.isDynamic && d.code?.specifier) {
          DYNAMIC.add(`${from} -> ${local(d.code.specifier)}`);
        }
      }
    }
  }
  return edges;
}

function local(specifier: string): string | undefined {
  if (!specifier.startsWith(ROOT.href)) return undefined;
  return specifier.slice(ROOT.href.length);
}

function packageOf(path: string): string | undefined {
  return /^lib\/([^/]+)\//.exec(path)?.[1];
}

/** Every TypeScript file under lib/, reachable from an export or not. */
async function libFiles(): Promise<string[]> {
  const output = await new Deno.Command("find", {
    args: ["lib", "-name", "*.ts"],
    cwd: ROOT_PATH,
    stdout: "piped",
  }).output();
  assert.equal(output.code, 0);
  return new TextDecoder().decode(output.stdout).trim().split("\n").sort();
}

const LIB_FILES = await libFiles();
const ENTRIES = [
  "server.ts",
  "client.ts",
  ...Object.values(denoJson.exports),
  ...LIB_FILES,
];

const edges = await graph(ENTRIES);

Deno.test("architecture: every package has a mod.ts, and every export is one", () => {
  const folders = new Set(
    [...edges.keys()].map(packageOf).filter((p) => p !== undefined),
  );
  assert.deepEqual([...folders].sort(), Object.keys(ALLOWED).sort());
  for (const folder of folders) {
    assert.ok(edges.has(`lib/${folder}/mod.ts`), `lib/${folder}/mod.ts`);
  }
  for (const [subpath, target] of Object.entries(denoJson.exports)) {
    assert.match(target, /^\.\/lib\/([a-z]+\/)?mod\.ts$/, subpath);
  }
});

Deno.test("architecture: packages import only the packages below them", () => {
  const wrong = [];
  for (const [from, targets] of edges) {
    const source = packageOf(from);
    if (source === undefined) continue;
    for (const target of targets) {
      const path = local(target);
      if (path === undefined) {
        // Outside the repository: only node: built-ins and npm packages.
        if (!/^(node:|npm:)/.test(target)) wrong.push(`${from} -> ${target}`);
        continue;
      }
      const dest = packageOf(path);
      if (dest === undefined) {
        if (!path.startsWith("lib/")) wrong.push(`${from} -> ${path}`);
        continue;
      }
      if (dest !== source && !ALLOWED[source].includes(dest)) {
        wrong.push(`${from} -> ${path}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("architecture: no import cycles", () => {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
      return;
    }
    state.set(node, "open");
    for (const target of edges.get(node) ?? []) {
      const next = local(target);
      if (next !== undefined && edges.has(next)) {
        visit(next, [...path, node]);
      }
    }
    state.set(node, "done");
  };
  for (const node of edges.keys()) visit(node, []);
  assert.deepEqual(cycles, []);
  assert.ok(edges.size > 40, `only ${edges.size} modules seen`);
  // Every file was in the graph, not only those an export reaches.
  for (const file of LIB_FILES) assert.ok(edges.has(file), file);
});

Deno.test("architecture: _ modules are imported only from their own folder", () => {
  const wrong = [];
  for (const [from, targets] of edges) {
    for (const target of targets) {
      const path = local(target);
      if (path === undefined || !/\/_[^/]*$/.test(path)) continue;
      const folder = (p: string) => p.slice(0, p.lastIndexOf("/"));
      if (folder(path) !== folder(from)) wrong.push(`${from} -> ${path}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("architecture: the command-line code is not published", () => {
  for (const target of Object.values(denoJson.exports)) {
    assert.ok(!target.includes("/cli/"), target);
  }
  assert.ok(denoJson.publish.exclude.includes("lib/cli/"));
  const published = [...edges.keys()].filter((path) =>
    !path.startsWith("lib/cli/") && path.startsWith("lib/")
  );
  for (const path of published) {
    for (const target of edges.get(path) ?? []) {
      assert.ok(!local(target)?.startsWith("lib/cli/"), `${path} -> ${target}`);
    }
  }
});

Deno.test("architecture: the server needs no npm package", () => {
  const reached = new Set<string>();
  const loadedLater: string[] = [];
  const walk = (path: string) => {
    if (reached.has(path)) return;
    reached.add(path);
    for (const target of edges.get(path) ?? []) {
      const next = local(target);
      if (next !== undefined && DYNAMIC.has(`${path} -> ${next}`)) {
        loadedLater.push(`${path} -> ${next}`);
      } else if (next !== undefined) walk(next);
      else reached.add(target);
    }
  };
  walk("server.ts");
  walk("lib/server/mod.ts");
  const npm = [...reached].filter((s) => s.startsWith("npm:"));
  assert.deepEqual(npm, []);
  // Except the PostgreSQL client, which `--draw-log postgres://...` alone
  // needs: it is imported with `await import()` only then, so a server
  // that logs to SQLite (or signs nothing) never loads it, nor any npm
  // package. It is the only module loaded that way.
  assert.deepEqual(loadedLater, [
    "lib/ledger/open_ledger.ts -> lib/ledger/postgres_ledger.ts",
  ]);
  const later = edges.get("lib/ledger/postgres_ledger.ts") ?? [];
  assert.deepEqual(
    later.filter((s) => s.startsWith("npm:")).map((s) => s.split("@")[0]),
    ["npm:postgres"],
  );
  // Of the command line's code, only what parses flags and handles exits.
  const cli = [...reached].filter((path) => path.startsWith("lib/cli/"));
  assert.deepEqual(cli.sort(), [
    "lib/cli/flag_file.ts",
    "lib/cli/flags.ts",
    "lib/cli/run_main.ts",
    "lib/cli/stop_signals.ts",
    "lib/cli/usage_error.ts",
  ]);
  assert.ok(![...reached].some((path) => path.startsWith("lib/stats/")));
});

Deno.test("architecture: the root exports a small, curated set", () => {
  assert.deepEqual(Object.keys(root).sort(), [
    "OptionError",
    "PayloadSpecError",
    "RandportError",
    "connectRequests",
    "fetchNumbers",
    "resolvePayloadSpec",
    "serve",
    "streamNumbers",
  ]);
});
