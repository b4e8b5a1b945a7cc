/**
 * Summing several processes' (or workers') metrics into one exposition, so
 * that one scrape sees a server whose accept loops run in several workers
 * as one server.
 *
 * @module
 */

import { formatSampleValue } from "./text_format.ts";

/** Options for {@linkcode mergeExpositions}. */
export interface MergeExpositionsOptions {
  /**
   * Families whose value is the same in every input (they describe the
   * one process the workers share, such as `process_resident_memory_bytes`):
   * the first input's samples are kept, not summed.
   *
   * @default {(name) => name.startsWith("process_")}
   */
  shared?: (family: string) => boolean;
}

function parseSampleValue(text: string): number | undefined {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  return text === "" || Number.isNaN(value) ? undefined : value;
}

interface Family {
  header: string[];
  samples: Map<string, number>;
}

/** The family a sample belongs to: histograms' `_bucket`, `_sum`, `_count`. */
function familyOf(sample: string, families: Map<string, Family>): string {
  if (families.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count)$/, "");
  return families.has(base) ? base : sample;
}

/**
 * Merges texts in the Prometheus text format (0.0.4) that describe the same
 * families: samples with the same name and labels are added up (counters,
 * gauges such as active connections, histogram buckets, sums and counts),
 * families and samples keep the order in which they first appear, and each
 * family's `# HELP` and `# TYPE` come from its first input.
 *
 * @example Usage
 * ```ts
 * import { mergeExpositions } from "@randport/randport/metrics";
 *
 * const a = "# TYPE hits_total counter\nhits_total{port=\"push\"} 2\n";
 * const b = "# TYPE hits_total counter\nhits_total{port=\"push\"} 3\n";
 * console.log(mergeExpositions([a, b])); // "# TYPE hits_total counter\nhits_total{port=\"push\"} 5\n"
 * ```
 *
 * @param texts The expositions, as `MetricsRegistry.render()` writes them.
 * @param options Which families are the same everywhere.
 * @returns One exposition.
 * @throws {SyntaxError} Naming the line when one is not a sample, a
 * comment or blank.
 */
export function mergeExpositions(
  texts: readonly string[],
  options: MergeExpositionsOptions = {},
): string {
  const shared = options.shared ?? ((name) => name.startsWith("process_"));
  const families = new Map<string, Family>();
  texts.forEach((text, input) => {
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (comment) {
        const name = comment[2];
        let family = families.get(name);
        if (!family) {
          family = { header: [], samples: new Map() };
          families.set(name, family);
        }
        if (input === 0 || family.header.length < 2) {
          if (!family.header.includes(line)) family.header.push(line);
        }
        continue;
      }
      if (line.startsWith("#")) continue;
      // The value is the last field; label values may hold spaces.
      const space = line.lastIndexOf(" ");
      const value = parseSampleValue(line.slice(space + 1));
      const key = line.slice(0, space);
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(key)?.[0];
      if (space < 0 || name === undefined || value === undefined) {
        throw new SyntaxError(
          `input ${input}: not a sample line: ${JSON.stringify(line)}`,
        );
      }
      const familyName = familyOf(name, families);
      let family = families.get(familyName);
      if (!family) {
        family = { header: [], samples: new Map() };
        families.set(familyName, family);
      }
      const before = family.samples.get(key);
      if (before === undefined) family.samples.set(key, value);
      else if (!shared(familyName)) family.samples.set(key, before + value);
    }
  });
  let out = "";
  for (const family of families.values()) {
    for (const line of family.header) out += line + "\n";
    for (const [key, value] of family.samples) {
      out += `${key} ${formatSampleValue(value)}\n`;
    }
  }
  return out;
}
