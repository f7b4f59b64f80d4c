import { strict as assert } from 'node:assert';
import { ESCALATION_STATES, createEscalation, type Escalation, type EscalationState } from '../../src/domain/escalation';
import {
  REMINDER_RULES,
  notificationKindFor,
  notifyTargetsOf,
  planNotifications,
  reminderDue,
  type NotificationKind,
  type NotificationOccasion,
  type PlannedNotification,
} from '../../src/domain/notifications';

const ID = 'ED-NOTIFY1';
const FLOW = 't|flow-chat';
const CHANNEL = 't|channel';
const MESSAGE = { activity: { type: 'message', text: 'card' } };
/** The read-only status the flow's card becomes. */
const STATUS = { activity: { type: 'message', text: 'status' } };

/** An escalation in `state` at `version`, last changed at `updatedAt`, carrying `details`. */
function escalation(state: EscalationState, details: Record<string, unknown> = {}, version = 4, updatedAt = '2026-11-25T09:00:00.000Z'): Escalation {
  const { escalation: e } = createEscalation(
    {
      id: ID,
      partnerTenantId: 'partner',
      ownerId: 'owner',
      customer: { tenantId: 'customer', name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail delayed',
      description: 'Outbound mail is queued',
      details,
    },
    { kind: 'user', id: 'owner' },
    new Date(updatedAt),
  );
  return { ...e, state, version, updatedAt };
}

const POSTED = { notifyTargets: [FLOW, CHANNEL], cardActivityId: 'card-1' };

function row(kind: NotificationKind, target: string, dedupeKey: string, updateActivityId?: string): PlannedNotification {
  return { escalationId: ID, kind, target, payload: { ...MESSAGE, ...(updateActivityId ? { updateActivityId } : {}) }, dedupeKey };
}

describe('domain/notifications', () => {
  it('notificationKindFor: only resolved and attention_needed tell the targets', () => {
    const kinds = ESCALATION_STATES.flatMap((s) => {
      const kind = notificationKindFor(s);
      return kind ? [[s, kind]] : [];
    });
    assert.deepEqual(kinds, [['attention_needed', 'attention_needed'], ['resolved', 'resolved']]);
  });

  it('notifyTargetsOf: the text keys of details.notifyTargets, in order', () => {
    assert.deepEqual(notifyTargetsOf(escalation('escalated', { notifyTargets: [FLOW, '', 7, CHANNEL] })), [FLOW, CHANNEL]);
    assert.deepEqual(notifyTargetsOf(escalation('escalated', { notifyTargets: FLOW })), []);
    assert.deepEqual(notifyTargetsOf(escalation('escalated')), []);
  });

  describe('planNotifications', () => {
    // [case, occasion, expected rows in order]
    const table: Array<[string, NotificationOccasion, PlannedNotification[]]> = [
      [
        'Microsoft resolved it: the flow card becomes the read-only status in place, then every target gets the card to act on once',
        { occasion: 'microsoft_moved', escalation: escalation('resolved', POSTED), version: 5, message: MESSAGE, status: STATUS },
        [
          { ...row('card_update', FLOW, `card_update:${ID}:v5:${FLOW}`), payload: { ...STATUS, updateActivityId: 'card-1' } },
          row('resolved', FLOW, `resolved:${ID}:v5:${FLOW}`),
          row('resolved', CHANNEL, `resolved:${ID}:v5:${CHANNEL}`),
        ],
      ],
      [
        'Microsoft asks for information, targets given, one repeated',
        { occasion: 'microsoft_moved', escalation: escalation('attention_needed', POSTED), version: 9, message: MESSAGE, status: STATUS, targets: [CHANNEL, CHANNEL] },
        [
          { ...row('card_update', CHANNEL, `card_update:${ID}:v9:${CHANNEL}`), payload: { ...STATUS, updateActivityId: 'card-1' } },
          row('attention_needed', CHANNEL, `attention_needed:${ID}:v9:${CHANNEL}`),
        ],
      ],
      [
        'Microsoft resolved it after a question never answered: that card (and only a card Microsoft\'s events sent) becomes the status too',
        {
          occasion: 'microsoft_moved',
          escalation: escalation('resolved', POSTED),
          version: 6,
          message: MESSAGE,
          status: STATUS,
          targets: [FLOW],
          sent: [
            { kind: 'attention_needed', target: FLOW, sentActivityId: 'ask-1' },
            { kind: 'reminder', target: FLOW, sentActivityId: 'rem-1' },
            { kind: 'attention_needed', target: CHANNEL },
          ],
        },
        [
          { ...row('card_update', FLOW, `card_update:${ID}:v6:${FLOW}`), payload: { ...STATUS, updateActivityId: 'card-1' } },
          { ...row('card_update', FLOW, `moved:${ID}:v6:ask-1`), payload: { ...STATUS, updateActivityId: 'ask-1' } },
          row('resolved', FLOW, `resolved:${ID}:v6:${FLOW}`),
        ],
      ],
      [
        'Microsoft moved it, no status given: the flow card is left alone, never a second copy of the card to act on',
        { occasion: 'microsoft_moved', escalation: escalation('attention_needed', POSTED), version: 9, message: MESSAGE, targets: [CHANNEL] },
        [row('attention_needed', CHANNEL, `attention_needed:${ID}:v9:${CHANNEL}`)],
      ],
      [
        'answered: the flow card (a status) shows the new status in place, once per version',
        { occasion: 'status_changed', escalation: escalation('escalated', POSTED, 7), message: STATUS },
        [{ ...row('card_update', FLOW, `status:${ID}:v7:${FLOW}`), payload: { ...STATUS, updateActivityId: 'card-1' } }],
      ],
      ['answered, the flow card unknown: nothing', { occasion: 'status_changed', escalation: escalation('escalated', { notifyTargets: [FLOW] }, 7), message: STATUS }, []],
      [
        'Microsoft moved it, no card posted: the targets only',
        { occasion: 'microsoft_moved', escalation: escalation('resolved', { notifyTargets: [FLOW] }), version: 5, message: MESSAGE },
        [row('resolved', FLOW, `resolved:${ID}:v5:${FLOW}`)],
      ],
      ['Microsoft moved it, nowhere to tell', { occasion: 'microsoft_moved', escalation: escalation('resolved', { cardActivityId: 'card-1' }), version: 5, message: MESSAGE }, []],
      ['Microsoft worked it again (escalated): nothing', { occasion: 'microsoft_moved', escalation: escalation('escalated', POSTED), version: 5, message: MESSAGE }, []],
      [
        'a late health check: the flow card in place',
        { occasion: 'health_checked', escalation: escalation('triage', POSTED, 3), message: MESSAGE },
        [row('card_update', FLOW, `health:${ID}:v3:${FLOW}`, 'card-1')],
      ],
      [
        'a late health check, the card id unknown: posted anew',
        { occasion: 'health_checked', escalation: escalation('triage', { notifyTargets: [FLOW] }, 3), message: MESSAGE },
        [row('card_update', FLOW, `health:${ID}:v3:${FLOW}`)],
      ],
      ['a late health check, no conversation', { occasion: 'health_checked', escalation: escalation('triage', {}, 3), message: MESSAGE }, []],
      [
        'left resolved: every sent resolved card and the flow card, but the one pressed',
        {
          occasion: 'left_resolved',
          escalation: escalation('closed', POSTED, 8),
          sent: [
            { kind: 'resolved', target: FLOW, sentActivityId: 'sent-1' },
            { kind: 'resolved', target: CHANNEL, sentActivityId: 'sent-2' },
            { kind: 'resolved', target: CHANNEL },
            { kind: 'reminder', target: CHANNEL, sentActivityId: 'sent-3' },
          ],
          pressedActivityId: 'sent-2',
          message: MESSAGE,
        },
        [row('card_update', FLOW, `retire:${ID}:v8:sent-1`, 'sent-1'), row('card_update', FLOW, `retire:${ID}:v8:card-1`, 'card-1')],
      ],
      [
        'left resolved from the flow card itself, nothing sent',
        { occasion: 'left_resolved', escalation: escalation('escalated', POSTED, 8), sent: [], pressedActivityId: 'card-1', message: MESSAGE },
        [],
      ],
      [
        'an answer to Microsoft settled late',
        { occasion: 'answer_settled', escalationId: ID, requestId: 'req-1', target: CHANNEL, activityId: 'card-9', message: MESSAGE },
        [row('card_update', CHANNEL, `answer:${ID}:req-1:${CHANNEL}`, 'card-9')],
      ],
      [
        'a reminder: one per target per period since the last change',
        { occasion: 'reminder', escalation: escalation('resolved', POSTED), rule: 'resolved', periods: 2, message: MESSAGE },
        [
          row('reminder', FLOW, `reminder:${ID}:resolved:2026-11-25T09:00:00.000Z:2:${FLOW}`),
          row('reminder', CHANNEL, `reminder:${ID}:resolved:2026-11-25T09:00:00.000Z:2:${CHANNEL}`),
        ],
      ],
      [
        'remind me later: at the time, one per hour pressed',
        {
          occasion: 'snooze',
          escalationId: ID,
          target: CHANNEL,
          pressedAt: new Date('2026-11-25T09:59:59.999Z'),
          remindAt: new Date('2026-11-25T13:59:59.999Z'),
          message: MESSAGE,
        },
        [{ ...row('reminder', CHANNEL, `reminder:${ID}:snooze:${Math.floor(Date.parse('2026-11-25T09:00:00Z') / 3_600_000)}:${CHANNEL}`), notBefore: '2026-11-25T13:59:59.999Z' }],
      ],
    ];
    for (const [name, occasion, expected] of table) {
      it(name, () => {
        assert.deepEqual(planNotifications(occasion), expected);
      });
    }

    it('each Microsoft event gives every conversation exactly one card to act on', () => {
      for (const state of ['attention_needed', 'resolved'] as const) {
        const rows = planNotifications({ occasion: 'microsoft_moved', escalation: escalation(state, POSTED), version: 5, message: MESSAGE, status: STATUS });
        for (const target of [FLOW, CHANNEL]) {
          const actionable = rows.filter((r) => r.target === target && (r.payload as typeof MESSAGE).activity === MESSAGE.activity);
          assert.equal(actionable.length, 1, `${state} in ${target}`);
        }
      }
    });

    it('never lets a row share the caller\'s message object', () => {
      const [a, b] = planNotifications({ occasion: 'microsoft_moved', escalation: escalation('resolved', { notifyTargets: [FLOW, CHANNEL] }), version: 5, message: MESSAGE });
      assert.notEqual(a.payload, MESSAGE);
      assert.notEqual(a.payload, b.payload);
    });
  });

  describe('reminders', () => {
    it('the waiting states and their periods', () => {
      assert.deepEqual(REMINDER_RULES.map((r) => [r.rule, r.state, r.period]), [
        ['resolved', 'resolved', 'resolvedMs'],
        ['quiet', 'escalated', 'quietRequestMs'],
        ['handoff', 'awaiting_handoff', 'handoffMs'],
      ]);
    });

    // [waited since the last change, period, expected]
    const H = 3_600_000;
    const table: Array<[number, number, { waitedMs: number; periods: number } | undefined]> = [
      [0, 4 * H, undefined],
      [4 * H - 1, 4 * H, undefined],
      [4 * H, 4 * H, { waitedMs: 4 * H, periods: 1 }],
      [9 * H, 4 * H, { waitedMs: 9 * H, periods: 2 }],
      [-H, 4 * H, undefined],
    ];
    for (const [waited, period, expected] of table) {
      it(`reminderDue after ${waited / H} h with a ${period / H} h period: ${expected ? `${expected.periods} period(s)` : 'not yet'}`, () => {
        const e = escalation('resolved');
        assert.deepEqual(reminderDue(e, period, new Date(Date.parse(e.updatedAt) + waited)), expected);
      });
    }
  });
});
