/**
 * Granting the health app's consent from the desk: a partner admin (a member of
 * CONSENT_ADMIN_GROUP_ID, asked of the source, never the cache) presses the button on the access
 * card; the grant goes through Partner Center's application consent (the sandbox's, or the local
 * Partner Center double's, with the health read from a Graph double that answers once the consent
 * exists), is recorded before it is sent, counts 409 as "already granted", and is verified by
 * reading the customer's health again. Anyone else is refused with a clear message.
 */
import { strict as assert } from 'node:assert';
import { ConsentLedger, type ConsentRecord } from '../../src/access/consent-ledger';
import { ENGINEER } from '../helpers/activities';
import { useAppPerTest, type AppFixture } from '../helpers/app';
import { cardTexts, cardVerbs } from '../helpers/cards';
import { Engineer, has, type Card } from '../helpers/engineer';
import { PartnerCenterDouble } from '../helpers/partner-center-double';
import { graphService } from '../health/helpers/graph-fixtures';
import { HttpDouble, isTokenRequest, tokenReply, type RecordedRequest, type Reply } from '../http/helpers/http-double';
import { GraphAccessDouble, HELPDESK, graphAccessEnv, graphRelationship } from '../access/helpers/graph-access-double';

const NORTHWIND = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';
const VANARSDEL = 'd8f1a4b9-0e2a-4f58-8b3d-7a9e5c0f2b12';
/** The sandbox seed's "Partner admins" (everyone) and Northwind's support group (nobody). */
const PARTNER_ADMINS = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c99';
const NORTHWIND_TEAM = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c03';

/** The replies to a typed message, typing indicators left out: text, or a card. */
async function replies(f: AppFixture, text: string): Promise<Array<string | Card>> {
  const before = f.connector.sent().length;
  await new Engineer(f.app, f.connector).say(text);
  return f.connector
    .sent()
    .slice(before)
    .filter((a) => a.type !== 'typing')
    .map((a) => (a.attachments as { content: Card }[] | undefined)?.[0]?.content ?? String(a.text));
}

describe('health consent from the desk (sandbox)', () => {
  describe('a partner admin', () => {
    const f = useAppPerTest({ CONSENT_ADMIN_GROUP_ID: PARTNER_ADMINS });

    it('grants it for Northwind: health becomes readable, the card says so, and the grant is on record; pressed again, it was already granted', async () => {
      const [said, offered] = await replies(f, 'health Northwind');
      assert.ok(typeof said === 'string' && /can't read the service health of Northwind Traders/.test(said), JSON.stringify(said));
      assert.ok(typeof offered === 'object' && cardVerbs(offered).includes('grantHealthConsent'), 'the access card offers the button');

      const me = new Engineer(f.app, f.connector);
      const granted = await me.act('grantHealthConsent', { customerTenantId: NORTHWIND });
      assert.ok(has(granted, /^Health consent granted for Northwind Traders: Escalation Desk can read its service health now\.$/), cardTexts(granted).join('\n'));
      assert.ok(!has(granted, /ServiceHealth\.Read\.All needs admin consent/), 'the health problem is gone from the picture');
      assert.ok(!cardVerbs(granted).includes('grantHealthConsent'), 'nothing left to grant');

      const [health] = await replies(f, 'health Northwind');
      assert.equal(cardTexts(health)[0], 'Service health: Northwind Traders', 'the health re-read now works for everyone');

      const ledger = new ConsentLedger(f.app.app.database.documents);
      const first = await ledger.get(NORTHWIND);
      assert.deepEqual([first?.status, first?.verified, first?.by], ['granted', 'readable', ENGINEER.aadObjectId]);

      const again = await me.act('grantHealthConsent', { customerTenantId: NORTHWIND });
      assert.ok(has(again, /^The health app was already consented in Northwind Traders: nothing changed, and its service health is readable\.$/));
      const second = await ledger.get(NORTHWIND);
      assert.equal(second?.status, 'already_granted');
      assert.notEqual(second?.requestId, first?.requestId, 'a settled grant is not asked again under its id');
    });
  });

  describe('an engineer outside the admin group', () => {
    const f = useAppPerTest({ CONSENT_ADMIN_GROUP_ID: NORTHWIND_TEAM });

    it('is refused for lack of the role, with who can do it instead; nothing is granted or recorded', async () => {
      const refused = await new Engineer(f.app, f.connector).act('grantHealthConsent', { customerTenantId: VANARSDEL });
      assert.ok(
        has(refused, /^Only a partner admin \(a member of the consent admin group\) may grant the health app's consent from the desk, and you are not one\. Ask a partner admin, or the customer's Global Administrator can consent in their own tenant\.$/),
        cardTexts(refused).join('\n'),
      );
      assert.equal(await new ConsentLedger(f.app.app.database.documents).get(VANARSDEL), undefined);
      const [said] = await replies(f, 'health VanArsdel');
      assert.ok(typeof said === 'string' && /can't read the service health of VanArsdel Ltd\./.test(said), JSON.stringify(said));
    });
  });

  describe('no admin group configured', () => {
    const f = useAppPerTest();

    it('nobody may grant from the desk, and the card says how to configure it', async () => {
      const refused = await new Engineer(f.app, f.connector).act('grantHealthConsent', { customerTenantId: NORTHWIND });
      assert.ok(has(refused, /^Nobody may grant consent from the desk here: no consent admin group is configured \(CONSENT_ADMIN_GROUP_ID\)\./));
    });

    it('a press naming no customer of the partner gets a clear answer', async () => {
      const res = await f.app.post('/api/messages', (await import('../helpers/activities')).execute('grantHealthConsent', { customerTenantId: '0badc0de-0000-4000-8000-000000000099' }, { serviceUrl: f.connector.url }));
      const body = res.body as { type: string; value: unknown };
      assert.equal(body.type, 'application/vnd.microsoft.activity.message');
      assert.ok(f.connector.sent().some((a) => /customer/i.test(String(a.text))));
    });
  });
});

describe('health consent: admin membership is asked of Graph, not the cache (ACCESS_SOURCE=graph)', () => {
  const ADMINS = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c98';
  let graph: GraphAccessDouble;
  beforeEach(async () => {
    graph = await GraphAccessDouble.start();
    graph.relationships = [graphRelationship()];
    graph.members.set(ENGINEER.aadObjectId, new Set([HELPDESK, ADMINS]));
  });
  afterEach(async () => graph.close());
  const f = useAppPerTest(() => ({ ...graphAccessEnv(graph), CONSENT_ADMIN_GROUP_ID: ADMINS }));

  it('an admin removed from the group is refused at once, though the cache still says member', async () => {
    const cached = await f.app.app.access.memberGroups(ENGINEER.aadObjectId, [ADMINS]);
    assert.deepEqual(cached.value, [ADMINS], 'the cache holds "member" for the next 10 minutes');
    graph.members.set(ENGINEER.aadObjectId, new Set([HELPDESK]));
    const refused = await new Engineer(f.app, f.connector).act('grantHealthConsent', { customerTenantId: NORTHWIND });
    assert.ok(has(refused, /you are not one/), cardTexts(refused).join('\n'));
    assert.deepEqual((await f.app.app.access.memberGroups(ENGINEER.aadObjectId, [ADMINS])).value, [ADMINS], 'the cache was not what decided');
  });
});

describe('health consent through Partner Center (SUPPORT_SOURCE=partnercenter, HEALTH_SOURCE=graph)', () => {
  const HEALTH_APP = 'c0ffee00-0000-4000-8000-000000000001';
  let pc: PartnerCenterDouble;
  /** Entra and Graph in one: refresh-token grants go to Partner Center's double; a customer's health answers 403 until Partner Center holds the consent. */
  let graph: HttpDouble;
  beforeEach(async () => {
    pc = await PartnerCenterDouble.start();
    graph = await HttpDouble.start(async (req: RecordedRequest): Promise<Reply> => {
      if (isTokenRequest(req)) {
        if (!req.body.includes('grant_type=refresh_token')) return tokenReply(req);
        const res = await fetch(`${pc.url}${req.url}`, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: req.body });
        return { status: res.status, json: await res.json() };
      }
      const tenant = /^Bearer token-for-([0-9a-f-]+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      if (!pc.consents.get(tenant)?.has(HEALTH_APP)) return { status: 403, json: { error: { code: 'Forbidden', message: 'Caller does not have access.' } } };
      return { json: { value: [graphService('Exchange', 'Exchange Online', 'ServiceOperational')] } };
    });
  });
  afterEach(async () => {
    await graph.close();
    await pc.close();
  });
  const f = useAppPerTest(() => ({
    HEALTH_SOURCE: 'graph',
    SUPPORT_SOURCE: 'partnercenter',
    GRAPH_ENDPOINT: graph.url,
    LOGIN_ENDPOINT: graph.url,
    PARTNER_CENTER_ENDPOINT: pc.url,
    PARTNER_TENANT_ID: '72f988bf-0000-4000-8000-000000000001',
    GRAPH_CLIENT_ID: HEALTH_APP,
    GRAPH_CLIENT_SECRET: 'graph-secret-for-tests',
    PARTNER_CENTER_REFRESH_TOKEN: 'refresh-token-from-sam',
    CONSENT_ADMIN_GROUP_ID: PARTNER_ADMINS,
    UPSTREAM_MAX_ATTEMPTS: '1',
    TURN_UPSTREAM_BUDGET_MS: '500',
  }));
  const consentCalls = () => pc.apiRequests().filter((r) => r.url.endsWith('/applicationconsents'));
  const press = () => new Engineer(f.app, f.connector).act('grantHealthConsent', { customerTenantId: NORTHWIND });

  it('grants ServiceHealth.Read.All for the health app as the Partner Center user, then reads the health to prove it', async () => {
    const card = await press();
    assert.ok(has(card, /^Health consent granted for Northwind Traders: Escalation Desk can read its service health now\.$/), cardTexts(card).join('\n'));
    const [call] = consentCalls();
    assert.equal(call.url, `/v1/customers/${NORTHWIND}/applicationconsents`);
    assert.deepEqual(JSON.parse(call.body), { applicationId: HEALTH_APP, applicationGrants: [{ enterpriseApplicationId: '00000003-0000-0000-c000-000000000000', scope: 'ServiceHealth.Read.All' }] });
    assert.match(String(call.headers.authorization), /^Bearer pc-user-token-\d+$/, 'App+User token');
    assert.deepEqual(pc.consents.get(NORTHWIND), new Set([HEALTH_APP]));
    const healthReads = graph.requests.filter((r) => r.url.includes('healthOverviews'));
    assert.ok(healthReads.length >= 1, 'health read again after the grant');
  });

  it('already granted (409): nothing changes, and it says so', async () => {
    pc.consents.set(NORTHWIND, new Set([HEALTH_APP]));
    const card = await press();
    assert.ok(has(card, /^The health app was already consented in Northwind Traders: nothing changed, and its service health is readable\.$/));
    assert.equal((await new ConsentLedger(f.app.app.database.documents).get(NORTHWIND))?.status, 'already_granted');
  });

  it('refused by Partner Center (403: the Partner Center user lacks a role that may consent): says which role, nothing granted', async () => {
    pc.refuseConsent.add(NORTHWIND);
    const card = await press();
    assert.ok(has(card, /^Partner Center refused the consent for Northwind Traders: the Partner Center user \(PARTNER_CENTER_REFRESH_TOKEN's\) needs a GDAP role in this customer that may consent to Microsoft Graph application permissions \(Privileged Role Administrator or Global Administrator\)\.$/));
    assert.equal(pc.consents.get(NORTHWIND), undefined);
    assert.equal((await new ConsentLedger(f.app.app.database.documents).get(NORTHWIND))?.status, 'refused');
  });

  it('records the request id before sending: a grant whose answer was lost is asked again as the same request, and granted once', async () => {
    pc.failNext({ status: 503, json: { code: 503 } });
    const lost = await press();
    assert.ok(has(lost, /^Partner Center did not answer the consent for Northwind Traders\. Press the button again: it asks again as the same request/), cardTexts(lost).join('\n'));
    const pending = (await f.app.app.database.documents.read([`access/consent/${NORTHWIND}`])).get(`access/consent/${NORTHWIND}`)?.value as ConsentRecord | undefined;
    assert.equal(pending?.status, 'sending');
    assert.equal(consentCalls()[0]?.headers['ms-requestid'], pending?.requestId, 'the id on record is the one sent');

    const card = await press();
    assert.ok(has(card, /^Health consent granted for Northwind Traders/));
    assert.deepEqual(consentCalls().map((c) => c.headers['ms-requestid']), [pending?.requestId, pending?.requestId]);
  });

  it('Partner Center slower than the turn: the press is answered at once, and the card it was pressed on shows the outcome later, once', async () => {
    pc.consents.set(NORTHWIND, new Set([HEALTH_APP]));
    pc.failNext({ status: 409, json: { code: 409, description: 'Application consent already exists' }, delayMs: 1500 });
    const me = new Engineer(f.app, f.connector, { replyToId: 'access-card-1' });
    const started = Date.now();
    const pending = await me.act('grantHealthConsent', { customerTenantId: NORTHWIND });
    assert.ok(Date.now() - started < 1400, 'the press did not wait for Partner Center');
    assert.ok(has(pending, /^Partner Center is slow to answer the consent for Northwind Traders: the outcome follows in this conversation\.$/), cardTexts(pending).join('\n'));

    await f.app.app.background.drain();
    await f.app.app.workers.outboxWorker.runOnce();
    await f.app.app.workers.outboxWorker.runOnce();
    const updates = f.connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/activities/access-card-1'));
    assert.equal(updates.length, 1);
    const card = (updates[0]?.activity.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(card, /^The health app was already consented in Northwind Traders: nothing changed, and its service health is readable\.$/), cardTexts(card).join('\n'));
  });
});
