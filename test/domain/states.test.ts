import { strict as assert } from 'node:assert';
import { ESCALATION_STATES, canTransition, type EscalationState } from '../../src/domain/escalation';
import {
  CANCELLABLE_STATES,
  IN_PROGRESS_STATES,
  KNOWN_ISSUE_STATES,
  OPEN_STATES,
  TERMINAL_STATES,
  TRACKED_STATES,
  WITH_MICROSOFT_STATES,
  statesLeadingTo,
} from '../../src/domain/states';

describe('domain/states: the state groups', () => {
  // [group, its states in lifecycle order]
  const table: Array<[string, readonly EscalationState[], readonly EscalationState[]]> = [
    ['terminal', TERMINAL_STATES, ['closed', 'cancelled']],
    ['open', OPEN_STATES, ['draft', 'known_issue', 'triage', 'not_warranted', 'awaiting_handoff', 'escalated', 'attention_needed', 'resolved', 'customer_notified']],
    ['in progress (resume, cancel without an id)', IN_PROGRESS_STATES, ['draft', 'triage', 'awaiting_handoff', 'not_warranted']],
    ['cancellable', CANCELLABLE_STATES, ['draft', 'known_issue', 'triage', 'awaiting_handoff']],
    ['with Microsoft (a linked request is open)', WITH_MICROSOFT_STATES, ['escalated', 'attention_needed']],
    ['known issue (an incident is watched)', KNOWN_ISSUE_STATES, ['known_issue']],
    ['tracked (the tracker polls Microsoft)', TRACKED_STATES, ['known_issue', 'escalated', 'attention_needed']],
  ];
  for (const [name, group, expected] of table) {
    it(name, () => {
      assert.deepEqual(group, expected);
    });
  }

  // [target state, among, expected]
  const leading: Array<[EscalationState, readonly EscalationState[] | undefined, readonly EscalationState[]]> = [
    ['cancelled', undefined, ['draft', 'known_issue', 'triage', 'awaiting_handoff']],
    ['resolved', undefined, ['known_issue', 'escalated', 'attention_needed']],
    ['resolved', WITH_MICROSOFT_STATES, ['escalated', 'attention_needed']],
    ['attention_needed', WITH_MICROSOFT_STATES, ['escalated']],
    ['triage', undefined, ['draft', 'known_issue', 'not_warranted']],
    ['draft', undefined, []],
  ];
  for (const [to, among, expected] of leading) {
    it(`statesLeadingTo(${to}${among ? `, [${among.join(', ')}]` : ''})`, () => {
      assert.deepEqual(statesLeadingTo(to, among), expected);
    });
  }

  it('terminal and open split the lifecycle; no other group holds a terminal state', () => {
    assert.deepEqual([...TERMINAL_STATES, ...OPEN_STATES].sort(), [...ESCALATION_STATES].sort());
    for (const group of [IN_PROGRESS_STATES, CANCELLABLE_STATES, TRACKED_STATES]) {
      for (const s of group) assert.ok(!TERMINAL_STATES.includes(s), s);
    }
  });

  it('every tracked state can be resolved by Microsoft', () => {
    for (const s of TRACKED_STATES) assert.ok(canTransition(s, 'resolved'), s);
  });
});
