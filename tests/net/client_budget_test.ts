import assert from "node:assert/strict";
import { ClientBudget } from "../../lib/net/client_budget.ts";

Deno.test("ClientBudget: a limit per address, and places given back", () => {
  const budget = new ClientBudget(3);
  for (let i = 0; i < 3; i++) assert.ok(budget.tryAcquire("10.0.0.1"));
  assert.equal(budget.tryAcquire("10.0.0.1"), false);
  assert.ok(budget.tryAcquire("::1"));
  assert.equal(budget.held("10.0.0.1"), 3);
  budget.release("10.0.0.1");
  assert.ok(budget.tryAcquire("10.0.0.1"));
  assert.throws(() => budget.release("10.9.9.9"), /holds no place/);
});

Deno.test("ClientBudget: against a Map, through many acquires and releases (probe runs and backward shifts)", () => {
  // A small table, so that probe runs wrap around and deletions shift.
  const budget = new ClientBudget(2, { addresses: 40 });
  const model = new Map<string, number>();
  let seed = 1;
  const random = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647);
  for (let step = 0; step < 200_000; step++) {
    const address = `192.0.2.${random() % 60}`;
    const held = model.get(address) ?? 0;
    if (random() % 2 === 0) {
      const allowed = held < 2 && (held > 0 || model.size < 40);
      assert.equal(budget.tryAcquire(address), allowed, `step ${step}`);
      if (allowed) model.set(address, held + 1);
    } else if (held > 0) {
      budget.release(address);
      if (held === 1) model.delete(address);
      else model.set(address, held - 1);
    }
    if (step % 1000 === 0) {
      for (let i = 0; i < 60; i++) {
        const a = `192.0.2.${i}`;
        assert.equal(budget.held(a), model.get(a) ?? 0, `${a} at ${step}`);
      }
    }
  }
});

Deno.test("ClientBudget: two budgets over one memory count together", () => {
  const one = new ClientBudget(2, { addresses: 8 });
  const two = new ClientBudget(2, { addresses: 8, shared: one.shared });
  assert.ok(one.tryAcquire("a"));
  assert.ok(two.tryAcquire("a"));
  assert.equal(one.tryAcquire("a"), false);
  assert.throws(
    () => new ClientBudget(2, { addresses: 16, shared: one.shared }),
    TypeError,
  );
  assert.throws(() => new ClientBudget(0), RangeError);
});

Deno.test("clientKey: IPv4 as it is, mapped or not; IPv6 by its /64", async () => {
  const { clientKey } = await import("../../lib/net/client_budget.ts");
  assert.equal(clientKey("192.0.2.1"), "192.0.2.1");
  assert.equal(clientKey("::ffff:192.0.2.1"), "192.0.2.1");
  assert.equal(clientKey("::FFFF:192.0.2.1"), "192.0.2.1");
  assert.equal(clientKey("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:0db8:0001:0002::9%eth0"), "2001:db8:1:2::/64");
  assert.equal(clientKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(clientKey("::1"), "0:0:0:0::/64");
  assert.notEqual(clientKey("2001:db8:1:3::1"), clientKey("2001:db8:1:2::1"));
});
