/** An escalation's response clocks from its stored times: what the tracker records, the reminders due, the report's record. */
import { strict as assert } from 'node:assert';
import { accessCheckOf } from '../../src/domain/access-check';
import { noteText } from '../../src/domain/answers';
import { detailsOf } from '../../src/domain/details';
import { createEscalation, type Escalation, type EscalationState } from '../../src/domain/escalation';
import {
  clockRemindersFor,
  escalationClocks,
  partnerAuthorshipOf,
  requestTimesToRecord,
  responseRecordOf,
  type ClockSettings,
} from '../../src/domain/escalation-clocks';
import { planNotifications } from '../../src/domain/notifications';
import { DEFAULT_SUPPORT_PLAN, firstResponseIn } from '../../src/domain/response-clocks';

const H = 3_600_000;
const CREATED = '2026-12-10T12:00:00.000Z';
const SETTINGS: ClockSettings = { plan: DEFAULT_SUPPORT_PLAN, partnerTargets: { defaultHours: 48 } };
const ANSWER = { question: '2026-12-10T12:30:00.000Z', text: 'Trace attached.', by: 'Ada Engineer', byId: 'u1', at: '2026-12-10T12:40:00.000Z', requestId: 'r1', status: 'sent' as const };

/** An escalation created at CREATED in `state`, carrying `details`. */
function escalation(state: EscalationState, details: Record<string, unknown> = {}): Escalation {
  const { escalation: e } = createEscalation(
    { id: 'ED-CLOCK001', partnerTenantId: 'partner', ownerId: 'u1', ownerName: 'Ada Engineer', customer: { tenantId: 'customer', name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd', details },
    { kind: 'user', id: 'u1' },
    new Date(CREATED),
  );
  return { ...e, state };
}

const linked = (extra: Record<string, unknown> = {}) =>
  escalation('escalated', { serviceRequestId: '2612100010001234', severity: 'moderate', requestCreatedAt: CREATED, requestSeverity: 'critical', ...extra });
const at = (ms: number) => new Date(Date.parse(CREATED) + ms);

describe('domain/escalation-clocks: what the tracker records from a request', () => {
  const request = { severity: 'critical', status: 'open', createdDate: CREATED, lastModifiedDate: CREATED, notes: [] as { createdByName: string; createdDate: string; text: string }[] };

  it("records the request's creation and severity on the first read, and nothing more while Microsoft is silent", () => {
    const e = escalation('escalated', { serviceRequestId: '1', severity: 'moderate' });
    assert.deepEqual(requestTimesToRecord(e, request, at(H)), { requestCreatedAt: CREATED, requestSeverity: 'critical' });
    assert.equal(requestTimesToRecord(linked(), request, at(H)), undefined, 'known already: nothing to write');
  });

  it("records Microsoft's first note with its author; the partner's own notes (by name or by the desk's text) do not count", () => {
    const e = linked({ answers: [ANSWER] });
    const notes = [
      { createdByName: 'Partner Center API user', createdDate: '2026-12-10T12:10:00.000Z', text: noteText(ANSWER) },
      { createdByName: 'Ada Engineer', createdDate: '2026-12-10T12:20:00.000Z', text: 'more context' },
      { createdByName: 'Microsoft Support', createdDate: '2026-12-10T13:10:00.000Z', text: 'Looking into it.' },
    ];
    assert.deepEqual(requestTimesToRecord(e, { ...request, notes }, at(2 * H)), {
      microsoftFirstResponse: { at: '2026-12-10T13:10:00.000Z', kind: 'note', by: 'Microsoft Support' },
    });
  });

  it('records a status only Microsoft sets (attention needed, closed) at the time Partner Center gives, or when it was seen', () => {
    assert.deepEqual(firstResponseIn({ ...request, status: 'attention_needed', lastModifiedDate: '2026-12-10T13:00:00.000Z' }, { names: [], texts: [] }), {
      at: '2026-12-10T13:00:00.000Z',
      kind: 'status',
      status: 'attention_needed',
      by: 'Microsoft',
    });
    const { lastModifiedDate: _l, ...undated } = request;
    assert.equal(firstResponseIn({ ...undated, status: 'closed' }, { names: [], texts: [] }, at(3 * H))?.at, at(3 * H).toISOString());
  });

  it('never moves a first response once recorded, nor counts what came before the request', () => {
    const first = { at: '2026-12-10T12:30:00.000Z', kind: 'note', by: 'Microsoft Support' };
    const later = [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T12:10:00.000Z', text: 'earlier?' }];
    assert.equal(requestTimesToRecord(linked({ microsoftFirstResponse: first }), { ...request, notes: later }, at(H)), undefined);
    const before = [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T11:00:00.000Z', text: 'before creation' }];
    assert.equal(firstResponseIn({ ...request, notes: before }, { names: [], texts: [] }), undefined);
  });

  it("knows the partner by the owner's and the answerers' names and by the texts the desk sent", () => {
    assert.deepEqual(partnerAuthorshipOf(linked({ answers: [ANSWER] })), { names: ['Ada Engineer'], texts: [noteText(ANSWER)] });
  });
});

describe('domain/escalation-clocks: both clocks from stored times', () => {
  it("reads Microsoft's clock at the request's own severity (Sev A, 2 h), the partner's from the escalation's start (48 h)", () => {
    const clocks = escalationClocks(linked(), SETTINGS, at(85 * 60_000));
    assert.equal(clocks.microsoft?.label, 'A');
    assert.equal(clocks.microsoft?.reading.dueAt, '2026-12-10T14:00:00.000Z');
    assert.equal(clocks.microsoft?.reading.remainingMs, 35 * 60_000);
    assert.equal(clocks.partner?.dueAt, '2026-12-12T12:00:00.000Z');
  });

  it('falls back to the triage severity before the request was read; no request, no Microsoft clock', () => {
    assert.equal(escalationClocks(linked({ requestSeverity: undefined }), SETTINGS, at(H)).microsoft?.label, 'B');
    assert.equal(escalationClocks(escalation('triage'), SETTINGS, at(H)).microsoft, undefined);
  });

  it('stops the partner clock when the customer was told; none for a cancelled, not-warranted or untold closed escalation', () => {
    const told = escalation('customer_notified', { customerNotified: { by: 'Ada', at: at(50 * H).toISOString(), contact: 'Jo', message: 'fixed' } });
    assert.equal(escalationClocks(told, SETTINGS, at(60 * H)).partner?.state, 'missed');
    for (const state of ['cancelled', 'not_warranted', 'closed'] as const) assert.equal(escalationClocks(escalation(state), SETTINGS, at(H)).partner, undefined, state);
  });
});

describe('domain/escalation-clocks: reminders due', () => {
  const kinds = (e: Escalation, ms: number) => clockRemindersFor(e, SETTINGS, at(ms)).map((d) => `${d.side}:${d.reminder}`);

  it("warns at 80 % of Microsoft's target and says it is late at the target; nothing once Microsoft answered", () => {
    assert.deepEqual(kinds(linked(), 90 * 60_000), []);
    assert.deepEqual(kinds(linked(), 96 * 60_000), ['microsoft:warning']);
    assert.deepEqual(kinds(linked(), 2 * H), ['microsoft:breach']);
    assert.deepEqual(kinds(linked({ microsoftFirstResponse: { at: at(H).toISOString(), kind: 'note' } }), 3 * H), []);
  });

  it("reminds of the partner's own target in any open state, never after the customer was told or in not-warranted", () => {
    assert.deepEqual(kinds(escalation('triage'), 39 * H), ['partner:warning']);
    assert.deepEqual(kinds(escalation('resolved', { serviceRequestId: '1', requestCreatedAt: CREATED, severity: 'critical' }), 49 * H), ['partner:breach']);
    assert.deepEqual(kinds(escalation('not_warranted'), 49 * H), []);
    assert.deepEqual(kinds(escalation('customer_notified', { customerNotified: { by: 'Ada', at: at(H).toISOString() } }), 49 * H), []);
  });

  it('plans one outbox row per target whose key names the clock, the reminder and its start: a second scan adds none', () => {
    const e = { ...linked(), details: { ...linked().details, notifyTargets: ['t|chat', 't|chat'] } };
    const [due] = clockRemindersFor(e, SETTINGS, at(2 * H));
    const plan = () => planNotifications({ occasion: 'clock_reminder', escalation: e, side: due.side, reminder: due.reminder, startedAt: due.startedAt, message: { activity: {} } });
    assert.deepEqual(plan().map((r) => [r.kind, r.target, r.dedupeKey]), [['reminder', 't|chat', `clock:ED-CLOCK001:microsoft:breach:${CREATED}:t|chat`]]);
    assert.deepEqual(plan(), plan());
  });

  it('plans a GDAP renewal once per relationship and end date, wherever the channel is', () => {
    const row = (target: string, end: string) => planNotifications({ occasion: 'gdap_ending', relationshipId: 'rel-1', endDateTime: end, target, message: { activity: {} } })[0];
    assert.equal(row('t|admins', '2026-12-20T12:00:00.000Z').dedupeKey, 'gdap-ending:rel-1:2026-12-20');
    assert.equal(row('t|other', '2026-12-20T18:30:00.000Z').dedupeKey, 'gdap-ending:rel-1:2026-12-20');
    assert.equal(row('t|admins', '2027-06-20T12:00:00.000Z').dedupeKey, 'gdap-ending:rel-1:2027-06-20', 'renewed, then ending again: a new reminder');
  });

  it('plans a late consent outcome as an update of the card it was asked on, once per grant request', () => {
    const [update] = planNotifications({ occasion: 'consent_settled', customerTenantId: 'ABC', requestId: 'req-1', target: 't|chat', activityId: 'card-9', message: { activity: {} } });
    assert.deepEqual([update.kind, update.dedupeKey, update.payload.updateActivityId], ['card_update', 'consent:abc:req-1', 'card-9']);
  });
});

describe('domain/escalation-clocks: the report record and the stored fields', () => {
  it("carries what the response-time report reads: the request's creation, Microsoft's first response, the customer told", () => {
    const e = linked({
      microsoftFirstResponse: { at: '2026-12-10T13:00:00.000Z', kind: 'note', by: 'Microsoft Support' },
      customerNotified: { by: 'Ada', at: '2026-12-11T09:00:00.000Z', contact: 'Jo', message: 'fixed' },
    });
    assert.deepEqual(responseRecordOf({ ...e, state: 'customer_notified' }), {
      escalationId: 'ED-CLOCK001',
      customerTenantId: 'customer',
      startedAt: CREATED,
      severity: 'critical',
      requestCreatedAt: CREATED,
      microsoftFirstResponseAt: '2026-12-10T13:00:00.000Z',
      customerNotifiedAt: '2026-12-11T09:00:00.000Z',
    });
    assert.equal(responseRecordOf(escalation('cancelled')), undefined, 'never going to tell the customer: in neither figure');
  });

  it('reads the new fields back typed, and anything malformed as absent', () => {
    const good = detailsOf(linked({ microsoftFirstResponse: { at: '2026-12-10T13:00:00.000Z', kind: 'status', status: 'closed', by: 'Microsoft' } }));
    assert.deepEqual([good.requestCreatedAt, good.requestSeverity, good.microsoftFirstResponse?.kind], [CREATED, 'critical', 'status']);
    const bad = detailsOf(escalation('escalated', { requestCreatedAt: 5, requestSeverity: 'sev-a', microsoftFirstResponse: { at: 'yesterday', kind: 'note' }, accessCheck: { outcome: 'checked' } }));
    assert.deepEqual([bad.requestCreatedAt, bad.requestSeverity, bad.microsoftFirstResponse, bad.accessCheck], [undefined, undefined, undefined, undefined]);
  });

  it('reads a stored readiness check back with its grant, problems and warnings; unknown problem kinds are left out', () => {
    const stored = {
      outcome: 'checked',
      at: CREATED,
      ready: false,
      canAct: false,
      heldRoleIds: ['f2ef992c-3afb-46b9-b7cf-a126ee74c451', 7],
      problems: [{ kind: 'no_support_role', relationships: ['Tailspin read-only'], fixedBy: ['partner_admin', 'someone'] }, { kind: 'a_new_kind' }],
      warnings: [{ kind: 'ending_soon', relationship: 'R', endDateTime: CREATED, daysLeft: 3 }, { kind: 'health_unknown' }],
    };
    assert.deepEqual(accessCheckOf(JSON.parse(JSON.stringify(stored))), {
      outcome: 'checked',
      at: CREATED,
      ready: false,
      canAct: false,
      heldRoleIds: ['f2ef992c-3afb-46b9-b7cf-a126ee74c451'],
      problems: [{ kind: 'no_support_role', relationships: ['Tailspin read-only'], fixedBy: ['partner_admin'] }],
      warnings: [{ kind: 'ending_soon', relationship: 'R', endDateTime: CREATED, daysLeft: 3 }, { kind: 'health_unknown' }],
    });
    assert.deepEqual(accessCheckOf({ outcome: 'not_checked', at: CREATED, failure: 'permission', permission: 'DelegatedAdminRelationship.Read.All' }), {
      outcome: 'not_checked',
      at: CREATED,
      failure: 'permission',
      permission: 'DelegatedAdminRelationship.Read.All',
    });
  });
});
