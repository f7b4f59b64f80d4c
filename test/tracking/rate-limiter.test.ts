/** The sliding-window limiter holds Teams' per-conversation limits in every window. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SlidingWindowLimiter, TEAMS_CONVERSATION_WINDOWS } from '../../src/tracking/rate-limiter';

describe('SlidingWindowLimiter', function () {
  it('never lets more sends through than any Teams window allows', function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 200 }), (gaps) => {
        const limiter = new SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS);
        const sends: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          // Whoever asks waits as told, then sends.
          now += limiter.waitMs('c', now);
          limiter.record('c', now);
          sends.push(now);
        }
        for (const w of TEAMS_CONVERSATION_WINDOWS) {
          for (let i = 0; i < sends.length; i++) {
            const inWindow = sends.filter((t) => t > sends[i] - w.windowMs && t <= sends[i]).length;
            assert.ok(inWindow <= w.limit, `${inWindow} sends within ${w.windowMs} ms`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sends 8 in 2 s at full speed, then waits; a block from Retry-After is honoured; keys are independent', function () {
    const limiter = new SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS);
    for (let i = 0; i < 7; i++) {
      assert.equal(limiter.waitMs('a', 0), 0);
      limiter.record('a', 0);
    }
    assert.equal(limiter.waitMs('a', 0), 1_000, '7 per second');
    limiter.record('a', 1_000);
    assert.equal(limiter.waitMs('a', 1_000), 1_000, '8 per 2 seconds');
    assert.equal(limiter.waitMs('b', 0), 0);
    limiter.block('b', 5_000);
    assert.equal(limiter.waitMs('b', 1_000), 4_000);
    limiter.sweep(10_000_000);
    assert.equal(limiter.waitMs('a', 10_000_000), 0);
  });

  it('says how many more sends fit now: exactly as many as it then lets through at once', function () {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_500 }), { maxLength: 60 }), fc.integer({ min: 0, max: 3_000 }), (gaps, later) => {
        const limiter = new SlidingWindowLimiter(TEAMS_CONVERSATION_WINDOWS);
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          now += limiter.waitMs('c', now);
          limiter.record('c', now);
        }
        now += later;
        const available = limiter.available('c', now);
        for (let i = 0; i < available; i++) {
          assert.equal(limiter.waitMs('c', now), 0, `send ${i + 1} of ${available} fits now`);
          limiter.record('c', now);
        }
        assert.ok(limiter.waitMs('c', now) > 0, 'and not one more');
      }),
      { numRuns: 200 },
    );
    const blocked = new SlidingWindowLimiter([{ limit: 3, windowMs: 60_000 }]);
    assert.equal(blocked.available('x', 0), 3);
    blocked.block('x', 1_000);
    assert.equal(blocked.available('x', 500), 0);
  });
});
