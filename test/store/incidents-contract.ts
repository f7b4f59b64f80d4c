/**
 * The contract of the incident stores (incidents, their customers and cards, the incident
 * channel, the per-tenant sweep schedule), run by `storeContract` against SQLite and PostgreSQL.
 * Tests share one database: each uses incident and tenant ids of its own, and pushes the sweep
 * rows it leaves due far into the future, so claims before 2900 see only the test's own rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createEscalation, transition, type Actor } from '../../src/domain/escalation';
import type { IncidentCardState } from '../../src/domain/incident-messages';
import type { AffectedCustomer, Incident } from '../../src/domain/incidents';
import { IncidentConflictError, type Database, type NewNotification } from '../../src/store';

const T0 = Date.UTC(2031, 0, 1, 9, 0, 0);
const at = (ms: number): Date => new Date(T0 + ms);
const iso = (ms: number): string => at(ms).toISOString();
const DRAIN_AT = new Date('2900-01-01T00:00:00Z');
const FAR = new Date('2950-01-01T00:00:00Z');
const ENGINEER: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1' };

const tenant = (): string => randomUUID();

function customer(tenantId: string, over: Partial<AffectedCustomer> = {}): AffectedCustomer {
  return { tenantId, name: '고객 Contoso "Ltd"', firstSeenAt: iso(0), lastSeenAt: iso(0), ...over };
}

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: `EX${randomUUID().slice(0, 8)}`,
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceDegradation',
    title: 'Users may be unable to send email — 메일 발송 불가',
    impactDescription: 'Users may be unable to send email.',
    posts: [{ createdDateTime: iso(0), postType: 'quick', contentType: 'html', content: 'Investigating <b>now</b>.' }],
    startDateTime: iso(0),
    lastModifiedDateTime: iso(0),
    resolved: false,
    postIncidentReview: false,
    detectedAt: iso(0),
    updatedAt: iso(0),
    customers: [customer(tenant())],
    ...over,
  };
}

function card(over: Partial<IncidentCardState> = {}): IncidentCardState {
  return { channel: 'partner|19:c@thread.tacv2', postId: randomUUID(), postedAt: iso(0), lastUpdateAt: iso(0), heldReplies: [], ...over };
}

function note(incidentId: string, over: Partial<NewNotification> = {}): NewNotification {
  const id = randomUUID();
  return { id, escalationId: `incident:${incidentId}`, kind: 'incident_card', target: 'partner|19:c@thread.tacv2', payload: { activity: { type: 'message', text: '장애' } }, dedupeKey: `incident_card:${id}`, ...over };
}

/** Leaves no sweep row of this test due for the next one. */
async function drain(db: Database): Promise<void> {
  for (const row of await db.incidentSweeps.claimDue('drain', DRAIN_AT, 500, 1)) {
    await db.incidentSweeps.complete(row.tenantId, 'drain', { outcome: 'ok', at: DRAIN_AT, nextSweepAt: FAR });
  }
}

/** Registers the incident stores' contract inside a `storeContract` suite. */
export function incidentsContract(database: () => Database): void {
  describe('incidents', function () {
    it('stores a new incident with its customers (in order) and card, and reads it back exactly', async function () {
      const db = database();
      const [a, b] = [tenant(), tenant()];
      const record = incident({ customers: [customer(a), customer(b.toUpperCase(), { goneSince: iso(5), told: { by: { id: 'u1', name: '박지우' }, at: iso(6) } })], feature: 'Mail' });
      const stored = await db.incidents.save({ incident: record, expectedVersion: 0, card: card({ dueAt: iso(10) }) });
      assert.equal(stored.version, 1);
      const read = await db.incidents.get(record.id);
      assert.ok(read);
      assert.deepEqual(read.incident, { ...record, customers: [record.customers[0], { ...record.customers[1], tenantId: b }] }, 'tenant ids lower-cased');
      assert.deepEqual(read.card, stored.card);
      assert.equal(read.version, 1);
      assert.deepEqual((await db.incidents.getMany([record.id, 'EX-none', record.id])).map((s) => s.incident.id), [record.id]);
      assert.equal(await db.incidents.get('EX-none'), undefined);
    });

    it('refuses a second create and a stale version, writing nothing of either (no customer, no notification)', async function () {
      const db = database();
      const record = incident();
      await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });
      const loser = note(record.id);
      await assert.rejects(db.incidents.save({ incident: { ...record, title: 'second' }, expectedVersion: 0, card: undefined, outbox: [loser] }), IncidentConflictError);
      const next = { ...record, status: 'restoringService', customers: [...record.customers, customer(tenant())] };
      const v2 = await db.incidents.save({ incident: next, expectedVersion: 1, changedCustomers: [next.customers[1].tenantId], card: undefined });
      assert.equal(v2.version, 2);
      await assert.rejects(
        db.incidents.save({ incident: { ...next, customers: [...next.customers, customer(tenant())] }, expectedVersion: 1, card: undefined, outbox: [note(record.id)] }),
        IncidentConflictError,
      );
      const read = await db.incidents.get(record.id);
      assert.equal(read?.incident.title, record.title);
      assert.equal(read?.incident.status, 'restoringService');
      assert.equal(read?.incident.customers.length, 2);
      assert.deepEqual(await db.outbox.listForEscalation(`incident:${record.id}`), [], 'the losers enqueued nothing');
      assert.equal(await db.outbox.get(loser.id), undefined);
    });

    it('rewrites only the customers named as changed, and enqueues notifications in the same save (a repeated dedupe key once)', async function () {
      const db = database();
      const [a, b] = [tenant(), tenant()];
      const record = incident({ customers: [customer(a), customer(b)] });
      await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });
      const first = note(record.id);
      const next = { ...record, customers: [customer(a, { lastSeenAt: iso(99) }), customer(b, { lastSeenAt: iso(99) })] };
      await db.incidents.save({ incident: next, expectedVersion: 1, changedCustomers: [b.toUpperCase()], card: card(), outbox: [first, { ...first, id: randomUUID() }] });
      const read = await db.incidents.get(record.id);
      assert.deepEqual(read?.incident.customers.map((c) => c.lastSeenAt), [iso(0), iso(99)]);
      const sent = await db.outbox.listForEscalation(`incident:${record.id}`);
      assert.deepEqual(sent.map((n) => [n.id, n.kind, n.status]), [[first.id, 'incident_card', 'pending']]);
    });

    it("gives a tenant's sweep the incidents it names and the open ones it is still affected by, with only its own customer entry", async function () {
      const db = database();
      const t = tenant();
      const open = incident({ customers: [customer(tenant()), customer(t, { lastSeenAt: iso(7) })] });
      const resolved = incident({ customers: [customer(t)], resolved: true, status: 'serviceRestored' });
      const gone = incident({ customers: [customer(t, { goneSince: iso(1) })] });
      const named = incident({ customers: [customer(tenant())], resolved: true });
      const other = incident();
      for (const i of [open, resolved, gone, named, other]) await db.incidents.save({ incident: i, expectedVersion: 0, card: undefined });
      const found = await db.incidents.forTenant(t.toUpperCase(), [named.id, 'EX-none']);
      assert.deepEqual(new Set(found.map((s) => s.incident.id)), new Set([open.id, named.id]));
      assert.deepEqual(found.find((s) => s.incident.id === open.id)?.incident.customers, [customer(t, { lastSeenAt: iso(7) })]);
      assert.deepEqual(found.find((s) => s.incident.id === named.id)?.incident.customers, []);
      assert.deepEqual(await db.incidents.forTenant(tenant(), []), []);
    });

    it('keeps every customer in the order first seen when a save carries only one tenant', async function () {
      const db = database();
      const [a, b, c] = [tenant(), tenant(), tenant()];
      const record = incident({ customers: [customer(a), customer(b)] });
      await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });
      const [own] = await db.incidents.forTenant(c, [record.id]);
      assert.ok(own);
      await db.incidents.save({ incident: { ...own.incident, customers: [customer(c)] }, expectedVersion: own.version, changedCustomers: [c], card: undefined });
      const [mine] = await db.incidents.forTenant(a, [record.id]);
      assert.ok(mine);
      await db.incidents.save({ incident: { ...mine.incident, customers: [customer(a, { lastSeenAt: iso(50) })] }, expectedVersion: mine.version, changedCustomers: [a], card: undefined });
      assert.deepEqual((await db.incidents.get(record.id))?.incident.customers.map((x) => [x.tenantId, x.lastSeenAt]), [
        [a, iso(50)],
        [b, iso(0)],
        [c, iso(0)],
      ]);
    });

    it('lists incidents newest first, open or resolved, for a customer, a page at a time', async function () {
      const db = database();
      const t = tenant();
      const made: Incident[] = [];
      for (let i = 0; i < 5; i++) {
        const record = incident({ customers: [customer(t)], updatedAt: iso(1000 + i), resolved: i % 2 === 1 });
        made.push(record);
        await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });
      }
      const newestFirst = made.map((m) => m.id).reverse();
      const first = await db.incidents.list({ tenantId: t, limit: 2 });
      assert.deepEqual(first.items.map((s) => s.incident.id), newestFirst.slice(0, 2));
      assert.ok(first.nextCursor);
      const rest = await db.incidents.list({ tenantId: t, limit: 10, cursor: first.nextCursor });
      assert.deepEqual(rest.items.map((s) => s.incident.id), newestFirst.slice(2));
      assert.equal(rest.nextCursor, undefined);
      assert.deepEqual((await db.incidents.list({ tenantId: t, resolved: true })).items.map((s) => s.incident.id), [made[3].id, made[1].id]);
      assert.deepEqual((await db.incidents.list({ tenantId: t, resolved: false })).items.length, 3);
      assert.equal((await db.incidents.list({ tenantId: t })).items[0]?.incident.customers.length, 1, 'with their customers');
    });

    it('lists the incidents whose card work is due, earliest first', async function () {
      const db = database();
      const due = incident();
      const later = incident();
      const none = incident();
      await db.incidents.save({ incident: due, expectedVersion: 0, card: card({ dueAt: '2899-01-01T00:00:01.000Z' }) });
      await db.incidents.save({ incident: later, expectedVersion: 0, card: card({ dueAt: '2899-06-01T00:00:00.000Z' }) });
      await db.incidents.save({ incident: none, expectedVersion: 0, card: card() });
      const found = (await db.incidents.cardWorkDue(new Date('2899-02-01T00:00:00Z'), 500)).map((s) => s.incident.id);
      assert.ok(found.includes(due.id));
      assert.ok(!found.includes(later.id) && !found.includes(none.id));
      // Leave nothing due for the other tests.
      for (const s of await db.incidents.getMany([due.id, later.id])) {
        await db.incidents.save({ incident: s.incident, expectedVersion: s.version, changedCustomers: [], card: card() });
      }
    });

    it('names the escalations watching an incident (tracked in known_issue with it), in any case', async function () {
      const db = database();
      const record = incident();
      const { escalation, event } = createEscalation(
        { id: `esc-${randomUUID()}`, partnerTenantId: 'partner', ownerId: 'owner', customer: { tenantId: tenant(), name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
        ENGINEER,
        at(0),
      );
      const created = await db.escalations.create(escalation, [event]);
      const known = transition(created, 'known_issue', { actor: ENGINEER, at: at(1), details: { knownIssue: { id: record.id.toLowerCase(), title: record.title } } });
      await db.escalations.update(known.escalation, created.version, [known.event]);
      assert.deepEqual(await db.incidents.watchingEscalations(record.id), [escalation.id]);
      assert.deepEqual(await db.incidents.watchingEscalations('EX-other'), []);
    });

    it('keeps one incident channel: set, moved, cleared', async function () {
      const db = database();
      await db.incidents.clearChannel();
      assert.equal(await db.incidents.getChannel(), undefined);
      const first = { conversationKey: 'partner|19:one@thread.tacv2', setBy: { id: 'u1', name: '박지우' }, setAt: iso(0) };
      await db.incidents.setChannel(first);
      assert.deepEqual(await db.incidents.getChannel(), first);
      const moved = { conversationKey: 'partner|19:two@thread.tacv2', setBy: { id: 'u2' }, setAt: iso(1) };
      await db.incidents.setChannel(moved);
      assert.deepEqual(await db.incidents.getChannel(), moved);
      assert.equal(await db.incidents.clearChannel(), true);
      assert.equal(await db.incidents.clearChannel(), false);
      assert.equal(await db.incidents.getChannel(), undefined);
    });
  });

  describe('incident sweep schedule', function () {
    afterEach(async function () {
      await drain(database());
    });

    it('registers new tenants at their first time, renames known ones, and prunes the ones gone', async function () {
      const db = database();
      const [a, b] = [tenant(), tenant()];
      assert.equal(await db.incidentSweeps.register([{ tenantId: a.toUpperCase(), name: 'Adatum', firstSweepAt: at(10) }, { tenantId: b, name: 'Blue', firstSweepAt: at(20) }], at(0)), 2);
      assert.equal(await db.incidentSweeps.register([{ tenantId: a, name: 'Adatum Corp', firstSweepAt: at(99) }], at(1)), 0);
      const row = await db.incidentSweeps.get(a);
      assert.deepEqual(row, { tenantId: a, name: 'Adatum Corp', nextSweepAt: iso(10), failures: 0 }, 'renamed, its time kept');
      const all = (await db.incidentSweeps.list({ limit: 500 })).items.map((r) => r.tenantId);
      assert.equal(await db.incidentSweeps.prune(all.filter((id) => id !== b)), 1);
      assert.equal(await db.incidentSweeps.get(b), undefined);
    });

    it('leases each due tenant to one owner until its lease runs out; records the outcome for the holder only', async function () {
      const db = database();
      const [a, b] = [tenant(), tenant()];
      await db.incidentSweeps.register([{ tenantId: a, name: 'A', firstSweepAt: at(0) }, { tenantId: b, name: 'B', firstSweepAt: at(5_000) }], at(0));
      const claimed = await db.incidentSweeps.claimDue('one', at(1_000), 10, 60_000);
      assert.deepEqual(claimed.map((r) => [r.tenantId, r.leaseOwner]), [[a, 'one']]);
      assert.deepEqual(await db.incidentSweeps.claimDue('two', at(10_000), 10, 60_000).then((r) => r.map((x) => x.tenantId)), [b], 'a leased tenant is skipped');
      assert.equal(await db.incidentSweeps.complete(a, 'two', { outcome: 'ok', at: at(2_000), nextSweepAt: at(300_000) }), false, 'not the holder');
      assert.equal(await db.incidentSweeps.complete(a, 'one', { outcome: 'failed', reason: 'access_403', at: at(2_000), nextSweepAt: at(300_000) }), true);
      assert.deepEqual(await db.incidentSweeps.get(a), {
        tenantId: a,
        name: 'A',
        nextSweepAt: iso(300_000),
        lastOutcome: 'failed',
        lastReason: 'access_403',
        lastSweptAt: iso(2_000),
        failures: 1,
      });
      // b's holder died: its lease runs out and another owner takes it.
      assert.deepEqual(await db.incidentSweeps.claimDue('three', at(69_000), 10, 60_000).then((r) => r.map((x) => x.tenantId)), []);
      assert.deepEqual(await db.incidentSweeps.claimDue('three', at(70_000), 10, 60_000).then((r) => r.map((x) => x.tenantId)), [b]);
      assert.equal(await db.incidentSweeps.complete(b, 'two', { outcome: 'ok', at: at(70_001), nextSweepAt: at(300_000) }), false, 'the dead holder cannot record');
      await db.incidentSweeps.complete(a, 'one', { outcome: 'ok', at: at(3_000), nextSweepAt: at(300_000) });
      assert.equal(await db.incidentSweeps.complete(b, 'three', { outcome: 'ok', at: at(71_000), nextSweepAt: at(400_000) }), true);
      const done = await db.incidentSweeps.get(b);
      assert.deepEqual([done?.lastOutcome, done?.lastOkAt, done?.failures, done?.leaseOwner], ['ok', iso(71_000), 0, undefined]);
    });

    it('makes tenants due sooner on demand, never later', async function () {
      const db = database();
      const [a, b] = [tenant(), tenant()];
      await db.incidentSweeps.register([{ tenantId: a, name: 'A', firstSweepAt: at(100_000) }, { tenantId: b, name: 'B', firstSweepAt: at(1_000) }], at(0));
      assert.equal(await db.incidentSweeps.sweepSoon([a.toUpperCase(), b], at(5_000)), 1);
      assert.deepEqual([(await db.incidentSweeps.get(a))?.nextSweepAt, (await db.incidentSweeps.get(b))?.nextSweepAt], [iso(5_000), iso(1_000)]);
      assert.equal(await db.incidentSweeps.sweepSoon([], at(5_000)), 0);
    });

    it('lists the tenants whose last sweep failed, with the reason, a page at a time', async function () {
      const db = database();
      const ids = [tenant(), tenant(), tenant()].sort();
      await db.incidentSweeps.register(ids.map((tenantId) => ({ tenantId, name: tenantId.slice(0, 4), firstSweepAt: at(0) })), at(0));
      for (const row of (await db.incidentSweeps.claimDue('one', at(1), 500, 60_000)).filter((r) => ids.includes(r.tenantId))) {
        const failed = row.tenantId !== ids[1];
        await db.incidentSweeps.complete(row.tenantId, 'one', { outcome: failed ? 'failed' : 'ok', reason: failed ? 'access_token' : undefined, at: at(2), nextSweepAt: FAR });
      }
      const failing: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.incidentSweeps.list({ failing: true, limit: 1, cursor });
        failing.push(...page.items.filter((r) => ids.includes(r.tenantId)).map((r) => `${r.tenantId}:${r.lastReason}`));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(failing, [`${ids[0]}:access_token`, `${ids[2]}:access_token`]);
    });
  });
}
