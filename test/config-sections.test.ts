/** Each source's section of the configuration carries what that source needs. */
import { strict as assert } from 'node:assert';
import { loadConfig } from '../src/config';

const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
const APP = '11111111-2222-3333-4444-555555555555';
const PARTNER = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('config sections per source', () => {
  it('sandboxes: no apps, the sandbox schedule, local mode without an app id', () => {
    const c = load({ SANDBOX_ATTENTION_AFTER_SECONDS: '5', SANDBOX_CLOSE_AFTER_SECONDS: '9' });
    assert.deepEqual([c.health.source, c.health.app], ['sandbox', undefined]);
    assert.deepEqual([c.directory.source, c.directory.app, c.directory.partnerTenantId], ['sandbox', undefined, undefined]);
    assert.deepEqual(c.support, { source: 'sandbox', schedule: { attentionAfterMs: 5_000, closeAfterMs: 9_000 } });
    assert.deepEqual([c.bot.localMode, c.bot.appId], [true, undefined]);
  });

  it('Graph and Partner Center: each section names its app, the partner tenant and the refresh token', () => {
    const c = load({
      HEALTH_SOURCE: 'graph',
      DIRECTORY_SOURCE: 'partnercenter',
      SUPPORT_SOURCE: 'partnercenter',
      GRAPH_CLIENT_ID: APP,
      GRAPH_CLIENT_SECRET: 'graph-secret',
      PARTNER_TENANT_ID: PARTNER,
      PARTNER_CENTER_REFRESH_TOKEN: 'refresh',
    });
    const app = { clientId: APP, credential: { kind: 'secret', secret: 'graph-secret' } };
    assert.ok(c.health.source === 'graph');
    assert.deepEqual(c.health.app, app);
    assert.ok(c.directory.source === 'partnercenter');
    assert.deepEqual([c.directory.app, c.directory.partnerTenantId], [app, PARTNER]);
    assert.deepEqual(c.support, { source: 'partnercenter', partnerTenantId: PARTNER, ...app, refreshToken: 'refresh' });
    assert.deepEqual(load({ SUPPORT_SOURCE: 'manual' }).support, { source: 'manual' });
  });
});
