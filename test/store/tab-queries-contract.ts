/**
 * The contract of the tab's bounded queries (known-issue counts, escalations created in a
 * period, incidents with their customer counts), run by `storeContract` against SQLite and
 * PostgreSQL. Tests share one database: each uses partner tenants and incident ids of its own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createEscalation, transition, type Actor, type Escalation } from '../../src/domain/escalation';
import type { AffectedCustomer, Incident } from '../../src/domain/incidents';
import type { Database } from '../../src/store';

const ENGINEER: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1' };
const T0 = Date.UTC(2032, 2, 1, 9, 0, 0);
const iso = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

async function stored(db: Database, o: { partner: string; at: string; knownIssue?: string; state?: 'triage' | 'known_issue' }): Promise<Escalation> {
  const { escalation, event } = createEscalation(
    {
      id: `esc-${randomUUID()}`,
      partnerTenantId: o.partner,
      ownerId: ENGINEER.id,
      customer: { tenantId: randomUUID(), name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail',
      description: 'd',
    },
    ENGINEER,
    new Date(o.at),
  );
  const created = await db.escalations.create(escalation, [event]);
  if (!o.knownIssue && !o.state) return created;
  const moved = transition(created, o.state ?? 'known_issue', {
    actor: ENGINEER,
    at: new Date(Date.parse(o.at) + 60_000),
    ...(o.knownIssue ? { details: { knownIssue: { id: o.knownIssue, title: 'Known' } } } : {}),
  });
  return db.escalations.update(moved.escalation, created.version, [moved.event]);
}

function incident(id: string, customers: readonly AffectedCustomer[], over: Partial<Incident> = {}): Incident {
  return {
    id,
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceDegradation',
    title: 'Mail delayed',
    impactDescription: 'Mail may be delayed.',
    posts: [],
    startDateTime: iso(0),
    lastModifiedDateTime: iso(0),
    resolved: false,
    postIncidentReview: false,
    detectedAt: iso(0),
    updatedAt: iso(0),
    customers,
    ...over,
  };
}

const affected = (told: boolean, gone = false): AffectedCustomer => ({
  tenantId: randomUUID(),
  name: 'Customer',
  firstSeenAt: iso(0),
  lastSeenAt: iso(1),
  ...(gone ? { goneSince: iso(2) } : {}),
  ...(told ? { told: { by: { id: 'u1', name: 'Ada' }, at: iso(3) } } : {}),
});

/** Runs the tab queries' contract against one database. */
export function tabQueriesContract(database: () => Database): void {
  describe('the tab\u2019s bounded queries', function () {
    it('counts a partner tenant\u2019s escalations per known issue in one grouped query, by state when asked', async function () {
      const db = database();
      const [partner, other] = [randomUUID(), randomUUID()];
      const [a, b, none] = [`EX${randomUUID().slice(0, 6)}`, `EX${randomUUID().slice(0, 6)}`, `EX${randomUUID().slice(0, 6)}`];
      await stored(db, { partner, at: iso(0), knownIssue: a });
      await stored(db, { partner, at: iso(1), knownIssue: a });
      await stored(db, { partner, at: iso(2), knownIssue: b });
      await stored(db, { partner: other, at: iso(3), knownIssue: a });
      const triaged = await stored(db, { partner, at: iso(4), knownIssue: b });
      const off = transition(triaged, 'triage', { actor: ENGINEER, at: new Date(iso(6)), reason: 'not the same problem' });
      await db.escalations.update(off.escalation, triaged.version, [off.event]);

      const counted = await db.escalations.countByKnownIssue({ partnerTenantId: partner.toUpperCase(), knownIssueIds: [a, b, none] });
      assert.deepEqual([counted.get(a), counted.get(b), counted.has(none)], [2, 2, false]);
      const open = await db.escalations.countByKnownIssue({ partnerTenantId: partner, knownIssueIds: [a, b], states: ['known_issue'] });
      assert.deepEqual([open.get(a), open.get(b)], [2, 1]);
      assert.equal((await db.escalations.countByKnownIssue({ knownIssueIds: [a] })).get(a), 3, 'every tenant without a partner');
      assert.equal((await db.escalations.countByKnownIssue({ partnerTenantId: partner, knownIssueIds: [` ${a} `] })).get(` ${a} `), 2, 'an id as given, matched trimmed');
      assert.equal((await db.escalations.countByKnownIssue({ partnerTenantId: partner, knownIssueIds: [] })).size, 0);
      assert.equal((await db.escalations.countByKnownIssue({ partnerTenantId: partner, knownIssueIds: [a], states: [] })).size, 0);
    });

    it('pages through a partner tenant\u2019s escalations created in [from, to), oldest first, with no gap or repeat', async function () {
      const db = database();
      const [partner, other] = [randomUUID(), randomUUID()];
      const made: string[] = [];
      for (let i = 0; i < 9; i++) made.push((await stored(db, { partner, at: iso(i * 10) })).id);
      // Two created in the same instant keep an order by id.
      made.push((await stored(db, { partner, at: iso(45) })).id);
      await stored(db, { partner: other, at: iso(20) });
      const expected = (await Promise.all(made.map((id) => db.escalations.get(id))))
        .filter((e): e is Escalation => e !== undefined)
        .filter((e) => e.createdAt >= iso(10) && e.createdAt < iso(80))
        .sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id))
        .map((e) => e.id);
      assert.equal(expected.length, 8, 'from is inclusive, to exclusive');
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.escalations.listCreatedBetween({ partnerTenantId: partner.toUpperCase(), from: iso(10), to: iso(80), limit: 3, ...(cursor ? { cursor } : {}) });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, expected);
      assert.equal((await db.escalations.listCreatedBetween({ partnerTenantId: partner, from: iso(1000), to: iso(2000) })).items.length, 0);
      await assert.rejects(db.escalations.listCreatedBetween({ partnerTenantId: partner, from: iso(0), to: iso(1), cursor: 'bogus' }), RangeError);
    });

    it('lists incidents with their customer and told counts, in list order, open only when asked', async function () {
      const db = database();
      const marker = randomUUID();
      const open = incident(`EX-open-${marker}`, [affected(true), affected(false), affected(false, true), affected(true, true)], { updatedAt: iso(30) });
      const closed = incident(`EX-closed-${marker}`, [affected(false)], { resolved: true, resolvedAt: iso(40), updatedAt: iso(40) });
      const empty = incident(`EX-empty-${marker}`, [], { updatedAt: iso(20) });
      for (const record of [open, closed, empty]) await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });

      const mine = <T extends { incident: { id: string } }>(items: readonly T[]): T[] => items.filter((i) => i.incident.id.endsWith(marker));
      const all = mine((await db.incidents.counts({ limit: 500 })).items);
      assert.deepEqual(
        all.map((i) => [i.incident.id, i.affected, i.told]),
        [
          [closed.id, 1, 0],
          [open.id, 4, 2],
          [empty.id, 0, 0],
        ],
      );
      const { customers: _c, ...fields } = open;
      assert.deepEqual(all[1]?.incident, fields, 'the record without its customers');
      assert.deepEqual(mine((await db.incidents.counts({ resolved: false, limit: 500 })).items).map((i) => i.incident.id), [open.id, empty.id]);
      const listed = mine((await db.incidents.list({ limit: 500 })).items).map((s) => s.incident.id);
      assert.deepEqual(all.map((i) => i.incident.id), listed, 'the same order as list');

      const first = await db.incidents.counts({ tenantId: open.customers[0]?.tenantId, limit: 1 });
      assert.deepEqual(first.items.map((i) => i.incident.id), [open.id]);
      assert.equal(first.nextCursor, undefined);
    });

    it('lists a customer\u2019s incidents, resolved ones too, each with only that customer\u2019s entry, paged', async function () {
      const db = database();
      const [mine, other] = [affected(true), affected(false)];
      const marker = randomUUID();
      const shared = incident(`EX-shared-${marker}`, [other, mine], { updatedAt: iso(50) });
      const resolvedMine = incident(`EX-old-${marker}`, [{ ...mine, told: undefined }], { resolved: true, resolvedAt: iso(5), updatedAt: iso(5) });
      const notMine = incident(`EX-not-${marker}`, [other], { updatedAt: iso(60) });
      for (const record of [shared, resolvedMine, notMine]) await db.incidents.save({ incident: record, expectedVersion: 0, card: undefined });

      const all = await db.incidents.listForCustomer(mine.tenantId.toUpperCase());
      assert.deepEqual(all.items.map((s) => s.incident.id), [shared.id, resolvedMine.id]);
      assert.deepEqual(all.items[0]?.incident.customers, [mine], 'only this customer, told');
      assert.deepEqual(all.items[1]?.incident.customers.map((c) => c.told), [undefined]);
      const first = await db.incidents.listForCustomer(mine.tenantId, { limit: 1 });
      assert.deepEqual(first.items.map((s) => s.incident.id), [shared.id]);
      const second = await db.incidents.listForCustomer(mine.tenantId, { limit: 1, cursor: first.nextCursor });
      assert.deepEqual(second.items.map((s) => s.incident.id), [resolvedMine.id]);
      assert.equal(second.nextCursor, undefined);
      assert.deepEqual((await db.incidents.listForCustomer(randomUUID())).items, []);
    });
  });
}
