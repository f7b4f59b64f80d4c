/**
 * Security: with app credentials configured, only a Bot Framework token signed by a key in
 * the published JWKS (endorsed for the channel), from the channel issuer, for this app, for
 * this serviceUrl and not expired is let in. The OpenID metadata and JWKS are a local double
 * (botbuilder's `ToBotFromChannelOpenIdMetadataUrl`); tokens are signed with `jose`.
 * Also: other tenants are refused and nothing is stored; secrets never reach the log.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppCredentials } from 'botframework-connector';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { execute, message, PARTNER_TENANT, type ActivityOptions } from '../helpers/activities';
import type { RunningApp } from '../helpers/app';
import { describeData } from '../helpers/engineer';
import { cardTexts } from '../helpers/cards';
import { ConnectorDouble } from '../helpers/connector-double';
import { cardsOf, invokeCard, startAppWith, watchProcess, type ProcessWatch } from './support';
import { rememberSecret } from '../helpers/run-log';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const APP_PASSWORD = 'hardening-app-password-Zq8x';
const CHANNEL_ISSUER = 'https://api.botframework.com';
const OUTBOUND_TOKEN = 'outbound-bot-token-Yk42';
rememberSecret(OUTBOUND_TOKEN);
const CREDENTIALS = {
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: APP_PASSWORD,
  MicrosoftAppTenantId: PARTNER_TENANT,
  PUBLIC_HOSTNAME: 'desk.example.com',
  PARTNER_TENANT_ID: PARTNER_TENANT,
};

/** The OpenID metadata + JWKS double: what login.botframework.com publishes, on 127.0.0.1. */
class OpenIdDouble {
  metadataRequests = 0;
  private server?: Server;
  url = '';

  constructor(private readonly keys: readonly JWK[]) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/v1/.well-known/openidconfiguration') {
        this.metadataRequests += 1;
        json(200, { issuer: CHANNEL_ISSUER, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] });
      } else if (req.url === '/v1/.well-known/keys') {
        json(200, { keys: this.keys });
      } else {
        json(404, { error: 'not found' });
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** botbuilder settings that send every token validation here (channel and emulator paths). */
  settings(): Record<string, string> {
    return {
      ToBotFromChannelOpenIdMetadataUrl: `${this.url}/v1/.well-known/openidconfiguration`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${this.url}/v1/.well-known/openidconfiguration`,
      ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
      // With any override set botbuilder needs the outbound settings spelled out too.
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ValidateAuthority: 'true',
    };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface Keys {
  readonly published: KeyLike;
  readonly forged: KeyLike;
  /** Published, but endorsed only for the slack channel. */
  readonly slackOnly: KeyLike;
  readonly jwks: JWK[];
}

async function makeKeys(): Promise<Keys> {
  const published = await generateKeyPair('RS256');
  const forged = await generateKeyPair('RS256');
  const slackOnly = await generateKeyPair('RS256');
  // Like the keys login.botframework.com publishes: one key is endorsed for many channels.
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'published-key', use: 'sig', alg: 'RS256', endorsements: ['msteams', 'webchat', 'directline'] };
  const other = { ...(await exportJWK(slackOnly.publicKey)), kid: 'slack-only-key', use: 'sig', alg: 'RS256', endorsements: ['slack'] };
  return { published: published.privateKey, forged: forged.privateKey, slackOnly: slackOnly.privateKey, jwks: [jwk, other] };
}

/** botbuilder's process-wide cache of the bot's outbound tokens (private in its typings; only these two fields are read). */
function tokenCache(): Map<string, { accessToken: string; expiresOn: Date }> {
  return (AppCredentials as unknown as { cache: Map<string, { accessToken: string; expiresOn: Date }> }).cache;
}

/** Claims a channel token carries, with overrides; `exp: null` leaves it out. */
async function token(
  key: KeyLike,
  kid: string,
  serviceUrl: string,
  o: { iss?: string; aud?: string; exp?: number; nbf?: number; serviceurl?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ serviceurl: o.serviceurl ?? serviceUrl })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(o.iss ?? CHANNEL_ISSUER)
    .setAudience(o.aud ?? APP_ID)
    .setIssuedAt(now - 60)
    .setNotBefore(o.nbf ?? now - 60)
    .setExpirationTime(o.exp ?? now + 3600)
    .sign(key);
}

describe('hardening: Bot Framework authentication and secrets', function () {
  this.timeout(60_000);
  let keys: Keys;
  let oidc: OpenIdDouble;
  let connector: ConnectorDouble;
  let app: RunningApp;
  let watch: ProcessWatch;
  const sentTokens: string[] = [];

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const valid = async () => {
    const t = await token(keys.published, 'published-key', connector.url);
    sentTokens.push(t);
    return t;
  };

  before(async () => {
    watch = watchProcess();
    keys = await makeKeys();
    oidc = await new OpenIdDouble(keys.jwks).start();
    connector = await new ConnectorDouble().start();
    // The bot's own outbound token comes from Entra; offline, botbuilder's token cache is primed instead.
    tokenCache().set(`${APP_ID}https://api.botframework.com-cache`, { accessToken: OUTBOUND_TOKEN, expiresOn: new Date(Date.now() + 3_600_000) });
    app = await startAppWith({ ...CREDENTIALS, ALLOWED_TENANTS: PARTNER_TENANT }, oidc.settings());
  });
  after(async () => {
    watch.uninstall();
    tokenCache().delete(`${APP_ID}https://api.botframework.com-cache`);
    await app.stop();
    await connector.stop();
    await oidc.stop();
  });

  const help = () => message('help', { serviceUrl: connector.url });

  it('a valid channel token gets 200 and a reply sent with the bot\'s own token', async () => {
    const res = await app.post('/api/messages', help(), bearer(await valid()));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [reply] = await connector.waitForSent(1);
    assert.equal(cardTexts(cardsOf(reply)[0])[0], 'Escalation Desk');
    assert.equal(connector.calls[0]?.authorization, `Bearer ${OUTBOUND_TOKEN}`);
    assert.ok(oidc.metadataRequests >= 1, 'the keys came from the local metadata double');
  });

  const refused: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', () => Promise.resolve({})],
    ['an empty bearer', () => Promise.resolve({ authorization: 'Bearer ' })],
    ['a non-bearer scheme', () => Promise.resolve({ authorization: `Basic ${Buffer.from(`${APP_ID}:${APP_PASSWORD}`).toString('base64')}` })],
    ['garbage instead of a JWT', () => Promise.resolve(bearer('not.a.jwt'))],
    ['a token signed by a key not in the JWKS (unknown kid)', async () => bearer(await token(keys.forged, 'attacker-key', connector.url))],
    ['a token signed by a key not in the JWKS (published kid spoofed)', async () => bearer(await token(keys.forged, 'published-key', connector.url))],
    ['an expired token (beyond the 5-minute clock tolerance)', async () => {
      const now = Math.floor(Date.now() / 1000);
      return bearer(await token(keys.published, 'published-key', connector.url, { exp: now - 600, nbf: now - 7200 }));
    }],
    ['a token not valid yet', async () => bearer(await token(keys.published, 'published-key', connector.url, { nbf: Math.floor(Date.now() / 1000) + 3600 }))],
    ['a token for another app (wrong audience)', async () => bearer(await token(keys.published, 'published-key', connector.url, { aud: '99999999-2222-4333-8444-555555555555' }))],
    ['a token from another issuer', async () => bearer(await token(keys.published, 'published-key', connector.url, { iss: 'https://evil.example' }))],
    ['a token for another serviceUrl', async () => bearer(await token(keys.published, 'published-key', connector.url, { serviceurl: 'https://smba.trafficmanager.net/evil/' }))],
    ['a token signed by a key endorsed only for another channel', async () => bearer(await token(keys.slackOnly, 'slack-only-key', connector.url))],
    ['an unsigned token (alg none)', async () => {
      const good = await token(keys.published, 'published-key', connector.url);
      const [, payload] = good.split('.');
      return bearer(`${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`);
    }],
  ];
  for (const [name, headers] of refused) {
    it(`${name}: 401 and no reply`, async () => {
      const before = connector.calls.length;
      const res = await app.post('/api/messages', help(), await headers());
      assert.equal(res.status, 401, `status ${res.status}: ${JSON.stringify(res.body)}`);
      assert.equal(connector.calls.length, before, 'nothing was sent');
    });
  }

  it('a card action with a refused token stores nothing; with a valid token it is served', async () => {
    const forged = await token(keys.forged, 'attacker-key', connector.url);
    const res = await app.post('/api/messages', execute('escalate', {}, { serviceUrl: connector.url }), bearer(forged));
    assert.equal(res.status, 401);
    assert.equal((await app.app.database.escalations.list({})).items.length, 0);
    const ok = await app.post('/api/messages', execute('escalate', {}, { serviceUrl: connector.url }), bearer(await valid()));
    assert.equal(ok.status, 200);
    assert.ok(cardTexts(invokeCard(ok.body)).some((t) => /Report a customer's problem/.test(t)));
  });

  it('a tenant outside ALLOWED_TENANTS, even with a valid token, is politely refused and nothing is stored', async () => {
    const foreign = '0badc0de-0000-4000-8000-000000000099';
    const conversationId = 'a:foreign-1';
    const o = { serviceUrl: connector.url, tenantId: foreign, conversationId };
    const before = connector.sent().length;
    assert.equal((await app.post('/api/messages', message('escalate', o), bearer(await valid()))).status, 200);
    const sent = await connector.waitForSent(before + 1);
    assert.match(String(sent.at(-1)?.text), /not enabled for your organization/);
    const describe = describeData('f0f0f0f0-0000-4000-8000-000000000001', { usersAffected: '3' });
    const res = await app.post('/api/messages', execute('describe', describe, o), bearer(await valid()));
    assert.equal(res.status, 200);
    assert.equal((res.body as { statusCode: number }).statusCode, 403);
    assert.equal((await app.app.database.documents.read([`msteams/conversations/${conversationId}`])).size, 0);
    const all = await app.app.database.escalations.list({ limit: 100 });
    assert.ok(all.items.every((e) => e.partnerTenantId !== foreign), 'no escalation for the foreign tenant');
    assert.equal(all.items.length, 0);
  });

  it('a whole flow with credentials configured: no secret, token or message text reaches the log', async () => {
    const o = { serviceUrl: connector.url, conversationId: 'a:secret-flow' };
    const secretTexts = ['Zebra-Mailbox-Outage-4711', 'Sales-cannot-email-Quokka', 'Jo Quokka jo.quokka@contoso.example', 'differs-because-Narwhal'];
    const act = async (verb: string, data: Record<string, unknown>) => {
      const res = await app.post('/api/messages', execute(verb, data, o), bearer(await valid()));
      assert.equal(res.status, 200);
      const card = invokeCard(res.body);
      assert.ok(card, `${verb} answered a card: ${JSON.stringify(res.body).slice(0, 300)}`);
      return JSON.stringify(card);
    };
    const form = await act('escalate', {});
    const flowId = /"flowId":"([^"]+)"/.exec(form)?.[1] ?? '';
    const match = await act(
      'describe',
      describeData(flowId, {
        title: `Users cannot send mail ${secretTexts[0]}`,
        description: `Outbound mail is delayed and stuck in the queue ${secretTexts[0]}`,
      }),
    );
    const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(match)?.[1] ?? '';
    assert.ok(id);
    await act('knownDiffers', { escalationId: id, notSameReason: secretTexts[3] });
    await act('troubleshootSkip', { escalationId: id });
    await act('triage', { escalationId: id, category: 'service_unavailable', severity: 'critical', businessImpact: secretTexts[1], contact: secretTexts[2] });
    const linked = await act('handoffLink', { escalationId: id, requestNumber: '2611250010001234' });
    assert.match(linked, /Escalated to Microsoft/);
    assert.equal((await app.app.database.escalations.get(id))?.state, 'escalated');
    await app.post('/api/messages', message(`status ${id} ${secretTexts[0]}`, o), bearer(await valid()));
    // A refused request's token must not be logged either.
    const forged = await token(keys.forged, 'published-key', connector.url);
    await app.post('/api/messages', help(), bearer(forged));

    const log = JSON.stringify(app.logs);
    assert.ok(app.logs.length > 0, 'something was logged');
    const leaks = [APP_PASSWORD, OUTBOUND_TOKEN, forged, ...sentTokens, ...secretTexts].filter((s) => log.includes(s));
    // Tokens are long: also look for their signature part alone.
    const signatures = [forged, ...sentTokens].map((t) => t.split('.')[2] ?? '').filter((s) => s.length > 20 && log.includes(s));
    assert.deepEqual([...leaks.map((l) => l.slice(0, 40)), ...signatures.map((s) => s.slice(0, 20))], [], 'nothing secret in the log');
  });

  it('nothing went unhandled', () => {
    watch.assertQuiet();
  });
});

describe('hardening: which tenants and channels are served (authentication on)', function () {
  this.timeout(60_000);
  const FOREIGN = '0badc0de-0000-4000-8000-000000000099';
  const UPPER = PARTNER_TENANT.toUpperCase();
  let keys: Keys;
  let oidc: OpenIdDouble;
  let connector: ConnectorDouble;
  let app: RunningApp;
  let watch: ProcessWatch;

  const bearer = async () => ({ authorization: `Bearer ${await token(keys.published, 'published-key', connector.url)}` });
  /** Posts an activity with a valid channel token. */
  const post = async (activity: Record<string, unknown>) => app.post('/api/messages', activity, await bearer());
  const o = (extra: Partial<ActivityOptions> = {}): ActivityOptions => ({ serviceUrl: connector.url, conversationId: 'a:tenant-rules', ...extra });
  /** A card action's answer card, failing when it answered anything else. */
  const act = async (verb: string, data: Record<string, unknown>, options = o()) => {
    const res = await post(execute(verb, data, options));
    assert.equal(res.status, 200);
    const card = invokeCard(res.body);
    assert.ok(card, `${verb} answered a card: ${JSON.stringify(res.body).slice(0, 300)}`);
    return JSON.stringify(card);
  };
  /** A new escalation of the partner, made by its engineer in Teams; returns its id. */
  const partnerEscalation = async (): Promise<string> => {
    const form = await act('escalate', {});
    const flowId = /"flowId":"([^"]+)"/.exec(form)?.[1] ?? '';
    const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(await act('describe', describeData(flowId)))?.[1] ?? '';
    assert.ok(id, 'the escalation was created');
    return id;
  };
  /** Everything stored for a conversation: its bot state and its conversation reference. */
  const storedFor = async (channelId: string, conversationId: string, tenant: string) => {
    const state = await app.app.database.documents.read([`${channelId}/conversations/${conversationId}`]);
    const reference = await app.app.database.conversations.get(`${tenant.toLowerCase()}|${conversationId}`);
    return state.size + (reference ? 1 : 0);
  };

  before(async () => {
    watch = watchProcess();
    keys = await makeKeys();
    oidc = await new OpenIdDouble(keys.jwks).start();
    connector = await new ConnectorDouble().start();
    tokenCache().set(`${APP_ID}https://api.botframework.com-cache`, { accessToken: OUTBOUND_TOKEN, expiresOn: new Date(Date.now() + 3_600_000) });
    // The partner tenant as an admin may type it: upper case. ALLOWED_TENANTS is left empty.
    app = await startAppWith({ ...CREDENTIALS, PARTNER_TENANT_ID: UPPER }, oidc.settings());
  });
  after(async () => {
    watch.uninstall();
    tokenCache().delete(`${APP_ID}https://api.botframework.com-cache`);
    await app.stop();
    await connector.stop();
    await oidc.stop();
  });

  it('with an app id and ALLOWED_TENANTS empty only the partner tenant is served: another tenant is refused and nothing is stored', async () => {
    const before = connector.sent().length;
    const foreign = o({ tenantId: FOREIGN, conversationId: 'a:foreign-default-deny' });
    assert.equal((await post(message('escalate', foreign))).status, 200);
    const sent = await connector.waitForSent(before + 1);
    assert.match(String(sent.at(-1)?.text), /not enabled for your organization/);
    const res = await post(execute('describe', describeData('f0f0f0f0-0000-4000-8000-000000000002'), foreign));
    assert.equal((res.body as { statusCode: number }).statusCode, 403);
    assert.equal(await storedFor('msteams', 'a:foreign-default-deny', FOREIGN), 0);
    assert.deepEqual((await app.app.database.escalations.list({ partnerTenantId: FOREIGN })).items, []);

    const mine = await post(message('help', o({ conversationId: 'a:partner-default-deny' })));
    assert.equal(mine.status, 200);
    const [welcome] = (await connector.waitForSent(before + 2)).slice(-1);
    assert.equal(cardTexts(cardsOf(welcome)[0])[0], 'Escalation Desk');
  });

  it('tenant ids compare in any case: the partner in upper case finds the escalation it made in lower case', async () => {
    const id = await partnerEscalation();
    const upper = o({ tenantId: UPPER });
    const differs = await act('knownDiffers', { escalationId: id, notSameReason: 'only one tenant' }, upper);
    assert.match(differs, /Troubleshoot with admin privileges/);
    const before = connector.sent().length;
    assert.equal((await post(message(`status ${id}`, upper))).status, 200);
    const [reply] = (await connector.waitForSent(before + 1)).slice(-1);
    assert.doesNotMatch(typeof reply?.text === 'string' ? reply.text : '', /another organization|can't find/);
    assert.ok(JSON.stringify(cardsOf(reply)).includes(id), 'the status card of the escalation');
    assert.equal((await app.app.database.escalations.get(id))?.partnerTenantId, PARTNER_TENANT);
  });

  it('Web Chat with a valid token and channelData.tenant set to the partner gets 403 ChannelNotSupported and reads nothing', async () => {
    const id = await partnerEscalation();
    const before = connector.calls.length;
    const webchat = (text: string, withConversationTenant: boolean) => {
      const activity = message(text, o({ conversationId: 'webchat-conversation-1' }));
      return {
        ...activity,
        channelId: 'webchat',
        conversation: { id: 'webchat-conversation-1', ...(withConversationTenant ? { tenantId: PARTNER_TENANT } : {}) },
        channelData: { tenant: { id: PARTNER_TENANT } },
      };
    };
    for (const activity of [webchat(`status ${id}`, false), webchat(`status ${id}`, true), { ...webchat('', false), type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'status', data: { verb: 'status', escalationId: id } } } }]) {
      const res = await post(activity);
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.deepEqual(res.body, { code: 'ChannelNotSupported', message: 'Escalation Desk works in Microsoft Teams only.' });
    }
    const unauthenticated = await app.post('/api/messages', webchat(`status ${id}`, false));
    assert.equal(unauthenticated.status, 401, 'a caller without a valid token learns only 401');
    assert.equal(connector.calls.length, before, 'nothing was sent anywhere');
    assert.equal(await storedFor('webchat', 'webchat-conversation-1', PARTNER_TENANT), 0);
  });

  it('a Teams activity whose channelData tenant differs from conversation.tenantId gets 403 TenantMismatch (in the user\u2019s language); case alone is no difference', async () => {
    const id = await partnerEscalation();
    const before = connector.calls.length;
    const teams = (conversationTenant: string | undefined, channelDataTenant: unknown, locale = 'en-US') => {
      const activity = message(`status ${id}`, o({ conversationId: 'a:mismatch', locale }));
      return {
        ...activity,
        conversation: { id: 'a:mismatch', conversationType: 'personal', ...(conversationTenant ? { tenantId: conversationTenant } : {}) },
        channelData: channelDataTenant === undefined ? {} : { tenant: { id: channelDataTenant } },
      };
    };
    const cases: [string, Record<string, unknown>, string][] = [
      ['another tenant in the conversation, the partner in channelData', teams(FOREIGN, PARTNER_TENANT), 'TenantMismatch'],
      ['the partner in the conversation, another tenant in channelData', teams(PARTNER_TENANT, FOREIGN), 'TenantMismatch'],
      ['no conversation tenant, the partner in channelData', teams(undefined, PARTNER_TENANT), 'TenantMismatch'],
      ['a channelData tenant that is not text', teams(PARTNER_TENANT, 42), 'TenantMismatch'],
      ['no tenant at all', teams(undefined, undefined), 'TenantMissing'],
    ];
    for (const [name, activity, code] of cases) {
      const res = await post(activity);
      assert.equal(res.status, 403, name);
      assert.equal((res.body as { code: string }).code, code, name);
    }
    const korean = await post(teams(FOREIGN, PARTNER_TENANT, 'ko-KR'));
    assert.match((korean.body as { message: string }).message, /조직/);
    assert.equal(connector.calls.length, before, 'no turn ran: nothing was sent');
    assert.equal(await storedFor('msteams', 'a:mismatch', FOREIGN), 0);
    assert.equal(await storedFor('msteams', 'a:mismatch', PARTNER_TENANT), 0);

    assert.equal((await post(teams(PARTNER_TENANT, UPPER))).status, 200, 'the same tenant in another case is served');
    const [reply] = (await connector.waitForSent(1)).slice(-1);
    assert.ok(JSON.stringify(cardsOf(reply)).includes(id));
  });

  it('ALLOWED_TENANTS=* serves any tenant and warns at start', async () => {
    const open = await startAppWith({ ...CREDENTIALS, ALLOWED_TENANTS: '*' }, oidc.settings());
    try {
      assert.ok(
        open.logs.some((l) => l.level === 40 && /ALLOWED_TENANTS=\*/.test(String(l.msg))),
        'a warning names the setting',
      );
      const before = connector.sent().length;
      const res = await open.post('/api/messages', message('help', o({ tenantId: FOREIGN, conversationId: 'a:any-tenant' })), await bearer());
      assert.equal(res.status, 200);
      const [reply] = (await connector.waitForSent(before + 1)).slice(-1);
      assert.equal(cardTexts(cardsOf(reply)[0])[0], 'Escalation Desk');
    } finally {
      await open.stop();
    }
  });

  it('nothing went unhandled', () => {
    watch.assertQuiet();
  });
});
