import { strict as assert } from 'node:assert';
import { graphIssue, graphService } from '../health/helpers/graph-fixtures';
import { HttpDouble, isTokenRequest, tokenReply, type Reply } from '../http/helpers/http-double';
import { useAppPerTest } from '../helpers/app';
import { Engineer, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';

describe('a health check slower than the turn (Graph answers late)', () => {
  let graph: HttpDouble;
  let delayMs = 1500;
  before(async () => {
    const healthy: Reply = {
      json: { value: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue()]), graphService('microsoftteams', 'Microsoft Teams', 'ServiceOperational')] },
    };
    graph = await HttpDouble.start((req) => (isTokenRequest(req) ? tokenReply(req) : { ...healthy, delayMs }));
  });
  after(async () => graph.close());

  const env = (): Record<string, string> => ({
    HEALTH_SOURCE: 'graph',
    GRAPH_ENDPOINT: graph.url,
    LOGIN_ENDPOINT: graph.url,
    GRAPH_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
    GRAPH_CLIENT_SECRET: 'graph-secret-for-tests',
    TURN_UPSTREAM_BUDGET_MS: '300',
    UPSTREAM_ATTEMPT_TIMEOUT_MS: '5000',
    UPSTREAM_TOTAL_TIMEOUT_MS: '8000',
  });
  const f = useAppPerTest(env);

  it('acknowledges at once, then updates the card in place with the known issue', async () => {
    const me = new Engineer(f.app, f.connector, { replyToId: 'flow-card-7' });
    const flowId = flowIdOf(await me.act('escalate', {}));
    const started = Date.now();
    const pending = await me.describe(flowId);
    assert.ok(Date.now() - started < 1200, 'the turn did not wait for Graph');
    assert.ok(has(pending, /Still checking Microsoft's service health for Contoso/));
    const id = escalationIdOf(pending);
    assert.equal((await f.app.app.database.escalations.get(id))?.details.healthPending, true);

    await f.app.app.background.drain();
    await f.app.app.workers.outboxWorker.runOnce();
    const update = f.connector.calls.find((c) => c.method === 'PUT' && c.path.endsWith('/activities/flow-card-7'));
    assert.ok(update, 'the flow card was updated in place');
    const card = (update.activity.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(card, /Is this a known Microsoft issue/));
    const stored = await f.app.app.database.escalations.get(id);
    assert.equal(stored?.details.healthPending, false);
    assert.ok(Array.isArray(stored?.details.offered) && stored.details.offered.length > 0);
  });

  it('after a restart lost the late check, "resume" runs it again', async () => {
    delayMs = 1500;
    const me = new Engineer(f.app, f.connector);
    const flowId = flowIdOf(await me.act('escalate', {}));
    const id = escalationIdOf(await me.describe(flowId));
    // Simulate the lost background task: the stored draft still waits for its health check.
    await f.app.app.background.drain();
    const stored = await f.app.app.database.escalations.get(id);
    assert.ok(stored);
    await f.app.app.database.escalations.update({ ...stored, details: { ...stored.details, healthPending: true, offered: [] } }, stored.version, []);
    delayMs = 0;
    await me.say('resume');
    const sent = await f.connector.waitForSent(1);
    const card = ((sent.at(-1)?.attachments ?? []) as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(card, /Is this a known Microsoft issue/));
  });

  it('"health Contoso" answers "still checking" within the turn budget, then that message becomes the health card', async () => {
    delayMs = 1500;
    const me = new Engineer(f.app, f.connector);
    await me.say('health Contoso');
    // The turn has ended: it said it is still checking, and had no card yet to send.
    const posted = f.connector.calls.filter((c) => c.method === 'POST' && typeof c.activity.text === 'string');
    const pending = posted.find((c) => /still checking/.test(String(c.activity.text)));
    assert.ok(pending?.activityId, 'the engineer was told at once that it is still checking');
    assert.equal(f.connector.calls.some((c) => Array.isArray(c.activity.attachments)), false, 'no card before Graph answered');

    await f.app.app.background.drain();
    await f.app.app.workers.outboxWorker.runOnce();
    const update = f.connector.calls.find((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${pending.activityId}`));
    assert.ok(update, 'the "still checking" message was updated in place');
    const card = (update.activity.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(card, /Service health: Contoso/));
  });
});
