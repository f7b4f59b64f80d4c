/** The one cache: fresh from memory, one shared load per key, the last answer served stale on a named failure. */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { LoadingCache } from '../../src/http/loading-cache';

class Unavailable extends Error {}
class Refused extends Error {}
const unavailable = (error: unknown): boolean => error instanceof Unavailable;

const START = Date.parse('2025-03-10T10:00:00Z');

/** A promise and the functions that settle it, for loads that answer when the test says. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LoadingCache', () => {
  let time: sinon.SinonFakeTimers;
  beforeEach(() => {
    // Only Date: the cache reads the wall clock; promises and timers run as usual.
    time = sinon.useFakeTimers({ now: START, toFake: ['Date'] });
  });
  afterEach(() => {
    sinon.restore();
    time.restore();
  });

  it('shares one load among 100 concurrent askers of a missing key', async () => {
    const cache = new LoadingCache<string, string>({ max: 10, freshnessMs: 60_000 });
    const upstream = deferred<string>();
    const load = sinon.stub<[], Promise<string>>().returns(upstream.promise);
    const answers = Promise.all(Array.from({ length: 100 }, () => cache.get('t', { load })));
    upstream.resolve('overview');
    const all = await answers;
    assert.equal(load.callCount, 1);
    assert.ok(all.every((a) => a.value === 'overview' && !a.stale && a.loadedAt === START));
  });

  it('answers from memory while fresh, loads again once the freshness (or the asker’s max age) has passed', async () => {
    const cache = new LoadingCache<string, number>({ max: 10, freshnessMs: 60_000 });
    const load = sinon.stub<[], Promise<number>>();
    load.onFirstCall().resolves(1).onSecondCall().resolves(2).onThirdCall().resolves(3);
    assert.equal((await cache.get('k', { load })).value, 1);
    time.tick(59_999);
    assert.equal((await cache.get('k', { load })).value, 1, 'still fresh');
    assert.equal((await cache.get('k', { load, maxAgeMs: 10_000 })).value, 2, 'too old for this asker');
    time.tick(60_000);
    const third = await cache.get('k', { load });
    assert.deepEqual(third, { value: 3, loadedAt: START + 119_999, stale: false });
    assert.equal(load.callCount, 3);
  });

  it('serves the last answer, marked stale with its load time, when a reload fails in a way the caller names', async () => {
    const cache = new LoadingCache<string, string>({ max: 10, freshnessMs: 60_000 });
    await cache.get('k', { load: () => Promise.resolve('first') });
    time.tick(180_000);
    const failing = sinon.stub<[], Promise<string>>().rejects(new Unavailable('down'));
    const answers = await Promise.all([1, 2, 3].map(() => cache.get('k', { load: failing, serveStaleOn: unavailable })));
    assert.equal(failing.callCount, 1, 'concurrent askers share the failing reload too');
    assert.ok(answers.every((a) => a.value === 'first' && a.stale && Date.now() - a.loadedAt === 180_000));
    assert.equal(cache.fresh('k'), undefined, 'a stale answer is not made fresh by being served');
    assert.equal((await cache.get('k', { load: () => Promise.resolve('second') })).value, 'second', 'the next ask tries again');
  });

  it('throws a failure the caller does not name, and keeps the last answer for a later one', async () => {
    const cache = new LoadingCache<string, string>({ max: 10, freshnessMs: 0 });
    await cache.get('k', { load: () => Promise.resolve('first') });
    await assert.rejects(cache.get('k', { load: () => Promise.reject(new Refused('403')), serveStaleOn: unavailable }), Refused);
    const later = await cache.get('k', { load: () => Promise.reject(new Unavailable('503')), serveStaleOn: unavailable });
    assert.deepEqual([later.value, later.stale], ['first', true]);
  });

  it('keeps nothing from a failed first load: the failure is thrown and the next ask loads again', async () => {
    const cache = new LoadingCache<string, string>({ max: 10, freshnessMs: 60_000 });
    await assert.rejects(cache.get('k', { load: () => Promise.reject(new Unavailable('down')), serveStaleOn: unavailable }), Unavailable);
    assert.equal(cache.peek('k'), undefined);
    assert.equal((await cache.get('k', { load: () => Promise.resolve('now') })).value, 'now');
  });

  it('answers from a fresh alternative without loading, and lets a newer alternative stand in when the load fails', async () => {
    const cache = new LoadingCache<string, string>({ max: 10, freshnessMs: 60_000 });
    const load = sinon.stub<[], Promise<string>>().rejects(new Unavailable('down'));
    const fromList = { value: 'from the list', loadedAt: START };
    assert.deepEqual(await cache.get('k', { load, alternative: fromList, serveStaleOn: unavailable }), { ...fromList, stale: false });
    assert.equal(load.callCount, 0);
    await cache.get('k', { load: () => Promise.resolve('own') });
    time.tick(120_000);
    const newer = { value: 'from a newer list', loadedAt: START + 60_000 };
    const answer = await cache.get('k', { load, alternative: newer, serveStaleOn: unavailable });
    assert.deepEqual(answer, { ...newer, stale: true });
  });

  it('holds at most `max` keys, dropping the least recently used', async () => {
    const cache = new LoadingCache<string, string>({ max: 2, freshnessMs: Infinity });
    const load = (value: string) => ({ load: () => Promise.resolve(value) });
    await cache.get('a', load('A'));
    await cache.get('b', load('B'));
    assert.ok(cache.fresh('a'), 'a is used again');
    await cache.get('c', load('C'));
    assert.equal(cache.size, 2);
    assert.deepEqual([cache.peek('a')?.value, cache.peek('b'), cache.peek('c')?.value], ['A', undefined, 'C']);
  });

  it('a load whose key is dropped meanwhile still answers the askers waiting for it', async () => {
    const cache = new LoadingCache<string, string>({ max: 1, freshnessMs: Infinity });
    const slow = deferred<string>();
    const waiting = cache.get('a', { load: () => slow.promise });
    await cache.get('b', { load: () => Promise.resolve('B') });
    slow.resolve('A');
    assert.equal((await waiting).value, 'A');
  });
});
