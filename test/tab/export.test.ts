/** The audit export reads the audit trails a few at a time, however many escalations it holds. */
import { strict as assert } from 'node:assert';
import { setImmediate as tick } from 'node:timers/promises';
import sinon from 'sinon';
import { createEscalation } from '../../src/domain/escalation';
import { parse as parseCsv } from 'csv-parse/sync';
import { CONTOSO, ENGINEER, FABRIKAM, PARTNER, incidentRecord, startTabServer, type TabServer } from './fixtures';

describe('tab audit export: bounded audit reads', () => {
  let tab: TabServer | undefined;
  afterEach(async () => {
    sinon.restore();
    await tab?.stop();
    tab = undefined;
  });

  it('exports 120 escalations with their trails while never reading more than 8 trails at once', async () => {
    tab = await startTabServer({ mode: 'development' });
    const store = tab.database.escalations;
    for (let i = 0; i < 120; i++) {
      const { escalation, event } = createEscalation(
        {
          id: `esc-bulk-${String(i).padStart(3, '0')}`,
          partnerTenantId: PARTNER,
          ownerId: ENGINEER.id,
          customer: { tenantId: CONTOSO, name: 'Contoso Ltd' },
          service: 'Exchange Online',
          title: `Bulk ${i}`,
          description: 'Seeded for the export.',
        },
        ENGINEER,
        new Date(Date.UTC(2025, 2, 10, 10, 0, i)),
      );
      await store.create(escalation, [event]);
    }
    const readAudit = store.audit.bind(store);
    let inFlight = 0;
    let most = 0;
    sinon.stub(store, 'audit').callsFake(async (id: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await tick();
        return await readAudit(id);
      } finally {
        inFlight--;
      }
    });

    const res = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=json`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { escalations: { escalation: { id: string }; audit: { to: string }[] }[] };
    assert.equal(body.escalations.length, 122, 'the 120 and the two seeded Contoso escalations');
    assert.ok(body.escalations.every((r) => r.audit.length >= 1 && r.audit[0]?.to === 'draft'), 'each with its trail');
    assert.ok(most >= 2, 'trails are read in parallel');
    assert.ok(most <= 8, `at most 8 trail reads at once (saw ${most})`);
  });
});

describe('tab audit export: the incidents that affected the customer', () => {
  let tab: TabServer | undefined;
  afterEach(async () => {
    await tab?.stop();
    tab = undefined;
  });

  it('holds each incident with this customer\u2019s entry only (seen, told by whom), in JSON and as the incidents\u2019 CSV, formula-escaped', async () => {
    tab = await startTabServer({ mode: 'development' });
    const seen = { firstSeenAt: '2026-12-05T08:10:00.000Z', lastSeenAt: '2026-12-05T09:00:00.000Z' };
    await tab.database.incidents.save({
      incident: incidentRecord({
        id: 'EX500001',
        title: '=HYPERLINK("https://evil.example","x")',
        customers: [
          { tenantId: FABRIKAM, name: 'Fabrikam (someone else)', ...seen },
          { tenantId: CONTOSO, name: 'Contoso Ltd', ...seen, told: { by: { id: 'u1', name: '@Ada' }, at: '2026-12-05T10:00:00.000Z' } },
        ],
      }),
      expectedVersion: 0,
      card: undefined,
    });
    await tab.database.incidents.save({
      incident: incidentRecord({ id: 'EX500002', resolved: true, resolvedAt: '2026-12-06T00:00:00.000Z', updatedAt: '2026-12-06T00:00:00.000Z', customers: [{ tenantId: CONTOSO, name: 'Contoso Ltd', ...seen }] }),
      expectedVersion: 0,
      card: undefined,
    });
    await tab.database.incidents.save({ incident: incidentRecord({ id: 'EX500003', customers: [{ tenantId: FABRIKAM, name: 'Fabrikam', ...seen }] }), expectedVersion: 0, card: undefined });

    const json = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=json`);
    const body = (await json.json()) as { escalations: unknown[]; incidents: { id: string; resolved: boolean; customer: { name: string; told?: unknown } }[] };
    assert.equal(body.escalations.length, 2);
    assert.deepEqual(body.incidents.map((i) => [i.id, i.resolved, i.customer.told]), [
      ['EX500002', true, undefined],
      ['EX500001', false, { at: '2026-12-05T10:00:00.000Z', by: '@Ada' }],
    ]);
    assert.ok(!JSON.stringify(body).includes('someone else'), 'another customer of the incident is not in this customer\u2019s export');

    const csv = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=csv&section=incidents`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-disposition'), `attachment; filename="incidents-${CONTOSO}.csv"`);
    const rows = parseCsv<Record<string, string>>(await csv.text(), { columns: true });
    assert.deepEqual(rows.map((r) => [r.incidentId, r.customer, r.toldAt, r.toldBy, r.title]), [
      ['EX500002', 'Contoso Ltd', '', '', 'Mail delayed for some users'],
      ['EX500001', 'Contoso Ltd', '2026-12-05T10:00:00.000Z', "'@Ada", '\'=HYPERLINK("https://evil.example","x")'],
    ]);
    const escalationsCsv = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=csv`);
    assert.match((await escalationsCsv.text()).split('\n')[0] ?? '', /^escalationId,/);
    assert.equal((await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=csv&section=other`)).status, 400);
  });
});
