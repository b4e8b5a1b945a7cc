/**
 * Writes tests/testdata/golden_payloads.json: SHA-256 digests of seeded
 * payloads for a grid of specs, ordinals and chunk sizes, as the code of the
 * commit that runs it produces them. It was run once, before lib/ was
 * regrouped into packages (issue 10), so that golden_test.ts can show that
 * the move changed no byte. Run it again only for a deliberate change of the
 * seeded output, and say so in the commit.
 *
 *     deno run --allow-write=tests/testdata tests/_golden_make.ts
 *
 * @module
 */

import { goldenCases, goldenDigest } from "./_golden.ts";

const cases = goldenCases();
const entries = [];
for (const c of cases) entries.push({ ...c, sha256: await goldenDigest(c) });
const path = new URL("./testdata/golden_payloads.json", import.meta.url);
// One case per line, so that a diff names the cases that changed.
const lines = entries.map((entry) => JSON.stringify(entry));
await Deno.writeTextFile(path, `[\n${lines.join(",\n")}\n]\n`);
console.log(`${entries.length} golden payloads written to ${path.pathname}`);
