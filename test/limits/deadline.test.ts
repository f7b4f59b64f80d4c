/** Deadlines: the answer in time, the deadline's own error otherwise; the work goes on, observed. */
import { strict as assert } from 'node:assert';
import { getEventListeners } from 'node:events';
import { untilAborted, waitAtMost } from '../../src/limits/deadline';

class Expired extends Error {}
const expired = (): Error => new Expired('expired');

/** Collects unhandled rejections while `body` runs and a little after. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', record);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe('deadline', () => {
  it('answers with the work when it settles first, and stops listening to the signal', async () => {
    const controller = new AbortController();
    assert.equal(await untilAborted(Promise.resolve(42), controller.signal, expired), 42);
    await assert.rejects(untilAborted(Promise.reject(new RangeError('no')), controller.signal, expired), RangeError);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'a long-lived signal gathers no listeners');
  });

  it('answers with the deadline’s error once the signal aborts; the work goes on and its failure is observed', async () => {
    const controller = new AbortController();
    let fail: (error: Error) => void = () => undefined;
    const work = new Promise<number>((_, reject) => {
      fail = reject;
    });
    const unhandled = await unhandledDuring(async () => {
      const answer = untilAborted(work, controller.signal, expired);
      controller.abort();
      await assert.rejects(answer, Expired);
      fail(new Error('upstream failed later'));
    });
    assert.deepEqual(unhandled, []);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('an already aborted signal answers at once, even for work that is done', async () => {
    await assert.rejects(untilAborted(Promise.resolve(1), AbortSignal.abort(), expired), Expired);
  });

  it('waitAtMost gives up after its time on work that never settles, and not before', async () => {
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    await assert.rejects(waitAtMost(never, 30, expired), Expired);
    assert.ok(Date.now() - started >= 25, 'not before its time');
    assert.equal(await waitAtMost(new Promise((resolve) => setTimeout(() => resolve('late but in time'), 5)), 1_000, expired), 'late but in time');
  });
});
