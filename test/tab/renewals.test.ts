/** The tab's GDAP renewals: relationships ending within 30 days that do not extend themselves. */
import { strict as assert } from 'node:assert';
import type { GdapRelationship } from '../../src/domain/access';
import { ManualClock } from '../../src/domain/clock';
import { startApp } from '../helpers/app';
import { CONTOSO, FABRIKAM, NORTHWIND, startTabServer, type TabServer } from './fixtures';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const inDays = (days: number): string => new Date(NOW + days * 86_400_000).toISOString();

function relationship(id: string, customerTenantId: string, over: Partial<GdapRelationship> = {}): GdapRelationship {
  return { id, displayName: `${id} support`, customerTenantId, status: 'active', roleIds: [], ...over };
}

const RELATIONSHIPS: readonly GdapRelationship[] = [
  relationship('later', CONTOSO, { endDateTime: inDays(12.5) }),
  relationship('soon', FABRIKAM, { endDateTime: inDays(2) }),
  relationship('unknown-name', NORTHWIND, { endDateTime: inDays(30) }),
  relationship('far', CONTOSO, { endDateTime: inDays(31) }),
  relationship('extends', CONTOSO, { endDateTime: inDays(5), autoExtendDuration: 'P180D' }),
  relationship('ended', CONTOSO, { endDateTime: inDays(-1) }),
  relationship('pending', CONTOSO, { status: 'approvalPending', endDateTime: inDays(5) }),
];

const NAMES: Record<string, string> = { [CONTOSO]: 'Contoso Ltd', [FABRIKAM]: 'Fabrikam, Inc.' };

describe('tab API: GDAP renewals', () => {
  let tab: TabServer | undefined;
  afterEach(async () => {
    await tab?.stop();
    tab = undefined;
  });

  const renewals = async (path = '/api/access/renewals') => {
    const res = await fetch(`${tab?.url}${path}`);
    return { status: res.status, body: (await res.json()) as { renewals?: unknown[]; code?: string } };
  };

  it('lists the active relationships ending within 30 days without auto-extend, soonest first, with the customer\u2019s name', async () => {
    tab = await startTabServer(
      { mode: 'development' },
      {
        clock: new ManualClock(new Date(NOW)),
        access: { listRelationships: () => Promise.resolve({ value: RELATIONSHIPS, fetchedAt: new Date(NOW).toISOString(), stale: false }) },
        directory: { get: (tenantId) => Promise.resolve(NAMES[tenantId] ? { tenantId, companyName: NAMES[tenantId] ?? '', domain: 'x.example' } : undefined) },
      },
    );
    const res = await renewals();
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.renewals, [
      { customer: { tenantId: FABRIKAM, name: 'Fabrikam, Inc.' }, relationship: 'soon support', endsAt: inDays(2), daysLeft: 2, autoExtend: false },
      { customer: { tenantId: CONTOSO, name: 'Contoso Ltd' }, relationship: 'later support', endsAt: inDays(12.5), daysLeft: 13, autoExtend: false },
      { customer: { tenantId: NORTHWIND, name: NORTHWIND }, relationship: 'unknown-name support', endsAt: inDays(30), daysLeft: 30, autoExtend: false },
    ]);
  });

  it('is empty without access wiring, and 503 (no reason given to the page) when GDAP cannot be read', async () => {
    tab = await startTabServer({ mode: 'development' });
    assert.deepEqual((await renewals()).body, { renewals: [] });
    await tab.stop();
    tab = await startTabServer({ mode: 'development' }, { access: { listRelationships: () => Promise.reject(new Error('403 from Graph: DelegatedAdminRelationship.Read.All')) } });
    const failed = await renewals();
    assert.equal(failed.status, 503);
    assert.equal(failed.body.code, 'AccessUnavailable');
    assert.ok(!JSON.stringify(failed.body).includes('DelegatedAdminRelationship'));
  });

  it('reads the app\u2019s own access provider: the sandbox\u2019s Fabrikam relationship ends in 10 days', async () => {
    const running = await startApp({ WORKERS: 'off' });
    try {
      const res = await fetch(`${running.url}/api/access/renewals`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { renewals: { customer: { name: string }; relationship: string; daysLeft: number }[] };
      assert.deepEqual(body.renewals.map((r) => [r.customer.name, r.relationship, r.daysLeft]), [['Fabrikam, Inc.', 'Fabrikam support', 10]]);
    } finally {
      await running.stop();
    }
  });
});
