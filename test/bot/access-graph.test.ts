/**
 * GDAP readiness read from Microsoft Graph in the partner tenant (ACCESS_SOURCE=graph), against
 * the local Graph double: the line the engineer sees, a Graph slower than the turn (the turn is
 * not held: "still being checked", and the answer serves the next ask), a local client's object
 * id Graph refuses, and a partner tenant whose app lacks the permission.
 */
import { strict as assert } from 'node:assert';
import { ENGINEER } from '../helpers/activities';
import { useAppPerTest } from '../helpers/app';
import { cardTexts } from '../helpers/cards';
import { CONTOSO, Engineer, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';
import { GraphAccessDouble, HELPDESK, PARTNER_TENANT, graphAccessEnv, graphError, graphRelationship } from '../access/helpers/graph-access-double';

describe('GDAP readiness from Graph in the partner tenant (ACCESS_SOURCE=graph)', () => {
  let graph: GraphAccessDouble;
  beforeEach(async () => {
    graph = await GraphAccessDouble.start();
    // Ends on 2027-03-01 and does not extend itself: the line says until when.
    graph.relationships = [graphRelationship({ autoExtendDuration: 'PT0S' })];
    graph.members.set(ENGINEER.aadObjectId, new Set([HELPDESK]));
  });
  afterEach(async () => graph.close());

  const f = useAppPerTest(() => ({
    ...graphAccessEnv(graph),
    TURN_UPSTREAM_BUDGET_MS: '400',
    UPSTREAM_ATTEMPT_TIMEOUT_MS: '5000',
    UPSTREAM_TOTAL_TIMEOUT_MS: '8000',
  }));

  async function described(from: { id: string; aadObjectId?: string; name?: string } = ENGINEER): Promise<Card> {
    const me = new Engineer(f.app, f.connector, { from });
    return me.describe(flowIdOf(await me.act('escalate', {})));
  }

  it('reads the relationship, its assignments and the engineer’s groups in the partner tenant: role, group and end date', async () => {
    const card = await described();
    assert.ok(has(card, /^You can act for Contoso: Service Support Administrator via 'Contoso helpdesk' until 2027-03-01\.$/), cardTexts(card).join('\n'));
    const paths = graph.graphRequests().map((r) => `${r.method} ${r.url.split('?')[0]}`);
    assert.ok(paths.includes('GET /v1.0/tenantRelationships/delegatedAdminRelationships'));
    assert.ok(paths.includes(`POST /v1.0/users/${ENGINEER.aadObjectId}/checkMemberGroups`));
    assert.ok(graph.tokenRequests().every((r) => r.url.includes(PARTNER_TENANT)), 'app tokens of the partner tenant only');
  });

  it('a Graph slower than the turn does not hold it: the card says readiness is still being checked, and the next ask is answered from the finished read', async () => {
    graph.failNext(/delegatedAdminRelationships/, { json: { value: [graphRelationship({ autoExtendDuration: 'PT0S' })] }, delayMs: 1500 });
    const started = Date.now();
    const card = await described();
    assert.ok(Date.now() - started < 1400, `the turn took ${Date.now() - started} ms`);
    assert.ok(has(card, /GDAP access for Contoso is still being checked \(Microsoft Graph is slow\): say access Contoso in a moment\./), cardTexts(card).join('\n'));
    const stored = await f.app.app.database.escalations.get(escalationIdOf(card));
    assert.equal(stored?.details.accessCheck, undefined, 'nothing half-known is kept');

    // The read goes on after the turn: relationships (slow), assignments, then the engineer's groups.
    for (let waited = 0; !graph.graphRequests().some((r) => r.url.includes('checkMemberGroups')) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 50));
    const requests = graph.graphRequests().length;
    const access = await new Engineer(f.app, f.connector).act('access', { customerTenantId: CONTOSO });
    assert.ok(has(access, /^You can act for Contoso: Service Support Administrator via 'Contoso helpdesk' until 2027-03-01\.$/));
    assert.equal(graph.graphRequests().length, requests, 'served from the read the slow turn started');
  });

  it('"health Contoso" with a slow Graph shows the health card at once, saying readiness is still being checked', async () => {
    graph.failNext(/delegatedAdminRelationships/, { json: { value: [graphRelationship()] }, delayMs: 1500 });
    const before = f.connector.sent().length;
    await new Engineer(f.app, f.connector).say('health Contoso');
    const card = (f.connector.sent().slice(before).find((a) => Array.isArray(a.attachments))?.attachments as { content: Card }[])[0]?.content ?? {};
    assert.equal(cardTexts(card)[0], 'Service health: Contoso');
    assert.ok(has(card, /^GDAP access for Contoso is still being checked/));
  });

  it("a local client's object id that is not a GUID is not sent to Graph: membership is said to be unchecked", async () => {
    const card = await described({ id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' });
    assert.ok(has(card, /^Whether you can act for Contoso is not known: your Teams client sent no Entra object id/));
    assert.ok(!graph.graphRequests().some((r) => r.url.includes('checkMemberGroups')));
  });

  it('an app without DelegatedAdminRelationship.Read.All in the partner tenant: the line names the missing permission', async () => {
    graph.failNext(/delegatedAdminRelationships/, graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    const card = await described();
    assert.ok(
      has(card, /^GDAP access for Contoso could not be checked: Escalation Desk lacks the Graph permission DelegatedAdminRelationship\.Read\.All in your partner tenant \(a partner admin grants it\)\.$/),
      cardTexts(card).join('\n'),
    );
  });
});
