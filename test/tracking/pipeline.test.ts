/**
 * The whole notification path: Partner Center provider → tracker → outbox (SQLite) → real
 * botbuilder ProactiveSender → connector double. Time is a ManualClock; rounds are run by hand.
 */
import { strict as assert } from 'node:assert';
import type { Logger } from 'pino';
import { ManualClock } from '../../src/domain/clock';
import { UpstreamClient } from '../../src/http/upstream';
import { openDatabase, type Database } from '../../src/store';
import { PartnerCenterSupportProvider, RefreshTokenSource } from '../../src/support/partner-center';
import { OutboxWorker } from '../../src/tracking/outbox-worker';
import { Tracker } from '../../src/tracking/tracker';
import type { ProactiveSender } from '../../src/tracking/types';
import { recordingSleep, runLogger } from '../http/helpers/http-double';
import { ConnectorDouble } from '../helpers/connector-double';
import { PartnerCenterDouble } from '../helpers/partner-center-double';
import { linkedEscalation, realSender, storeConversation } from './rig';

const SR = '2503100010000123';

interface Rig {
  readonly db: Database;
  readonly clock: ManualClock;
  readonly logger: Logger;
  readonly pc: PartnerCenterDouble;
  readonly connector: ConnectorDouble;
  readonly tracker: Tracker;
  worker(options?: Partial<ConstructorParameters<typeof OutboxWorker>[0]>): OutboxWorker;
}

async function rig(): Promise<Rig> {
  const db = await openDatabase({ url: 'sqlite::memory:' });
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const logger = runLogger();
  const pc = await PartnerCenterDouble.start();
  const connector = await new ConnectorDouble().start();
  const support = new PartnerCenterSupportProvider({
    partnerCenterEndpoint: pc.url,
    tokens: new RefreshTokenSource({
      loginEndpoint: pc.url,
      partnerTenantId: '22222222-2222-2222-2222-222222222222',
      clientId: 'app',
      clientSecret: 'secret',
      refreshToken: 'rt',
      clock,
      logger,
    }),
    http: new UpstreamClient({ upstream: 'Partner Center', logger, clock, sleep: recordingSleep().sleep }),
    logger,
  });
  const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support, clock, logger, owner: 'tracker-1' });
  const sender = realSender(logger);
  const worker = (options: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {}): OutboxWorker =>
    new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender, clock, logger, random: () => 0.5, ...options });
  return { db, clock, logger, pc, connector, tracker, worker };
}

describe('notification pipeline: Partner Center → tracker → outbox → ProactiveSender → connector', function () {
  let r: Rig;
  beforeEach(async function () {
    r = await rig();
  });
  afterEach(async function () {
    await r.db.close();
    await r.pc.close();
    await r.connector.stop();
  });

  it('open → attention_needed → closed gives exactly two notifications, in order, once each', async function () {
    const target = await storeConversation(r.db, r.connector);
    r.pc.put({ id: SR, status: 'open' });
    const esc = await linkedEscalation(r.db, SR, [target], r.clock.now());
    const worker = r.worker({ owner: 'outbox-1' });

    assert.deepEqual(await r.tracker.runOnce(), { claimed: 1, changed: 0 });
    assert.equal((await r.db.tracking.get(esc.id))?.intervalMs, 30_000, 'just linked: polled at the short interval');
    assert.equal((await worker.runOnce()).claimed, 0);

    r.pc.setStatus(SR, 3, 'Please send the message trace.');
    r.clock.advance(29_000);
    assert.equal((await r.tracker.runOnce()).claimed, 0, 'not due before its interval');
    r.clock.advance(1_000);
    assert.deepEqual(await r.tracker.runOnce(), { claimed: 1, changed: 1 });
    assert.equal((await r.db.escalations.get(esc.id))?.state, 'attention_needed');
    // The first delivery is throttled (429 with Retry-After): the worker, not the connector, retries.
    r.connector.failNext({ status: 429, retryAfterSeconds: 5, code: 'Throttled' });
    assert.deepEqual(await worker.runOnce(), { claimed: 1, sent: 0, retried: 1, dead: 0 });
    assert.equal(r.connector.sent().length, 0);
    const [pending] = await r.db.outbox.listForEscalation(esc.id);
    assert.ok(Date.parse(pending.nextAttemptAt) >= r.clock.now().getTime() + 5_000, 'Retry-After honoured');
    r.clock.advance(10_000);
    assert.deepEqual(await worker.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });

    r.pc.setStatus(SR, 'closed', 'Fixed on our side.');
    r.clock.advance(60_000);
    assert.deepEqual(await r.tracker.runOnce(), { claimed: 1, changed: 1 });
    r.connector.failNext({ status: 503 }, { status: 412 });
    await worker.runOnce();
    r.clock.advance(30_000);
    await worker.runOnce();
    r.clock.advance(30_000);
    await worker.runOnce();

    // Nothing more happens however long it runs.
    for (let i = 0; i < 5; i++) {
      r.clock.advance(30 * 60_000);
      assert.equal((await r.tracker.runOnce()).claimed, 0);
      assert.equal((await worker.runOnce()).claimed, 0);
    }

    const sent = r.connector.sent();
    assert.deepEqual(
      sent.map((a) => String(a.text).includes('needs information') ? 'attention_needed' : String(a.text).includes('resolved') ? 'resolved' : 'other'),
      ['attention_needed', 'resolved'],
    );
    assert.deepEqual(r.connector.duplicateKeys(), []);
    assert.equal(r.connector.faultsAnswered.length, 3);
    const stored = await r.db.outbox.listForEscalation(esc.id);
    assert.deepEqual(stored.map((n) => [n.kind, n.status]), [['attention_needed', 'sent'], ['resolved', 'sent']]);
    assert.deepEqual(stored.map((n) => n.sentActivityId), r.connector.calls.map((c) => c.activityId));
    const final = await r.db.escalations.get(esc.id);
    assert.equal(final?.state, 'resolved');
    const audit = await r.db.escalations.audit(esc.id);
    assert.deepEqual(audit.slice(-2).map((e) => [e.from, e.to, e.actor.kind]), [
      ['escalated', 'attention_needed', 'microsoft'],
      ['attention_needed', 'resolved', 'microsoft'],
    ]);
    assert.equal(await r.db.tracking.get(esc.id), undefined, 'resolved: no longer polled');
  });

  it('backs a quiet Sev C request off to 30 minutes, and polls at once after pollNow', async function () {
    const target = await storeConversation(r.db, r.connector);
    // Nobody has touched it for five hours: neither the engineer nor Microsoft.
    const fiveHoursAgo = new Date(r.clock.now().getTime() - 5 * 3_600_000);
    r.pc.put({ id: SR, status: 'open', severity: 'minimal', createdDate: fiveHoursAgo.toISOString(), lastModifiedDate: fiveHoursAgo.toISOString() });
    const esc = await linkedEscalation(r.db, SR, [target], fiveHoursAgo);
    const intervals: number[] = [];
    for (let i = 0; i < 6; i++) {
      await r.tracker.runOnce();
      intervals.push((await r.db.tracking.get(esc.id))?.intervalMs ?? 0);
      r.clock.advance(intervals.at(-1) ?? 0);
    }
    assert.deepEqual(intervals, [120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000], 'doubling, capped at 30 minutes');
    r.clock.advance(-1);
    assert.equal((await r.tracker.runOnce()).claimed, 0);
    assert.equal(await r.tracker.pollNow(esc.id), true);
    assert.equal((await r.tracker.runOnce()).claimed, 1);
    assert.equal((await r.db.tracking.get(esc.id))?.intervalMs, 60_000, 'backing off again from the short interval');
  });

  it('stops sending to a conversation that blocked the bot, and never retries 400', async function () {
    const blocked = await storeConversation(r.db, r.connector, 'a:blocked');
    const other = await storeConversation(r.db, r.connector, 'a:other');
    const worker = r.worker();
    const enqueue = async (target: string, tag: string): Promise<void> => {
      await r.db.outbox.enqueue(
        [{ id: `${tag}-id`, escalationId: 'ED-1', kind: 'reminder', target, payload: { activity: { text: tag } }, dedupeKey: `reminder:ED-1:${tag}` }],
        r.clock.now(),
      );
    };
    await enqueue(blocked, 'first');
    r.connector.failNext({ status: 403, code: 'ConversationBlockedByUser', conversationId: 'a:blocked' });
    await worker.runOnce();
    assert.equal((await r.db.conversations.get(blocked))?.unreachable?.reason, 'ConversationBlockedByUser');
    await enqueue(blocked, 'second');
    await enqueue(other, 'third');
    r.connector.failNext({ status: 400, code: 'BadArgument', conversationId: 'a:other' });
    await worker.runOnce();
    r.clock.advance(3_600_000);
    await worker.runOnce();
    assert.deepEqual(r.connector.faultsAnswered.map((f) => [f.status, f.conversationId]), [[403, 'a:blocked'], [400, 'a:other']]);
    assert.equal(r.connector.sent().length, 0);
    assert.deepEqual(
      [(await r.db.outbox.get('first-id'))?.lastError, (await r.db.outbox.get('second-id'))?.lastError, (await r.db.outbox.get('third-id'))?.lastError],
      ['unreachable:ConversationBlockedByUser', 'unreachable:ConversationBlockedByUser', 'http_400:BadArgument'],
    );
  });

  describe('a worker killed between claiming and recording', function () {
    async function crashed(hook: 'afterClaim' | 'afterSend', sender?: ProactiveSender): Promise<{ id: string; target: string }> {
      const target = await storeConversation(r.db, r.connector);
      r.pc.put({ id: SR, status: 'closed' });
      await linkedEscalation(r.db, SR, [target], r.clock.now());
      await r.tracker.runOnce();
      const crash = (): never => {
        throw new Error('simulated crash');
      };
      const first = r.worker({ owner: 'outbox-dies', leaseMs: 60_000, hooks: { [hook]: crash }, ...(sender ? { sender } : {}) });
      await assert.rejects(first.runOnce(), /simulated crash/);
      const [n] = (await r.db.escalations.list({})).items;
      const [row] = await r.db.outbox.listForEscalation(n.id);
      assert.equal(row.leaseOwner, 'outbox-dies', 'the dead worker left its claim');
      assert.equal(row.status, hook === 'afterSend' ? 'sending' : 'pending', 'sending only once the request left');
      return { id: row.id, target };
    }

    it('crash after the claim, before the send: the restarted worker delivers it once, even with ambiguousResend off', async function () {
      const { id } = await crashed('afterClaim');
      const restarted = r.worker({ owner: 'outbox-restarted', leaseMs: 60_000, ambiguousResend: false });
      assert.equal((await restarted.runOnce()).claimed, 0, 'the lease still protects it');
      r.clock.advance(60_001);
      assert.deepEqual(await restarted.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
      r.clock.advance(3_600_000);
      assert.equal((await restarted.runOnce()).claimed, 0);
      assert.equal(r.connector.sentWithKey(id).length, 1);
      assert.equal(r.connector.sent().length, 1);
      assert.equal((await r.db.outbox.get(id))?.sentActivityId, r.connector.activityIdForKey(id));
    });

    it('crash after the send, before recording it: a sender that can look up the key prevents a second send', async function () {
      const base = realSender(r.logger);
      const lookingUp: ProactiveSender = {
        send: (t, a, k) => base.send(t, a, k),
        update: (t, id, a) => base.update(t, id, a),
        lookup: (_t, key) => {
          const activityId = r.connector.activityIdForKey(key);
          return Promise.resolve(activityId ? { found: true, activityId } : { found: false });
        },
      };
      const { id } = await crashed('afterSend', lookingUp);
      assert.equal(r.connector.sentWithKey(id).length, 1, 'the send happened before the crash');
      r.clock.advance(60_001);
      const restarted = r.worker({ owner: 'outbox-restarted', sender: lookingUp });
      assert.deepEqual(await restarted.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
      assert.equal(restarted.stats.recoveredByLookup, 1);
      assert.equal(r.connector.sentWithKey(id).length, 1, 'not sent twice');
      assert.equal((await r.db.outbox.get(id))?.sentActivityId, r.connector.activityIdForKey(id));
    });

    it('crash after the send with a sender that cannot tell: at-most-once when ambiguousResend is off', async function () {
      const { id } = await crashed('afterSend');
      r.clock.advance(60_001);
      const restarted = r.worker({ owner: 'outbox-restarted', ambiguousResend: false });
      assert.deepEqual(await restarted.runOnce(), { claimed: 1, sent: 0, retried: 0, dead: 1 });
      assert.equal(r.connector.sentWithKey(id).length, 1);
      assert.equal((await r.db.outbox.get(id))?.lastError, 'ambiguous_delivery');
    });
  });

  it('start() and stop() run and end the loops without leaving work behind', async function () {
    const target = await storeConversation(r.db, r.connector);
    r.pc.put({ id: SR, status: 'closed' });
    const esc = await linkedEscalation(r.db, SR, [target], r.clock.now());
    const worker = r.worker({ idleMs: 5 });
    const tracker = new Tracker({ escalations: r.db.escalations, tracking: r.db.tracking, support: new PartnerCenterSupportProvider({
      partnerCenterEndpoint: r.pc.url,
      tokens: { getToken: () => Promise.resolve('pc-user-token-1') },
      http: new UpstreamClient({ upstream: 'Partner Center', logger: r.logger }),
      logger: r.logger,
    }), clock: r.clock, logger: r.logger, idleMs: 5 });
    tracker.start();
    worker.start();
    await r.connector.waitForSent(1, 10_000);
    await tracker.stop();
    await worker.stop();
    assert.equal((await r.db.escalations.get(esc.id))?.state, 'resolved');
    assert.deepEqual((await r.db.outbox.listForEscalation(esc.id)).map((n) => n.status), ['sent']);
  });
});
