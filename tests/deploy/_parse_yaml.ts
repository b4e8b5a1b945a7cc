/**
 * Parses YAML files with npm:yaml and prints them as JSON:
 * `{ "FILE": [document, ...], ... }`. Exits 1, naming the file, on any
 * error or warning (duplicate keys included).
 *
 * A script, not a module the tests import: npm:yaml reads the environment
 * (`LOG_TOKENS`, `LOG_STREAM`), and `deno task test` grants no
 * `--allow-env` or `--allow-read`, so the tests run it as
 * `deno run --allow-read=DIR --allow-env=LOG_TOKENS,LOG_STREAM` (see
 * `loadYaml` in `_deploy_files.ts`).
 *
 * @module
 */

import { parseAllDocuments } from "yaml";

const out: Record<string, unknown[]> = {};
let failed = false;
for (const file of Deno.args) {
  const text = await Deno.readTextFile(file);
  const documents = parseAllDocuments(text, { strict: true, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  out[file] = [];
  for (const document of list) {
    for (const problem of [...document.errors, ...document.warnings]) {
      console.error(`${file}: ${problem.message}`);
      failed = true;
    }
    out[file].push(document.toJS());
  }
}
if (failed) Deno.exit(1);
console.log(JSON.stringify(out));
