/**
 * Fault matrix: the Bot Framework connector, Microsoft Graph (the health provider's
 * upstream), Partner Center (the customer directory and service requests) and the Entra
 * token endpoint answering 429 (with and without Retry-After), 5xx, too slowly, or with
 * malformed JSON. Whatever the fault, the engineer gets a clear message or card within
 * Teams' limits (a message turn ends in < 10 s, an invoke in < 5 s), and the work
 * completes once the fault clears. Everything runs on 127.0.0.1 and is bounded.
 */
import { strict as assert } from 'node:assert';
import { execute, message, type ActivityOptions } from '../helpers/activities';
import { startApp, type RunningApp } from '../helpers/app';
import { cardTexts } from '../helpers/cards';
import { ConnectorDouble, type ConnectorFault } from '../helpers/connector-double';
import { CONTOSO, Engineer, describeData, escalationIdOf, flowIdOf } from '../helpers/engineer';
import { PartnerCenterDouble, partnerCenterSettings, type DoubleOutage } from '../helpers/partner-center-double';
import { graphIssue, graphService } from '../health/helpers/graph-fixtures';
import { HttpDouble, isTokenRequest, tokenReply, type Reply } from '../http/helpers/http-double';
import { TEAMS_INVOKE_MS, TEAMS_MESSAGE_MS, cardsOf, invokeCard, postJson, sleep, watchProcess, type ProcessWatch } from './support';

const ERROR_TEXT = /something went wrong on my side.*Reference: [0-9a-f]{8}/;

/** What the user saw of one turn: the sent activities' texts and card titles. */
function seen(activities: readonly Record<string, unknown>[]): string[] {
  return activities.flatMap((a) => [
    ...(typeof a.text === 'string' ? [a.text] : []),
    ...cardsOf(a).map((c) => `card: ${cardTexts(c)[0] ?? ''}`),
  ]);
}

/** The activities sent to one conversation. */
const sentTo = (connector: ConnectorDouble, conversationId: string) =>
  connector.sent().filter((a) => (a.conversation as { id?: string } | undefined)?.id === conversationId);

/** A conversation id for a case name. */
const conversationFor = (prefix: string, name: string) => `a:${prefix}-${name.replace(/\W+/g, '-')}`;

/**
 * Entra's token endpoint answering badly, and how long after it clears a token can be had
 * again: MSAL keeps a 429/5xx in its throttling cache for the Retry-After or, without one,
 * 60 s, so for those the work is shown to complete in a fresh process (another replica, or
 * this one a minute later).
 */
const TOKEN_FAULTS: [string, Reply, number | 'fresh'][] = [
  ['429 with Retry-After', { status: 429, headers: { 'retry-after': '1' }, json: { error: 'temporarily_unavailable', error_description: 'AADSTS50196: too many requests' } }, 1_100],
  ['429 without Retry-After', { status: 429, json: { error: 'temporarily_unavailable', error_description: 'AADSTS50196: too many requests' } }, 'fresh'],
  ['500', { status: 500, json: { error: 'server_error', error_description: 'AADSTS90033: a transient error' } }, 'fresh'],
  ['503', { status: 503, json: { error: 'temporarily_unavailable', error_description: 'AADSTS90033: unavailable' } }, 'fresh'],
  // The late answer is a token both doubles accept, as a real one would be.
  ['a timeout', { json: { token_type: 'Bearer', expires_in: 3600, access_token: 'pc-user-token-0' }, delayMs: 3_000 }, 0],
  ['malformed JSON', { status: 200, raw: '{"token_type": "Bearer", "access_tok' }, 0],
];

/** What the engineer is told when Entra fails a health check: busy, down or slow; never "no access". */
const TOLD_ABOUT_SIGN_IN = /not available|did not answer in time|throttling/;

/** The describe card's data, with a smaller team affected. */
const describeFor = (flowId: string): Record<string, unknown> => describeData(flowId, { usersAffected: '40' });

describe('hardening: fault matrix', function () {
  this.timeout(60_000);
  let watch: ProcessWatch;
  /** What the user saw under each fault, printed once for the report. */
  const outcomes: string[] = [];
  before(() => {
    watch = watchProcess();
  });
  after(() => {
    watch.uninstall();
    console.log(outcomes.map((o) => `      ${o}`).join('\n'));
  });

  describe('the connector fails a reply', () => {
    let connector: ConnectorDouble;
    let app: RunningApp;
    before(async () => {
      connector = await new ConnectorDouble().start();
      app = await startApp();
    });
    after(async () => {
      await app.stop();
      await connector.stop();
    });

    const faults: [string, ConnectorFault][] = [
      ['429 with Retry-After', { status: 429, retryAfterSeconds: 1, code: 'Throttled' }],
      ['429 without Retry-After', { status: 429, code: 'Throttled' }],
      ['500', { status: 500, code: 'InternalServerError' }],
      ['503', { status: 503, code: 'ServiceUnavailable' }],
      ['412', { status: 412, code: 'PreconditionFailed' }],
      ['502', { status: 502, code: 'BadGateway' }],
      ['504', { status: 504, code: 'GatewayTimeout' }],
      ['502 with an HTML body', { status: 502, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>' }],
      ['a slow answer (3 s)', { status: 200, delayMs: 3_000 }],
    ];
    for (const [name, fault] of faults) {
      it(`${name} on a message reply: the turn ends in < 10 s with the card or a clear error; "help" works after`, async () => {
        const conversationId = `a:fault-${name.replace(/\W+/g, '-')}`;
        const o = { serviceUrl: connector.url, conversationId };
        const mine = () => connector.sent().filter((a) => (a.conversation as { id?: string } | undefined)?.id === conversationId);
        connector.failNext({ ...fault, conversationId });
        const answer = await postJson(`${app.url}/api/messages`, message('help', o));
        assert.ok(answer.status < 500, `HTTP ${answer.status}`);
        assert.ok(answer.ms < TEAMS_MESSAGE_MS, `message turn took ${answer.ms} ms`);
        const during = seen(mine());
        // The edge retries 429 (with or without Retry-After), 412 and 5xx within the turn: the card arrives.
        assert.ok(during.includes('card: Escalation Desk'), `the user saw the card: ${JSON.stringify(during)}`);
        assert.equal(connector.faultsAnswered.filter((f) => f.conversationId === conversationId).length, 1, 'the fault was hit');
        outcomes.push(`connector ${name} on a reply → ${answer.ms} ms, saw ${JSON.stringify(during)}`);
        const before = mine().length;
        const again = await postJson(`${app.url}/api/messages`, message('help', o));
        assert.equal(again.status, 200);
        assert.deepEqual(seen(mine().slice(before)), ['card: Escalation Desk'], 'after the fault clears the card arrives');
      });

      it(`${name} on a describe invoke: answered in < 5 s, the retry creates the escalation once`, async () => {
        const conversationId = `a:fault-invoke-${name.replace(/\W+/g, '-')}`;
        const o = { serviceUrl: connector.url, conversationId };
        const flowId = `f-${conversationId}`.slice(0, 64);
        connector.failNext({ ...fault, conversationId });
        const answer = await postJson(`${app.url}/api/messages`, execute('describe', describeFor(flowId), o));
        assert.equal(answer.status, 200);
        assert.ok(answer.ms < TEAMS_INVOKE_MS, `invoke took ${answer.ms} ms`);
        const body = answer.body as { statusCode?: number; type?: string; value?: { message?: string } };
        const card = invokeCard(body);
        assert.ok(
          card !== undefined || (body.type === 'application/vnd.microsoft.error' && ERROR_TEXT.test(String(body.value?.message))),
          `a card or a clear error: ${JSON.stringify(body).slice(0, 300)}`,
        );
        outcomes.push(`connector ${name} on an invoke → ${answer.ms} ms, ${card ? 'card' : String(body.value?.message)}`);
        const retry = await postJson(`${app.url}/api/messages`, execute('describe', describeFor(flowId), o));
        assert.ok(retry.ms < TEAMS_INVOKE_MS);
        const retried = invokeCard(retry.body);
        assert.ok(retried, `after the fault clears a card: ${JSON.stringify(retry.body).slice(0, 300)}`);
        const id = /"escalationId":"(ED-[0-9A-Z]{8})"/.exec(JSON.stringify(retried))?.[1] ?? '';
        assert.ok(await app.app.database.escalations.get(id), 'the escalation is stored');
        assert.deepEqual((await app.app.database.escalations.audit(id)).filter((e) => e.to === 'draft').length, 1, 'created once');
      });
    }

    it('malformed JSON on a taken reply: the card is there once, no error follows; "help" works after', async () => {
      const conversationId = 'a:fault-malformed-json';
      const o = { serviceUrl: connector.url, conversationId };
      connector.failNext({ status: 200, raw: '{"id": "activity-', conversationId });
      const answer = await postJson(`${app.url}/api/messages`, message('help', o));
      assert.equal(answer.status, 200);
      assert.ok(answer.ms < TEAMS_MESSAGE_MS, `message turn took ${answer.ms} ms`);
      const during = seen(sentTo(connector, conversationId));
      // botbuilder cannot read the answer, but the connector took the card: delivered, not an error, not sent again.
      assert.deepEqual(during, ['card: Escalation Desk'], `the card once and nothing else: ${JSON.stringify(during)}`);
      outcomes.push(`connector malformed JSON (200) on a reply → ${answer.ms} ms, saw ${JSON.stringify(during)}`);
      const before = sentTo(connector, conversationId).length;
      await postJson(`${app.url}/api/messages`, message('help', o));
      assert.deepEqual(seen(sentTo(connector, conversationId).slice(before)), ['card: Escalation Desk'], 'after the fault clears the card arrives');
    });
  });

  describe('Microsoft Graph (HEALTH_SOURCE=graph) fails', () => {
    let graph: HttpDouble;
    let connector: ConnectorDouble;
    let fault: Reply | undefined;
    let tokenFault: Reply | undefined;
    const healthy: Reply = {
      json: { value: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue()]), graphService('microsoftteams', 'Microsoft Teams', 'ServiceOperational')] },
    };
    before(async () => {
      graph = await HttpDouble.start((req) => (isTokenRequest(req) ? (tokenFault ?? tokenReply(req)) : (fault ?? healthy)));
      connector = await new ConnectorDouble().start();
    });
    after(async () => {
      await connector.stop();
      await graph.close();
    });

    /** A fresh service (cold health cache) reading Graph and Entra from the double, with small retry bounds. */
    const start = () =>
      startApp({
        HEALTH_SOURCE: 'graph',
        GRAPH_ENDPOINT: graph.url,
        LOGIN_ENDPOINT: graph.url,
        GRAPH_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
        GRAPH_CLIENT_SECRET: 'graph-secret-for-tests',
        UPSTREAM_MAX_ATTEMPTS: '2',
        UPSTREAM_ATTEMPT_TIMEOUT_MS: '500',
        UPSTREAM_TOTAL_TIMEOUT_MS: '2500',
        HEALTH_CACHE_SECONDS: '0',
      });

    // Each fault, and what the engineer is told about it (throttled, down, slow, unreadable).
    const cases: [string, Reply, RegExp][] = [
      ['429 with Retry-After', { status: 429, headers: { 'retry-after': '1' }, json: { error: { code: 'TooManyRequests', message: 'slow down' } } }, /throttling/],
      ['429 without Retry-After', { status: 429, json: { error: { code: 'TooManyRequests', message: 'slow down' } } }, /throttling/],
      ['500', { status: 500, json: { error: { code: 'InternalServerError', message: 'boom' } } }, /not available/],
      ['503', { status: 503, json: { error: { code: 'ServiceUnavailable', message: 'down' } } }, /not available|throttling/],
      ['a timeout', { ...healthy, delayMs: 3_000 }, /did not answer in time/],
      ['malformed JSON', { status: 200, raw: '{"value": [{"id": "Exchange", "service": ' }, /could not read/],
    ];
    for (const [name, reply, told] of cases) {
      it(`${name}: "health Contoso" answers clearly in < 10 s, an escalate invoke in < 5 s; the card shows once it clears`, async () => {
        const app = await start();
        try {
          const conversationId = `a:graph-${name.replace(/\W+/g, '-')}`;
          const o = { serviceUrl: connector.url, conversationId };
          const mine = () => connector.sent().filter((a) => (a.conversation as { id?: string } | undefined)?.id === conversationId);
          fault = reply;
          const graphCalls = graph.requests.filter((r) => !isTokenRequest(r)).length;
          const answer = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
          assert.equal(answer.status, 200);
          assert.ok(answer.ms < TEAMS_MESSAGE_MS, `message turn took ${answer.ms} ms`);
          assert.ok(graph.requests.filter((r) => !isTokenRequest(r)).length > graphCalls, 'Graph was asked');
          const during = seen(mine()).filter((t) => t !== '');
          const last = during.at(-1) ?? '';
          assert.match(last, /Contoso/, `a clear message naming the customer: ${JSON.stringify(during)}`);
          assert.match(last, told, `the message says what went wrong: ${last}`);
          assert.ok(!last.startsWith('card: Service health'), `no health card can be built from ${name}: ${last}`);
          outcomes.push(`graph ${name} → ${answer.ms} ms, saw ${JSON.stringify(during)}`);

          const invoke = await postJson(`${app.url}/api/messages`, execute('escalate', { customerTenantId: CONTOSO }, o));
          assert.equal(invoke.status, 200);
          assert.ok(invoke.ms < TEAMS_INVOKE_MS, `invoke took ${invoke.ms} ms`);
          assert.ok(cardTexts(invokeCard(invoke.body)).some((t) => /Report a customer's problem/.test(t)), 'the describe form still comes');

          fault = undefined;
          const before = mine().length;
          const healed = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
          assert.ok(healed.ms < TEAMS_MESSAGE_MS);
          const after = seen(mine().slice(before));
          assert.ok(after.includes('card: Service health: Contoso'), `the health card once the fault clears: ${JSON.stringify(after)}`);
        } finally {
          fault = undefined;
          await app.stop();
        }
      });
    }

    for (const [name, reply, after] of TOKEN_FAULTS) {
      it(`the token endpoint: ${name}: "health Contoso" answers clearly in < 10 s; the card shows once it clears`, async () => {
        let app = await start();
        try {
          const conversationId = conversationFor('graph-token', name);
          const o = { serviceUrl: connector.url, conversationId };
          tokenFault = reply;
          const tokenCalls = graph.requests.filter(isTokenRequest).length;
          const answer = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
          assert.equal(answer.status, 200);
          assert.ok(answer.ms < TEAMS_MESSAGE_MS, `message turn took ${answer.ms} ms`);
          assert.ok(graph.requests.filter(isTokenRequest).length > tokenCalls, 'a token was asked for');
          const during = seen(sentTo(connector, conversationId)).filter((t) => t !== '');
          const last = during.at(-1) ?? '';
          assert.match(last, /Contoso/, `a clear message naming the customer: ${JSON.stringify(during)}`);
          assert.match(last, TOLD_ABOUT_SIGN_IN, `Entra being busy is not reported as a refusal: ${last}`);
          outcomes.push(`graph token ${name} → ${answer.ms} ms, saw ${JSON.stringify(during)}`);

          tokenFault = undefined;
          if (after === 'fresh') {
            await app.stop();
            app = await start();
          } else await sleep(after);
          const before = sentTo(connector, conversationId).length;
          const healed = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
          assert.ok(healed.ms < TEAMS_MESSAGE_MS);
          const seenAfter = seen(sentTo(connector, conversationId).slice(before));
          assert.ok(seenAfter.includes('card: Service health: Contoso'), `the health card once the fault clears: ${JSON.stringify(seenAfter)}`);
        } finally {
          tokenFault = undefined;
          await app.stop();
        }
      });
    }
  });

  describe('Partner Center (DIRECTORY_SOURCE and SUPPORT_SOURCE=partnercenter) fails', () => {
    let pc: PartnerCenterDouble;
    let connector: ConnectorDouble;
    before(async () => {
      pc = await PartnerCenterDouble.start();
      pc.customers.push({ tenantId: CONTOSO, companyName: 'Contoso', domain: 'contoso.onmicrosoft.com' });
      connector = await new ConnectorDouble().start();
    });
    afterEach(() => {
      pc.outage = undefined;
    });
    after(async () => {
      await connector.stop();
      await pc.close();
    });

    /** A fresh service (cold customer list, no token) on the Partner Center and Entra double, with small retry bounds. */
    const start = () =>
      startApp({
        DIRECTORY_SOURCE: 'partnercenter',
        ...partnerCenterSettings(pc.url),
        UPSTREAM_MAX_ATTEMPTS: '2',
        UPSTREAM_ATTEMPT_TIMEOUT_MS: '500',
        UPSTREAM_TOTAL_TIMEOUT_MS: '2500',
      });

    const faults: [string, Reply][] = [
      ['429 with Retry-After', { status: 429, headers: { 'retry-after': '1' }, json: { code: 429, description: 'Too many requests' } }],
      ['429 without Retry-After', { status: 429, json: { code: 429, description: 'Too many requests' } }],
      ['500', { status: 500, json: { code: 500, description: 'Internal server error' } }],
      ['503', { status: 503, json: { code: 503, description: 'Service unavailable' } }],
      // Longer than a card action may wait: the client must give up, not Teams.
      ['a timeout', { json: {}, delayMs: 6_000 }],
      ['malformed JSON', { status: 200, raw: '{"totalCount": 1, "items": [{"companyProfile": ' }],
    ];

    /** "health Contoso" under an outage: a clear message about the customer list within 10 s. */
    async function healthDuringOutage(app: RunningApp, o: ActivityOptions, outage: DoubleOutage): Promise<string> {
      const conversationId = o.conversationId ?? '';
      pc.outage = outage;
      const calls = pc.http.requests.length;
      const answer = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
      assert.equal(answer.status, 200);
      assert.ok(answer.ms < TEAMS_MESSAGE_MS, `message turn took ${answer.ms} ms`);
      assert.ok(pc.http.requests.length > calls, 'the double was asked');
      const during = seen(sentTo(connector, conversationId)).filter((t) => t !== '');
      assert.match(during.at(-1) ?? '', /couldn't reach your customer list.*reference [0-9a-f]{8}/, `a clear message: ${JSON.stringify(during)}`);
      return `${answer.ms} ms, saw ${JSON.stringify(during)}`;
    }

    /** "health Contoso" once the outage is over: the health card. */
    async function healthAfterwards(app: RunningApp, o: ActivityOptions): Promise<void> {
      const conversationId = o.conversationId ?? '';
      const before = sentTo(connector, conversationId).length;
      const healed = await postJson(`${app.url}/api/messages`, message('health Contoso', o));
      assert.ok(healed.ms < TEAMS_MESSAGE_MS);
      const after = seen(sentTo(connector, conversationId).slice(before));
      assert.ok(after.includes('card: Service health: Contoso'), `the health card once the fault clears: ${JSON.stringify(after)}`);
    }

    /** The tracker reads the linked request once Partner Center answers: the escalation resolves, once. */
    async function trackedToResolved(app: RunningApp, id: string, requestNumber: string): Promise<void> {
      pc.outage = undefined;
      pc.setStatus(requestNumber, 'closed', 'Fixed on our side.');
      await app.app.workers.tracker.pollNow(id);
      assert.equal((await app.app.workers.tracker.runOnce()).changed, 1, 'the tracker moved it');
      assert.equal((await app.app.database.escalations.get(id))?.state, 'resolved');
      const audit = await app.app.database.escalations.audit(id);
      assert.deepEqual(audit.filter((e) => e.to === 'escalated' || e.to === 'resolved').map((e) => e.to), ['escalated', 'resolved'], 'linked once, resolved once');
    }

    /** The hand-off link under an outage: answered in < 5 s with a card, and the request is linked (escalated). */
    async function linkDuringOutage(app: RunningApp, o: ActivityOptions, id: string, requestNumber: string): Promise<string> {
      const link = await postJson(`${app.url}/api/messages`, execute('handoffLink', { escalationId: id, requestNumber }, o));
      assert.equal(link.status, 200);
      assert.ok(link.ms < TEAMS_INVOKE_MS, `invoke took ${link.ms} ms`);
      const card = invokeCard(link.body);
      assert.ok(card, `a card: ${JSON.stringify(link.body).slice(0, 300)}`);
      assert.equal((await app.app.database.escalations.get(id))?.state, 'escalated', 'linked although Partner Center could not confirm it');
      return `${link.ms} ms, ${cardTexts(card)[0] ?? ''}`;
    }

    let nextRequest = 2503100040000100;

    for (const [name, reply] of faults) {
      it(`the customer list: ${name}: "health Contoso" and an escalate invoke answer clearly in time; both work once it clears`, async () => {
        const app = await start();
        try {
          const conversationId = conversationFor('pc-customers', name);
          const o = { serviceUrl: connector.url, conversationId };
          const health = await healthDuringOutage(app, o, { reply, where: /^\/v1\/customers\?/ });
          const invoke = await postJson(`${app.url}/api/messages`, execute('escalate', {}, o));
          assert.equal(invoke.status, 200);
          assert.ok(invoke.ms < TEAMS_INVOKE_MS, `invoke took ${invoke.ms} ms`);
          // The describe form still comes, saying why it lists no customers.
          const texts = cardTexts(invokeCard(invoke.body));
          assert.ok(texts.some((t) => /Report a customer's problem/.test(t)), `the describe form: ${JSON.stringify(texts)}`);
          const told = texts.find((t) => /couldn't reach your customer list.*reference [0-9a-f]{8}/.test(t));
          assert.ok(told, `the card says the customer list is unreachable: ${JSON.stringify(texts)}`);
          assert.ok(!JSON.stringify(invoke.body).includes(CONTOSO), 'no customer is offered while the list is down');
          outcomes.push(`partner center customers ${name} → health ${health}; escalate ${invoke.ms} ms, card: ${told}`);

          pc.outage = undefined;
          await healthAfterwards(app, o);
          const engineer = new Engineer(app, connector, { conversationId });
          const describe = await engineer.act('escalate', {});
          assert.ok(JSON.stringify(describe).includes(CONTOSO), 'the describe card lists the customer');
          const id = escalationIdOf(await engineer.describe(flowIdOf(describe)));
          assert.equal((await app.app.database.escalations.audit(id)).filter((e) => e.to === 'draft').length, 1, 'created once');
        } finally {
          await app.stop();
        }
      });

      it(`service requests: ${name}: the hand-off answers in < 5 s and links once; the tracker resolves it once Partner Center answers`, async () => {
        const app = await start();
        try {
          const conversationId = conversationFor('pc-requests', name);
          const o = { serviceUrl: connector.url, conversationId };
          const { id } = await new Engineer(app, connector, { conversationId }).toHandoff();
          const requestNumber = String(nextRequest++);
          pc.put({ id: requestNumber, customerTenantId: CONTOSO });
          pc.outage = { reply, where: /^\/v1\/servicerequests\// };
          const asked = () => pc.apiRequests().filter((r) => r.url === `/v1/servicerequests/${requestNumber}`).length;
          const link = await linkDuringOutage(app, o, id, requestNumber);
          assert.ok(asked() > 0, 'Partner Center was asked for the request');
          outcomes.push(`partner center service request ${name} → hand-off ${link}`);

          // While the fault lasts the tracker's poll fails and changes nothing.
          await app.app.workers.tracker.pollNow(id);
          assert.equal((await app.app.workers.tracker.runOnce()).changed, 0);
          assert.equal((await app.app.database.escalations.get(id))?.state, 'escalated');
          await trackedToResolved(app, id, requestNumber);
        } finally {
          await app.stop();
        }
      });
    }

    for (const [name, reply, after] of TOKEN_FAULTS) {
      it(`the token endpoint: ${name}: the customer list and a hand-off answer clearly in time; the work completes once it clears`, async () => {
        let app = await start();
        try {
          const conversationId = conversationFor('pc-token', name);
          const o = { serviceUrl: connector.url, conversationId };
          const tokens = pc.tokenRequests().length;
          const health = await healthDuringOutage(app, o, { reply, where: 'token' });
          assert.ok(pc.tokenRequests().length > tokens, 'an app-only token was asked for');
          pc.outage = undefined;
          if (after === 'fresh') {
            await app.stop();
            app = await start();
          } else await sleep(after);
          await healthAfterwards(app, o);

          // The App+User token (refresh-token grant) fails from the hand-off card on; the customer list is cached.
          const engineer = new Engineer(app, connector, { conversationId });
          const id = escalationIdOf(await engineer.describe(flowIdOf(await engineer.act('escalate', {}))));
          await engineer.act('knownDiffers', { escalationId: id, notSameReason: 'only one tenant' });
          await engineer.act('troubleshootSkip', { escalationId: id });
          pc.outage = { reply, where: 'token' };
          const triage = await postJson(
            `${app.url}/api/messages`,
            execute('triage', { escalationId: id, category: 'service_unavailable', severity: 'critical', businessImpact: 'no mail', contact: 'Jo' }, o),
          );
          assert.ok(triage.ms < TEAMS_INVOKE_MS, `invoke took ${triage.ms} ms`);
          assert.ok(invokeCard(triage.body), `the hand-off card without the request list: ${JSON.stringify(triage.body).slice(0, 300)}`);
          const requestNumber = String(nextRequest++);
          pc.put({ id: requestNumber, customerTenantId: CONTOSO });
          const link = await linkDuringOutage(app, o, id, requestNumber);
          outcomes.push(`partner center token ${name} → health ${health}; hand-off ${link}`);
          pc.outage = undefined;
          // MSAL holds a 429/5xx for 60 s without Retry-After: the tracker then reads it a minute later (not waited for here).
          if (after !== 'fresh') {
            await sleep(after);
            await trackedToResolved(app, id, requestNumber);
          }
        } finally {
          await app.stop();
        }
      });
    }
  });

  // Mocha runs a suite's own tests before its nested suites: this one must come last.
  describe('afterwards', () => {
    it('nothing went unhandled', () => {
      watch.assertQuiet();
    });
  });
});
