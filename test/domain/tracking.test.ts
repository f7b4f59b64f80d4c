import { strict as assert } from 'node:assert';
import { ESCALATION_STATES, createEscalation, type Escalation, type EscalationState } from '../../src/domain/escalation';
import {
  microsoftLinksOf,
  nextState,
  stateAfterObservation,
  stillClosedBeforeReopen,
  trackingTargetOf,
  type MicrosoftLinks,
  type ObservedStatus,
  type TrackingKind,
  type TrackingTarget,
} from '../../src/domain/tracking';

const TENANT = 'c0ffee00-abcd-4ef0-8123-456789abcdef';

/** An escalation in `state` carrying `details`. */
function inState(state: EscalationState, details: Record<string, unknown> = {}): Escalation {
  const { escalation } = createEscalation(
    {
      id: 'ED-TRACK01',
      partnerTenantId: 'partner',
      ownerId: 'owner',
      customer: { tenantId: TENANT, name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail delayed',
      description: 'Outbound mail is queued',
      details,
    },
    { kind: 'user', id: 'owner' },
    new Date('2026-11-25T09:00:00Z'),
  );
  return { ...escalation, state };
}

const REQUEST = { serviceRequestId: '2611250010001234' };
const INCIDENT = { knownIssue: { id: 'EX226792', title: 'Mail delayed' } };

describe('domain/tracking', () => {
  describe('microsoftLinksOf: the references an escalation carries', () => {
    const table: Array<[string, Record<string, unknown>, MicrosoftLinks]> = [
      ['none', {}, {}],
      ['a request number', REQUEST, { serviceRequestId: '2611250010001234' }],
      ['a known issue', INCIDENT, { knownIssueId: 'EX226792' }],
      ['both', { ...REQUEST, ...INCIDENT }, { serviceRequestId: '2611250010001234', knownIssueId: 'EX226792' }],
      ['trimmed', { serviceRequestId: ' 123 \n', knownIssue: { id: '\tEX1 ' } }, { serviceRequestId: '123', knownIssueId: 'EX1' }],
      ['blank ones are absent', { serviceRequestId: '   ', knownIssue: { id: '' } }, {}],
      ['values that are not text are absent', { serviceRequestId: 2611250010001234, knownIssue: { id: 7 } }, {}],
      ['a known issue without an id', { knownIssue: { title: 'no id' } }, {}],
      ['a known issue that is not an object', { knownIssue: 'EX1' }, {}],
      ['a control character is in no Microsoft id', { serviceRequestId: '2611\u00000010001234', knownIssue: { id: 'EX\n1' } }, {}],
    ];
    for (const [name, details, expected] of table) {
      it(name, () => {
        assert.deepEqual(microsoftLinksOf(inState('draft', details)), expected);
      });
    }
  });

  describe('trackingTargetOf: what is polled in which state', () => {
    const request: TrackingTarget = { kind: 'service_request', ref: '2611250010001234', tenantId: TENANT };
    const incident: TrackingTarget = { kind: 'health_issue', ref: 'EX226792', tenantId: TENANT };
    const expected: { readonly [S in EscalationState]: TrackingTarget | undefined } = {
      draft: undefined,
      known_issue: incident,
      triage: undefined,
      not_warranted: undefined,
      awaiting_handoff: undefined,
      escalated: request,
      attention_needed: request,
      resolved: undefined,
      customer_notified: undefined,
      closed: undefined,
      cancelled: undefined,
    };
    for (const state of ESCALATION_STATES) {
      it(`${state}, carrying both references: ${expected[state]?.kind ?? 'nothing'}`, () => {
        assert.deepEqual(trackingTargetOf(inState(state, { ...REQUEST, ...INCIDENT })), expected[state]);
      });
    }

    it('nothing while the reference the state needs is missing', () => {
      assert.equal(trackingTargetOf(inState('escalated', INCIDENT)), undefined);
      assert.equal(trackingTargetOf(inState('known_issue', REQUEST)), undefined);
      assert.equal(trackingTargetOf(inState('attention_needed', { serviceRequestId: ' ' })), undefined);
      assert.equal(trackingTargetOf(inState('escalated', { serviceRequestId: '123\u0000' })), undefined);
    });
  });

  describe('nextState: where Microsoft\'s status leads', () => {
    // [current, source, upstream status, expected]
    const table: Array<[EscalationState, TrackingKind, string, EscalationState | undefined]> = [
      ['escalated', 'service_request', 'attention_needed', 'attention_needed'],
      ['escalated', 'service_request', 'closed', 'resolved'],
      ['escalated', 'service_request', 'open', undefined],
      ['escalated', 'service_request', 'none', undefined],
      ['attention_needed', 'service_request', 'open', 'escalated'],
      ['attention_needed', 'service_request', 'closed', 'resolved'],
      ['attention_needed', 'service_request', 'attention_needed', undefined],
      ['resolved', 'service_request', 'closed', undefined],
      ['resolved', 'service_request', 'open', undefined],
      ['awaiting_handoff', 'service_request', 'closed', undefined],
      ['known_issue', 'service_request', 'closed', undefined],
      ['known_issue', 'health_issue', 'resolved', 'resolved'],
      ['known_issue', 'health_issue', 'serviceDegradation', undefined],
      ['known_issue', 'health_issue', 'serviceRestored', undefined],
      ['escalated', 'health_issue', 'resolved', undefined],
      ['closed', 'health_issue', 'resolved', undefined],
    ];
    for (const [current, source, status, expected] of table) {
      it(`${current} + ${source} ${status} → ${expected ?? 'stays'}`, () => {
        assert.equal(nextState(current, source, status), expected);
      });
    }
  });

  describe('stillClosedBeforeReopen: an old closure after the engineer reopened', () => {
    const REOPENED = '2026-11-26T10:00:00.000Z';
    // [case, reopenedAt, observed, expected]
    const table: Array<[string, string | undefined, ObservedStatus, boolean]> = [
      ['never reopened', undefined, { status: 'closed', request: { lastClosedDate: '2026-11-26T09:00:00Z' } }, false],
      ['closed before the reopening', REOPENED, { status: 'closed', request: { lastClosedDate: '2026-11-26T09:00:00Z' } }, true],
      ['closed at the reopening', REOPENED, { status: 'closed', request: { lastClosedDate: REOPENED } }, true],
      ['closed again after the reopening', REOPENED, { status: 'closed', request: { lastClosedDate: '2026-11-26T11:00:00Z' } }, false],
      ['no closing date: modified before', REOPENED, { status: 'closed', request: { lastModifiedDate: '2026-11-26T09:00:00Z' } }, true],
      ['no closing date: modified after', REOPENED, { status: 'closed', request: { lastModifiedDate: '2026-11-26T11:00:00Z' } }, false],
      ['the closing date wins over the modification', REOPENED, { status: 'closed', request: { lastClosedDate: '2026-11-26T09:00:00Z', lastModifiedDate: '2026-11-26T11:00:00Z' } }, true],
      ['no dates at all', REOPENED, { status: 'closed' }, true],
      ['not closed', REOPENED, { status: 'attention_needed', request: { lastClosedDate: '2026-11-26T09:00:00Z' } }, false],
    ];
    for (const [name, reopenedAt, observed, expected] of table) {
      it(name, () => {
        const e = inState('escalated', { ...REQUEST, ...(reopenedAt ? { reopenedAt } : {}) });
        assert.equal(stillClosedBeforeReopen(e, observed), expected);
        assert.equal(stateAfterObservation(e, 'service_request', observed), expected ? undefined : nextState('escalated', 'service_request', observed.status));
      });
    }
  });
});
