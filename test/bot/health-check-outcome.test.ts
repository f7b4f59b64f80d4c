/**
 * A health check that could not run is never presented as "no match": not on the cards, not
 * in the decision, not in the request text Microsoft receives. The engineer is told what is
 * missing and who can grant it, in their language.
 */
import { strict as assert } from 'node:assert';
import { useAppPerTest } from '../helpers/app';
import { Engineer, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';
import { cardTexts } from '../helpers/cards';

/** The sandbox's Northwind Traders: its tenant refuses the health app, as Graph answers 403. */
const NORTHWIND = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';

/** The copy-ready request description on a hand-off card. */
function requestText(card: Card): string {
  const found = JSON.stringify(card).match(/"id":"copyDescription"[^}]*?"value":"((?:[^"\\]|\\.)*)"/);
  assert.ok(found, 'the hand-off card carries the request description');
  return JSON.parse(`"${found[1] ?? ''}"`) as string;
}

describe('the health check outcome', () => {
  const fixture = useAppPerTest();

  it('a forbidden tenant: the engineer is told what is missing; cards and request say "could not check", never "no match"', async () => {
    const me = new Engineer(fixture.app, fixture.connector);
    const flowId = flowIdOf(await me.act('escalate', {}));
    const troubleshoot = await me.describe(flowId, { customerTenantId: NORTHWIND, service: 'Exchange Online' });
    const id = escalationIdOf(troubleshoot);

    const said = fixture.connector.sent().map((a) => (typeof a.text === 'string' ? a.text : '')).join('\n');
    assert.match(said, /ServiceHealth\.Read\.All/);
    assert.match(said, /Global Administrator/);
    assert.doesNotMatch(said, /HealthAccessError|\(error\)/);

    assert.equal(has(troubleshoot, /No open Microsoft issue matches/), false);
    assert.ok(has(troubleshoot, /could not be checked automatically/));

    const stored = await fixture.app.app.database.escalations.get(id);
    assert.deepEqual(
      { outcome: (stored?.details.healthCheck as { outcome: string }).outcome, failure: (stored?.details.healthCheck as { failure: string }).failure },
      { outcome: 'not_checked', failure: 'access_403' },
    );

    await me.act('troubleshootSkip', { escalationId: id });
    const handoff = await me.act('triage', { escalationId: id, category: 'service_unavailable', severity: 'critical', businessImpact: 'no mail', contact: 'Jo' });
    const text = requestText(handoff);
    assert.match(text, /Service health: could not be checked automatically \(Escalation Desk may not read/);
    assert.doesNotMatch(text, /No open Microsoft issue matches/);
    const reasons = cardTexts(handoff).join('\n');
    assert.match(reasons, /Service health could not be checked automatically/);
    assert.doesNotMatch(reasons, /No open Microsoft issue matches it/);
  });

  it('a tenant that was checked: the request says when, and whether a known issue was offered', async () => {
    const me = new Engineer(fixture.app, fixture.connector);
    const { handoff } = await me.toHandoff();
    assert.match(requestText(handoff), /Service health: checked \d{4}-\d\d-\d\d \d\d:\d\d UTC: a known Microsoft issue was offered\./);

    const flowId = flowIdOf(await me.act('escalate', {}));
    const troubleshoot = await me.describe(flowId, { service: 'Microsoft Intune', title: 'Devices do not enroll', description: 'Enrollment fails on every new laptop' });
    assert.ok(has(troubleshoot, /No open Microsoft issue matches/));
    const id = escalationIdOf(troubleshoot);
    await me.act('troubleshootSkip', { escalationId: id });
    const noMatch = await me.act('triage', { escalationId: id, category: 'service_unavailable', severity: 'moderate', businessImpact: 'no devices', contact: 'Jo' });
    assert.match(requestText(noMatch), /Service health: checked \d{4}-\d\d-\d\d \d\d:\d\d UTC: no open Microsoft issue matches this problem\./);
  });

  it('says it in Korean for a Korean engineer', async () => {
    const me = new Engineer(fixture.app, fixture.connector, { locale: 'ko-KR' });
    const flowId = flowIdOf(await me.act('escalate', {}));
    const troubleshoot = await me.describe(flowId, { customerTenantId: NORTHWIND, service: 'Exchange Online' });
    assert.ok(has(troubleshoot, /자동으로 확인하지 못했습니다/));
    const said = fixture.connector.sent().map((a) => (typeof a.text === 'string' ? a.text : '')).join('\n');
    assert.match(said, /관리자 동의/);
  });
});
