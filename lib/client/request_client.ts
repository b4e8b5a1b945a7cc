/**
 * The request port's client: one connection, a typed method per draw,
 * pipelining, timeouts, and every failure a `RandportError` with a code.
 *
 * @module
 */

import { OptionError } from "../errors/option_error.ts";
import { RandportError } from "../errors/randport_error.ts";
import {
  decodeReply,
  decodeText,
  type RespValue,
} from "../resp/reply_value.ts";
import { classify, connect, describeTarget } from "./_connect.ts";
import { RequestChannel } from "./_request_channel.ts";
import {
  type RequestClientOptions,
  resolveRequestClientOptions,
} from "./request_client_options.ts";

/** The `SEED` option of every draw. */
export interface SeedOptions {
  /**
   * A seed for a reproducible draw: the same request with the same seed
   * gets the same reply from every randport server, and anyone can
   * recompute it (PROTOCOL.md §5.4). Sent as the request's last two
   * arguments, `SEED seed`; a number or bigint as its decimal text. A
   * server without seeds rejects the call with code `server-error`.
   *
   * @default {undefined (a fresh draw from the server's CSPRNG)}
   */
  seed?: string | number | bigint;
}

/** Options for {@linkcode RequestClient.randint}. */
export interface RandintOptions extends SeedOptions {
  /**
   * Whether no value may come twice (`UNIQUE`): `count` must not exceed
   * the range's size.
   *
   * @default {false}
   */
  unique?: boolean;
}

/** The inclusive range of a {@linkcode RequestClient.randint} draw. */
export interface IntegerRange {
  /** The least value, an integer within ±(2^53−1). */
  min: number;
  /** The greatest value, an integer within ±(2^53−1), at least `min`. */
  max: number;
}

/** Options for {@linkcode RequestClient.randstring}. */
export interface RandstringOptions extends SeedOptions {
  /**
   * The characters to draw from, each counted once (by code point).
   *
   * @default {"A-Z a-z 0-9 (the server's default)"}
   */
  alphabet?: string;
}

/** Options for {@linkcode RequestClient.randfloat}. */
export interface RandfloatOptions extends SeedOptions {
  /**
   * How many digits after the point, 1 to 15.
   *
   * @default {6 (the server's default)}
   */
  decimals?: number;
}

/** Options for {@linkcode RequestClient.gauss}. */
export interface GaussOptions extends SeedOptions {
  /**
   * The distribution's mean, a finite number.
   *
   * @default {0}
   */
  mean?: number;
  /**
   * The distribution's standard deviation, a finite number >= 0.
   *
   * @default {1}
   */
  stddev?: number;
}

/** Options for {@linkcode RequestClient.command}. */
export interface CommandOptions {
  /**
   * Whether bulk strings stay bytes (`Uint8Array`) rather than being
   * decoded as UTF-8 text: for replies that hold raw bytes, such as
   * `RANDBYTES n`.
   *
   * @default {false}
   */
  bytes?: boolean;
}

/**
 * A connection to a request port, from {@linkcode connectRequests}.
 *
 * Calls are pipelined by themselves: each request is written as it is
 * made (all those made in one turn of the event loop in one write) without
 * waiting for the replies before it, and the replies, which the server
 * sends in order, settle the calls in the order they were made. So
 * `Promise.all` over many calls costs about one round trip, not one each.
 *
 * An error reply rejects its call alone, with code `server-error` and the
 * server's message (`busy` at the server's connection limit); the client
 * goes on. A failure of the connection (a silence past the timeout, a
 * reset, a reply that breaks RESP) rejects every pending call and ends the
 * client; later calls reject with code `closed`. There is no reconnecting:
 * connect again.
 *
 * @example Usage
 * ```ts
 * import { connectRequests } from "@randport/randport/client";
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
 * // Three requests in one write, three replies in order.
 * const [dice, id, coin] = await Promise.all([
 *   client.randint(2, { min: 1, max: 6 }),
 *   client.uuid(),
 *   client.sample(1, ["heads", "tails"]),
 * ]);
 * console.log(dice, id, coin); // e.g. [3, 5] ["0f8f…"] ["tails"]
 * await client.close();
 * await server.shutdown();
 * ```
 */
export interface RequestClient extends AsyncDisposable {
  /** The RESP version the connection speaks. */
  readonly protocol: 2 | 3;

  /**
   * `RANDINT count min max [UNIQUE]`: `count` integers drawn uniformly
   * from `min..max`, both included.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.randint(6, { min: 1, max: 49 }, { unique: true }));
   * // e.g. [17, 3, 41, 29, 8, 36]
   * console.log(await client.randint(6, { min: 1, max: 49 }, { seed: "hello" }));
   * // [35, 16, 27, 37, 25, 40], from every randport server
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param count How many, 0 to the server's `maxNumbers`.
   * @param range The least and greatest value.
   * @param options `UNIQUE`, and the seed.
   * @returns The integers, in the order drawn.
   * @throws {RandportError} With code `server-error` for an argument the
   * server rejects, and the codes of a failed connection.
   */
  randint(
    count: number,
    range: IntegerRange,
    options?: RandintOptions,
  ): Promise<number[]>;

  /**
   * `SEQUENCE min max`: every integer of `min..max` once, in a uniformly
   * random order.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.sequence(1, 5)); // e.g. [4, 1, 5, 3, 2]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param min The least value.
   * @param max The greatest value.
   * @param options The seed.
   * @returns The permutation.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  sequence(min: number, max: number, options?: SeedOptions): Promise<number[]>;

  /**
   * `SHUFFLE item ...`: the items in a uniformly random order.
   *
   * The server reads a draw's last two arguments as its seed whenever the
   * next-to-last is `SEED` (in any case): without the `seed` option, items
   * that end that way (`["a", "SEED", "b"]`) would be read as the item `a`
   * and the seed `b`; with it, they are items.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.shuffle(["a", "b", "c"])); // e.g. ["c", "a", "b"]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param items The items, as text.
   * @param options The seed.
   * @returns The items, reordered.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  shuffle(items: readonly string[], options?: SeedOptions): Promise<string[]>;

  /**
   * `SAMPLE k item ...`: `k` of the items, no position twice, in random
   * order: the start of the shuffle of the same seed. As for
   * {@linkcode RequestClient.shuffle}, items whose next-to-last is `SEED`
   * need the `seed` option.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.sample(2, ["red", "green", "blue"])); // e.g. ["blue", "red"]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param k How many, 0 to the number of items.
   * @param items The items, as text.
   * @param options The seed.
   * @returns The sample.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  sample(
    k: number,
    items: readonly string[],
    options?: SeedOptions,
  ): Promise<string[]>;

  /**
   * `UUID count`: version 4 UUIDs (RFC 9562), lowercase.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * const [id] = await client.uuid();
   * console.log(id); // e.g. "3b241101-e2bb-4255-8caf-4136c566a962"
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param count How many, at least 1.
   * @param options The seed.
   * @returns The UUIDs: an array even of one.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  uuid(count?: number, options?: SeedOptions): Promise<string[]>;

  /**
   * `RANDBYTES n`: `n` random bytes, raw.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * const key = await client.randbytes(32);
   * console.log(key.length); // 32
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param n How many bytes.
   * @param options The seed.
   * @returns The bytes.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  randbytes(n: number, options?: SeedOptions): Promise<Uint8Array>;

  /**
   * `RANDSTRING count length [ALPHABET chars]`: strings of characters
   * drawn uniformly from the alphabet.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.randstring(2, 8, { alphabet: "ACGT" })); // e.g. ["GATTACAG", "CCTAGGTA"]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param count How many strings.
   * @param length How many characters each.
   * @param options The alphabet, and the seed.
   * @returns The strings.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  randstring(
    count: number,
    length: number,
    options?: RandstringOptions,
  ): Promise<string[]>;

  /**
   * `RANDFLOAT count [decimals]`: numbers uniform in [0, 1) at `decimals`
   * digits, as the exact decimal strings the server sends (`"0.250000"`).
   * They are strings because the draw is exact in decimal: every value of
   * the grid 0, 10^−d, 2·10^−d, … is equally likely, and most of them have
   * no exact binary double; `Number()` of each rounds (harmlessly for most
   * uses), while the strings keep the digits for decimal arithmetic,
   * storage or comparison, and keep every trailing zero.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * const prices = await client.randfloat(3, { decimals: 2 });
   * console.log(prices, prices.map(Number)); // e.g. ["0.07", "0.50", "0.93"] [0.07, 0.5, 0.93]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param count How many.
   * @param options The digits after the point, and the seed.
   * @returns The numbers as decimal strings, `0.` and exactly `decimals`
   * digits each.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  randfloat(count: number, options?: RandfloatOptions): Promise<string[]>;

  /**
   * `GAUSS count mean stddev`: normal deviates (Box–Muller; doubles, so not
   * exact as the integer draws are).
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.gauss(2, { mean: 100, stddev: 15 })); // e.g. [93.71…, 112.04…]
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param count How many.
   * @param options The mean, the standard deviation, and the seed.
   * @returns The deviates.
   * @throws {RandportError} As {@linkcode RequestClient.randint} does.
   */
  gauss(count: number, options?: GaussOptions): Promise<number[]>;

  /**
   * `PING`: a round trip.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.ping()); // "PONG"
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @returns The server's answer, `"PONG"`.
   * @throws {RandportError} With the codes of a failed connection.
   */
  ping(): Promise<string>;

  /**
   * Any request, its reply as parsed (see `RespValue` in the resp
   * package): bulk strings as text unless `bytes` is set. An error reply
   * rejects with code `server-error` (or `busy`), as for the methods.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * console.log(await client.command(["RANDBYTES", "4", "HEX"])); // e.g. "9f0c21e7"
   * console.log(await client.command(["CLIENT", "ID"])); // e.g. 1
   * await client.close();
   * await server.shutdown();
   * ```
   *
   * @param args The command's name and arguments, as text or bytes.
   * @param options Whether bulk strings stay bytes.
   * @returns The reply.
   * @throws {RandportError} With code `server-error` for an error reply,
   * and the codes of a failed connection.
   */
  command(
    args: readonly (string | Uint8Array)[],
    options?: CommandOptions,
  ): Promise<RespValue>;

  /**
   * Refuses new calls (they reject with code `closed`), waits for the
   * replies still due, then closes the connection. It never rejects, and
   * does nothing more when called again. `await using` calls it.
   *
   * @example Usage
   * ```ts
   * import { connectRequests } from "@randport/randport/client";
   * import { serveRequests } from "@randport/randport/request";
   *
   * const server = serveRequests({ port: 0 });
   * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
   * const pending = client.uuid(); // still answered
   * await client.close();
   * console.log((await pending).length); // 1
   * await server.shutdown();
   * ```
   *
   * @returns Once the connection is closed.
   */
  close(): Promise<void>;
}

function describe(value: RespValue): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return "a bulk string";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `a ${value.constructor.name}`;
  return `the ${typeof value} ${String(value).slice(0, 64)}`;
}

function unexpected(command: string, wanted: string, value: RespValue) {
  return new RandportError(
    "malformed",
    `${command}: expected ${wanted}, got ${describe(value)}`,
  );
}

function integers(command: string, reply: RespValue): number[] {
  if (Array.isArray(reply)) {
    if (reply.every((n) => typeof n === "number" && Number.isSafeInteger(n))) {
      return reply as number[];
    }
  }
  throw unexpected(command, "an array of integers", reply);
}

function strings(command: string, reply: RespValue): string[] {
  if (Array.isArray(reply)) {
    const out: string[] = new Array(reply.length);
    for (let i = 0; i < reply.length; i++) {
      const item = reply[i];
      if (!(item instanceof Uint8Array)) {
        throw unexpected(command, "an array of bulk strings", reply);
      }
      out[i] = decodeText(item);
    }
    return out;
  }
  throw unexpected(command, "an array of bulk strings", reply);
}

/** A double's text in RESP2: JavaScript's shortest form, or `inf`, `-inf`. */
function parseDouble(text: string): number {
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return text === "" ? NaN : Number(text);
}

/** GAUSS's values: doubles in RESP3, their text in RESP2. */
function doubles(command: string, reply: RespValue): number[] {
  if (Array.isArray(reply)) {
    const out: number[] = new Array(reply.length);
    for (let i = 0; i < reply.length; i++) {
      const item = reply[i];
      const value = item instanceof Uint8Array
        ? parseDouble(decodeText(item))
        : item;
      if (typeof value !== "number" || Number.isNaN(value)) {
        throw unexpected(command, "an array of numbers", reply);
      }
      out[i] = value;
    }
    return out;
  }
  throw unexpected(command, "an array of numbers", reply);
}

/** The request's text of a number or other scalar argument. */
function arg(value: number | string | bigint): string {
  return String(value);
}

/** The `SEED seed` a draw ends with, when asked for. */
function seedArgs(options: SeedOptions | undefined): string[] {
  const seed = options?.seed;
  if (seed === undefined) return [];
  if (
    typeof seed !== "string" && typeof seed !== "number" &&
    typeof seed !== "bigint"
  ) {
    throw new OptionError(
      "seed",
      `expected a string, a number or a bigint, got ${typeof seed}`,
    );
  }
  return ["SEED", String(seed)];
}

function checkItems(items: readonly string[]): readonly string[] {
  if (!Array.isArray(items) || items.some((i) => typeof i !== "string")) {
    throw new OptionError("items", "expected an array of strings");
  }
  return items;
}

class Client implements RequestClient {
  readonly protocol: 2 | 3;
  readonly #channel: RequestChannel;

  constructor(channel: RequestChannel, protocol: 2 | 3) {
    this.#channel = channel;
    this.protocol = protocol;
  }

  /** Sends a draw; option errors reject the call, as the server's would. */
  async #draw<T>(
    build: () => string[],
    decode: (reply: RespValue) => T,
  ): Promise<T> {
    const args = build();
    return decode(await this.#channel.send(args));
  }

  randint(
    count: number,
    range: IntegerRange,
    options?: RandintOptions,
  ): Promise<number[]> {
    return this.#draw(() => {
      if (typeof range !== "object" || range === null) {
        throw new OptionError("range", "expected { min, max }");
      }
      return [
        "RANDINT",
        arg(count),
        arg(range.min),
        arg(range.max),
        ...(options?.unique ? ["UNIQUE"] : []),
        ...seedArgs(options),
      ];
    }, (reply) => integers("RANDINT", reply));
  }

  sequence(
    min: number,
    max: number,
    options?: SeedOptions,
  ): Promise<number[]> {
    return this.#draw(
      () => ["SEQUENCE", arg(min), arg(max), ...seedArgs(options)],
      (reply) => integers("SEQUENCE", reply),
    );
  }

  shuffle(items: readonly string[], options?: SeedOptions): Promise<string[]> {
    return this.#draw(
      () => ["SHUFFLE", ...checkItems(items), ...seedArgs(options)],
      (reply) => strings("SHUFFLE", reply),
    );
  }

  sample(
    k: number,
    items: readonly string[],
    options?: SeedOptions,
  ): Promise<string[]> {
    return this.#draw(
      () => ["SAMPLE", arg(k), ...checkItems(items), ...seedArgs(options)],
      (reply) => strings("SAMPLE", reply),
    );
  }

  uuid(count = 1, options?: SeedOptions): Promise<string[]> {
    // Always with a count: the reply is an array, and a seed is not read
    // as one.
    return this.#draw(
      () => ["UUID", arg(count), ...seedArgs(options)],
      (reply) => strings("UUID", reply),
    );
  }

  randbytes(n: number, options?: SeedOptions): Promise<Uint8Array> {
    return this.#draw(
      () => ["RANDBYTES", arg(n), ...seedArgs(options)],
      (reply) => {
        if (reply instanceof Uint8Array) return reply;
        throw unexpected("RANDBYTES", "a bulk string", reply);
      },
    );
  }

  randstring(
    count: number,
    length: number,
    options?: RandstringOptions,
  ): Promise<string[]> {
    return this.#draw(() => {
      const alphabet = options?.alphabet;
      if (alphabet !== undefined && typeof alphabet !== "string") {
        throw new OptionError("alphabet", "expected a string");
      }
      return [
        "RANDSTRING",
        arg(count),
        arg(length),
        ...(alphabet === undefined ? [] : ["ALPHABET", alphabet]),
        ...seedArgs(options),
      ];
    }, (reply) => strings("RANDSTRING", reply));
  }

  randfloat(count: number, options?: RandfloatOptions): Promise<string[]> {
    return this.#draw(
      () => [
        "RANDFLOAT",
        arg(count),
        ...(options?.decimals === undefined ? [] : [arg(options.decimals)]),
        ...seedArgs(options),
      ],
      (reply) => strings("RANDFLOAT", reply),
    );
  }

  gauss(count: number, options?: GaussOptions): Promise<number[]> {
    return this.#draw(
      () => [
        "GAUSS",
        arg(count),
        arg(options?.mean ?? 0),
        arg(options?.stddev ?? 1),
        ...seedArgs(options),
      ],
      (reply) => doubles("GAUSS", reply),
    );
  }

  async ping(): Promise<string> {
    const reply = await this.#channel.send(["PING"]);
    if (typeof reply === "string") return reply;
    throw unexpected("PING", "a status reply", reply);
  }

  async command(
    args: readonly (string | Uint8Array)[],
    options?: CommandOptions,
  ): Promise<RespValue> {
    if (!Array.isArray(args) || args.length === 0) {
      throw new OptionError("args", "expected a command name and arguments");
    }
    const reply = await this.#channel.send(args);
    return options?.bytes ? reply : decodeReply(reply);
  }

  close(): Promise<void> {
    return this.#channel.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Connects to a request port (PROTOCOL.md §5) and greets it (`HELLO 2`, or
 * `HELLO 3` for `protocol: 3`), so that a server at its connection limit
 * or not speaking RESP fails here rather than at the first call. The
 * client then serves any number of calls, pipelined, until `close()`.
 *
 * @example Usage
 * ```ts
 * import { connectRequests } from "@randport/randport/client";
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 }); // or `deno task serve`, port 27680
 * {
 *   // `await using` closes the client at the end of the block.
 *   await using client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
 *   console.log(await client.randint(10, { min: 1, max: 100 })); // e.g. [58, 25, 73, 22, 19, 48, 61, 33, 47, 31]
 *   // A thousand rolls: a thousand requests, pipelined, not a thousand round trips.
 *   const rolls = await Promise.all(
 *     Array.from({ length: 1000 }, () => client.randint(1, { min: 1, max: 6 })),
 *   );
 *   console.log(rolls.length); // 1000
 * }
 * await server.shutdown();
 * ```
 *
 * @example Errors
 * ```ts
 * import { connectRequests } from "@randport/randport/client";
 * import { RandportError } from "@randport/randport/errors";
 * import { serveRequests } from "@randport/randport/request";
 *
 * const server = serveRequests({ port: 0 });
 * const client = await connectRequests({ hostname: "127.0.0.1", port: server.addr.port });
 * try {
 *   await client.randint(3, { min: 6, max: 1 });
 * } catch (error) {
 *   if (error instanceof RandportError) console.log(error.code, error.message);
 *   // "server-error" "ERR max: expected max >= min, got min 6 and max 1"
 * }
 * console.log(await client.ping()); // "PONG": the client goes on
 * await client.close();
 * await server.shutdown();
 * ```
 *
 * @param options Where to connect, the timeout, the protocol version, and
 * the limits on replies.
 * @returns The connected client.
 * @throws {OptionError} When an option cannot be honoured, before
 * connecting.
 * @throws {RandportError} When connecting fails: `refused`,
 * `unknown-host`, `timeout`, `reset`, `network`, `busy` (the server is at
 * its connection limit), `server-error` (it rejected the greeting, such as
 * `NOPROTO` for RESP3), `malformed` (it does not speak RESP).
 */
export async function connectRequests(
  options: RequestClientOptions = {},
): Promise<RequestClient> {
  const { hostname, port, timeout, protocol, replyLimits, signal, tls } =
    resolveRequestClientOptions(options);
  const target = describeTarget(hostname, port);
  let conn: Deno.Conn;
  try {
    conn = await connect(hostname, port, timeout, signal, tls);
  } catch (error) {
    // An abort is the caller's own doing: hand its reason back, as fetch does.
    if (signal?.aborted) throw signal.reason;
    throw classify(error, target, timeout);
  }
  const channel = new RequestChannel(conn, {
    target,
    timeout,
    limits: replyLimits,
    signal,
  });
  try {
    await channel.send(["HELLO", String(protocol)]);
  } catch (error) {
    // A Redis older than 6 knows no HELLO, and speaks RESP2 anyway.
    const old = protocol === 2 && error instanceof RandportError &&
      error.code === "server-error" &&
      /^ERR unknown command/.test(error.message);
    if (!old) {
      await channel.close();
      throw error;
    }
  }
  return new Client(channel, protocol);
}
