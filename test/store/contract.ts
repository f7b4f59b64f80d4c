/**
 * The behaviour every `Database` implementation must have. One suite, run unchanged against
 * SQLite and PostgreSQL, so the two cannot drift apart.
 *
 * `open` must return a connection to the same underlying data every time it is called
 * (a file, a schema): tests share it, so each uses ids and tenants of its own.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createEscalation,
  transition,
  type Actor,
  type AuditEvent,
  type Escalation,
  type EscalationState,
} from '../../src/domain/escalation';
import {
  ConcurrencyError,
  DuplicateError,
  ETagConflictError,
  NotFoundError,
  type Database,
  type EscalationFilter,
} from '../../src/store';
import { incidentsContract } from './incidents-contract';
import { queuesContract } from './queues-contract';
import { referencesContract } from './references-contract';
import { tabQueriesContract } from './tab-queries-contract';

const ENGINEER: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1', name: 'Ji-woo Park' };
const LEAD: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e2' };
const BASE_TIME = Date.UTC(2024, 4, 1, 9, 0, 0);

/** A fresh id, unique across tests that share one database. */
function uid(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** A draft escalation and its creation event, with any field overridden. */
function draft(
  overrides: { id?: string; partner?: string; owner?: string; customer?: string; at?: Date } = {},
): { escalation: Escalation; event: AuditEvent } {
  return createEscalation(
    {
      id: overrides.id ?? uid('esc'),
      partnerTenantId: overrides.partner ?? uid('partner'),
      ownerId: overrides.owner ?? uid('owner'),
      ownerName: 'Ji-woo Park',
      customer: { tenantId: overrides.customer ?? uid('customer'), name: 'Contoso 한국', domain: 'contoso.example' },
      service: 'Exchange Online',
      title: 'Mail flow stopped — 메일이 안 와요 📭',
      description: 'Users cannot receive external mail since 08:00.\nQuoted: "nul\u0000byte", tab\t, e\u0301',
      since: '2024-05-01T08:00:00.000Z',
      usersAffected: 250,
      regions: ['Korea Central', 'Japan East'],
      details: { health: { checked: true, issues: ['EX226792'] }, triage: null, score: 0.5 },
    },
    ENGINEER,
    overrides.at ?? new Date(BASE_TIME),
  );
}

/** Pages through a whole list, checking page sizes, and returns every item in order. */
async function listAll(db: Database, filter: EscalationFilter, pageSize: number): Promise<Escalation[]> {
  const all: Escalation[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await db.escalations.list({ ...filter, limit: pageSize, cursor });
    assert.ok(page.items.length <= pageSize, 'a page is never larger than its limit');
    all.push(...page.items);
    if (page.nextCursor === undefined) return all;
    assert.equal(page.items.length, pageSize, 'only the last page may be short');
    cursor = page.nextCursor;
  }
  throw new Error('list never ended');
}

/** The list order: most recently updated first, then id descending. */
function byListOrder(a: Escalation, b: Escalation): number {
  const ta = Date.parse(a.updatedAt);
  const tb = Date.parse(b.updatedAt);
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Runs the store contract against one implementation. */
export function storeContract(name: string, open: () => Promise<Database>): void {
  describe(`${name}: store contract`, function () {
    let db: Database;

    beforeEach(async function () {
      db = await open();
    });

    afterEach(async function () {
      await db.close();
    });

    it('answers ping', async function () {
      await db.ping();
    });

    describe('escalations', function () {
      it('returns what was created, at version 1, exactly', async function () {
        const { escalation, event } = draft();
        const created = await db.escalations.create({ ...escalation, version: 7 }, [event]);
        assert.deepEqual(created, { ...escalation, version: 1 });
        assert.deepEqual(await db.escalations.get(escalation.id), { ...escalation, version: 1 });
      });

      it('stores tenant ids lower-case and finds them by a filter in any case', async function () {
        const partner = randomUUID().toUpperCase();
        const customer = randomUUID().toUpperCase();
        const { escalation, event } = draft({ partner, customer });
        const lower = { ...escalation, version: 1, partnerTenantId: partner.toLowerCase(), customer: { ...escalation.customer, tenantId: customer.toLowerCase() } };
        assert.deepEqual(await db.escalations.create(escalation, [event]), lower);
        assert.deepEqual(await db.escalations.get(escalation.id), lower);
        for (const filter of [
          { partnerTenantId: partner },
          { partnerTenantId: partner.toLowerCase() },
          { customerTenantId: customer },
          { customerTenantId: customer.toLowerCase(), partnerTenantId: partner },
        ]) {
          assert.deepEqual((await db.escalations.list(filter)).items, [lower], JSON.stringify(filter));
        }
        const moved = transition(lower, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME + 60_000) });
        const updated = await db.escalations.update({ ...moved.escalation, partnerTenantId: partner }, 1, [moved.event]);
        assert.equal(updated.partnerTenantId, partner.toLowerCase(), 'an update is stored lower-case too');
        assert.deepEqual((await db.escalations.list({ partnerTenantId: partner.toLowerCase() })).items.map((e) => e.version), [2]);
      });

      it('returns undefined for an id that does not exist', async function () {
        assert.equal(await db.escalations.get(uid('missing')), undefined);
      });

      it('refuses a duplicate id and keeps the first record and its audit', async function () {
        const { escalation, event } = draft();
        await db.escalations.create(escalation, [event]);
        const copy = { ...escalation, title: 'someone else' };
        await assert.rejects(db.escalations.create(copy, [event]), (error: unknown) => {
          assert.ok(error instanceof DuplicateError);
          assert.equal(error.id, escalation.id);
          return true;
        });
        assert.deepEqual(await db.escalations.get(escalation.id), escalation);
        assert.deepEqual(await db.escalations.audit(escalation.id), [event]);
      });

      it('refuses audit events that belong to another escalation', async function () {
        const { escalation, event } = draft();
        await assert.rejects(db.escalations.create(escalation, [{ ...event, escalationId: uid('other') }]), RangeError);
        assert.equal(await db.escalations.get(escalation.id), undefined);
      });

      it('saves an update at the expected version and returns it at the next version', async function () {
        const { escalation, event } = draft();
        const created = await db.escalations.create(escalation, [event]);
        const moved = transition(created, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME + 60_000), details: { triage: { category: 'unavailable' } } });
        const saved = await db.escalations.update(moved.escalation, 1, [moved.event]);
        assert.deepEqual(saved, { ...moved.escalation, version: 2 });
        assert.deepEqual(await db.escalations.get(escalation.id), saved);
        assert.deepEqual(await db.escalations.audit(escalation.id), [event, moved.event]);
      });

      it('refuses a stale version with ConcurrencyError, changing nothing', async function () {
        const { escalation, event } = draft();
        const created = await db.escalations.create(escalation, [event]);
        const first = transition(created, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME + 1000) });
        const saved = await db.escalations.update(first.escalation, 1, [first.event]);
        const stale = transition(created, 'cancelled', { actor: LEAD, at: new Date(BASE_TIME + 2000) });
        await assert.rejects(db.escalations.update(stale.escalation, 1, [stale.event]), (error: unknown) => {
          assert.ok(error instanceof ConcurrencyError);
          assert.equal(error.name, 'ConcurrencyError');
          assert.equal(error.id, escalation.id);
          assert.equal(error.expectedVersion, 1);
          return true;
        });
        assert.deepEqual(await db.escalations.get(escalation.id), saved);
        assert.deepEqual(await db.escalations.audit(escalation.id), [event, first.event]);
      });

      it('refuses to update an id that does not exist with NotFoundError', async function () {
        const { escalation, event } = draft();
        const moved = transition(escalation, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME) });
        await assert.rejects(db.escalations.update(moved.escalation, 1, [moved.event]), (error: unknown) => {
          assert.ok(error instanceof NotFoundError);
          assert.equal(error.id, escalation.id);
          return true;
        });
        assert.equal(await db.escalations.get(escalation.id), undefined);
        assert.deepEqual(await db.escalations.audit(event.escalationId), []);
      });

      it('lets exactly one of two concurrent updates of one record win', async function () {
        const other = await open();
        try {
          for (let round = 0; round < 5; round++) {
            const { escalation, event } = draft();
            const created = await db.escalations.create(escalation, [event]);
            const a = transition(created, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME + 1000) });
            const b = transition(created, 'cancelled', { actor: LEAD, at: new Date(BASE_TIME + 2000) });
            const results = await Promise.allSettled([
              db.escalations.update(a.escalation, 1, [a.event]),
              other.escalations.update(b.escalation, 1, [b.event]),
            ]);
            const won = results.filter((r) => r.status === 'fulfilled');
            const lost = results.filter((r) => r.status === 'rejected');
            assert.equal(won.length, 1, 'exactly one update wins');
            assert.equal(lost.length, 1);
            assert.ok(lost[0].reason instanceof ConcurrencyError);
            const winner = results[0].status === 'fulfilled' ? a : b;
            assert.deepEqual(await db.escalations.get(escalation.id), { ...winner.escalation, version: 2 });
            assert.deepEqual(await other.escalations.audit(escalation.id), [event, winner.event]);
          }
        } finally {
          await other.close();
        }
      });

      it('keeps the audit trail oldest first, with exactly the fields given', async function () {
        const { escalation, event } = draft();
        let current = await db.escalations.create(escalation, [event]);
        const expected: AuditEvent[] = [event];
        const steps: Array<[EscalationState, string | undefined]> = [
          ['known_issue', undefined],
          ['triage', 'Different symptom: only shared mailboxes are affected'],
          ['awaiting_handoff', undefined],
          ['escalated', undefined],
          ['resolved', undefined],
          ['escalated', 'Still broken for 12 users — 아직 안 됩니다'],
        ];
        for (const [i, [to, reason]] of steps.entries()) {
          // All at the same instant, so only insertion order can keep them in order.
          const moved = transition(current, to, { actor: i % 2 ? LEAD : ENGINEER, at: new Date(BASE_TIME), reason });
          current = await db.escalations.update(moved.escalation, current.version, [moved.event]);
          expected.push(moved.event);
        }
        const trail = await db.escalations.audit(escalation.id);
        assert.deepEqual(trail, expected);
        assert.equal(trail[0].from, null);
        assert.ok(!('reason' in trail[1]), 'no reason key when none was given');
        assert.equal(trail[2].reason, 'Different symptom: only shared mailboxes are affected');
        assert.deepEqual(trail[0].actor, ENGINEER);
        assert.ok(!('name' in trail[2].actor), 'actor round-trips without added keys');
        assert.equal(current.version, steps.length + 1);
      });

      it('stores several events of one update in the order given', async function () {
        const { escalation, event } = draft();
        const created = await db.escalations.create(escalation, [event]);
        const one = transition(created, 'triage', { actor: ENGINEER, at: new Date(BASE_TIME + 1) });
        const two = transition(one.escalation, 'not_warranted', { actor: ENGINEER, at: new Date(BASE_TIME + 2) });
        await db.escalations.update(two.escalation, 1, [one.event, two.event]);
        assert.deepEqual(await db.escalations.audit(escalation.id), [event, one.event, two.event]);
      });
    });

    describe('listing escalations', function () {
      const STATES: readonly EscalationState[] = ['draft', 'triage', 'escalated', 'resolved', 'closed'];

      /** 25 rows of one partner, two owners, three customers, five states, with ties in updatedAt. */
      async function seed(): Promise<{ partner: string; owners: string[]; customers: string[]; rows: Escalation[] }> {
        const partner = uid('partner');
        const owners = [uid('owner'), uid('owner')];
        const customers = [uid('customer'), uid('customer'), uid('customer')];
        const prefix = uid('list');
        const rows: Escalation[] = [];
        // Inserted out of order, so a list in insertion order would fail.
        for (let k = 0; k < 25; k++) {
          const i = (k * 7) % 25;
          const { escalation, event } = draft({
            id: `${prefix}-${String(i).padStart(3, '0')}`,
            partner,
            owner: owners[i % 2],
            customer: customers[i % 3],
            at: new Date(BASE_TIME + (i % 10) * 60_000),
          });
          const state = STATES[i % STATES.length];
          rows.push(await db.escalations.create({ ...escalation, state }, [{ ...event, to: state }]));
        }
        return { partner, owners, customers, rows };
      }

      it('pages through every filter with no repeats or gaps (page size 7)', async function () {
        const { partner, owners, customers, rows } = await seed();
        const cases: Array<[EscalationFilter, (e: Escalation) => boolean]> = [
          [{ partnerTenantId: partner }, () => true],
          [{ ownerId: owners[0] }, (e) => e.ownerId === owners[0]],
          [{ ownerId: owners[1] }, (e) => e.ownerId === owners[1]],
          [{ customerTenantId: customers[2] }, (e) => e.customer.tenantId === customers[2]],
          [{ partnerTenantId: partner, states: ['triage', 'resolved'] }, (e) => e.state === 'triage' || e.state === 'resolved'],
          [{ partnerTenantId: partner, states: ['closed'] }, (e) => e.state === 'closed'],
          [
            { partnerTenantId: partner, ownerId: owners[0], customerTenantId: customers[0], states: ['draft', 'escalated', 'closed'] },
            (e) => e.ownerId === owners[0] && e.customer.tenantId === customers[0] && ['draft', 'escalated', 'closed'].includes(e.state),
          ],
        ];
        for (const [filter, keep] of cases) {
          const expected = rows.filter(keep).sort(byListOrder);
          assert.ok(expected.length > 0, 'every case selects something');
          const listed = await listAll(db, filter, 7);
          assert.equal(new Set(listed.map((e) => e.id)).size, listed.length, 'no repeats');
          assert.deepEqual(listed, expected, `list ${JSON.stringify(filter)}`);
        }
      });

      it('returns a single page without a cursor when everything fits', async function () {
        const { partner, rows } = await seed();
        const page = await db.escalations.list({ partnerTenantId: partner, limit: 25 });
        assert.equal(page.items.length, 25);
        assert.equal(page.nextCursor, undefined);
        assert.deepEqual(page.items, [...rows].sort(byListOrder));
      });

      it('matches nothing for an empty states filter and for an unknown owner', async function () {
        const { partner } = await seed();
        assert.deepEqual(await db.escalations.list({ partnerTenantId: partner, states: [] }), { items: [] });
        assert.deepEqual(await db.escalations.list({ ownerId: uid('nobody') }), { items: [] });
      });

      it('orders by time, not by the text of the timestamp', async function () {
        const owner = uid('owner');
        const a = draft({ owner });
        const b = draft({ owner });
        // 12:30+02:00 is 10:30Z, earlier than 11:00Z although its text sorts later.
        await db.escalations.create({ ...a.escalation, updatedAt: '2024-05-01T11:00:00.000Z' }, [a.event]);
        await db.escalations.create({ ...b.escalation, updatedAt: '2024-05-01T12:30:00+02:00' }, [b.event]);
        const page = await db.escalations.list({ ownerId: owner });
        assert.deepEqual(page.items.map((e) => e.id), [a.escalation.id, b.escalation.id]);
        assert.equal(page.items[1].updatedAt, '2024-05-01T12:30:00+02:00', 'the record keeps the text it was given');
      });

      it('keeps the filter columns in step with updates', async function () {
        const { escalation, event } = draft();
        const created = await db.escalations.create(escalation, [event]);
        const newOwner = uid('owner');
        const moved = transition({ ...created, ownerId: newOwner }, 'triage', { actor: LEAD, at: new Date(BASE_TIME + 5000) });
        await db.escalations.update(moved.escalation, 1, [moved.event]);
        assert.deepEqual((await db.escalations.list({ ownerId: escalation.ownerId })).items, []);
        const page = await db.escalations.list({ ownerId: newOwner, states: ['triage'] });
        assert.deepEqual(page.items.map((e) => [e.id, e.version]), [[escalation.id, 2]]);
      });

      it('defaults to 50 rows a page and caps a page at 500', async function () {
        this.timeout(120_000);
        const partner = uid('partner');
        for (let i = 0; i < 505; i++) {
          const { escalation, event } = draft({ partner, at: new Date(BASE_TIME + i * 1000) });
          await db.escalations.create(escalation, [event]);
        }
        const first = await db.escalations.list({ partnerTenantId: partner });
        assert.equal(first.items.length, 50);
        assert.ok(first.nextCursor);
        const capped = await db.escalations.list({ partnerTenantId: partner, limit: 100_000 });
        assert.equal(capped.items.length, 500);
        assert.ok(capped.nextCursor);
        const rest = await db.escalations.list({ partnerTenantId: partner, limit: 500, cursor: capped.nextCursor });
        assert.equal(rest.items.length, 5);
        assert.equal(rest.nextCursor, undefined);
      });

      it('rejects a cursor it did not make', async function () {
        await assert.rejects(db.escalations.list({ cursor: 'not-a-cursor' }), RangeError);
        const foreign = Buffer.from(JSON.stringify({ page: 2 })).toString('base64url');
        await assert.rejects(db.escalations.list({ cursor: foreign }), RangeError);
      });
    });

    describe('documents', function () {
      it('reads only the keys that exist', async function () {
        const [a, b] = [uid('doc'), uid('doc')];
        assert.equal((await db.documents.read([])).size, 0);
        await db.documents.write([{ key: a, value: { n: 1 } }]);
        const found = await db.documents.read([a, b, a]);
        assert.deepEqual([...found.keys()], [a]);
        assert.deepEqual(found.get(a)?.value, { n: 1 });
      });

      it('gives every write a fresh eTag and overwrites with * or no eTag', async function () {
        const key = uid('doc');
        await db.documents.write([{ key, value: { step: 1 } }]);
        const first = (await db.documents.read([key])).get(key);
        assert.ok(first && typeof first.eTag === 'string' && first.eTag.length > 0);
        await db.documents.write([{ key, value: { step: 1 } }]);
        const second = (await db.documents.read([key])).get(key);
        assert.ok(second);
        assert.notEqual(second.eTag, first.eTag, 'same value, new eTag');
        await db.documents.write([{ key, value: { step: 2 }, eTag: '*' }]);
        const third = (await db.documents.read([key])).get(key);
        assert.deepEqual(third?.value, { step: 2 });
        assert.notEqual(third?.eTag, second.eTag);
      });

      it('writes with the current eTag and refuses a stale one', async function () {
        const key = uid('doc');
        await db.documents.write([{ key, value: { v: 1 } }]);
        const stale = (await db.documents.read([key])).get(key);
        assert.ok(stale);
        await db.documents.write([{ key, value: { v: 2 }, eTag: stale.eTag }]);
        const current = (await db.documents.read([key])).get(key);
        assert.ok(current);
        await assert.rejects(db.documents.write([{ key, value: { v: 3 }, eTag: stale.eTag }]), (error: unknown) => {
          assert.ok(error instanceof ETagConflictError);
          assert.equal(error.key, key);
          return true;
        });
        assert.deepEqual((await db.documents.read([key])).get(key), current);
      });

      it('treats a specific eTag for a missing document as a conflict', async function () {
        const key = uid('doc');
        await assert.rejects(db.documents.write([{ key, value: { v: 1 }, eTag: 'made-up' }]), ETagConflictError);
        assert.equal((await db.documents.read([key])).size, 0);
      });

      it('writes a batch all or nothing', async function () {
        const [fresh, guarded] = [uid('doc'), uid('doc')];
        await db.documents.write([{ key: guarded, value: { v: 1 } }]);
        const before = (await db.documents.read([guarded])).get(guarded);
        await assert.rejects(
          db.documents.write([
            { key: fresh, value: { v: 1 } },
            { key: guarded, value: { v: 2 }, eTag: 'stale' },
          ]),
          ETagConflictError,
        );
        assert.equal((await db.documents.read([fresh])).size, 0, 'the good write was rolled back');
        assert.deepEqual((await db.documents.read([guarded])).get(guarded), before);
      });

      it('deletes documents and ignores missing keys', async function () {
        const [a, b] = [uid('doc'), uid('doc')];
        await db.documents.write([
          { key: a, value: { v: 'a' } },
          { key: b, value: { v: 'b' } },
        ]);
        await db.documents.delete([a, uid('missing')]);
        await db.documents.delete([]);
        const left = await db.documents.read([a, b]);
        assert.deepEqual([...left.keys()], [b]);
      });

      it('round-trips nested values, unicode and a 1 MB string exactly', async function () {
        const key = uid('doc');
        const big = '가나다🚀abc'.repeat(Math.ceil((1024 * 1024) / 8)).slice(0, 1024 * 1024);
        const value = {
          big,
          nested: { list: [1, 'two', { three: [3, null, true, false] }, [], {}], depth: { a: { b: { c: 'd' } } } },
          unicode: '한국어 テスト Ελληνικά e\u0301 \u{1F600} \u0000 nul \ud800 lone',
          numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
          quote: 'a "quoted" \\ backslash\nnewline',
          dialogStack: [{ id: 'triage', state: { options: {}, values: { instanceId: 'x' } } }],
        };
        await db.documents.write([{ key, value }]);
        const stored = (await db.documents.read([key])).get(key);
        assert.ok(stored);
        assert.deepEqual(stored.value, value);
        assert.equal((stored.value as { big: string }).big.length, 1024 * 1024);
      });

      it('keeps a key with unusual characters distinct', async function () {
        const base = uid('doc');
        const keys = [`${base}/conversations/19:abc@thread.tacv2;messageid=1`, `${base}/Conversations/19:ABC`, `${base}/사용자`];
        await db.documents.write(keys.map((key, i) => ({ key, value: { i } })));
        const found = await db.documents.read(keys);
        assert.deepEqual(keys.map((k) => found.get(k)?.value), [{ i: 0 }, { i: 1 }, { i: 2 }]);
      });
    });

    describe('lifecycle', function () {
      it('keeps data across close and reopen', async function () {
        const first = await open();
        const { escalation, event } = draft();
        const key = uid('doc');
        await first.escalations.create(escalation, [event]);
        await first.documents.write([{ key, value: { kept: '네' } }]);
        await first.close();

        const second = await open();
        try {
          assert.deepEqual(await second.escalations.get(escalation.id), escalation);
          assert.deepEqual(await second.escalations.audit(escalation.id), [event]);
          assert.deepEqual((await second.documents.read([key])).get(key)?.value, { kept: '네' });
        } finally {
          await second.close();
        }
      });

      it('fails every call after close, and closing twice is harmless', async function () {
        const extra = await open();
        await extra.close();
        await extra.close();
        await assert.rejects(extra.ping());
        await assert.rejects(extra.escalations.get(uid('esc')));
        await assert.rejects(extra.documents.write([{ key: uid('doc'), value: {} }]));
      });
    });

    queuesContract(() => db);
    referencesContract(() => db);
    incidentsContract(() => db);
    tabQueriesContract(() => db);
  });
}
