// Signs draws one at a time, in serial order, and stores each record in the
// ledger before it is handed back: the serials of a key are gapless and
// never reused, across restarts too, since the ledger's head is where the
// chain continues.

import type { DrawLedger } from "../ledger/draw_ledger.ts";
import { CHAIN_START, type DrawRecord } from "../signed/draw_record.ts";
import { signDraw } from "../signed/sign_draw.ts";
import type { SigningKey } from "../signed/signing_key.ts";

export class Signer {
  readonly key: SigningKey;
  readonly ledger: DrawLedger;
  #serial = 0;
  #previous = CHAIN_START;
  #started = false;
  // Signing awaits Web Crypto; draws signed meanwhile wait their turn here.
  #tail: Promise<unknown> = Promise.resolve();

  constructor(key: SigningKey, ledger: DrawLedger) {
    this.key = key;
    this.ledger = ledger;
  }

  /**
   * Signs and stores a record; `result` may be computed from the serial
   * the record gets (a commitment's is).
   */
  sign(
    request: string[],
    result: string | ((serial: number) => Promise<string>),
    data: string,
  ): Promise<DrawRecord> {
    const next = this.#tail.then(() => this.#signNext(request, result, data));
    this.#tail = next.catch(() => {});
    return next;
  }

  async #signNext(
    request: string[],
    result: string | ((serial: number) => Promise<string>),
    data: string,
  ): Promise<DrawRecord> {
    if (!this.#started) {
      // Where the chain continues: read once, before the first record.
      const head = await this.ledger.head(this.key.keyId);
      this.#serial = head?.serial ?? 0;
      this.#previous = head?.hash ?? CHAIN_START;
      this.#started = true;
    }
    const serial = this.#serial + 1;
    const record = await signDraw({
      v: 1,
      key_id: this.key.keyId,
      serial,
      time: new Date().toISOString(),
      request,
      result: typeof result === "string" ? result : await result(serial),
      data,
      previous: this.#previous,
    }, this.key);
    // Durable before it counts: a failed append takes no serial.
    try {
      await this.ledger.append(record);
    } catch (error) {
      // A store across a network may have committed a record whose reply
      // was lost: read the head again before the next, or every later
      // serial would be the taken one.
      this.#started = false;
      throw error;
    }
    this.#serial = record.serial;
    this.#previous = record.hash;
    return record;
  }
}
