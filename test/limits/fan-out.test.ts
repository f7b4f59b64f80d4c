/** Bounded fan-out: every item, in order, never more than the limit at once; a failure stops new starts. */
import { strict as assert } from 'node:assert';
import { setImmediate as tick } from 'node:timers/promises';
import { mapWithLimit } from '../../src/limits/fan-out';

describe('mapWithLimit', () => {
  it('maps every item in order with at most `limit` running', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithLimit(Array.from({ length: 50 }, (_, i) => i), 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      return i * 2;
    });
    assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => i * 2));
    assert.equal(most, 4);
    assert.deepEqual(await mapWithLimit([], 4, () => Promise.resolve(1)), []);
  });

  it('starts nothing new after a failure, waits for what runs, then throws the failure', async () => {
    const started: number[] = [];
    let running = 0;
    const failure = await mapWithLimit(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      started.push(i);
      running++;
      await tick();
      running--;
      if (i === 1) throw new Error('read failed');
      return i;
    }).catch((e: unknown) => e);
    assert.ok(failure instanceof Error && failure.message === 'read failed');
    assert.equal(running, 0, 'nothing left running behind the failure');
    assert.ok(started.length < 20, `stopped early (started ${started.length})`);
    await assert.rejects(mapWithLimit([1], 0, () => Promise.resolve(1)), RangeError);
  });
});
