/**
 * The outbox's windows in the worker: held on the times sends actually left (a lane that wakes
 * late waits again rather than crowd the next second) and then on the times they were answered
 * (a slow send cannot share a window with a quick one), a configured margin, raised by a 429.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import sinon from 'sinon';
import type { Logger } from 'pino';
import { systemClock } from '../../src/domain/clock';
import { openDatabase, type Database } from '../../src/store';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/tracking/outbox-worker';
import type { ProactiveSender, SendResult } from '../../src/tracking/types';
import { runLogger } from '../http/helpers/http-double';
import { storeConversation } from './rig';
import { loadConfig } from '../../src/config';

/** A sender answering after 2–4 ms, recording when each send left; `refuse` 429s the next ones. */
class TimedSender implements ProactiveSender {
  readonly startedAt: number[] = [];
  refuse = 0;
  async send(): Promise<SendResult> {
    this.startedAt.push(Date.now());
    await delay(2 + (this.startedAt.length % 3));
    if (this.refuse > 0) {
      this.refuse--;
      return { ok: false, kind: 'retry', status: 429, retryAfterMs: 1, code: 'Throttled' };
    }
    return { ok: true, activityId: randomUUID() };
  }
  update(): Promise<SendResult> {
    return this.send();
  }
  lookup(): Promise<{ found: false }> {
    return Promise.resolve({ found: false });
  }
}

/**
 * A sender whose every tenth send is slow on the way (arriving, and answered, 150 ms after it
 * left), the rest quick: records when each arrived, which is what Teams counts.
 */
class JitterySender extends TimedSender {
  readonly arrivedAt: number[] = [];
  override async send(): Promise<SendResult> {
    this.startedAt.push(Date.now());
    await delay(this.startedAt.length % 10 === 1 ? 150 : 2);
    this.arrivedAt.push(Date.now());
    return { ok: true, activityId: randomUUID() };
  }
}

/** Most sends that left within any `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('outbox worker: the arrival margin', function () {
  let db: Database;
  let logger: Logger;
  const workers: OutboxWorker[] = [];

  beforeEach(async () => {
    db = await openDatabase({ url: 'sqlite::memory:' });
    logger = runLogger();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await db.close();
  });

  function worker(sender: ProactiveSender, options: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
    const w = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender, clock: systemClock, logger, batchSize: 200, concurrency: 64, random: () => 0.5, ...options });
    workers.push(w);
    return w;
  }

  /** Runs `w` until it has sent `count` notifications. */
  async function sendAll(w: OutboxWorker, count: number): Promise<void> {
    for (let sent = 0; sent < count; ) sent += (await w.runOnce()).sent;
  }

  /** `count` notifications, each to a chat of its own in one tenant (the tenant's 50 / s binds). */
  async function enqueue(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      // The sender here never calls the connector: the stored reference only needs a serviceUrl.
      const key = await storeConversation(db, { url: 'http://127.0.0.1:9/' });
      const id = randomUUID();
      await db.outbox.enqueue([{ id, escalationId: `ED-${i}`, kind: 'resolved', target: key, payload: { activity: { text: 'resolved' } }, dedupeKey: `resolved:${id}` }], systemClock.now());
    }
  }

  it('holds Teams\' tenant limit on the times sends actually left, when planned slots come late', async () => {
    const sender = new TimedSender();
    const t0 = Date.now();
    // The lanes planned for the second second wake 300 ms late (a busy event loop); the third second's on time.
    const lateSleep = (ms: number, signal: AbortSignal): Promise<void> => {
      const wake = Date.now() + ms - t0;
      return delay(ms + (wake > 900 && wake < 1_500 ? 300 : 0), undefined, { signal }).catch(() => undefined);
    };
    const w = worker(sender, { sleep: lateSleep });
    assert.equal(w.limitMarginMs, 0, 'the default margin: none');
    await enqueue(150);
    await sendAll(w, 150);
    const busiest = busiestWindow(sender.startedAt, 1_000);
    assert.ok(busiest <= 50, `at most 50 sends left in any second (${busiest})`);
  });

  it('holds each window from the answer of the send it follows: no margin, yet a slow send and a quick one a window later never arrive inside one window', async () => {
    const sender = new JitterySender();
    const w = worker(sender, { limitMarginMs: 0 });
    await enqueue(120);
    await sendAll(w, 120);
    const busiest = busiestWindow(sender.arrivedAt, 1_000);
    assert.ok(busiest <= 50, `at most 50 sends arrived in any second (${busiest})`);
  });

  it('instances on one database split the limits: half each while both beat, all of it for the one left when the other stops or goes silent', async () => {
    const sender = new TimedSender();
    const roster = { roster: db.outbox, rosterBeatMs: 0, rosterTtlMs: 300 };
    const [a, b, c] = [worker(sender, roster), worker(new TimedSender(), roster), worker(new TimedSender(), roster)];
    await a.runOnce();
    assert.equal(a.limitShare, 1, 'alone');
    await b.runOnce();
    await enqueue(40);
    await sendAll(a, 40);
    assert.equal(a.limitShare, 0.5);
    const busiest = busiestWindow(sender.startedAt, 1_000);
    assert.ok(busiest <= 25, `at most 25 sends of this instance in any second (${busiest}): the other may send 25`);
    await b.stop();
    await a.runOnce();
    assert.equal(a.limitShare, 1, 'the other stopped: it said so');
    await c.runOnce();
    await a.runOnce();
    assert.equal(a.limitShare, 0.5, 'a third instance started');
    await delay(350);
    await a.runOnce();
    assert.equal(a.limitShare, 1, 'it went silent past the time to live (killed)');
  });

  it('a roster that cannot be reached keeps the share the worker had, and the log says so once, not every beat', async () => {
    let down = false;
    const roster = {
      liveSenders: (owner: string, now: Date, ttlMs: number) => (down ? Promise.reject(new Error('database down')) : db.outbox.liveSenders(owner, now, ttlMs)),
      retireSender: (owner: string) => db.outbox.retireSender(owner),
    };
    const other = worker(new TimedSender(), { roster: db.outbox, rosterBeatMs: 0 });
    await other.runOnce();
    const w = worker(new TimedSender(), { roster, rosterBeatMs: 0 });
    await w.runOnce();
    assert.equal(w.limitShare, 0.5);
    const warn = sinon.spy(logger, 'warn');
    down = true;
    for (let i = 0; i < 3; i++) await w.runOnce();
    assert.equal(w.limitShare, 0.5, 'kept');
    assert.equal(warn.getCalls().filter((c) => String(c.args[1]).includes('roster')).length, 1, 'one warning for the outage');
    warn.restore();
  });

  it('spaces the sends at the tenant\'s rate (one per 20 ms) instead of bursts of 50', async () => {
    const sender = new TimedSender();
    const w = worker(sender);
    await enqueue(60);
    await sendAll(w, 60);
    const burst = busiestWindow(sender.startedAt, 100);
    assert.ok(burst <= 8, `at most 8 sends in any 100 ms (${burst})`);
  });

  it('a 429 raises the margin to 100 ms; the configured margin is the base (OUTBOX_LIMIT_MARGIN_MS)', async () => {
    assert.equal(loadConfig({ env: {}, dotenvPath: null }).tracking.limitMarginMs, 0);
    const config = loadConfig({ env: { OUTBOX_LIMIT_MARGIN_MS: '40' }, dotenvPath: null });
    assert.equal(config.tracking.limitMarginMs, 40);
    assert.throws(() => loadConfig({ env: { OUTBOX_LIMIT_MARGIN_MS: 'fast' }, dotenvPath: null }), /OUTBOX_LIMIT_MARGIN_MS/);
    assert.throws(() => loadConfig({ env: { OUTBOX_LIMIT_MARGIN_MS: '5000' }, dotenvPath: null }), /OUTBOX_LIMIT_MARGIN_MS/);
    const sender = new TimedSender();
    const w = worker(sender, { limitMarginMs: config.tracking.limitMarginMs });
    assert.equal(w.limitMarginMs, 40);
    await enqueue(1);
    sender.refuse = 1;
    assert.equal((await w.runOnce()).retried, 1);
    assert.equal(w.limitMarginMs, 100, 'raised by the 429');
  });
});
