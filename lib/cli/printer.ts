/**
 * Writes numbers as text (one per line, csv or a JSON array) to a byte sink
 * such as stdout, batch by batch, so that a never-ending stream prints as it
 * arrives.
 *
 * @module
 */

import type { PayloadFormat } from "../wire/payload_spec.ts";

/** Where a {@linkcode NumberPrinter} writes: `Deno.stdout` fits. */
export interface ByteSink {
  /**
   * Writes some of `bytes`.
   *
   * @param bytes What to write.
   * @returns How many bytes were written.
   */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Writes all of `text` to `sink` as UTF-8: a sink's `write` may take only
 * part of what it is given.
 *
 * @example Usage
 * ```ts
 * import { writeText } from "./printer.ts";
 *
 * await writeText(Deno.stdout, "hello\n");
 * ```
 *
 * @param sink Where the text goes.
 * @param text What to write.
 */
export async function writeText(sink: ByteSink, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length;) {
    offset += await sink.write(bytes.subarray(offset));
  }
}

/**
 * Prints numbers in one of the payload formats, followed by a final newline
 * for csv and json so that a terminal prompt starts on its own line.
 *
 * @example Usage
 * ```ts
 * import { NumberPrinter } from "./printer.ts";
 *
 * const printer = new NumberPrinter(Deno.stdout, { format: "json" });
 * await printer.print([1, 2]);
 * await printer.print([3]);
 * await printer.finish(); // prints "[1,2,3]\n"
 * ```
 */
export class NumberPrinter {
  readonly #sink: ByteSink;
  readonly #format: PayloadFormat;
  #printed = 0;

  /**
   * Creates a printer.
   *
   * @param sink Where the text goes.
   * @param options The output format.
   */
  constructor(sink: ByteSink, options: NumberPrinterOptions = {}) {
    this.#sink = sink;
    this.#format = options.format ?? "lines";
  }

  async #write(text: string): Promise<void> {
    await writeText(this.#sink, text);
  }

  /**
   * Prints the next numbers.
   *
   * @param numbers The numbers, in order.
   */
  async print(numbers: readonly number[]): Promise<void> {
    if (numbers.length === 0) return;
    let text: string;
    if (this.#format === "lines") {
      text = numbers.join("\n") + "\n";
    } else {
      const opening = this.#printed === 0
        ? (this.#format === "json" ? "[" : "")
        : ",";
      text = opening + numbers.join(",");
    }
    this.#printed += numbers.length;
    await this.#write(text);
  }

  /** Prints what closes the format: `]` for json, and a final newline. */
  async finish(): Promise<void> {
    if (this.#format === "json") {
      await this.#write(this.#printed === 0 ? "[]\n" : "]\n");
    } else if (this.#format === "csv") {
      await this.#write("\n");
    }
  }
}

/** Options for {@linkcode NumberPrinter}. */
export interface NumberPrinterOptions {
  /**
   * How to print: one number per line, csv, or one JSON array.
   *
   * @default {"lines"}
   */
  format?: PayloadFormat;
}
