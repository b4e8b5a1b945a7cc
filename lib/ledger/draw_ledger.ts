/**
 * Where signed draws are kept: the interface every store implements.
 *
 * @module
 */

import type { DrawRecord } from "../signed/draw_record.ts";

/** The newest record of a key's chain: where the next one continues. */
export interface ChainHead {
  /** Its serial. */
  serial: number;
  /** Its hash: the next record's `previous`. */
  hash: string;
}

/**
 * A durable store of signed draw records, one chain per key id. `append`
 * settles only once the record is stored durably: a server acknowledges a
 * draw after it, so that a crash loses no acknowledged record. The methods
 * are asynchronous so that a store may be a database server.
 */
export interface DrawLedger {
  /**
   * The newest record of a key's chain, or `undefined` for none yet.
   *
   * @param keyId The key id.
   */
  head(keyId: string): Promise<ChainHead | undefined>;
  /**
   * Stores a record, durably; refuses one whose serial is not the next of
   * its chain.
   *
   * @param record The signed record.
   */
  append(record: DrawRecord): Promise<void>;
  /**
   * A stored record, or `undefined`.
   *
   * @param keyId The key id.
   * @param serial Its serial.
   */
  get(keyId: string, serial: number): Promise<DrawRecord | undefined>;
  /**
   * The stored records of a key with serials `from` to `to`, in order.
   *
   * @param keyId The key id.
   * @param from The first serial.
   * @param to The last serial.
   */
  range(keyId: string, from: number, to: number): Promise<DrawRecord[]>;
  /** Closes the store. */
  close(): Promise<void>;
}
