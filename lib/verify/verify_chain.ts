/**
 * Verifying a sequence of records as a chain: each record holds, and
 * together they are one key's gapless, linked run of serials.
 *
 * @module
 */

import { keyIdOf } from "../signed/signing_key.ts";
import { CHAIN_START, type DrawRecord } from "../signed/draw_record.ts";
import type { DrawProblem } from "../signed/verify_signature.ts";
import { publicKeyBytes } from "./_checks.ts";
import {
  type DrawVerification,
  verifyDraw,
  type VerifyDrawOptions,
} from "./verify_draw.ts";

/** Options for {@linkcode verifyChain}. */
export interface VerifyChainOptions extends VerifyDrawOptions {
  /**
   * Whether the records may begin mid-chain (a `DRAWS from to` range, the
   * tail of a log): then the first record's `previous` is taken on trust,
   * unless `previous` gives it. Otherwise the first record must be serial
   * 1, whose `previous` is {@linkcode CHAIN_START}.
   *
   * @default {false}
   */
  midChain?: boolean;
  /**
   * The hash of the record just before the first one (from an earlier,
   * verified part of the chain): the first record's `previous` must be it.
   * Giving it implies `midChain`.
   *
   * @default {undefined}
   */
  previous?: string;
}

/** A problem of one record of a sequence. */
export interface ChainProblem extends DrawProblem {
  /** The record's position in the sequence, from 0. */
  index: number;
  /** The record's serial, when it has a number there. */
  serial: number | undefined;
}

/** What {@linkcode verifyChain} found. */
export interface ChainVerification {
  /** Whether every record holds and the chain is intact. */
  ok: boolean;
  /**
   * Everything found wrong, by record (in the order of the sequence), each
   * record's own problems before those of its place in the chain.
   */
  problems: ChainProblem[];
  /** How many records were checked. */
  count: number;
  /** The first record's serial, when it has one. */
  first: number | undefined;
  /** The last record's serial, when it has one. */
  last: number | undefined;
  /** The public key's id, which every record's `key_id` must be. */
  keyId: string;
  /** How many seeded results were recomputed from their seeds. */
  recomputed: number;
}

/** How many records are verified at once: Web Crypto's calls are async. */
const BATCH = 64;

/**
 * Verifies a sequence of records as one chain: each record verifies (as
 * {@linkcode verifyDraw} checks it, against the one public key, so they
 * all have its `key_id`); their serials run on by one, with no gap, repeat
 * or swap; each record's `previous` is the `hash` of the record before it;
 * and the chain starts as it should: at serial 1 with `previous`
 * {@linkcode CHAIN_START}, unless the options say the sequence begins
 * mid-chain.
 *
 * Each problem names the record (its index, and its serial) and the field:
 * a gap, repeat or swap is reported on `serial` (two different records of
 * one serial, both signed, as a forked chain), a broken link on
 * `previous`.
 *
 * @example Usage
 * ```ts
 * import { CHAIN_START, generateSigningKey, signDraw } from "@randport/randport/signed";
 * import { verifyChain } from "@randport/randport/verify";
 *
 * const { key } = await generateSigningKey();
 * const records = [];
 * let previous = CHAIN_START;
 * for (let serial = 1; serial <= 3; serial++) {
 *   const record = await signDraw({
 *     v: 1, key_id: key.keyId, serial, time: new Date().toISOString(),
 *     request: ["UUID"], result: "$36\r\n0f8f6b8e-3f65-4c9c-9a51-1c2f5d0e7b1a\r\n",
 *     data: "", previous,
 *   }, key);
 *   records.push(record);
 *   previous = record.hash;
 * }
 * console.log((await verifyChain(records, key.publicKey)).ok); // true
 * const gap = await verifyChain([records[0], records[2]], key.publicKey);
 * console.log(gap.problems[0].serial, gap.problems[0].field); // 3 "serial"
 * console.log((await verifyChain(records.slice(1), key.publicKey, { midChain: true })).ok); // true
 * ```
 *
 * @param records The records in the order of the log (as
 * {@linkcode parseDrawRecords} reads an export).
 * @param publicKey The signer's raw 32-byte Ed25519 public key, or its 64
 * hex digits.
 * @param options Where the chain may begin, and how seeded results are
 * recomputed.
 * @returns What was found. An empty sequence is `ok`, with `count` 0.
 * @throws {RangeError} When `publicKey` is not a public key, or
 * `previous` is not 64 lowercase hex digits.
 */
export async function verifyChain(
  records: readonly DrawRecord[],
  publicKey: Uint8Array | string,
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  const key = publicKeyBytes(publicKey);
  if (
    options.previous !== undefined && !/^[0-9a-f]{64}$/.test(options.previous)
  ) {
    throw new RangeError("previous: expected 64 lowercase hex digits");
  }
  const verified: DrawVerification[] = [];
  for (let i = 0; i < records.length; i += BATCH) {
    verified.push(
      ...await Promise.all(
        records.slice(i, i + BATCH).map((record) =>
          verifyDraw(record, key, options)
        ),
      ),
    );
  }
  const problems: ChainProblem[] = [];
  const serials = records.map((record) => serialOf(record));
  // Where each serial was first seen, to tell a repeat from a swap.
  const seen = new Map<number, number>();
  for (let index = 0; index < records.length; index++) {
    const serial = serials[index];
    const here = (field: string, message: string) =>
      problems.push({ index, serial, field, message });
    for (const problem of verified[index].problems) {
      here(problem.field, problem.message);
    }
    const record = records[index];
    if (serial === undefined) continue;
    if (index === 0) {
      startProblems(record, serial, options).forEach(([f, m]) => here(f, m));
    } else {
      linkProblems(records, serials, verified, seen, index)
        .forEach(([f, m]) => here(f, m));
    }
    if (!seen.has(serial)) seen.set(serial, index);
  }
  return {
    ok: problems.length === 0,
    problems,
    count: records.length,
    first: serials[0],
    last: serials[serials.length - 1],
    keyId: await keyIdOf(key),
    recomputed: verified.filter((v) => v.recomputed).length,
  };
}

function serialOf(record: DrawRecord): number | undefined {
  const serial = (record as { serial?: unknown } | null)?.serial;
  return Number.isSafeInteger(serial) ? serial as number : undefined;
}

/** How the first record must begin the sequence. */
function startProblems(
  record: DrawRecord,
  serial: number,
  options: VerifyChainOptions,
): [string, string][] {
  if (options.previous !== undefined) {
    return record.previous === options.previous ? [] : [[
      "previous",
      "not the hash given for the record before the first one",
    ]];
  }
  if (!options.midChain && serial !== 1) {
    return [[
      "serial",
      `the chain begins at serial 1, not ${serial}: to check part of a chain, allow it to begin mid-chain`,
    ]];
  }
  if (serial === 1 && record.previous !== CHAIN_START) {
    return [["previous", "serial 1 begins the chain: expected 64 zeros"]];
  }
  if (serial !== 1 && record.previous === CHAIN_START) {
    return [["previous", "64 zeros, but only serial 1 begins a chain"]];
  }
  return [];
}

/** How a record must follow the one before it. */
function linkProblems(
  records: readonly DrawRecord[],
  serials: readonly (number | undefined)[],
  verified: readonly DrawVerification[],
  seen: ReadonlyMap<number, number>,
  index: number,
): [string, string][] {
  const serial = serials[index]!;
  const before = serials[index - 1];
  if (before === undefined) {
    return [["serial", "cannot be linked: the record before it has no serial"]];
  }
  if (serial === before + 1) {
    return records[index].previous === records[index - 1].hash ? [] : [[
      "previous",
      `not the hash of the record before it (serial ${before})`,
    ]];
  }
  const follows = `${serial} follows serial ${before}: expected ${before + 1}`;
  const earlier = seen.get(serial);
  if (earlier !== undefined) {
    const fork = records[earlier].hash !== records[index].hash &&
      verified[earlier].ok && verified[index].ok;
    return [[
      "serial",
      fork
        ? `${follows}: a second, different record of serial ${serial} (index ${earlier}), both signed: a forked chain`
        : `${follows}: a repeat of serial ${serial} (index ${earlier})`,
    ]];
  }
  if (serial < before) return [["serial", `${follows}: out of order`]];
  const missing = serial - before - 1;
  let absent = 0;
  for (let s = before + 1; s < serial && absent === 0; s++) {
    if (!seen.has(s)) absent++;
  }
  return [[
    "serial",
    absent === 0
      ? `${follows}: out of order`
      : `${follows}: a gap (${
        missing === 1 ? `serial ${before + 1} is` : `${missing} serials are`
      } missing)`,
  ]];
}
