/**
 * How many connections one client address may hold at once, across every
 * listener and worker that shares the budget: the limit that keeps one
 * host (behind a PROXY header, the real client, not the proxy) from taking
 * the whole server.
 *
 * @module
 */

/** Options for {@linkcode ClientBudget}. */
export interface ClientBudgetOptions {
  /**
   * How many different addresses can hold connections at once; a client
   * beyond that is refused as if over its limit. Rounded up to a power of
   * two; its table takes 20 bytes per slot.
   *
   * @default {65536}
   */
  addresses?: number;
  /**
   * Another budget's `shared` memory, to count with it (workers of one
   * server); `limit` and `addresses` must be the same.
   *
   * @default {new memory: a budget of its own}
   */
  shared?: SharedArrayBuffer;
}

/**
 * What counts as one client for {@linkcode ClientBudget}: an IPv4 address
 * as it is, also when a dual-stack socket reports it IPv4-mapped
 * (`::ffff:192.0.2.1`); an IPv6 address by its /64 prefix, the block one
 * customer or host usually gets, so that walking through the addresses of
 * one's own /64 does not multiply one's share.
 *
 * @example Usage
 * ```ts
 * import { clientKey } from "@randport/randport/net";
 *
 * console.log(clientKey("::ffff:192.0.2.1")); // "192.0.2.1"
 * console.log(clientKey("2001:db8:1:2:aaaa::1")); // "2001:db8:1:2::/64"
 * ```
 *
 * @param hostname The peer's address, as `Deno.NetAddr.hostname` gives it.
 * @returns The key to count it under.
 */
export function clientKey(hostname: string): string {
  const host = hostname.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped) return mapped[1];
  if (!host.includes(":")) return host;
  const [head, tail] = host.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  const prefix = groups.slice(0, 4).map((group) =>
    (parseInt(group, 16) || 0).toString(16)
  );
  return `${prefix.join(":")}::/64`;
}

/** Int32s per slot: a 128-bit key, then the count. */
const SLOT = 5;
/**
 * Before the slots: the lock word, how many slots are in use, and a random
 * seed for the hash, so that no one can choose addresses that all land in
 * one probe run.
 */
const HEADER = 3;

/**
 * Four 32-bit FNV-1a hashes of the address with different offsets: a
 * 128-bit key, so that two addresses share a count with odds of 2^-128,
 * without parsing every address format.
 */
function keyOf(address: string, key: Int32Array, seed: number): void {
  for (let k = 0; k < 4; k++) {
    let h = (0x811c9dc5 ^ Math.imul(k + 1, 0x9e3779b9) ^ seed) | 0;
    for (let i = 0; i < address.length; i++) {
      h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
    }
    // A final mix, so that the four differ in every bit.
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    key[k] = h;
  }
}

/**
 * Counts connections per client address, up to `limit` each, in a hash
 * table in (shareable) memory: an open-addressing table with linear probing,
 * changed under a spin lock, whose critical sections are a few dozen
 * instructions.
 *
 * @example Usage
 * ```ts
 * import { ClientBudget } from "@randport/randport/net";
 *
 * const budget = new ClientBudget(2);
 * console.log(budget.tryAcquire("192.0.2.1")); // true
 * console.log(budget.tryAcquire("192.0.2.1")); // true
 * console.log(budget.tryAcquire("192.0.2.1")); // false: its 2 are taken
 * console.log(budget.tryAcquire("192.0.2.2")); // true: another client
 * budget.release("192.0.2.1");
 * console.log(budget.held("192.0.2.1")); // 1
 * ```
 */
export class ClientBudget {
  /** The most connections one address may hold at once. */
  readonly limit: number;
  readonly #table: Int32Array;
  readonly #mask: number;
  /** The most addresses held at once. */
  readonly #capacity: number;
  readonly #key = new Int32Array(4);

  /**
   * Creates a budget.
   *
   * @param limit The most connections per address: an integer from 1 to
   * 2^31−1.
   * @param options The table's size, or the memory of a budget to share.
   */
  constructor(limit: number, options: ClientBudgetOptions = {}) {
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 2 ** 31 - 1)) {
      throw new RangeError(
        `limit: expected an integer from 1 to 2^31−1, got ${limit}`,
      );
    }
    this.limit = limit;
    const wanted = options.addresses ?? 65536;
    if (!(Number.isInteger(wanted) && wanted >= 1 && wanted <= 2 ** 24)) {
      throw new RangeError(
        `addresses: expected an integer from 1 to 2^24, got ${wanted}`,
      );
    }
    // Twice the addresses, so that probes stay short when it is full.
    const slots = 2 ** Math.ceil(Math.log2(wanted * 2));
    const bytes = (HEADER + slots * SLOT) * 4;
    const shared = options.shared ?? new SharedArrayBuffer(bytes);
    if (!(shared instanceof SharedArrayBuffer) || shared.byteLength !== bytes) {
      throw new TypeError(
        "shared: expected the memory of a ClientBudget of the same size",
      );
    }
    this.#table = new Int32Array(shared);
    if (!options.shared) {
      this.#table[2] = crypto.getRandomValues(new Int32Array(1))[0];
    }
    this.#mask = slots - 1;
    this.#capacity = wanted;
  }

  /** The memory to hand to a worker, for a budget shared with it. */
  get shared(): SharedArrayBuffer {
    return this.#table.buffer as SharedArrayBuffer;
  }

  #lock(): void {
    while (Atomics.compareExchange(this.#table, 0, 0, 1) !== 0) {
      // Another worker is in a few-instruction critical section.
    }
  }

  #unlock(): void {
    Atomics.store(this.#table, 0, 0);
  }

  /** The slot of `key`, or of the empty slot where it would go. */
  #find(key: Int32Array): number {
    const table = this.#table;
    for (let slot = key[0] & this.#mask;; slot = (slot + 1) & this.#mask) {
      const at = HEADER + slot * SLOT;
      if (table[at + 4] === 0) return slot;
      if (
        table[at] === key[0] && table[at + 1] === key[1] &&
        table[at + 2] === key[2] && table[at + 3] === key[3]
      ) {
        return slot;
      }
    }
  }

  /**
   * Takes a place for a connection from `address`, if it holds fewer than
   * `limit` and the table has room.
   *
   * @param address The client's address (host only, no port).
   * @returns Whether a place was taken; then `release` it later.
   */
  tryAcquire(address: string): boolean {
    const key = this.#key;
    keyOf(address, key, this.#table[2]);
    const table = this.#table;
    this.#lock();
    try {
      const at = HEADER + this.#find(key) * SLOT;
      const count = table[at + 4];
      if (count >= this.limit) return false;
      if (count === 0) {
        if (table[1] >= this.#capacity) return false;
        table[1]++;
        table.set(key, at);
      }
      table[at + 4] = count + 1;
      return true;
    } finally {
      this.#unlock();
    }
  }

  /**
   * Gives back a place taken by {@linkcode ClientBudget.tryAcquire}.
   *
   * @param address The same address.
   * @throws {Error} When the address holds no place.
   */
  release(address: string): void {
    const key = this.#key;
    keyOf(address, key, this.#table[2]);
    const table = this.#table;
    this.#lock();
    try {
      let slot = this.#find(key);
      const at = HEADER + slot * SLOT;
      if (table[at + 4] === 0) {
        throw new Error(`release: ${address} holds no place`);
      }
      if (--table[at + 4] > 0) return;
      table[1]--;
      // Empty now: shift the following entries of its probe run back, so
      // that every key stays reachable from its home slot.
      for (
        let next = (slot + 1) & this.#mask;;
        next = (next + 1) & this.#mask
      ) {
        const from = HEADER + next * SLOT;
        if (table[from + 4] === 0) break;
        const home = table[from] & this.#mask;
        // Move it if its home is not within (slot, next], cyclically.
        const between = slot <= next
          ? home > slot && home <= next
          : home > slot || home <= next;
        if (between) continue;
        const to = HEADER + slot * SLOT;
        table.copyWithin(to, from, from + SLOT);
        table[from + 4] = 0;
        slot = next;
      }
      table.fill(0, HEADER + slot * SLOT, HEADER + slot * SLOT + SLOT);
    } finally {
      this.#unlock();
    }
  }

  /**
   * How many connections `address` holds now.
   *
   * @param address The client's address.
   * @returns Its count.
   */
  held(address: string): number {
    const key = new Int32Array(4);
    keyOf(address, key, this.#table[2]);
    this.#lock();
    try {
      return this.#table[HEADER + this.#find(key) * SLOT + 4];
    } finally {
      this.#unlock();
    }
  }
}
