/**
 * infra/azure.bicep, read as text (there is no Bicep compiler here): every app setting it sets
 * is one config.ts reads, none is a secret, and for each choice of sources the settings it
 * gives App Service start the bot as production needs it — a managed identity, PostgreSQL
 * without a password, the refresh token from Key Vault. Also: App Service runs what the bundle
 * and npm start say, the instance count is a parameter, and the bot is a UserAssignedMSI bot
 * in Teams.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { SETTING_NAMES, loadConfig } from '../../src/config';
import { startApp } from '../helpers/app';

const bicep = readFileSync(join(PROJECT_ROOT, 'infra', 'azure.bicep'), 'utf8');
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The text between an opening bracket at `open` and its partner. */
function enclosed(text: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  const closer = pairs[text[open] ?? ''];
  assert.ok(closer, `a bracket at ${open}`);
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (!quoted && c === '/' && text[i + 1] === '/') {
      // A comment runs to the end of its line; its apostrophes quote nothing.
      i = text.indexOf('\n', i);
      if (i < 0) break;
      continue;
    }
    if (c === "'" && text[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === text[open]) depth += 1;
    else if (c === closer && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced brackets');
}

/** A resource's body by its symbolic name. */
function resource(name: string): string {
  const at = bicep.search(new RegExp(`^(resource|module) ${name} `, 'm'));
  assert.ok(at >= 0, `resource ${name}`);
  return enclosed(bicep, bicep.indexOf('{', bicep.indexOf('=', at)));
}

/** The object literals of the app settings' `union(...)`, each with the condition that adds it (undefined: always). */
function appSettingGroups(): { condition?: string; entries: [string, string][] }[] {
  const body = resource('appSettings');
  const union = enclosed(body, body.indexOf('(', body.indexOf('union')));
  const groups: { condition?: string; entries: [string, string][] }[] = [];
  let rest = union;
  while (rest.includes('{')) {
    const open = rest.indexOf('{');
    const before = rest.slice(0, open).replace(/^[\s,]*|[\s?]*$/g, '');
    const literal = enclosed(rest, open);
    const entries = literal
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('//'))
      .map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
      });
    if (entries.length > 0) groups.push({ condition: before === '' ? undefined : before, entries });
    rest = rest.slice(open + literal.length + 2);
  }
  return groups;
}

/** A deployment's parameters, and what the resources' runtime properties come out as. */
interface Deployment {
  readonly healthSource: string;
  readonly directorySource: string;
  readonly supportSource: string;
  readonly graphClientId: string;
  readonly partnerCenterClientId: string;
}

const IDENTITY_CLIENT_ID = '0a0a0a0a-1111-4111-8111-111111111111';
const TENANT_ID = '0b0b0b0b-2222-4222-8222-222222222222';
const TAB_APP = '0c0c0c0c-3333-4333-8333-333333333333';
const GRAPH_APP = '0d0d0d0d-4444-4444-8444-444444444444';

/** The value of a Bicep expression used in the app settings, for one deployment. */
function evaluate(expression: string, d: Deployment): string {
  const graphApp = d.graphClientId;
  const known: Record<string, string> = {
    'identity.properties.clientId': IDENTITY_CLIENT_ID,
    'identity.properties.tenantId': TENANT_ID,
    'identity.name': 'deska1b2c3-id',
    'site.properties.defaultHostName': 'deska1b2c3.azurewebsites.net',
    'postgres.properties.fullyQualifiedDomainName': 'deska1b2c3-pg.postgres.database.azure.com',
    'vault.name': 'kvexample',
    databaseName: 'escalationdesk',
    refreshTokenSecretName: 'partner-center-refresh-token',
    tabSsoClientId: TAB_APP,
    partnerTenantId: TENANT_ID,
    extraTenants: '',
    healthSource: d.healthSource,
    directorySource: d.directorySource,
    supportSource: d.supportSource,
    graphApp,
    'empty(partnerCenterApp) ? graphApp : partnerCenterApp': d.partnerCenterClientId || graphApp,
  };
  if (expression in known) return known[expression] ?? '';
  const literal = /^'(.*)'$/.exec(expression);
  assert.ok(literal, `the test knows the Bicep expression ${expression}`);
  return (literal[1] ?? '').replace(/\$\{([^}]+)\}/g, (_m, inner: string) => evaluate(inner.trim(), d));
}

/** Whether a group's condition holds for a deployment. */
function holds(condition: string | undefined, d: Deployment): boolean {
  switch (condition) {
    case undefined:
      return true;
    case 'usesGraph':
      return d.healthSource === 'graph';
    case 'usesPartnerCenter':
      return d.directorySource === 'partnercenter' || d.supportSource === 'partnercenter';
    case "supportSource == 'partnercenter'":
      return d.supportSource === 'partnercenter';
    default:
      assert.fail(`the test knows the condition ${condition}`);
  }
}

/** The app settings App Service gets for a deployment. */
function appSettings(d: Deployment): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const group of appSettingGroups()) {
    if (holds(group.condition, d)) for (const [name, expression] of group.entries) settings[name] = evaluate(expression, d);
  }
  return settings;
}

const SANDBOX: Deployment = { healthSource: 'sandbox', directorySource: 'sandbox', supportSource: 'sandbox', graphClientId: '', partnerCenterClientId: '' };
const EVERYTHING_REAL: Deployment = { healthSource: 'graph', directorySource: 'partnercenter', supportSource: 'partnercenter', graphClientId: GRAPH_APP, partnerCenterClientId: '' };

describe('deploy: infra/azure.bicep', () => {
  it('sets only settings config.ts reads, and no secret', () => {
    const names = appSettingGroups().flatMap((g) => g.entries.map(([name]) => name));
    assert.ok(names.length >= 15);
    assert.deepEqual(names.filter((name) => !SETTING_NAMES.includes(name)), [], 'settings config.ts does not know');
    assert.deepEqual(names.filter((name) => /SECRET|PASSWORD/.test(name)), [], 'no client secret or password');
    const settings = appSettings(EVERYTHING_REAL);
    assert.match(settings.PARTNER_CENTER_REFRESH_TOKEN ?? '', /^@Microsoft\.KeyVault\(VaultName=kvexample;SecretName=partner-center-refresh-token\)$/, 'the one secret is a Key Vault reference');
  });

  it('with the sandboxes, starts the bot as a managed identity on PostgreSQL without a password', () => {
    const config = loadConfig({ env: appSettings(SANDBOX), dotenvPath: null });
    assert.equal(config.bot.appType, 'UserAssignedMSI');
    assert.equal(config.bot.appId, IDENTITY_CLIENT_ID);
    assert.equal(config.bot.localMode, false);
    assert.equal(config.bot.appPassword, undefined);
    assert.equal(config.publicHostname, 'deska1b2c3.azurewebsites.net');
    assert.equal(config.tabSsoClientId, TAB_APP);
    assert.equal(config.partnerTenantId, TENANT_ID);
    assert.equal(config.database.kind, 'postgres');
    assert.deepEqual(config.database.managedIdentity, { clientId: IDENTITY_CLIENT_ID, resource: 'https://ossrdbms-aad.database.windows.net' });
    assert.match(config.database.url, /^postgres:\/\/deska1b2c3-id@[^:]+:5432\/escalationdesk\?sslmode=verify-full$/);
  });

  it('with Graph and Partner Center, every app signs in with the managed identity’s federated credential', () => {
    const config = loadConfig({ env: appSettings(EVERYTHING_REAL), dotenvPath: null });
    const federated = { kind: 'managed-identity', managedIdentityClientId: IDENTITY_CLIENT_ID, audience: 'api://AzureADTokenExchange' };
    assert.deepEqual(config.graph, { clientId: GRAPH_APP, credential: federated });
    assert.deepEqual(config.partnerCenter, { clientId: GRAPH_APP, credential: federated });
    assert.equal(config.supportSource, 'partnercenter');
    assert.ok(config.support.refreshToken);
    const ownPartnerCenterApp = loadConfig({ env: appSettings({ ...EVERYTHING_REAL, partnerCenterClientId: TAB_APP }), dotenvPath: null });
    assert.equal(ownPartnerCenterApp.partnerCenter.clientId, TAB_APP);
  });

  it('App Service: Linux, Node 20, always on, HTTPS only, /readyz health check, npm start’s command line', async () => {
    const site = resource('site');
    assert.match(site, /kind: 'app,linux'/);
    assert.match(site, /linuxFxVersion: 'NODE\|20-lts'/);
    assert.match(site, /alwaysOn: true/);
    assert.match(site, /httpsOnly: true/);
    assert.match(site, /keyVaultReferenceIdentity: identity\.id/);
    assert.equal(/appCommandLine: '([^']+)'/.exec(site)?.[1], pkg.scripts.start, 'the command npm start runs');
    const path = /healthCheckPath: '([^']+)'/.exec(site)?.[1] ?? '';
    const app = await startApp();
    try {
      assert.equal((await fetch(`${app.url}${path}`)).status, 200, `the bot answers ${path}`);
    } finally {
      await app.stop();
    }
  });

  it('the instance count is a parameter that sizes the App Service plan', () => {
    assert.match(bicep, /^param instanceCount int = 1$/m);
    assert.match(resource('plan'), /capacity: instanceCount/);
    assert.match(resource('plan'), /reserved: true/, 'a Linux plan');
  });

  it('PostgreSQL accepts Microsoft Entra sign-in only; the identity is its administrator', () => {
    const postgres = resource('postgres');
    assert.match(postgres, /activeDirectoryAuth: 'Enabled'/);
    assert.match(postgres, /passwordAuth: 'Disabled'/);
    assert.doesNotMatch(postgres, /administratorLoginPassword/);
    assert.match(resource('postgresAdministrator'), /principalId: identity\.properties\.principalId/);
    const module = readFileSync(join(PROJECT_ROOT, 'infra', 'postgres-administrator.bicep'), 'utf8');
    assert.match(module, /principalType: 'ServicePrincipal'/);
  });

  it('Key Vault: RBAC, and the identity may read secrets', () => {
    assert.match(resource('vault'), /enableRbacAuthorization: true/);
    const role = resource('vaultSecretsUser');
    assert.match(role, /principalId: identity\.properties\.principalId/);
    assert.match(bicep, /var keyVaultSecretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'/);
  });

  it('Azure Bot: the managed identity is the bot (UserAssignedMSI), messaging at /api/messages, Teams channel on', () => {
    const bot = resource('bot');
    assert.match(bot, /msaAppType: 'UserAssignedMSI'/);
    assert.match(bot, /msaAppId: identity\.properties\.clientId/);
    assert.match(bot, /msaAppMSIResourceId: identity\.id/);
    assert.match(bot, /msaAppTenantId: identity\.properties\.tenantId/);
    assert.match(bot, /endpoint: 'https:\/\/\$\{site\.properties\.defaultHostName\}\/api\/messages'/);
    assert.match(resource('teamsChannel'), /channelName: 'MsTeamsChannel'/);
  });
});
