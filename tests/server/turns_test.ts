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
    // Joins after the others were served megabytes; starts at the clock.
    const newcomer = turns.join();
    waits.push(newcomer.next(100)!.then(() => order.push("new")));
    await Promise.all(waits);
    assert.equal(order[0], "new");
    // Among the old ones, the least served first.
    assert.deepEqual(order.slice(1), ["old2", "old1", "old0"]);
  } finally {
    turns.close();
  }
});

Deno.test("Turns: within a turn's time a stream goes on without waiting", async () => {
  const turns = new Turns();
  try {
    const turn = turns.join();
    spin(2);
    const wait = turn.next(10);
    assert.ok(wait instanceof Promise, "after the turn's time it waits");
    await wait;
    // Just let go: its turn has begun.
    assert.equal(turn.next(10), undefined);
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
  } finally {
    turns.close();
  }
});
