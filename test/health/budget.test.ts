import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { TenantRequestBudget } from '../../src/health/budget';

const T = 'tenant-a';

describe('TenantRequestBudget', () => {
  it('allows the per-minute budget, then refuses until the oldest request leaves the window', () => {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const budget = new TenantRequestBudget({ clock, limits: { perMinute: 3, perHour: 10 } });
    const taken = [budget.tryTake(T), budget.tryTake(T), budget.tryTake(T), budget.tryTake(T)];
    assert.deepEqual(taken, [true, true, true, false]);
    assert.equal(budget.nextAvailableAt(T).toISOString(), '2025-03-10T10:01:00.000Z');
    clock.advance(59_999);
    assert.equal(budget.tryTake(T), false);
    clock.advance(1);
    assert.equal(budget.tryTake(T), true);
  });

  it('enforces the hourly budget across minutes', () => {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const budget = new TenantRequestBudget({ clock, limits: { perMinute: 5, perHour: 8 } });
    let sent = 0;
    for (let minute = 0; minute < 60; minute++) {
      for (let i = 0; i < 10; i++) if (budget.tryTake(T)) sent++;
      clock.advance(60_000);
    }
    assert.equal(sent, 8);
    // An hour after the start, the first minute's five have left the window; minute two's three remain.
    assert.deepEqual(budget.usage(T), { lastMinute: 0, lastHour: 3 });
  });

  it('keeps tenants apart', () => {
    const clock = new ManualClock();
    const budget = new TenantRequestBudget({ clock, limits: { perMinute: 1, perHour: 5 } });
    assert.equal(budget.tryTake('a'), true);
    assert.equal(budget.tryTake('a'), false);
    assert.equal(budget.tryTake('b'), true);
  });

  it('refuses limits at or above Graph’s own', () => {
    const clock = new ManualClock();
    assert.throws(() => new TenantRequestBudget({ clock, limits: { perMinute: 240 } }), RangeError);
    assert.throws(() => new TenantRequestBudget({ clock, limits: { perHour: 800 } }), RangeError);
  });

  it('bounds memory: a full table of active tenants refuses a new one instead of forgetting budgets', () => {
    const clock = new ManualClock();
    const budget = new TenantRequestBudget({ clock, maxTenants: 2 });
    assert.equal(budget.tryTake('a'), true);
    assert.equal(budget.tryTake('b'), true);
    assert.equal(budget.tryTake('c'), false);
    clock.advance(3_600_001);
    assert.equal(budget.tryTake('c'), true, 'idle tenants are swept after an hour');
  });
});
