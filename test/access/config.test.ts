/** The settings of access readiness and the response clocks (issue 16), as config.ts reads them. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
const folder = mkdtempSync(join(tmpdir(), 'ed-targets-'));
let files = 0;

/** Writes a targets file (JSON, or text as given) and returns its path. */
function targetsFile(content: unknown): string {
  const path = join(folder, `targets-${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const APP = '55555555-5555-4555-8555-555555555555';
const PARTNER = '22222222-2222-4222-8222-222222222222';

describe('config: access readiness and response clocks', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('defaults: the sandbox, 10 minutes of cache, nobody may grant consent, Sev A/B/C 2/4/8 h, 48 h for the partner', () => {
    const c = load({});
    assert.deepEqual(c.access, { source: 'sandbox', cacheMs: 600_000, consentAdminGroupId: undefined });
    assert.deepEqual(c.responseClocks, { supportPlan: { critical: 2, moderate: 4, minimal: 8 }, partnerTargetHours: 48, partnerTargetOverrides: {} });
  });

  it('reads a plan, a target, an admin group and a cache time', () => {
    const group = 'ABCDEF01-2345-4678-9ABC-DEF012345678';
    const c = load({ SUPPORT_PLAN_RESPONSE_HOURS: 'critical=1,moderate=2', PARTNER_RESPONSE_TARGET_HOURS: '24', CONSENT_ADMIN_GROUP_ID: group, ACCESS_CACHE_SECONDS: '60' });
    assert.deepEqual(c.responseClocks, { supportPlan: { critical: 1, moderate: 2, minimal: 8 }, partnerTargetHours: 24, partnerTargetOverrides: {} });
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

  it('reads per-customer targets from PARTNER_RESPONSE_TARGETS_FILE (tenant ids lower-cased, a $comment ignored)', () => {
    const file = targetsFile({ $comment: 'premier customers', [PARTNER.toUpperCase()]: 12, [APP]: 7.5 });
    assert.deepEqual(load({ PARTNER_RESPONSE_TARGETS_FILE: file }).responseClocks.partnerTargetOverrides, { [PARTNER]: 12, [APP]: 7.5 });
  });

  const badFiles: Array<[string, unknown, RegExp]> = [
    ['a missing file', undefined, /cannot read the file/],
    ['text that is not JSON', '{not json', /is not JSON/],
    ['a list', [1, 2], /expected an object of customer tenant id/],
    ['a key that is no tenant id', { contoso: 12 }, /"contoso" .* is not a customer tenant id/],
    ['hours of zero', { [APP]: 0 }, /must be a number above 0 and at most 720/],
    ['hours as text', { [APP]: '12' }, /must be a number above 0/],
    ['more than 30 days', { [APP]: 721 }, /at most 720/],
  ];
  for (const [name, content, message] of badFiles) {
    it(`stops start-up on a PARTNER_RESPONSE_TARGETS_FILE with ${name}, naming the setting`, () => {
      const file = content === undefined ? join(tmpdir(), `ed-no-such-${process.pid}.json`) : targetsFile(content);
      assert.throws(
        () => load({ PARTNER_RESPONSE_TARGETS_FILE: file }),
        (e: unknown) => e instanceof ConfigError && /^Invalid setting PARTNER_RESPONSE_TARGETS_FILE: /.test(e.message) && message.test(e.message),
      );
    });
  }

  it('ACCESS_SOURCE=graph reads GDAP with the Graph app in the partner tenant', () => {
    const c = load({ ACCESS_SOURCE: 'graph', GRAPH_CLIENT_ID: APP, GRAPH_CLIENT_SECRET: 's', PARTNER_TENANT_ID: PARTNER });
    assert.equal(c.access.source, 'graph');
    assert.equal(c.graph.clientId, APP);
    assert.equal(c.partnerTenantId, PARTNER);
  });
});
