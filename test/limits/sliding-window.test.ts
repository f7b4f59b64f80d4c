/** The one sliding-window limiter: Teams' per-conversation limits and Graph's per-tenant budget windows. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { evenSpacing, SlidingWindowLimiter } from '../../src/limits/sliding-window';
import { TEAMS_CONVERSATION_WINDOWS } from '../../src/tracking/teams-limits';

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
  it('counts what is inside each window, with Graph’s minute and hour windows', function () {
    const minute = 60_000;
    const hour = 3_600_000;
    const limiter = new SlidingWindowLimiter([
      { limit: 3, windowMs: minute },
      { limit: 5, windowMs: hour },
    ]);
    for (const at of [0, 10, 20]) limiter.record('t', at);
    assert.deepEqual(limiter.usage('t', 20), [3, 3]);
    assert.equal(limiter.available('t', 20), 0, 'the minute is full');
    assert.equal(limiter.earliest('t', 20), minute, 'the first leaves the minute window at 60 s');
    assert.deepEqual(limiter.usage('t', minute), [2, 3], 'a time exactly one window old has left it');
    for (const at of [minute, minute + 1]) limiter.record('t', at);
    assert.equal(limiter.available('t', 2 * minute), 0, 'the hour is full although the minute is not');
    assert.equal(limiter.earliest('t', 2 * minute), hour);
    assert.deepEqual(limiter.usage('t', hour + minute + 2), [0, 0]);
    assert.equal(limiter.available('t', hour + minute + 2), 3);
  });

  it('tracks a key until sweep finds nothing left in any window and no block', function () {
    const limiter = new SlidingWindowLimiter([{ limit: 2, windowMs: 1_000 }]);
    assert.equal(limiter.tracks('a'), false);
    limiter.record('a', 0);
    limiter.block('b', 5_000);
    assert.equal(limiter.size, 2);
    limiter.sweep(999);
    assert.deepEqual([limiter.tracks('a'), limiter.tracks('b')], [true, true]);
    limiter.sweep(1_000);
    assert.deepEqual([limiter.tracks('a'), limiter.tracks('b')], [false, true], 'a block keeps its key');
    limiter.sweep(5_000);
    assert.equal(limiter.size, 0);
  });

  it('takes its share of each limit (never less than one) and widens every window by the margin', function () {
    const half = new SlidingWindowLimiter([{ limit: 7, windowMs: 1_000 }], 0.5, 100);
    assert.equal(half.available('c', 0), 3, 'half of 7, rounded down');
    for (let i = 0; i < 3; i++) half.record('c', 0);
    assert.equal(half.earliest('c', 0), 1_100, 'the window is 1 s plus the margin');
    assert.equal(new SlidingWindowLimiter([{ limit: 1, windowMs: 1_000 }], 0.1).available('c', 0), 1);
    assert.throws(() => new SlidingWindowLimiter([]), RangeError);
  });

  it('keeps times in order when one is recorded out of order (a clock stepped back)', function () {
    const limiter = new SlidingWindowLimiter([{ limit: 2, windowMs: 1_000 }]);
    limiter.record('c', 500);
    limiter.record('c', 100);
    assert.equal(limiter.earliest('c', 600), 1_100);
    assert.deepEqual(limiter.usage('c', 1_100), [1], 'the send at 100 has left the window, the one at 500 has not');
  });

  it('moves an event to when it was answered: the window opens a window after the answer', function () {
    const limiter = new SlidingWindowLimiter([{ limit: 2, windowMs: 1_000 }]);
    limiter.record('c', 0);
    limiter.record('c', 10);
    assert.equal(limiter.earliest('c', 20), 1_000, 'held from when the first send left');
    limiter.move('c', 0, 150);
    assert.equal(limiter.earliest('c', 200), 1_010, 'now the send that left at 10 opens the window');
    limiter.move('c', 10, 400);
    assert.equal(limiter.earliest('c', 500), 1_150, 'and then the first send, answered at 150');
    limiter.move('c', 5_000, 600);
    assert.deepEqual(limiter.usage('c', 600), [3], 'an event no longer held is recorded at its answer all the same');
  });

  it('spaces events evenly at the tightest rate of the windows (a share included)', () => {
    assert.deepEqual(evenSpacing([{ limit: 50, windowMs: 1_000 }]), { limit: 1, windowMs: 20 });
    assert.deepEqual(evenSpacing([{ limit: 7, windowMs: 1_000 }, { limit: 8, windowMs: 2_000 }, { limit: 60, windowMs: 30_000 }]), { limit: 1, windowMs: 142 });
    assert.deepEqual(evenSpacing([{ limit: 50, windowMs: 1_000 }], 0.5), { limit: 1, windowMs: 40 });
  });
});
