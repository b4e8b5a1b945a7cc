import assert from "node:assert/strict";
import {
  type ByteSink,
  NumberPrinter,
  writeText,
} from "../../lib/cli/printer.ts";

/** A sink that takes at most `most` bytes per write, as pipes may. */
class Collector implements ByteSink {
  readonly #most: number;
  readonly chunks: Uint8Array[] = [];
  writes = 0;

  constructor(most = Infinity) {
    this.#most = most;
  }

  write(bytes: Uint8Array): Promise<number> {
    this.writes++;
    const taken = bytes.slice(0, Math.min(bytes.length, this.#most));
    this.chunks.push(taken);
    return Promise.resolve(taken.length);
  }

  get text(): string {
    const all = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return new TextDecoder().decode(all);
  }
}

async function printed(
  format: "lines" | "csv" | "json",
  batches: number[][],
  most?: number,
): Promise<string> {
  const sink = new Collector(most);
  const printer = new NumberPrinter(sink, { format });
  for (const batch of batches) await printer.print(batch);
  await printer.finish();
  return sink.text;
}

Deno.test("NumberPrinter: every format, across batches, with its closing", async () => {
  const batches = [[58, 25], [], [73], [-4, 0]];
  assert.equal(await printed("lines", batches), "58\n25\n73\n-4\n0\n");
  assert.equal(await printed("csv", batches), "58,25,73,-4,0\n");
  assert.equal(await printed("json", batches), "[58,25,73,-4,0]\n");
  // The default is lines.
  const sink = new Collector();
  const printer = new NumberPrinter(sink);
  await printer.print([1, 2]);
  await printer.finish();
  assert.equal(sink.text, "1\n2\n");
});

Deno.test("NumberPrinter: no numbers at all", async () => {
  assert.equal(await printed("lines", []), "");
  assert.equal(await printed("csv", [[]]), "\n");
  assert.equal(await printed("json", []), "[]\n");
});

Deno.test("NumberPrinter: the largest numbers print whole", async () => {
  const max = Number.MAX_SAFE_INTEGER;
  assert.equal(
    await printed("csv", [[max, -max]]),
    "9007199254740991,-9007199254740991\n",
  );
});

Deno.test("writeText: a sink that takes part of each write still gets it all", async () => {
  const sink = new Collector(3);
  const text = "héllo, wörld: ".repeat(10);
  await writeText(sink, text);
  assert.equal(sink.text, text);
  assert.ok(sink.writes > 10, `${sink.writes} writes`);
  assert.equal(await printed("json", [[1, 2, 3], [4]], 2), "[1,2,3,4]\n");
});
