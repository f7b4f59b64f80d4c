/**
 * A connector that takes a proactive send and never answers: the outbox worker (running its
 * own loop) still delivers other conversations' notifications, and the hanging send ends at
 * the connector deadline as an ambiguous delivery, decided by OUTBOX_AMBIGUOUS_RESEND.
 * Real botbuilder sender, SQLite outbox, connector double on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ManualClock } from '../../src/domain/clock';
import { openDatabase, type Database } from '../../src/store';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/tracking/outbox-worker';
import { runLogger } from '../http/helpers/http-double';
import { ConnectorDouble } from '../helpers/connector-double';
import { realSender, storeConversation } from './rig';

/** Resolves once `check` holds; fails after 5 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('outbox worker: a connector that never answers', function () {
  let db: Database;
  let connector: ConnectorDouble;
  let logger: Logger;
  let clock: ManualClock;
  const workers: OutboxWorker[] = [];

  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    connector = await new ConnectorDouble().start();
    logger = runLogger();
    clock = new ManualClock('2025-03-10T10:00:00Z');
  });
  afterEach(async function () {
    // The double first: its held requests end, so the workers' lanes can finish.
    await connector.stop();
    for (const w of workers.splice(0)) await w.stop();
    await db.close();
  });

  function worker(options: Partial<OutboxWorkerOptions> & { connectorTimeoutMs?: number } = {}): OutboxWorker {
    const { connectorTimeoutMs, ...rest } = options;
    const w = new OutboxWorker({
      outbox: db.outbox,
      conversations: db.conversations,
      sender: realSender(logger, connectorTimeoutMs === undefined ? {} : { connectorTimeoutMs }),
      clock,
      logger,
      random: () => 0.5,
      ...rest,
    });
    workers.push(w);
    return w;
  }

  async function enqueue(target: string, text: string): Promise<string> {
    const id = randomUUID();
    await db.outbox.enqueue([{ id, escalationId: 'ED-1', kind: 'resolved', target, payload: { activity: { text } }, dedupeKey: `resolved:${id}` }], clock.now());
    return id;
  }

  it("delivers a second, healthy conversation's notification while the first still hangs", async function () {
    const stuck = await storeConversation(db, connector, 'a:stuck');
    const healthy = await storeConversation(db, connector, 'a:healthy');
    connector.failNext({ status: 200, hang: true, conversationId: 'a:stuck' });
    // The default deadline (seconds): the healthy conversation must not wait for it.
    const w = worker({ idleMs: 5 });
    w.start();
    const first = await enqueue(stuck, 'to the stuck conversation');
    await connector.waitForHanging(1);
    const second = await enqueue(healthy, 'to the healthy conversation');

    await connector.waitForSent(1);
    assert.deepEqual(connector.sent().map((a) => a.text), ['to the healthy conversation']);
    assert.equal(connector.hanging(), 1, 'the first send still hangs');
    await until(async () => (await db.outbox.get(second))?.status === 'sent', 'the healthy send is recorded');
    assert.equal((await db.outbox.get(first))?.status, 'sending');
  });

  it('a send without an answer ends at the deadline as ambiguous: given up with OUTBOX_AMBIGUOUS_RESEND=off', async function () {
    const target = await storeConversation(db, connector, 'a:stuck');
    connector.failNext({ status: 200, hang: true, conversationId: 'a:stuck' });
    const id = await enqueue(target, 'resolved');
    const round = await worker({ ambiguousResend: false, connectorTimeoutMs: 200 }).runOnce();
    assert.deepEqual(round, { claimed: 1, sent: 0, retried: 0, dead: 1 });
    assert.equal((await db.outbox.get(id))?.lastError, 'ambiguous_delivery:ConnectorTimeout');
    await connector.waitForHanging(0); // the request was cancelled, not left open
  });

  it('a send without an answer ends at the deadline as ambiguous: sent again later with OUTBOX_AMBIGUOUS_RESEND=on', async function () {
    const target = await storeConversation(db, connector, 'a:stuck');
    connector.failNext({ status: 200, hang: true, conversationId: 'a:stuck' });
    const id = await enqueue(target, 'resolved');
    const w = worker({ ambiguousResend: true, connectorTimeoutMs: 200 });
    assert.deepEqual(await w.runOnce(), { claimed: 1, sent: 0, retried: 1, dead: 0 });
    assert.equal((await db.outbox.get(id))?.lastError, 'ConnectorTimeout');
    clock.advance(60_000);
    assert.deepEqual(await w.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
    assert.equal(connector.sentWithKey(id).length, 1);
  });
});
