import assert from "node:assert/strict";
import { Turns } from "../../lib/server/_turns.ts";

/** Spins past a turn's time, so that the next `next()` queues. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy on purpose: turns are measured in wall time.
  }
}

Deno.test("Turns: the least served stream goes first; a newcomer before old streams", async () => {
  const turns = new Turns();
  try {
    const order: string[] = [];
    const old = [1, 2, 3].map(() => turns.join());
    spin(2);
    const waits = old.map((turn, i) =>
      turn.next(1_000_000 * (3 - i))!.then(() => order.push(`old${i}`))
    );
    const newcomer = turns.join();
    waits.push(newcomer.next(100)!.then(() => order.push("new")));
    await Promise.all(waits);
    assert.equal(order[0], "new");
    assert.deepEqual(order.slice(1), ["old2", "old1", "old0"]);
  } finally {
    turns.close();
  }
});

Deno.test("Turns: a new stream starts at the virtual clock, not at zero", async () => {
  const turns = new Turns();
  try {
    const a = turns.join();
    assert.equal(a.served, 0);
    spin(2);
    await a.next(1_000_000);
    assert.equal(turns.clock, 1_000_000);
    // Joining now, it has been served as much as the clock says: it goes
    // before streams served more, not before every stream for a megabyte.
    const late = turns.join();
    assert.equal(late.served, 1_000_000);
  } finally {
    turns.close();
  }
});

Deno.test("Turns: a stream that lagged (blocked on its reader) queues at the clock", async () => {
  const turns = new Turns();
  try {
    const lagging = turns.join();
    const busy = turns.join();
    spin(2);
    await busy.next(5_000_000);
    assert.equal(turns.clock, 5_000_000);
    spin(2);
    const wait = lagging.next(10);
    // Not 10: it is owed no burst of turns for the time it was blocked.
    assert.equal(lagging.served, 5_000_000);
    await wait;
  } finally {
    turns.close();
  }
});

Deno.test("Turns: one message lets only a few waiting streams go", async () => {
  const turns = new Turns();
  try {
    const handles = Array.from({ length: 20 }, () => turns.join());
    spin(2);
    const seen: number[] = [];
    const waits = handles.map((turn, i) =>
      turn.next(i)!.then(() => seen.push(turns.waiting))
    );
    assert.equal(turns.waiting, 20);
    await Promise.all(waits);
    // Every stream let go by the first message saw the other 16 waiting:
    // releasing all at once would have shown 0.
    assert.deepEqual(seen.slice(0, 4), [16, 16, 16, 16]);
    assert.equal(seen.at(-1), 0);
  } finally {
    turns.close();
  }
});

Deno.test("Turns: every waiter gets its turn, however many wait", async () => {
  const turns = new Turns();
  try {
    const handles = Array.from({ length: 500 }, () => turns.join());
    spin(2);
    let ran = 0;
    await Promise.all(
      handles.map((turn, i) => turn.next(i)?.then(() => ran++) ?? ran++),
    );
    assert.equal(ran, 500);
    assert.equal(turns.waiting, 0);
  } finally {
    turns.close();
  }
});
