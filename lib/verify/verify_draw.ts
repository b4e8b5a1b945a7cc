/**
 * Verifying one signed draw's record: its signature, and for a seeded
 * draw, its result recomputed from the seed.
 *
 * @module
 */

import { drawReply } from "../request/draw_reply.ts";
import { type DrawRecord, encodeDrawRecord } from "../signed/draw_record.ts";
import {
  type DrawProblem,
  verifyRecordSignature,
} from "../signed/verify_signature.ts";
import {
  canonicalSignature,
  hex,
  preview,
  publicKeyBytes,
  RECORD_FIELDS,
} from "./_checks.ts";

/** Options for {@linkcode verifyDraw}. */
export interface VerifyDrawOptions {
  /**
   * Whether the result of a seeded draw (one whose next-to-last request
   * argument is `SEED`) is recomputed from its seed (PROTOCOL.md §5.4) and
   * compared with the record's `result`. This is what catches a holder of
   * the key who signs a result the seed does not give.
   *
   * @default {true}
   */
  recompute?: boolean;
  /**
   * The most numbers one draw may ask for on the server that signed the
   * record (its `maxNumbers`), for the recomputation: a larger request is
   * recomputed as the error reply that server would send. It also bounds
   * the work a record can make the verifier do.
   *
   * @default {1000000}
   */
  maxNumbers?: number;
}

/** What {@linkcode verifyDraw} found. */
export interface DrawVerification {
  /** Whether the record holds: no problem found. */
  ok: boolean;
  /**
   * Everything found wrong, most fundamental first (the record's form,
   * then its key, hash and signature, then its result); empty when `ok`.
   */
  problems: DrawProblem[];
  /** Whether the result was recomputed from the request's seed. */
  recomputed: boolean;
}

const DEFAULT_MAX_NUMBERS = 1_000_000;

/**
 * Verifies a signed draw's record with Web Crypto alone (no runtime
 * APIs: the same code runs in Deno, Node.js and browsers):
 *
 * - its form: the fields of a version 1 record and no others (a field the
 *   signature does not cover could mislead whoever reads the record),
 *   text that is valid Unicode, a signature in canonical base64;
 * - that `key_id` is the public key's, that `hash` is SHA-256 of the
 *   record's signed bytes (PROTOCOL.md §6.2), and that `signature`
 *   verifies over them;
 * - for a seeded request (next-to-last argument `SEED`, in any case), that
 *   `result` is what the seed gives, recomputed here.
 *
 * A changed `key_id`, `hash` or `signature` is named as such. A change to
 * any other signed field (`serial`, `time`, `request`, `result`, `data`,
 * `previous`) leaves a well-formed record whose fields no longer match its
 * hash and signature: that is reported on `hash`, since the signature
 * cannot tell which field it was (a chain check names a changed `serial`
 * or `previous` too, and a recomputation a changed seeded `result`).
 *
 * @example Usage
 * ```ts
 * import { CHAIN_START, generateSigningKey, signDraw } from "@randport/randport/signed";
 * import { verifyDraw } from "@randport/randport/verify";
 *
 * const { key } = await generateSigningKey();
 * const record = await signDraw({
 *   v: 1, key_id: key.keyId, serial: 1, time: "2026-12-02T00:00:00.000Z",
 *   request: ["RANDINT", "6", "1", "49", "SEED", "hello"],
 *   result: "*6\r\n:35\r\n:16\r\n:27\r\n:37\r\n:25\r\n:40\r\n",
 *   data: "lottery 12", previous: CHAIN_START,
 * }, key);
 * console.log(await verifyDraw(record, key.publicKey));
 * // { ok: true, problems: [], recomputed: true }
 *
 * // The holder of the key signs another result: the seed gives it away.
 * const forged = await signDraw({ ...record, result: "*6\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n" }, key);
 * console.log((await verifyDraw(forged, key.publicKey)).problems[0].field); // "result"
 * ```
 *
 * @param record The record, as parsed from its JSON (see
 * {@linkcode parseDrawRecords}); anything else is reported, not thrown.
 * @param publicKey The signer's raw 32-byte Ed25519 public key, or its 64
 * hex digits. Get it from where the operator publishes it: a key fetched
 * from the same server only proves the records are that server's.
 * @param options Whether and how seeded results are recomputed.
 * @returns What was found.
 * @throws {RangeError} When `publicKey` is not a public key.
 */
export async function verifyDraw(
  record: DrawRecord,
  publicKey: Uint8Array | string,
  options: VerifyDrawOptions = {},
): Promise<DrawVerification> {
  const key = publicKeyBytes(publicKey);
  const value = record as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return done([{ field: "record", message: "expected a JSON object" }]);
  }
  const problems: DrawProblem[] = textProblems(record);
  if (problems.length > 0) return done(problems);
  const signed = await verifyRecordSignature(record, key);
  if (signed?.field === "hash") {
    problems.push(await hashProblem(record, key));
  } else if (signed !== undefined) {
    problems.push(signed);
  }
  if (signed !== undefined && !wellFormedFields(record)) return done(problems);
  if (
    signed?.field !== "signature" && !canonicalSignature(record.signature)
  ) {
    problems.push({
      field: "signature",
      message: "not the canonical base64 of 64 bytes (padded, no whitespace)",
    });
  }
  let recomputed = false;
  if (options.recompute !== false && seeded(record.request)) {
    recomputed = true;
    const problem = await resultProblem(record, options.maxNumbers);
    if (problem) problems.push(problem);
  }
  for (const name of Object.keys(record)) {
    if (!RECORD_FIELDS.includes(name)) {
      problems.push({
        field: name,
        message:
          "not a field of a version 1 record: the signature does not cover it",
      });
    }
  }
  return done(problems, recomputed);
}

function done(problems: DrawProblem[], recomputed = false): DrawVerification {
  return { ok: problems.length === 0, problems, recomputed };
}

/** Strings that are not Unicode text, and a hash or signature not text. */
function textProblems(record: DrawRecord): DrawProblem[] {
  const problems: DrawProblem[] = [];
  const strings: [string, unknown][] = [
    ["time", record.time],
    ["result", record.result],
    ["data", record.data],
    ...(Array.isArray(record.request)
      ? record.request.map((arg): [string, unknown] => ["request", arg])
      : []),
  ];
  for (const [field, text] of strings) {
    // The signed bytes are the text's UTF-8, where every lone surrogate is
    // written as U+FFFD: two different strings would share one signature.
    if (typeof text === "string" && !text.isWellFormed()) {
      problems.push({
        field,
        message:
          "holds a lone surrogate, which is not Unicode text (its signed bytes are those of U+FFFD)",
      });
      break;
    }
  }
  if (typeof record.hash !== "string") {
    problems.push({
      field: "hash",
      message: "expected 64 lowercase hex digits",
    });
  }
  if (typeof record.signature !== "string") {
    problems.push({ field: "signature", message: "expected base64 text" });
  }
  return problems;
}

/**
 * A hash that does not match the fields: either the hash was changed (the
 * signature still holds over the fields) or a field was.
 */
async function hashProblem(
  record: DrawRecord,
  key: Uint8Array,
): Promise<DrawProblem> {
  const bytes = encodeDrawRecord(record);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const again = await verifyRecordSignature(
    { ...record, hash: hex(new Uint8Array(digest)) },
    key,
  );
  return again === undefined
    ? {
      field: "hash",
      message:
        "not the SHA-256 of the record's fields, which the signature holds: the hash was changed",
    }
    : {
      field: "hash",
      message:
        "the record's fields do not match its hash and signature: serial, time, request, result, data or previous was changed",
    };
}

/** Whether every signed field is of its form (PROTOCOL.md §6.2). */
function wellFormedFields(record: DrawRecord): boolean {
  try {
    encodeDrawRecord(record);
    return true;
  } catch {
    return false;
  }
}

/** Whether a request is seeded: its next-to-last argument is `SEED`. */
function seeded(request: readonly string[]): boolean {
  return request.length >= 3 &&
    request[request.length - 2].toUpperCase() === "SEED";
}

async function resultProblem(
  record: DrawRecord,
  maxNumbers = DEFAULT_MAX_NUMBERS,
): Promise<DrawProblem | undefined> {
  let expected: string;
  try {
    expected = await drawReply(record.request, { maxNumbers });
  } catch (error) {
    // drawReply's errors begin with the field at fault, as "request: ...".
    const message = error instanceof Error ? error.message : String(error);
    const [field, ...rest] = message.split(": ");
    return {
      field: rest.length > 0 ? field : "request",
      message: `cannot be recomputed from the seed: ${rest.join(": ")}`,
    };
  }
  if (expected === record.result) return undefined;
  if (expected.startsWith("-")) {
    const line = expected.slice(1, -2);
    const hint = line.includes(String(maxNumbers))
      ? ` (if the server allows more than ${maxNumbers} numbers, verify with its maxNumbers)`
      : "";
    return {
      field: "result",
      message:
        `is not what the seed gives: recomputed, the request gets the error ${
          preview(line, 80)
        }${hint}`,
    };
  }
  return {
    field: "result",
    message: `is not what the seed gives: recomputed ${preview(expected)}`,
  };
}
