/**
 * A proactive send that Teams refuses (429 with Retry-After, 503), through the app's real
 * sending path (the edge's CloudAdapter with its middleware, the configured connector
 * clients, the outbox worker): one retry policy, the worker's, so every attempt it records is
 * one request the connector saw, the next one no sooner than Retry-After; and a refusal is a
 * known non-delivery, so a worker that dies while waiting to retry it leaves a row that is
 * delivered after the restart even with OUTBOX_AMBIGUOUS_RESEND=off.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import sinon from 'sinon';
import { BotProactiveSender } from '../../src/bot/proactive-sender';
import { ManualClock } from '../../src/domain/clock';
import { OutboxWorker } from '../../src/tracking/outbox-worker';
import { runLogger } from '../http/helpers/http-double';
import { useAppPerTest } from '../helpers/app';
import { storeConversation } from './rig';

describe('a throttled proactive send (the app stack)', () => {
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const f = useAppPerTest({ OUTBOX_AMBIGUOUS_RESEND: 'off' }, { clock });

  /** Requests the connector saw for a notification: refused ones and taken ones. */
  const posts = (): number => f.connector.faultsAnswered.length + f.connector.sent().length;

  async function enqueued(): Promise<string> {
    const db = f.app.app.database;
    const target = await storeConversation(db, f.connector, `a:${randomUUID()}`);
    const id = randomUUID();
    await db.outbox.enqueue([{ id, escalationId: 'ED-1', kind: 'resolved', target, payload: { activity: { text: 'resolved' } }, dedupeKey: `resolved:${id}` }], clock.now());
    return id;
  }

  it('Retry-After: 20 — the second POST comes no sooner than 20 s later; attempts recorded = POSTs seen', async () => {
    const id = await enqueued();
    const worker = f.app.app.workers.outboxWorker;
    f.connector.failNext({ status: 429, retryAfterSeconds: 20, code: 'Throttled' });
    const refusedAt = clock.now().getTime();
    assert.deepEqual(await worker.runOnce(), { claimed: 1, sent: 0, retried: 1, dead: 0 });
    assert.equal(posts(), 1, 'one request for the refused attempt, not retried behind the worker');
    const row = await f.app.app.database.outbox.get(id);
    assert.deepEqual([row?.status, row?.attempts, row?.lastError], ['pending', 1, 'http_429']);
    assert.ok(Date.parse(row?.nextAttemptAt ?? '') >= refusedAt + 20_000, `next attempt ${row?.nextAttemptAt}`);

    clock.advance(19_999);
    assert.equal((await worker.runOnce()).claimed, 0);
    assert.equal(posts(), 1, 'nothing before Retry-After');
    clock.advance(1_000);
    assert.deepEqual(await worker.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
    assert.equal(posts(), 2);
    assert.equal((await f.app.app.database.outbox.get(id))?.attempts, posts(), 'attempts recorded = requests sent');
    assert.equal(f.connector.sentWithKey(id).length, 1);
  });

  it('503 and 412: each refused attempt is one request, retried by the worker alone', async () => {
    const id = await enqueued();
    const worker = f.app.app.workers.outboxWorker;
    f.connector.failNext({ status: 503, code: 'ServiceUnavailable' }, { status: 412, code: 'PreconditionFailed' });
    for (let round = 1; round <= 3; round++) {
      await worker.runOnce();
      assert.equal(posts(), round, `round ${round}: one request`);
      clock.advance(60_000);
    }
    const row = await f.app.app.database.outbox.get(id);
    assert.deepEqual([row?.status, row?.attempts], ['sent', 3]);
  });

  it('a worker that dies while waiting out the Retry-After: the restarted one delivers it exactly once with OUTBOX_AMBIGUOUS_RESEND=off', async () => {
    const id = await enqueued();
    f.connector.failNext({ status: 429, retryAfterSeconds: 20, code: 'Throttled' });
    // The first process's timers never fire: whatever it waits for when it dies, it waits forever.
    const realSetTimeout = globalThis.setTimeout;
    const frozen = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let first: Promise<unknown>;
    try {
      first = f.app.app.workers.outboxWorker.runOnce();
      first.catch(() => undefined);
      // Long enough for the refusal to come back and be recorded; it is then waiting (or done).
      await Promise.race([first, new Promise((resolve) => realSetTimeout(resolve, 1_000))]);
    } finally {
      frozen.restore();
    }
    assert.equal(posts(), 1, 'the refused request');

    // A new process on the same database, past the Retry-After and any lease the dead one held.
    const logger = runLogger();
    const restarted = new OutboxWorker({
      outbox: f.app.app.database.outbox,
      conversations: f.app.app.database.conversations,
      sender: new BotProactiveSender({ adapter: f.app.app.edge.adapter, botAppId: '', logger }),
      clock,
      logger,
      owner: 'outbox-restarted',
      ambiguousResend: false,
    });
    clock.advance(61_000);
    assert.deepEqual(await restarted.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
    clock.advance(3_600_000);
    assert.equal((await restarted.runOnce()).claimed, 0);
    assert.equal(f.connector.sentWithKey(id).length, 1, 'delivered exactly once');
    const row = await f.app.app.database.outbox.get(id);
    assert.deepEqual([row?.status, row?.attempts], ['sent', 2]);
    assert.equal(row?.attempts, posts(), 'attempts recorded = requests sent');
  });
});
