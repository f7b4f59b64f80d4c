import { strict as assert } from 'node:assert';
import { detailsOf } from '../../src/domain/details';
import { createEscalation, type Actor, type Escalation } from '../../src/domain/escalation';
import { MAX_OFFERED, healthOutcome, troubleshootingStart, type OverviewForMatching } from '../../src/domain/health-outcome';
import { troubleshootingChecks } from '../../src/domain/triage';
import type { HealthIssue } from '../../src/health/types';

const ada: Actor = { kind: 'user', id: 'u1', name: 'Ada' };
const described = new Date('2026-11-25T09:00:00Z');
const checked = new Date('2026-11-25T09:00:02Z');

function draft(): Escalation {
  return createEscalation(
    {
      id: 'ED-7K2M9Q4P',
      partnerTenantId: 'partner',
      ownerId: 'u1',
      customer: { tenantId: 'tenant', name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Users cannot send mail',
      description: 'Outbound mail is stuck in the queue',
      since: '2026-11-25T07:00:00.000Z',
      details: { flowId: 'flow-1', step: 'health', healthPending: true },
    },
    ada,
    described,
  ).escalation;
}

function issue(id: string, overrides: Partial<HealthIssue> = {}): HealthIssue {
  return {
    id,
    title: 'Users may be unable to send mail',
    service: 'Exchange Online',
    impactDescription: 'Outbound mail is delayed.',
    classification: 'incident',
    origin: 'microsoft',
    status: 'serviceDegradation',
    isResolved: false,
    startDateTime: '2026-11-25T06:00:00.000Z',
    lastModifiedDateTime: '2026-11-25T06:30:00.000Z',
    details: [],
    posts: [],
    ...overrides,
  };
}

const overview = (issues: HealthIssue[]): OverviewForMatching => ({ services: [{ id: 'Exchange', service: 'Exchange Online', issues }] });

describe('domain/health-outcome', () => {
  it('offers the matching known issues with why they matched: still a draft, no event, the check recorded as matched', () => {
    const { escalation, events } = healthOutcome(draft(), { overview: overview([issue('EX1')]) }, ada, checked);
    assert.equal(escalation.state, 'draft');
    assert.deepEqual(events, []);
    const d = detailsOf(escalation);
    assert.deepEqual(d.offered?.map((o) => o.id), ['EX1']);
    assert.deepEqual(d.offered?.[0]?.reasons.map((r) => r.code).slice(0, 2), ['sameService', 'incident']);
    assert.deepEqual(d.healthCheck, { outcome: 'matched', at: checked.toISOString() });
    assert.equal(d.healthPending, false);
    assert.equal(d.flowId, 'flow-1', 'what the draft carried stays');
  });

  it('offers at most three, with the impact cut to 500 characters', () => {
    const many = Array.from({ length: 5 }, (_, i) => issue(`EX${i}`, { impactDescription: 'x'.repeat(900) }));
    const d = detailsOf(healthOutcome(draft(), { overview: overview(many) }, ada, checked).escalation);
    assert.equal(d.offered?.length, MAX_OFFERED);
    assert.ok(d.offered?.every((o) => o.impact.length === 500));
  });

  it('with no match, triage begins with the service checklist: one audit event, the check recorded as no match', () => {
    const resolved = issue('EX9', { isResolved: true, status: 'serviceRestored' });
    const { escalation, events } = healthOutcome(draft(), { overview: overview([resolved]) }, ada, checked);
    assert.equal(escalation.state, 'triage');
    assert.deepEqual(events.map((e) => [e.from, e.to, e.actor.id, e.at]), [['draft', 'triage', 'u1', checked.toISOString()]]);
    const d = detailsOf(escalation);
    assert.equal(d.step, 'troubleshoot');
    assert.deepEqual(d.troubleshooting, { checks: troubleshootingChecks('Exchange Online'), done: [], skipped: false });
    assert.deepEqual(d.healthCheck, { outcome: 'no_match', at: checked.toISOString() });
    assert.equal(d.healthPending, false);
  });

  it('a check that could not run goes to triage recorded as not checked, with why: never as "no match"', () => {
    const { escalation } = healthOutcome(draft(), { failure: 'access_403' }, ada, checked);
    assert.equal(escalation.state, 'triage');
    assert.deepEqual(detailsOf(escalation).healthCheck, { outcome: 'not_checked', at: checked.toISOString(), failure: 'access_403' });
    assert.equal(detailsOf(escalation).offered, undefined);
  });

  it('troubleshooting starts with the checklist that fits the service', () => {
    assert.deepEqual(troubleshootingStart('Microsoft Teams'), {
      step: 'troubleshoot',
      troubleshooting: { checks: troubleshootingChecks('Microsoft Teams'), done: [], skipped: false },
    });
  });
});
