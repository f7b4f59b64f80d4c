import { strict as assert } from 'node:assert';
import { firstSweepAt, nextSweepAt, retrySweepAt, sweepPhaseMs } from '../../src/domain/sweep-schedule';

const MIN = 60_000;
const INTERVAL = 5 * MIN;
const NOW = Date.parse('2025-03-10T08:03:17.250Z');
const tenant = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

describe('sweep schedule: every tenant once per interval, spread over it', () => {
  it('spreads a thousand tenants over the interval instead of sweeping them at once', () => {
    const firsts = Array.from({ length: 1000 }, (_, i) => firstSweepAt(tenant(i), NOW, INTERVAL));
    assert.ok(firsts.every((t) => t >= NOW && t < NOW + INTERVAL), 'each first sweep within one interval from now');
    // 30 buckets of 10 s: a uniform spread puts ~33 in each.
    const buckets = new Array<number>(30).fill(0);
    for (const t of firsts) buckets[Math.floor((t - NOW) / 10_000)]++;
    assert.ok(Math.max(...buckets) <= 60, `no 10-s slice holds more than ~2x its share (${Math.max(...buckets)})`);
    assert.ok(Math.min(...buckets) >= 10, `no 10-s slice is nearly empty (${Math.min(...buckets)})`);
  });

  it('gives a tenant the same phase on every instance and in any letter case', () => {
    assert.equal(sweepPhaseMs(tenant(7), INTERVAL), sweepPhaseMs(tenant(7).toUpperCase(), INTERVAL));
    // Two instances registering the tenant minutes apart put it at the same point of the interval.
    const one = firstSweepAt(tenant(7), NOW, INTERVAL);
    const other = firstSweepAt(tenant(7), NOW + 3 * MIN + 500, INTERVAL);
    assert.equal((other - one) % INTERVAL, 0);
  });

  it('keeps the phase after a sweep that ran late or was retried, without sweeping twice to catch up', () => {
    const t = tenant(3);
    const due = firstSweepAt(t, NOW, INTERVAL);
    assert.equal(nextSweepAt(t, due, INTERVAL), due + INTERVAL, 'on time');
    assert.equal(nextSweepAt(t, due + 2_000, INTERVAL), due + INTERVAL, 'a little late');
    assert.equal(nextSweepAt(t, due + 90_000, INTERVAL), due + INTERVAL, 'retried after a throttle: still its own phase');
    assert.equal(nextSweepAt(t, due + INTERVAL + 1_000, INTERVAL), due + 2 * INTERVAL, 'a whole interval late: the next turn, not now');
  });

  it('retries a throttled tenant when the throttle says, if that is before its next turn', () => {
    const t = tenant(3);
    const due = firstSweepAt(t, NOW, INTERVAL);
    assert.equal(retrySweepAt(t, due, INTERVAL, due + 30_000), due + 30_000);
    assert.equal(retrySweepAt(t, due, INTERVAL, due + 2 * INTERVAL), due + INTERVAL, 'no later than the next turn');
    assert.equal(retrySweepAt(t, due, INTERVAL), due + INTERVAL, 'no throttle: the next turn');
  });
});
