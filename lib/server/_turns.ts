// The scheduler that lets many streams share one event loop fairly, and
// keeps new connections from waiting behind them.

// How long streams may run before the runtime gets to poll its sockets.
const SLICE_MS = 10;
// How long one stream may run before the others get their turn.
const TURN_MS = 1;
// How many waiting streams one message lets go.
const PER_MESSAGE = 4;

/** A stream waiting for its turn. */
interface Waiter {
  /** Bytes served (virtual time) when it queued: the least goes first. */
  key: number;
  /** Arrival order, to break ties first come, first served. */
  seq: number;
  resolve(): void;
}

/**
 * One stream's place in {@linkcode Turns}: `next` after each chunk it wrote.
 */
export interface Turn {
  /** Its count on the virtual clock: the bytes it has been served. */
  readonly served: number;
  /**
   * Resolves when it is this stream's turn again; undefined when it may
   * simply go on (its turn is not over).
   *
   * @param bytes What the stream wrote since its last call.
   */
  next(bytes: number): Promise<void> | undefined;
}

/**
 * Hands control back to the event loop between two chunks of a stream, so
 * that many streams share the server fairly, accepts are never starved, and
 * a new connection is served first.
 *
 * A write the kernel takes at once resolves without the runtime waiting for
 * I/O, so busy streams could keep the loop running for seconds while new
 * connections wait in the accept queue. So a stream runs for at most
 * TURN_MS (any stream may go on within the current turn's time), then
 * queues. While any stream waits, one MessageChannel message is in flight,
 * and each lets PER_MESSAGE waiting streams run (a message is a task: those
 * let go before have run their turn by then). Every SLICE_MS the next one
 * waits for a timer first, which lets the runtime poll its sockets
 * (accepts, writes that were issued, writable clients). So the work between
 * two polls stays bounded however many streams are waiting: releasing them
 * all at once after a poll (as this class once did) made a new connection's
 * first write wait behind one chunk of every stream, 0.2 to 2 s with 2000
 * streams; and a message per waiting stream cost a task per stream per
 * slice.
 *
 * Which stream goes next is least attained service: the one that has been
 * served the fewest bytes, counted on a virtual clock that starts a new
 * stream at the least count of any waiting one, so that it goes first
 * without starving the others (they are served in order of their counts, as
 * round robin does among equals).
 */
export class Turns {
  readonly #channel = new MessageChannel();
  /** A binary min-heap on (key, seq). */
  readonly #heap: Waiter[] = [];
  #seq = 0;
  /** The virtual time: the key of the stream dispatched last. */
  #clock = 0;
  #sliceStart = performance.now();
  #turnStart = performance.now();
  /** Whether a message (or the timer before one) is on its way. */
  #pumping = false;

  constructor() {
    this.#channel.port1.onmessage = () => this.#dispatch();
  }

  /**
   * A stream's place in the turns, starting at the virtual time: it goes
   * before every stream that has been served more.
   *
   * @returns The stream's turn handle.
   */
  join(): Turn {
    let served = this.#clock;
    return {
      get served() {
        return served;
      },
      next: (bytes) => {
        served += bytes;
        const now = performance.now();
        // Within the current turn's time any stream may go on (one whose
        // write just completed, too): that costs no message, and the time
        // bounds the work between two polls all the same.
        if (
          now - this.#turnStart < TURN_MS && now - this.#sliceStart < SLICE_MS
        ) {
          return undefined;
        }
        // Never behind the clock: a stream that waited long (blocked on a
        // slow reader) must not come back owed a burst of turns.
        served = Math.max(served, this.#clock);
        return new Promise((resolve) => {
          this.#push({ key: served, seq: this.#seq++, resolve });
          if (!this.#pumping) this.#pump();
        });
      },
    };
  }

  /** The virtual time: the count of the stream let go last. */
  get clock(): number {
    return this.#clock;
  }

  /** How many streams wait for their turn. */
  get waiting(): number {
    return this.#heap.length;
  }

  /** Sends the next message, or the timer that lets the runtime poll first. */
  #pump(): void {
    this.#pumping = true;
    if (performance.now() - this.#sliceStart < SLICE_MS) {
      this.#channel.port2.postMessage(null);
      return;
    }
    setTimeout(() => {
      this.#sliceStart = performance.now();
      this.#channel.port2.postMessage(null);
    }, 0);
  }

  #dispatch(): void {
    if (this.#heap.length === 0) {
      this.#pumping = false;
      return;
    }
    this.#turnStart = performance.now();
    // A few per message: a message costs about as much as a short turn, and
    // the ones let go share the turn's time (each writes at least a chunk).
    for (let i = 0; i < PER_MESSAGE && this.#heap.length > 0; i++) {
      const waiter = this.#pop()!;
      this.#clock = Math.max(this.#clock, waiter.key);
      waiter.resolve();
    }
    // Delivered after the stream's turn: it runs in this task's microtasks.
    if (this.#heap.length > 0) this.#pump();
    else this.#pumping = false;
  }

  #push(waiter: Waiter): void {
    const heap = this.#heap;
    heap.push(waiter);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  #pop(): Waiter | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      for (let i = 0;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left], heap[least])) least = left;
        if (right < heap.length && before(heap[right], heap[least])) {
          least = right;
        }
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least], heap[i]];
        i = least;
      }
    }
    return top;
  }

  /** Releases the channel, which would otherwise keep the process alive. */
  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}

function before(a: Waiter, b: Waiter): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}
