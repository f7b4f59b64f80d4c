/**
 * Fault matrix: the Bot Framework connector and Microsoft Graph (the health provider's
 * upstream) answering 429 (with and without Retry-After), 500, 503, too slowly, or with
 * malformed JSON. Whatever the fault, the engineer gets a clear message or card within
 * Teams' limits (a message turn ends in < 10 s, an invoke in < 5 s), and the work
 * completes once the fault clears. Everything runs on 127.0.0.1 and is bounded.
 */
import { strict as assert } from 'node:assert';
import { execute, message } from '../support/activities';
import { startApp, type RunningApp } from '../support/app';
import { cardTexts } from '../support/cards';
import { ConnectorDouble, type ConnectorFault } from '../support/connector-double';
import { CONTOSO, describeData } from '../support/engineer';
import { graphIssue, graphService } from '../health/support/graph-fixtures';
import { HttpDouble, isTokenRequest, tokenReply, type Reply } from '../http/support/http-double';
import { TEAMS_INVOKE_MS, TEAMS_MESSAGE_MS, cardsOf, invokeCard, postJson, watchProcess, type ProcessWatch } from './support';

const ERROR_TEXT = /something went wrong on my side.*Reference: [0-9a-f]{8}/;

/** What the user saw of one turn: the sent activities' texts and card titles. */
function seen(activities: readonly Record<string, unknown>[]): string[] {
  return activities.flatMap((a) => [
    ...(typeof a.text === 'string' ? [a.text] : []),
    ...cardsOf(a).map((c) => `card: ${cardTexts(c)[0] ?? ''}`),
  ]);
}

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
  });

  describe('Microsoft Graph (HEALTH_SOURCE=graph) fails', () => {
    let graph: HttpDouble;
    let connector: ConnectorDouble;
    let fault: Reply | undefined;
    const healthy: Reply = {
      json: { value: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue()]), graphService('microsoftteams', 'Microsoft Teams', 'ServiceOperational')] },
    };
    before(async () => {
      graph = await HttpDouble.start((req) => (isTokenRequest(req) ? tokenReply(req) : (fault ?? healthy)));
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
  });

  // Mocha runs a suite's own tests before its nested suites: this one must come last.
  describe('afterwards', () => {
    it('nothing went unhandled', () => {
      watch.assertQuiet();
    });
  });
});
