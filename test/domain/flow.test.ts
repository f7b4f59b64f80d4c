import { strict as assert } from 'node:assert';
import { createEscalation, transition, type Actor, type Escalation, type EscalationState } from '../../src/domain/escalation';
import { decisionOf, stageOf, stepOf } from '../../src/domain/flow';
import { CANCELLABLE_STATES, IN_PROGRESS_STATES } from '../../src/domain/states';
import { decide, troubleshootingChecks } from '../../src/domain/triage';

const ada: Actor = { kind: 'user', id: 'u1', name: 'Ada' };
const at = new Date('2026-11-25T09:00:00Z');

function inState(state: EscalationState, details: Record<string, unknown> = {}): Escalation {
  const { escalation } = createEscalation(
    { id: 'ED-7K2M9Q4P', partnerTenantId: 'p', ownerId: 'u1', customer: { tenantId: 't', name: 'Contoso' }, service: 'Microsoft Teams', title: 't', description: 'd' },
    ada,
    at,
  );
  return { ...escalation, state, details };
}

describe('domain/flow', () => {
  it('the step follows the state; in triage the recorded step tells the checklist from the category', () => {
    const cases: Array<[EscalationState, Record<string, unknown>, string]> = [
      ['draft', {}, 'health'],
      ['triage', {}, 'troubleshoot'],
      ['triage', { step: 'troubleshoot' }, 'troubleshoot'],
      ['triage', { step: 'category' }, 'category'],
      ['awaiting_handoff', { step: 'category' }, 'handoff'],
      ['not_warranted', {}, 'decision'],
      ['escalated', { step: 'health' }, 'done'],
      ['closed', {}, 'done'],
    ];
    for (const [state, details, step] of cases) assert.equal(stepOf(inState(state, details)), step, `${state} ${JSON.stringify(details)}`);
  });

  it('a stage carries what its step works on, with defaults for a row that never recorded it', () => {
    assert.deepEqual(stageOf(inState('draft', { healthPending: true })), { step: 'health', pending: true, offered: [] });
    const checklist = stageOf(inState('triage'));
    assert.deepEqual(checklist, { step: 'troubleshoot', troubleshooting: { checks: troubleshootingChecks('Microsoft Teams'), done: [], skipped: false } });
    const recorded = { checks: ['licences'], done: ['licences'], skipped: false };
    assert.deepEqual(stageOf(inState('triage', { troubleshooting: recorded })), { step: 'troubleshoot', troubleshooting: recorded });
    assert.deepEqual(stageOf(inState('resolved')), { step: 'done', state: 'resolved' });
  });

  it('the decision of the recorded answers is the domain rule applied to them', () => {
    const troubleshooting = { checks: ['a'], done: [], skipped: true };
    const details = { notSameReason: 'only one mailbox', troubleshooting, category: 'service_unavailable', healthCheck: { outcome: 'matched', at: at.toISOString() } };
    assert.deepEqual(
      decisionOf(inState('triage', details).details),
      decide({ knownIssueConfirmed: false, notSameReason: 'only one mailbox', healthCheck: 'matched', troubleshooting, category: 'service_unavailable' }),
    );
    assert.equal(decisionOf({ knownIssue: { id: 'EX1', title: 'Mail' }, category: 'bug' }).escalate, false, 'a confirmed known issue never goes to Microsoft');
  });

  it('cancelling is possible until Microsoft has it; resuming only where the engineer still acts', () => {
    assert.deepEqual(CANCELLABLE_STATES, ['draft', 'known_issue', 'triage', 'awaiting_handoff']);
    for (const state of CANCELLABLE_STATES) assert.equal(transition(inState(state), 'cancelled', { actor: ada, at }).escalation.state, 'cancelled');
    assert.deepEqual([...IN_PROGRESS_STATES].sort(), ['awaiting_handoff', 'draft', 'not_warranted', 'triage']);
  });
});
