import { strict as assert } from 'node:assert';
import { ConfigError, DEFAULT_DATABASE_URL, isLoopbackHost, loadConfig } from '../src/config';

const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
const refusal = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('expected start-up to be refused');
};

describe('config', () => {
  it('defaults: local mode, public cloud, SQLite under ./data, sandboxes', () => {
    const c = load({});
    assert.equal(c.port, 3978);
    assert.equal(c.bot.localMode, true);
    assert.equal(c.cloud, 'public');
    assert.equal(c.endpoints.graph, 'https://graph.microsoft.com');
    assert.equal(c.endpoints.login, 'https://login.microsoftonline.com');
    assert.deepEqual(c.endpoints.botFramework, {});
    assert.equal(c.database.url, DEFAULT_DATABASE_URL);
    assert.equal(c.database.kind, 'sqlite');
    assert.equal(c.healthSource, 'sandbox');
    assert.equal(c.supportSource, 'sandbox');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.database.sqliteSynchronous, 'normal');
    assert.equal(c.tracking.ambiguousResend, true);
  });

  it('durability settings: SQLITE_SYNCHRONOUS and OUTBOX_AMBIGUOUS_RESEND', () => {
    const c = load({ SQLITE_SYNCHRONOUS: 'full', OUTBOX_AMBIGUOUS_RESEND: 'off' });
    assert.equal(c.database.sqliteSynchronous, 'full');
    assert.equal(c.tracking.ambiguousResend, false);
    assert.throws(() => load({ SQLITE_SYNCHRONOUS: 'off' }), /SQLITE_SYNCHRONOUS/);
  });

  it('each cloud selects its Entra, Graph and Bot Framework endpoints', () => {
    assert.equal(load({ CLOUD: 'gcchigh' }).endpoints.graph, 'https://graph.microsoft.us');
    assert.equal(load({ CLOUD: 'gcchigh' }).endpoints.botFramework.ChannelService, 'https://botframework.azure.us');
    assert.equal(load({ CLOUD: 'dod' }).endpoints.graph, 'https://dod-graph.microsoft.us');
    assert.equal(load({ CLOUD: 'DoD' }).endpoints.login, 'https://login.microsoftonline.us');
    const china = load({ CLOUD: 'china' });
    assert.equal(china.endpoints.graph, 'https://microsoftgraph.chinacloudapi.cn');
    assert.equal(china.endpoints.login, 'https://login.chinacloudapi.cn');
    assert.equal(china.endpoints.serviceRequestsAvailable, false);
    assert.equal(china.endpoints.botFramework.ToBotFromChannelTokenIssuer, 'https://api.botframework.azure.cn');
  });

  it('per-endpoint overrides win over the cloud table', () => {
    const c = load({ GRAPH_ENDPOINT: 'http://127.0.0.1:9999/', LOGIN_ENDPOINT: 'http://127.0.0.1:9998' });
    assert.equal(c.endpoints.graph, 'http://127.0.0.1:9999');
    assert.equal(c.endpoints.login, 'http://127.0.0.1:9998');
  });

  it('CLOUD=germany stops start-up and says why', () => {
    const m = refusal({ CLOUD: 'germany' });
    assert.match(m, /CLOUD/);
    assert.match(m, /2021-10-29/);
    assert.match(m, /CLOUD=public/);
  });

  it('an unknown value names the variable and the allowed values', () => {
    assert.match(refusal({ CLOUD: 'mars' }), /CLOUD.*public \| gcchigh \| dod \| china/);
    assert.match(refusal({ HEALTH_SOURCE: 'crystal-ball' }), /HEALTH_SOURCE.*sandbox \| graph/);
    assert.match(refusal({ SUPPORT_SOURCE: 'x' }), /SUPPORT_SOURCE.*sandbox \| manual \| partnercenter/);
    assert.match(refusal({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
    assert.match(refusal({ PORT: 'eighty' }), /PORT.*whole number/);
    assert.match(refusal({ PORT: '70000' }), /PORT/);
    assert.match(refusal({ MicrosoftAppId: 'not-a-guid' }), /MicrosoftAppId.*GUID/);
    assert.match(refusal({ GRAPH_ENDPOINT: 'graph' }), /GRAPH_ENDPOINT.*URL/);
  });

  it('a malformed DATABASE_URL stops start-up with a specific message', () => {
    assert.match(refusal({ DATABASE_URL: 'postgres://' }), /^Invalid setting DATABASE_URL: .*names no PostgreSQL host/);
    assert.match(refusal({ DATABASE_URL: 'postgres://u:p@h/a/b' }), /DATABASE_URL: .*single database name/);
    assert.match(refusal({ DATABASE_URL: 'mysql://localhost/db' }), /DATABASE_URL: .*"mysql:" is not supported/);
    assert.match(refusal({ DATABASE_URL: 'sqlite:' }), /DATABASE_URL: .*names no file/);
    assert.ok(!refusal({ DATABASE_URL: 'postgres://u:hunter2@h/a/b' }).includes('hunter2'), 'never repeats the password');
    assert.equal(load({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/test' }).database.kind, 'postgres');
    assert.equal(load({ DATABASE_URL: './x.db' }).database.kind, 'sqlite');
  });

  it('an app id turns local mode off and needs its password (and tenant for single tenant)', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    assert.match(refusal({ MicrosoftAppId: id }), /MicrosoftAppPassword/);
    assert.match(refusal({ MicrosoftAppId: id, MicrosoftAppPassword: 's' }), /MicrosoftAppTenantId.*SingleTenant \(the default/);
    const multi = { MicrosoftAppId: id, MicrosoftAppPassword: 's', MicrosoftAppType: 'MultiTenant' };
    assert.match(refusal(multi), /PUBLIC_HOSTNAME/);
    assert.match(refusal({ ...multi, PUBLIC_HOSTNAME: 'desk.example.com' }), /PARTNER_TENANT_ID/);
    const c = load({ ...multi, PUBLIC_HOSTNAME: 'desk.example.com', PARTNER_TENANT_ID: id });
    assert.equal(c.bot.localMode, false);
  });

  it('tenant settings: lower-cased; ALLOWED_TENANTS is a GUID list or * alone (any tenant)', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const auth = { MicrosoftAppId: id, MicrosoftAppPassword: 's', MicrosoftAppTenantId: id, PUBLIC_HOSTNAME: 'desk.example.com' };
    const upper = load({ ...auth, PARTNER_TENANT_ID: '72F988BF-86F1-41AF-91AB-2D7CD011DB47', ALLOWED_TENANTS: ' AAAAAAAA-0000-4000-8000-00000000000A ,aaaaaaaa-0000-4000-8000-00000000000a, bbbbbbbb-0000-4000-8000-00000000000b' });
    assert.equal(upper.partnerTenantId, '72f988bf-86f1-41af-91ab-2d7cd011db47');
    assert.deepEqual(upper.allowedTenants, ['aaaaaaaa-0000-4000-8000-00000000000a', 'bbbbbbbb-0000-4000-8000-00000000000b']);
    assert.equal(upper.allowAnyTenant, false);
    const fromAppTenant = load({ ...auth, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'CCCCCCCC-0000-4000-8000-00000000000C' });
    assert.equal(fromAppTenant.partnerTenantId, 'cccccccc-0000-4000-8000-00000000000c');
    const any = load({ ...auth, PARTNER_TENANT_ID: id, ALLOWED_TENANTS: ' * ' });
    assert.equal(any.allowAnyTenant, true);
    assert.deepEqual(any.allowedTenants, []);
    assert.equal(load({}).allowAnyTenant, false);
    assert.deepEqual(load({}).allowedTenants, []);
    assert.match(refusal({ ALLOWED_TENANTS: `*,${id}` }), /^Invalid setting ALLOWED_TENANTS: expected comma-separated tenant GUIDs, or \* alone/);
    assert.match(refusal({ ALLOWED_TENANTS: 'contoso.com' }), /^Invalid setting ALLOWED_TENANTS: expected comma-separated tenant GUIDs, or \* alone/);
  });

  it('HOST: this machine only in local mode, every interface with an app id, and an explicit HOST wins', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const hosted = { MicrosoftAppId: id, MicrosoftAppPassword: 's', MicrosoftAppTenantId: id, PUBLIC_HOSTNAME: 'desk.example.com', PARTNER_TENANT_ID: id };
    assert.equal(load({}).host, '127.0.0.1');
    assert.equal(load({ HOST: ' ' }).host, '127.0.0.1');
    assert.equal(load(hosted).host, '0.0.0.0');
    assert.equal(load({ HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(load({ ...hosted, HOST: '10.0.0.4' }).host, '10.0.0.4');
    assert.deepEqual(
      ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '10.0.0.4', 'desk.example.com'].filter(isLoopbackHost),
      ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]'],
    );
  });

  it('CUSTOMER_TYPEAHEAD: off in local mode (the Playground cannot search), on with an app id, and an explicit value wins', () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const hosted = { MicrosoftAppId: id, MicrosoftAppPassword: 's', MicrosoftAppTenantId: id, PUBLIC_HOSTNAME: 'desk.example.com', PARTNER_TENANT_ID: id };
    assert.equal(load({}).customerTypeahead, false);
    assert.equal(load({ CUSTOMER_TYPEAHEAD: ' ' }).customerTypeahead, false);
    assert.equal(load(hosted).customerTypeahead, true);
    assert.equal(load({ CUSTOMER_TYPEAHEAD: 'On' }).customerTypeahead, true);
    assert.equal(load({ ...hosted, CUSTOMER_TYPEAHEAD: 'off' }).customerTypeahead, false);
    assert.equal(refusal({ CUSTOMER_TYPEAHEAD: 'yes' }), 'Invalid setting CUSTOMER_TYPEAHEAD: expected one of on | off');
  });

  it('reads .env where the environment has no value, and the environment wins', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ed-config-'));
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=4000\nCLOUD=dod\n');
    const c = loadConfig({ env: { CLOUD: 'gcchigh' }, dotenvPath: path.join(dir, '.env') });
    assert.equal(c.port, 4000);
    assert.equal(c.cloud, 'gcchigh');
  });
});
