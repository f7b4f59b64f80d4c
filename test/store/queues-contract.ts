/**
 * The contract of the outbox, tracking and conversation stores, run by `storeContract` against
 * SQLite and PostgreSQL. Tests share one database: each drains what it leaves due (claims
 * before 2900 see only the test's own rows) so claims never see another test's rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createEscalation, transition, type Actor, type Escalation } from '../../src/domain/escalation';
import { ConcurrencyError, conversationKey, type Database, type NewNotification } from '../../src/store';
import { INITIAL_TRACKING_INTERVAL_MS } from '../../src/store/tracking-sql';

const ENGINEER: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1' };
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const DRAIN_AT = new Date('2900-01-01T00:00:00Z');
const FAR = new Date('2950-01-01T00:00:00Z');

const at = (ms: number): Date => new Date(T0 + ms);

/** An escalation linked to a service request, stored, in state `escalated`. */
async function escalated(db: Database, srId = '2503100010000123'): Promise<Escalation> {
  const { escalation, event } = createEscalation(
    {
      id: `esc-${randomUUID()}`,
      partnerTenantId: 'partner',
      ownerId: 'owner',
      customer: { tenantId: `customer-${randomUUID()}`, name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail flow stopped',
      description: 'd',
    },
    ENGINEER,
    at(0),
  );
  let current = await db.escalations.create(escalation, [event]);
  for (const to of ['triage', 'awaiting_handoff', 'escalated'] as const) {
    const step = transition(current, to, {
      actor: ENGINEER,
      at: at(0),
      ...(to === 'escalated' ? { details: { serviceRequestId: srId } } : {}),
    });
    current = await db.escalations.update(step.escalation, current.version, [step.event]);
  }
  return current;
}

function note(escalationId: string, over: Partial<NewNotification> = {}): NewNotification {
  const id = randomUUID();
  return {
    id,
    escalationId,
    kind: 'resolved',
    target: 'tenant|conv',
    payload: { activity: { type: 'message', text: '해결됨 ✅' } },
    dedupeKey: `resolved:${escalationId}:${id}`,
    ...over,
  };
}

/** Leaves nothing of this test due for the next one. */
async function drain(db: Database): Promise<void> {
  for (const n of await db.outbox.claimDue('drain', DRAIN_AT, 500, 1)) await db.outbox.markDead(n.id, 'drain', 'drained', DRAIN_AT);
  for (const t of await db.tracking.claimDue('drain', DRAIN_AT, 500, 1)) {
    await db.tracking.schedule(t.escalationId, 'drain', { nextPollAt: FAR, intervalMs: 1 });
  }
}

/** Registers the queue contract inside a `storeContract` suite. */
export function queuesContract(database: () => Database): void {
  describe('outbox', function () {
    afterEach(async function () {
      await drain(database());
    });

    it('enqueues with the escalation update, in one transaction, and skips a repeated dedupe key', async function () {
      const db = database();
      const esc = await escalated(db);
      const resolved = transition(esc, 'resolved', { actor: { kind: 'microsoft', id: 'microsoft' }, at: at(1000) });
      const first = note(esc.id, { dedupeKey: `resolved:${esc.id}:v${esc.version + 1}` });
      await db.escalations.update(resolved.escalation, esc.version, [resolved.event], [first, { ...first, id: randomUUID() }]);
      const stored = await db.outbox.listForEscalation(esc.id);
      assert.equal(stored.length, 1);
      assert.deepEqual(
        { id: stored[0].id, status: stored[0].status, attempts: stored[0].attempts, payload: stored[0].payload, at: stored[0].nextAttemptAt },
        { id: first.id, status: 'pending', attempts: 0, payload: first.payload, at: at(1000).toISOString() },
      );
      assert.equal(await db.outbox.enqueue([{ ...first, id: randomUUID() }], at(2000)), 0, 'dedupe key already used');
    });

    it('gives a planned notification (no id of its own) a fresh id, with the update and on its own', async function () {
      const db = database();
      const esc = await escalated(db);
      const { id: _unused, ...planned } = note(esc.id, { dedupeKey: `resolved:${esc.id}:planned` });
      const resolved = transition(esc, 'resolved', { actor: { kind: 'microsoft', id: 'microsoft' }, at: at(1000) });
      await db.escalations.update(resolved.escalation, esc.version, [resolved.event], [planned]);
      assert.equal(await db.outbox.enqueue([{ ...planned, dedupeKey: `reminder:${esc.id}:planned`, kind: 'reminder' }], at(2000)), 1);
      const stored = await db.outbox.listForEscalation(esc.id);
      assert.deepEqual(stored.map((n) => [n.kind, n.dedupeKey, n.payload]), [
        ['resolved', `resolved:${esc.id}:planned`, planned.payload],
        ['reminder', `reminder:${esc.id}:planned`, planned.payload],
      ]);
      const [a, b] = stored.map((n) => n.id);
      assert.match(a, /^[0-9a-f-]{36}$/);
      assert.match(b, /^[0-9a-f-]{36}$/);
      assert.notEqual(a, b);
      assert.equal((await db.outbox.get(a))?.dedupeKey, `resolved:${esc.id}:planned`);
    });

    it('enqueues nothing when the escalation update loses the race', async function () {
      const db = database();
      const esc = await escalated(db);
      const step = transition(esc, 'resolved', { actor: ENGINEER, at: at(1) });
      await db.escalations.update(step.escalation, esc.version, [step.event]);
      await assert.rejects(db.escalations.update(step.escalation, esc.version, [step.event], [note(esc.id)]), ConcurrencyError);
      assert.deepEqual(await db.outbox.listForEscalation(esc.id), []);
    });

    it('leases due notifications to one owner; an expired lease is reclaimed and fences the old owner', async function () {
      const db = database();
      const esc = await escalated(db);
      const [a, b, later] = [note(esc.id), note(esc.id), note(esc.id, { notBefore: at(60_000).toISOString() })];
      assert.equal(await db.outbox.enqueue([a, b, later], at(0)), 3);

      const claimed = await db.outbox.claimDue('w1', at(10), 10, 30_000);
      assert.deepEqual(claimed.map((n) => [n.id, n.status, n.attempts, n.reclaimed, n.leaseOwner]), [
        [a.id, 'pending', 0, false, 'w1'],
        [b.id, 'pending', 0, false, 'w1'],
      ]);
      assert.deepEqual(await db.outbox.claimDue('w2', at(20), 10, 30_000), [], 'leased rows are skipped');
      assert.equal(await db.outbox.markSending(a.id, 'w2', at(25)), false, 'only the lease holder sends');
      assert.equal(await db.outbox.markSending(a.id, 'w1', at(25)), true);
      assert.equal(await db.outbox.markSending(b.id, 'w1', at(25)), true);
      assert.deepEqual([(await db.outbox.get(a.id))?.status, (await db.outbox.get(a.id))?.attempts], ['sending', 1]);

      assert.equal(await db.outbox.markSent(a.id, 'w1', 'activity-1', at(30)), true);
      const taken = await db.outbox.claimDue('w2', at(30_011), 10, 30_000);
      assert.deepEqual(taken.map((n) => [n.id, n.status, n.attempts, n.reclaimed]), [[b.id, 'sending', 1, true]], 'w1 died sending b');
      assert.equal(await db.outbox.markSent(b.id, 'w1', 'activity-x', at(30_020)), false, 'w1 lost its lease');
      assert.equal(await db.outbox.markSent(b.id, 'w2', 'activity-2', at(30_020)), true);
      assert.equal((await db.outbox.get(a.id))?.sentActivityId, 'activity-1');
      assert.equal((await db.outbox.get(b.id))?.sentActivityId, 'activity-2');
      assert.equal((await db.outbox.get(b.id))?.status, 'sent');
      assert.deepEqual((await db.outbox.claimDue('w3', at(60_000), 10, 1)).map((n) => n.id), [later.id], 'notBefore respected');
    });

    it('a claim that dies before sending leaves a row that is not reclaimed as possibly sent', async function () {
      const db = database();
      const esc = await escalated(db);
      const n = note(esc.id);
      await db.outbox.enqueue([n], at(0));
      await db.outbox.claimDue('dies', at(0), 5, 10_000);
      assert.deepEqual(await db.outbox.claimDue('w', at(9_999), 5, 10_000), [], 'the live lease is respected');
      const [again] = await db.outbox.claimDue('w', at(10_000), 5, 10_000);
      assert.deepEqual([again.id, again.status, again.attempts, again.reclaimed], [n.id, 'pending', 0, false]);
      assert.equal(await db.outbox.markSending(n.id, 'dies', at(10_001)), false, 'the dead owner cannot send');
    });

    it('leaves out the conversations a worker is still sending to, keeping their rows unleased', async function () {
      const db = database();
      const esc = await escalated(db);
      const [busy, free, busyLater] = [note(esc.id, { target: 't|busy' }), note(esc.id, { target: 't|free' }), note(esc.id, { target: "t|it's" })];
      await db.outbox.enqueue([busy, free, busyLater], at(0));
      const claimed = await db.outbox.claimDue('w', at(0), 10, 10_000, { excludeTargets: ['t|busy', "t|it's", 't|busy'] });
      assert.deepEqual(claimed.map((n) => n.id), [free.id]);
      assert.equal((await db.outbox.get(busy.id))?.leaseOwner, undefined, 'left unleased');
      assert.deepEqual((await db.outbox.claimDue('w', at(1), 10, 10_000, { excludeTargets: [] })).map((n) => n.id), [busy.id, busyLater.id]);
    });

    it('reschedules as pending, counts one attempt per send, and marks dead with a reason', async function () {
      const db = database();
      const esc = await escalated(db);
      const n = note(esc.id);
      await db.outbox.enqueue([n], at(0));
      await db.outbox.claimDue('w', at(0), 5, 10_000);
      await db.outbox.markSending(n.id, 'w', at(0));
      assert.equal(await db.outbox.reschedule(n.id, 'w', { nextAttemptAt: at(5_000), error: 'http_429' }, at(1)), true);
      const refused = await db.outbox.get(n.id);
      assert.deepEqual([refused?.status, refused?.attempts, refused?.leaseOwner], ['pending', 1, undefined], 'refused: known not delivered');
      assert.deepEqual(await db.outbox.claimDue('w', at(4_999), 5, 10_000), []);
      const [again] = await db.outbox.claimDue('w', at(5_000), 5, 10_000);
      assert.deepEqual([again.attempts, again.reclaimed, again.lastError], [1, false, 'http_429']);
      await db.outbox.reschedule(n.id, 'w', { nextAttemptAt: at(6_000), error: 'rate_limited' }, at(5_001));
      assert.equal((await db.outbox.get(n.id))?.attempts, 1, 'put back unsent: no attempt');
      await db.outbox.claimDue('w', at(6_000), 5, 10_000);
      assert.equal(await db.outbox.markDead(n.id, 'other', 'x', at(6_001)), false, 'only the lease holder');
      assert.equal(await db.outbox.markDead(n.id, 'w', 'http_400', at(6_001)), true);
      const dead = await db.outbox.get(n.id);
      assert.equal(dead?.status, 'dead');
      assert.equal(dead?.lastError, 'http_400');
      assert.deepEqual(await db.outbox.claimDue('w', at(999_999), 5, 10_000), []);
    });

    it('counts the live senders: each that beat within the time to live, not one silent longer nor one retired', async function () {
      const db = database();
      // Far from every other test's beats (the count is of every sender on the database).
      const t = Date.UTC(2040, 0, 1);
      const when = (ms: number): Date => new Date(t + ms);
      const [a, b] = [`sender-a-${randomUUID()}`, `sender-b-${randomUUID()}`];
      assert.equal(await db.outbox.liveSenders(a, when(0), 15_000), 1);
      assert.equal(await db.outbox.liveSenders(b, when(1_000), 15_000), 2);
      assert.equal(await db.outbox.liveSenders(a, when(10_000), 15_000), 2, 'b beat 9 s ago');
      assert.equal(await db.outbox.liveSenders(a, when(16_500), 15_000), 1, 'b silent for 15.5 s: as good as killed');
      assert.equal(await db.outbox.liveSenders(b, when(17_000), 15_000), 2, 'b beats again');
      await db.outbox.retireSender(b);
      assert.equal(await db.outbox.liveSenders(a, when(18_000), 15_000), 1, 'b retired');
      await db.outbox.retireSender(a);
    });
  });

  describe('tracking', function () {
    afterEach(async function () {
      await drain(database());
    });

    it('follows the escalation: tracked while escalated with a request, gone once resolved', async function () {
      const db = database();
      const esc = await escalated(db, '77');
      assert.deepEqual(await db.tracking.get(esc.id), {
        escalationId: esc.id,
        kind: 'service_request',
        ref: '77',
        tenantId: esc.customer.tenantId,
        nextPollAt: at(0).toISOString(),
        intervalMs: INITIAL_TRACKING_INTERVAL_MS,
      });
      const attention = transition(esc, 'attention_needed', { actor: ENGINEER, at: at(500) });
      const saved = await db.escalations.update(attention.escalation, esc.version, [attention.event]);
      assert.equal((await db.tracking.get(esc.id))?.nextPollAt, at(0).toISOString(), 'same request: schedule kept');
      const resolved = transition(saved, 'resolved', { actor: ENGINEER, at: at(600) });
      await db.escalations.update(resolved.escalation, saved.version, [resolved.event]);
      assert.equal(await db.tracking.get(esc.id), undefined);
    });

    it('leases each due escalation to one owner; schedule releases; an expired lease is taken over', async function () {
      const db = database();
      const one = await escalated(db);
      const two = await escalated(db);
      const claimed = await db.tracking.claimDue('t1', at(0), 10, 60_000);
      assert.deepEqual(claimed.map((c) => c.escalationId).sort(), [one.id, two.id].sort());
      assert.deepEqual(await db.tracking.claimDue('t2', at(1), 10, 60_000), []);
      assert.equal(await db.tracking.schedule(one.id, 't2', { nextPollAt: at(5), intervalMs: 1 }), false, 'not the holder');
      assert.equal(await db.tracking.schedule(one.id, 't1', { nextPollAt: at(120_000), intervalMs: 120_000, lastObserved: 'open' }), true);
      const row = await db.tracking.get(one.id);
      assert.equal(row?.leaseOwner, undefined);
      assert.equal(row?.intervalMs, 120_000);
      assert.equal(row?.lastObserved, 'open');
      const taken = await db.tracking.claimDue('t2', at(60_000), 10, 60_000);
      assert.deepEqual(taken.map((c) => c.escalationId), [two.id], 't1 died holding two');
    });

    it('pollNow during a poll wins over the schedule the poll then sets', async function () {
      const db = database();
      const esc = await escalated(db);
      await db.tracking.claimDue('t1', at(0), 10, 60_000);
      assert.equal(await db.tracking.pollNow(esc.id, at(100), 60_000), true);
      await db.tracking.schedule(esc.id, 't1', { nextPollAt: at(1_800_000), intervalMs: 1_800_000 });
      const row = await db.tracking.get(esc.id);
      assert.equal(row?.nextPollAt, at(100).toISOString());
      assert.equal(row?.intervalMs, 60_000);
      assert.equal(await db.tracking.pollNow(`missing-${randomUUID()}`, at(0), 1), false);
    });
  });

  describe('conversations', function () {
    const tenant = (): string => `tenant-${randomUUID()}`;

    it('upserts, gets, marks unreachable, clears that on reinstall, and removes', async function () {
      const db = database();
      const t = tenant();
      const key = conversationKey(t, 'a:1');
      const record = { key, serviceUrl: 'https://smba.trafficmanager.net/amer/', conversationId: 'a:1', tenantId: t, conversationType: 'personal', userId: '29:u', aadObjectId: 'aad', botId: '28:bot', botName: 'Escalation Desk', updatedAt: at(0).toISOString() };
      await db.conversations.upsert(record);
      assert.deepEqual(await db.conversations.get(key), record);
      assert.equal(await db.conversations.markUnreachable(key, 'ConversationBlockedByUser', at(5)), true);
      assert.deepEqual((await db.conversations.get(key))?.unreachable, { reason: 'ConversationBlockedByUser', at: at(5).toISOString() });
      await db.conversations.upsert({ ...record, serviceUrl: 'https://smba.trafficmanager.net/emea/', updatedAt: at(10).toISOString() });
      const reinstalled = await db.conversations.get(key);
      assert.equal(reinstalled?.unreachable, undefined);
      assert.equal(reinstalled?.serviceUrl, 'https://smba.trafficmanager.net/emea/');
      await db.conversations.remove(key);
      await db.conversations.remove(key);
      assert.equal(await db.conversations.get(key), undefined);
      assert.equal(await db.conversations.markUnreachable(key, 'BotNotInConversationRoster', at(20)), false);
    });

    it('lists a tenant page by page in key order', async function () {
      const db = database();
      const t = tenant();
      const keys = Array.from({ length: 7 }, (_, i) => conversationKey(t, `19:c${i}`));
      for (const key of [...keys].reverse()) {
        await db.conversations.upsert({ key, serviceUrl: 'https://s/', conversationId: key, tenantId: t, botId: 'b', updatedAt: at(0).toISOString() });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await db.conversations.list({ tenantId: t, limit: 3, cursor });
        seen.push(...page.items.map((c) => c.key));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, [...keys].sort());
    });
  });
}
