import { strict as assert } from 'node:assert';
import {
  MAX_REQUEST_TITLE,
  buildServiceRequest,
  decide,
  isServiceRequestNumber,
  troubleshootingChecks,
  type DecisionInput,
  type TroubleshootingRecord,
} from '../../src/domain/triage';

const done: TroubleshootingRecord = { checks: ['a', 'b'], done: ['a', 'b'], skipped: false };
const partial: TroubleshootingRecord = { checks: ['a', 'b'], done: ['a'], skipped: false };
const skipped: TroubleshootingRecord = { checks: ['a', 'b'], done: [], skipped: true };

describe('domain/triage', () => {
  const table: Array<[string, DecisionInput, boolean]> = [
    ['known issue confirmed: never', { knownIssueConfirmed: true, troubleshooting: done, category: 'bug' }, false],
    ['no known issue, checks done, bug: escalate', { knownIssueConfirmed: false, troubleshooting: done, category: 'bug' }, true],
    ['differs with reason, checks done, undocumented: escalate', { knownIssueConfirmed: false, notSameReason: 'x', troubleshooting: done, category: 'undocumented_behaviour' }, true],
    ['checks not done, bug: no', { knownIssueConfirmed: false, troubleshooting: partial, category: 'bug' }, false],
    ['checks skipped, bug: no', { knownIssueConfirmed: false, troubleshooting: skipped, category: 'bug' }, false],
    ['checks skipped, service unavailable: escalate', { knownIssueConfirmed: false, troubleshooting: skipped, category: 'service_unavailable' }, true],
    ['no checks at all, network disruption: escalate', { knownIssueConfirmed: false, category: 'network_disruption' }, true],
    ['no checks, regional multi-tenant: escalate', { knownIssueConfirmed: false, category: 'regional_multitenant' }, true],
    ['checks done, none of these: no', { knownIssueConfirmed: false, troubleshooting: done, category: 'none' }, false],
    ['no category: no', { knownIssueConfirmed: false, troubleshooting: done }, false],
  ];
  for (const [name, input, expected] of table) {
    it(`decide: ${name}`, () => {
      const d = decide(input);
      assert.equal(d.escalate, expected, JSON.stringify(d.reasons));
    });
  }

  it('decide explains itself', () => {
    assert.deepEqual(decide({ knownIssueConfirmed: false, notSameReason: 'x', troubleshooting: skipped, category: 'service_unavailable' }).reasons, [
      'differs_from_known_issue',
      'troubleshooting_not_needed',
      'category_in_scope',
    ]);
    assert.deepEqual(decide({ knownIssueConfirmed: false, troubleshooting: partial, category: 'none' }).reasons, [
      'no_known_issue',
      'troubleshooting_missing',
      'category_none',
    ]);
  });

  it('checklists fit the service', () => {
    assert.ok(troubleshootingChecks('Exchange Online').includes('message_trace'));
    assert.ok(troubleshootingChecks('Microsoft Teams').includes('teams_policies'));
    assert.ok(!troubleshootingChecks('Microsoft Teams').includes('message_trace'));
    assert.ok(troubleshootingChecks('Anything').includes('licences'));
  });

  it('request numbers are 1 to 16 digits', () => {
    for (const ok of ['1', '2611250010001234', ' 42 ']) assert.equal(isServiceRequestNumber(ok), true, ok);
    for (const bad of ['', '12345678901234567', '12a', '-1', '1.5']) assert.equal(isServiceRequestNumber(bad), false, bad);
  });

  it('the request title is cut to 255 characters and the description carries the evidence', () => {
    const labels = {
      category: 'Bug',
      checksDone: ['Licences'],
      checksSkipped: 'none',
      headings: { problem: 'P', customer: 'C', since: 'S', users: 'U', regions: 'R', category: 'K', impact: 'I', troubleshooting: 'T', notes: 'N', knownIssue: 'D', contact: 'X', reference: 'Ref' },
    };
    const r = buildServiceRequest(
      {
        customerName: 'Contoso',
        customerTenantId: 't',
        service: 'Exchange Online',
        title: 'é'.repeat(400),
        description: 'broken',
        category: 'bug',
        severity: 'critical',
        businessImpact: 'sales stopped',
        contact: 'Jo',
        troubleshooting: { checks: ['licences'], done: ['licences'], skipped: false, notes: 'checked' },
        escalationId: 'ED-1',
      },
      labels,
    );
    assert.equal([...r.title].length, MAX_REQUEST_TITLE);
    assert.ok(r.title.endsWith('…'));
    assert.equal(r.severity, 'critical');
    assert.equal(r.description, 'P: broken\nC: Contoso (t)\nK: Bug\nI: sales stopped\nT: Licences\nN: checked\nX: Jo\nRef: ED-1');
  });
});
