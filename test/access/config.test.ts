/** The settings of access readiness and the response clocks (issue 16), as config.ts reads them. */
import { strict as assert } from 'node:assert';
import { ConfigError, loadConfig } from '../../src/config';

const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
const APP = '55555555-5555-4555-8555-555555555555';
const PARTNER = '22222222-2222-4222-8222-222222222222';

describe('config: access readiness and response clocks', () => {
  it('defaults: the sandbox, 10 minutes of cache, nobody may grant consent, Sev A/B/C 2/4/8 h, 48 h for the partner', () => {
    const c = load({});
    assert.deepEqual(c.access, { source: 'sandbox', cacheMs: 600_000, consentAdminGroupId: undefined });
    assert.deepEqual(c.responseClocks, { supportPlan: { critical: 2, moderate: 4, minimal: 8 }, partnerTargetHours: 48 });
  });

  it('reads a plan, a target, an admin group and a cache time', () => {
    const group = 'ABCDEF01-2345-4678-9ABC-DEF012345678';
    const c = load({ SUPPORT_PLAN_RESPONSE_HOURS: 'critical=1,moderate=2', PARTNER_RESPONSE_TARGET_HOURS: '24', CONSENT_ADMIN_GROUP_ID: group, ACCESS_CACHE_SECONDS: '60' });
    assert.deepEqual(c.responseClocks, { supportPlan: { critical: 1, moderate: 2, minimal: 8 }, partnerTargetHours: 24 });
    assert.equal(c.access.consentAdminGroupId, group.toLowerCase());
    assert.equal(c.access.cacheMs, 60_000);
  });

  const refusals: Array<[Record<string, string>, RegExp]> = [
    [{ SUPPORT_PLAN_RESPONSE_HOURS: 'sevA=2' }, /^Invalid setting SUPPORT_PLAN_RESPONSE_HOURS: expected severity=hours pairs/],
    [{ SUPPORT_PLAN_RESPONSE_HOURS: 'critical=0' }, /^Invalid setting SUPPORT_PLAN_RESPONSE_HOURS: expected critical hours above 0/],
    [{ PARTNER_RESPONSE_TARGET_HOURS: '0' }, /^Invalid setting PARTNER_RESPONSE_TARGET_HOURS/],
    [{ CONSENT_ADMIN_GROUP_ID: 'Helpdesk admins' }, /^Invalid setting CONSENT_ADMIN_GROUP_ID: expected a GUID/],
    [{ ACCESS_SOURCE: 'partnercenter' }, /^Invalid setting ACCESS_SOURCE: expected one of sandbox \| graph/],
    [{ ACCESS_CACHE_SECONDS: '0' }, /^Invalid setting ACCESS_CACHE_SECONDS/],
    [{ ACCESS_SOURCE: 'graph' }, /^Invalid setting ACCESS_SOURCE: ACCESS_SOURCE=graph needs PARTNER_TENANT_ID, GRAPH_CLIENT_ID/],
    [{ ACCESS_SOURCE: 'graph', GRAPH_CLIENT_ID: APP, GRAPH_CLIENT_SECRET: 's' }, /PARTNER_TENANT_ID/],
  ];
  for (const [env, message] of refusals) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(() => load(env), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }

  it('ACCESS_SOURCE=graph reads GDAP with the Graph app in the partner tenant', () => {
    const c = load({ ACCESS_SOURCE: 'graph', GRAPH_CLIENT_ID: APP, GRAPH_CLIENT_SECRET: 's', PARTNER_TENANT_ID: PARTNER });
    assert.equal(c.access.source, 'graph');
    assert.equal(c.graph.clientId, APP);
    assert.equal(c.partnerTenantId, PARTNER);
  });
});
