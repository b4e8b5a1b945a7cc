// The scheduler that lets many streams share one event loop fairly.

// How long streams may run before the runtime gets to poll its sockets.
const SLICE_MS = 10;
// How long one stream may run before the others get their turn.
const TURN_MS = 1;

/**
 * Hands control back to the event loop between two chunks of a stream, so
 * that many streams share the server fairly and accepts are never starved.
 *
 * A write the kernel takes at once resolves without the runtime waiting for
 * I/O, so busy streams could keep the loop running for seconds while new
 * connections wait in the accept queue. Each turn is a MessageChannel
 * message, a task that lets every other ready stream run first (round
 * robin); and once per time slice all streams wait for one timer, which lets
 * the runtime poll its sockets (accepts, writable clients). Microtasks and
 * setImmediate do neither.
 *
 * A turn costs about as much as encoding a chunk, so a stream keeps going
 * until it has run for TURN_MS; then the next stream gets its turn.
 */
export class Turns {
  readonly #channel = new MessageChannel();
  readonly #waiting: (() => void)[] = [];
  #sliceStart = performance.now();
  #turnStart = performance.now();
  #poll: Promise<void> | undefined;

  constructor() {
    this.#channel.port1.onmessage = () => {
      this.#turnStart = performance.now();
      this.#waiting.shift()?.();
    };
  }

  /**
   * Resolves when it is this caller's turn again; undefined when the caller
   * may simply go on (its turn is not over).
   */
  next(): Promise<void> | undefined {
    const now = performance.now();
    if (now - this.#sliceStart >= SLICE_MS) {
      this.#poll ??= new Promise((resolve) =>
        setTimeout(() => {
          this.#poll = undefined;
          this.#sliceStart = performance.now();
          this.#turnStart = this.#sliceStart;
          resolve();
        }, 0)
      );
      return this.#poll;
    }
    if (now - this.#turnStart < TURN_MS) return undefined;
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#channel.port2.postMessage(null);
    });
  }

  /** Releases the channel, which would otherwise keep the process alive. */
  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}
