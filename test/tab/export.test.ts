/** The audit export reads the audit trails a few at a time, however many escalations it holds. */
import { strict as assert } from 'node:assert';
import { setImmediate as tick } from 'node:timers/promises';
import sinon from 'sinon';
import { createEscalation } from '../../src/domain/escalation';
import { CONTOSO, ENGINEER, PARTNER, startTabServer, type TabServer } from './fixtures';

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
