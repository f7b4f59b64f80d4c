/**
 * No secrets where Azure has identities: the bot as a user-assigned managed identity, the
 * Graph and Partner Center apps with a certificate or a federated credential that trusts the
 * managed identity, PostgreSQL signed in with the identity's token. Every token comes from a
 * local double of App Service's identity endpoint or of Entra, which checks the proof.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import type sinon from 'sinon';
import { loadConfig, ConfigError } from '../../src/config';
import { AppTokenError, MsalAppTokenSource } from '../../src/http/app-token';
import { openDatabase } from '../../src/store';
import { RefreshTokenSource } from '../../src/support';
import { systemClock } from '../../src/domain/clock';
import { HttpDouble, runLogger } from '../http/helpers/http-double';
import { message, PARTNER_TENANT } from '../helpers/activities';
import { ConnectorDouble } from '../helpers/connector-double';
import { startAppWith } from '../hardening/support';
import type { RunningApp } from '../helpers/app';
import { rememberSecret } from '../helpers/run-log';
import { AppServiceIdentityDouble, EntraAssertionDouble, fixtureCertificate } from './helpers/identity';

const TENANT = '33333333-3333-4333-8333-333333333333';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const CHANNEL_ISSUER = 'https://api.botframework.com';

/** A fresh GUID per test: MSAL keeps managed identity tokens process-wide, per identity. */
const newId = () => randomUUID();

describe('deploy: the bot as a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI)', function () {
  this.timeout(30_000);
  let identity: AppServiceIdentityDouble;
  let env: sinon.SinonSandbox;
  let oidc: HttpDouble;
  let signingKey: KeyLike;
  let connector: ConnectorDouble;
  let app: RunningApp | undefined;

  before(async () => {
    identity = await AppServiceIdentityDouble.shared();
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'channel-key', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
    oidc = await HttpDouble.start((req, double) =>
      req.url === '/v1/.well-known/openidconfiguration'
        ? { json: { issuer: CHANNEL_ISSUER, jwks_uri: `${double.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] } }
        : req.url === '/v1/.well-known/keys'
          ? { json: { keys: [jwk] } }
          : { status: 404 },
    );
    connector = await new ConnectorDouble().start();
    env = identity.install();
  });
  after(async () => {
    env.restore();
    await app?.stop();
    await Promise.all([oidc.close(), connector.stop()]);
  });

  it('answers a Teams message with a reply authorized by the identity’s token from App Service’s endpoint', async () => {
    const botId = newId();
    app = await startAppWith(
      {
        MicrosoftAppId: botId,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: TENANT,
        PUBLIC_HOSTNAME: 'desk.example.com',
        PARTNER_TENANT_ID: PARTNER_TENANT,
        TAB_SSO_CLIENT_ID: newId(),
        WORKERS: 'off',
      },
      {
        ToBotFromChannelOpenIdMetadataUrl: `${oidc.url}/v1/.well-known/openidconfiguration`,
        ToBotFromEmulatorOpenIdMetadataUrl: `${oidc.url}/v1/.well-known/openidconfiguration`,
        ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
        ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
        ToChannelFromBotOAuthScope: 'https://api.botframework.com',
        ValidateAuthority: 'true',
      },
    );
    const now = Math.floor(Date.now() / 1000);
    const channelToken = await new SignJWT({ serviceurl: connector.url })
      .setProtectedHeader({ alg: 'RS256', kid: 'channel-key', typ: 'JWT' })
      .setIssuer(CHANNEL_ISSUER)
      .setAudience(botId)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + 3600)
      .sign(signingKey);
    rememberSecret(channelToken);

    const res = await app.post('/api/messages', message('help', { serviceUrl: connector.url }), { authorization: `Bearer ${channelToken}` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await connector.waitForSent(1);
    assert.equal(connector.calls[0]?.authorization, `Bearer ${AppServiceIdentityDouble.tokenFor(botId, 'https://api.botframework.com')}`);
    assert.deepEqual(identity.issued(), [{ clientId: botId, resource: 'https://api.botframework.com', apiVersion: '2019-08-01' }]);
  });
});

describe('deploy: Graph and Partner Center apps without a client secret', function () {
  this.timeout(30_000);
  let identity: AppServiceIdentityDouble;
  let env: sinon.SinonSandbox;
  let entra: EntraAssertionDouble | undefined;
  before(async () => {
    identity = await AppServiceIdentityDouble.shared();
    env = identity.install();
  });
  afterEach(async () => {
    await entra?.close();
    entra = undefined;
  });
  after(() => env.restore());

  it('a federated credential: the managed identity’s token for api://AzureADTokenExchange is the client assertion', async () => {
    const appId = newId();
    const identityId = newId();
    entra = await EntraAssertionDouble.start(appId, { kind: 'assertion', value: AppServiceIdentityDouble.tokenFor(identityId, 'api://AzureADTokenExchange') });
    const config = loadConfig({ env: { HEALTH_SOURCE: 'graph', GRAPH_CLIENT_ID: appId, GRAPH_CLIENT_MANAGED_IDENTITY_ID: identityId }, dotenvPath: null });
    assert.ok(config.graph.credential);
    const tokens = new MsalAppTokenSource({ loginEndpoint: entra.url, clientId: appId, credential: config.graph.credential, scope: GRAPH_SCOPE, logger: runLogger() });

    assert.match(await tokens.getToken(TENANT), /^app-token-/);
    assert.deepEqual(entra.refusals, []);
    assert.deepEqual(identity.issued().filter((i) => i.clientId === identityId), [{ clientId: identityId, resource: 'api://AzureADTokenExchange', apiVersion: '2019-08-01' }]);
    assert.equal(entra.forms()[0]?.get('grant_type'), 'client_credentials');
  });

  it('a certificate: a client assertion signed by its key, with its SHA-256 thumbprint, for this token endpoint', async () => {
    const appId = newId();
    entra = await EntraAssertionDouble.start(appId, { kind: 'certificate', pemPath: fixtureCertificate('client') });
    const config = loadConfig({ env: { HEALTH_SOURCE: 'graph', GRAPH_CLIENT_ID: appId, GRAPH_CLIENT_CERTIFICATE_PATH: fixtureCertificate('client') }, dotenvPath: null });
    assert.ok(config.graph.credential);
    const tokens = new MsalAppTokenSource({ loginEndpoint: entra.url, clientId: appId, credential: config.graph.credential, scope: GRAPH_SCOPE, logger: runLogger() });

    const token = await tokens.getToken(TENANT).catch((e: unknown) => e);
    assert.deepEqual(entra.refusals, []);
    assert.match(String(token), /^app-token-/);
  });

  it('the wrong certificate is refused by Entra and reported as denied', async () => {
    const appId = newId();
    entra = await EntraAssertionDouble.start(appId, { kind: 'certificate', pemPath: fixtureCertificate('other') });
    const tokens = new MsalAppTokenSource({
      loginEndpoint: entra.url,
      clientId: appId,
      credential: { kind: 'certificate', path: fixtureCertificate('client'), setting: 'GRAPH_CLIENT_CERTIFICATE_PATH' },
      scope: GRAPH_SCOPE,
      logger: runLogger(),
    });
    const error = await tokens.getToken(TENANT).catch((e: unknown) => e);
    assert.ok(error instanceof AppTokenError, String(error));
    assert.equal(error.kind, 'denied');
    assert.match(entra.refusals[0] ?? '', /x5t#S256/);
  });

  it('Partner Center’s refresh-token exchange carries the federated assertion instead of a secret', async () => {
    const appId = newId();
    const identityId = newId();
    entra = await EntraAssertionDouble.start(appId, { kind: 'assertion', value: AppServiceIdentityDouble.tokenFor(identityId, 'api://AzureADTokenExchange') });
    const refreshToken = `refresh-${randomUUID()}`;
    rememberSecret(refreshToken);
    const config = loadConfig({
      env: {
        SUPPORT_SOURCE: 'partnercenter',
        PARTNER_TENANT_ID: TENANT,
        PARTNER_CENTER_CLIENT_ID: appId,
        PARTNER_CENTER_CLIENT_MANAGED_IDENTITY_ID: identityId,
        PARTNER_CENTER_REFRESH_TOKEN: refreshToken,
      },
      dotenvPath: null,
    });
    assert.ok(config.partnerCenter.credential);
    const tokens = new RefreshTokenSource({
      loginEndpoint: entra.url,
      partnerTenantId: TENANT,
      clientId: appId,
      credential: config.partnerCenter.credential,
      refreshToken,
      clock: systemClock,
      logger: runLogger(),
    });
    assert.match(await tokens.getToken(), /^app-token-/);
    const form = entra.forms()[0];
    assert.equal(form?.get('grant_type'), 'refresh_token');
    assert.equal(form?.get('refresh_token'), refreshToken);
    assert.deepEqual(entra.refusals, []);
  });

  it('an unreadable or keyless certificate file stops start-up naming its setting', () => {
    const build = (path: string) =>
      new MsalAppTokenSource({
        loginEndpoint: 'https://login.microsoftonline.com',
        clientId: newId(),
        credential: { kind: 'certificate', path, setting: 'PARTNER_CENTER_CLIENT_CERTIFICATE_PATH' },
        scope: GRAPH_SCOPE,
        logger: runLogger(),
      });
    assert.throws(() => build('/nonexistent/cert.pem'), /^Error: Invalid setting PARTNER_CENTER_CLIENT_CERTIFICATE_PATH: cannot read/);
    assert.throws(() => build(__filename), /PARTNER_CENTER_CLIENT_CERTIFICATE_PATH: the file holds no PEM certificate/);
  });
});

describe('deploy: PostgreSQL signed in with the managed identity (DATABASE_MANAGED_IDENTITY_ID)', function () {
  this.timeout(30_000);
  let identity: AppServiceIdentityDouble;
  let env: sinon.SinonSandbox;
  let server: Server;
  const passwords: string[] = [];
  const sockets = new Set<Socket>();

  before(async () => {
    identity = await AppServiceIdentityDouble.shared();
    env = identity.install();
    server = createServer((socket) => {
      sockets.add(socket);
      askForPassword(socket, passwords);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    env.restore();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('each connection’s password is the identity’s Entra token for Azure Database for PostgreSQL', async () => {
    const identityId = newId();
    const { port } = server.address() as AddressInfo;
    const config = loadConfig({
      env: { DATABASE_URL: `postgres://desk-identity@127.0.0.1:${port}/desk`, DATABASE_MANAGED_IDENTITY_ID: identityId },
      dotenvPath: null,
    });
    assert.deepEqual(config.database.managedIdentity, { clientId: identityId, resource: 'https://ossrdbms-aad.database.windows.net' });
    const { managedIdentityToken } = await import('../../src/http/client-credential');
    const password = managedIdentityToken(identityId, config.database.managedIdentity.resource);

    // The double asks for a cleartext password, records it and refuses: enough to see what was sent.
    await assert.rejects(openDatabase({ url: config.database.url, password }), /Could not open database .*password authentication failed/);
    assert.deepEqual(passwords, [AppServiceIdentityDouble.tokenFor(identityId, 'https://ossrdbms-aad.database.windows.net')]);
  });
});

describe('deploy: configuration of identities and credentials', () => {
  const id = '11111111-2222-4333-8444-555555555555';
  const other = '66666666-7777-4888-8999-000000000000';
  const load = (env: Record<string, string>) => loadConfig({ env, dotenvPath: null });
  const refusal = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    assert.fail('expected a refusal');
  };
  const msiBot = { MicrosoftAppId: id, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT, PUBLIC_HOSTNAME: 'desk.example.com', TAB_SSO_CLIENT_ID: other };

  it('MicrosoftAppType defaults to SingleTenant; MultiTenant is still accepted', () => {
    assert.equal(load({}).bot.appType, 'SingleTenant');
    const base = { MicrosoftAppId: id, MicrosoftAppPassword: 'pw-123456789', PUBLIC_HOSTNAME: 'desk.example.com', PARTNER_TENANT_ID: TENANT };
    assert.equal(load({ ...base, MicrosoftAppTenantId: TENANT }).bot.appType, 'SingleTenant');
    assert.equal(load({ ...base, MicrosoftAppType: 'MultiTenant' }).bot.appType, 'MultiTenant');
  });

  it('UserAssignedMSI: no password, a tenant, a separate sign-in app for the tab, and the Graph app named', () => {
    const c = load(msiBot);
    assert.equal(c.bot.appType, 'UserAssignedMSI');
    assert.equal(c.tabSsoClientId, other);
    assert.equal(c.graph.clientId, undefined, 'the identity is not a multi-tenant app');
    assert.match(refusal({ ...msiBot, MicrosoftAppPassword: 'pw-123456789' }), /MicrosoftAppPassword: must be empty/);
    assert.match(refusal({ ...msiBot, MicrosoftAppTenantId: '' }), /MicrosoftAppTenantId: required when MicrosoftAppType is UserAssignedMSI/);
    assert.match(refusal({ ...msiBot, TAB_SSO_CLIENT_ID: '' }), /TAB_SSO_CLIENT_ID: required with MicrosoftAppType=UserAssignedMSI/);
    assert.match(refusal({ ...msiBot, HEALTH_SOURCE: 'graph', GRAPH_CLIENT_MANAGED_IDENTITY_ID: id }), /GRAPH_CLIENT_ID: .*managed identity bot cannot read customer tenants/);
  });

  it('one credential per app; Partner Center inherits the Graph app’s; the audience follows the cloud', () => {
    assert.match(
      refusal({ GRAPH_CLIENT_SECRET: 'secret-123456', GRAPH_CLIENT_MANAGED_IDENTITY_ID: id }),
      /GRAPH_CLIENT_MANAGED_IDENTITY_ID: set only one of GRAPH_CLIENT_SECRET, GRAPH_CLIENT_CERTIFICATE_PATH and GRAPH_CLIENT_MANAGED_IDENTITY_ID/,
    );
    assert.match(refusal({ PARTNER_CENTER_CLIENT_CERTIFICATE_PATH: '/nonexistent/cert.pem' }), /PARTNER_CENTER_CLIENT_CERTIFICATE_PATH: no such file/);
    const c = load({ ...msiBot, HEALTH_SOURCE: 'graph', GRAPH_CLIENT_ID: other, GRAPH_CLIENT_MANAGED_IDENTITY_ID: id, CLOUD: 'gcchigh' });
    const federated = { kind: 'managed-identity', managedIdentityClientId: id, audience: 'api://AzureADTokenExchangeUSGov' };
    assert.deepEqual(c.graph, { clientId: other, credential: federated });
    assert.deepEqual(c.partnerCenter, { clientId: other, credential: federated });
  });

  it('DATABASE_MANAGED_IDENTITY_ID needs a PostgreSQL URL without a password', () => {
    assert.match(refusal({ DATABASE_MANAGED_IDENTITY_ID: id }), /DATABASE_MANAGED_IDENTITY_ID: only for a PostgreSQL DATABASE_URL/);
    assert.match(
      refusal({ DATABASE_MANAGED_IDENTITY_ID: id, DATABASE_URL: 'postgres://u:hunter2@db.example.com/desk' }),
      /DATABASE_URL must carry no password/,
    );
    assert.deepEqual(load({ DATABASE_MANAGED_IDENTITY_ID: id, DATABASE_URL: 'postgres://u@db.example.com/desk', CLOUD: 'china' }).database.managedIdentity, {
      clientId: id,
      resource: 'https://ossrdbms-aad.database.chinacloudapi.cn',
    });
  });
});

/**
 * A PostgreSQL server that asks for a cleartext password (v3 protocol), records it and refuses
 * the login: the startup message, `R` AuthenticationCleartextPassword, the client's `p`
 * PasswordMessage, then an `E` ErrorResponse.
 */
function askForPassword(socket: Socket, passwords: string[]): void {
  let buffer = Buffer.alloc(0);
  let started = false;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!started && buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0)) {
      buffer = buffer.subarray(buffer.readInt32BE(0));
      started = true;
      const ask = Buffer.alloc(9);
      ask.write('R', 0);
      ask.writeInt32BE(8, 1);
      ask.writeInt32BE(3, 5);
      socket.write(ask);
    }
    if (started && buffer.length >= 5 && buffer.toString('utf8', 0, 1) === 'p' && buffer.length >= 1 + buffer.readInt32BE(1)) {
      passwords.push(buffer.toString('utf8', 5, buffer.readInt32BE(1)).replace(/\0$/, ''));
      const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0', 'utf8');
      const error = Buffer.alloc(5);
      error.write('E', 0);
      error.writeInt32BE(4 + fields.length, 1);
      socket.end(Buffer.concat([error, fields]));
    }
  });
  socket.on('error', () => undefined);
}
