import { strict as assert } from 'node:assert';
import {
  CUSTOMERS_PER_PAGE,
  customerPage,
  customersInCardOrder,
  incidentReminderDue,
  incidentReminderTarget,
  noticeKindOf,
  noticeLanguage,
  planIncidentReminder,
  tallyOf,
} from '../../src/domain/incident-card';
import type { IncidentCardState } from '../../src/domain/incident-messages';
import type { AffectedCustomer, Incident } from '../../src/domain/incidents';

const T0 = Date.parse('2025-03-10T08:00:00Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const HOUR = 3_600_000;

function customer(n: number, over: Partial<AffectedCustomer> = {}): AffectedCustomer {
  return { tenantId: `t-${n}`, name: `Customer ${n}`, firstSeenAt: at(n), lastSeenAt: at(n), ...over };
}

function incident(customers: AffectedCustomer[], over: Partial<Incident> = {}): Incident {
  return {
    id: 'EX300001',
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceRestored',
    title: 'Mail delayed',
    impactDescription: 'Mail is delayed.',
    posts: [],
    startDateTime: at(0),
    lastModifiedDateTime: at(60),
    resolved: true,
    resolvedAt: at(60),
    postIncidentReview: false,
    detectedAt: at(0),
    updatedAt: at(60),
    customers,
    ...over,
  };
}

const told = { by: { id: 'u1', name: 'Ada' }, at: at(70) };

describe('incident card rules: tally, order, pages, notices, reminders', () => {
  it('tallies the customers by what they still need', () => {
    const i = incident([customer(1), customer(2, { goneSince: at(30) }), customer(3, { told }), customer(4, { goneSince: at(30), told })]);
    assert.deepEqual(tallyOf(i), { affected: 4, stillAffected: 2, gone: 2, told: 2, untold: 2 });
  });

  it('lists who still needs telling first (still affected before gone), then the told, each in first-seen order', () => {
    const i = incident([customer(1, { told }), customer(2, { goneSince: at(30) }), customer(3), customer(4, { told }), customer(5)]);
    assert.deepEqual(customersInCardOrder(i).map((c) => c.tenantId), ['t-3', 't-5', 't-2', 't-1', 't-4']);
  });

  it('pages the customers (a card holds a few), clamping a page asked for out of range', () => {
    const i = incident(Array.from({ length: 300 }, (_, n) => customer(n)));
    const first = customerPage(i, 1);
    assert.deepEqual([first.page, first.pages, first.first, first.last, first.total, first.customers.length], [1, Math.ceil(300 / CUSTOMERS_PER_PAGE), 1, CUSTOMERS_PER_PAGE, 300, CUSTOMERS_PER_PAGE]);
    const last = customerPage(i, 999);
    assert.equal(last.page, first.pages);
    assert.equal(last.last, 300);
    assert.equal(customerPage(i, Number.NaN).page, 1);
    assert.equal(customerPage(i, -3).page, 1);
    const none = customerPage(incident([]), 1);
    assert.deepEqual([none.page, none.pages, none.first, none.last], [1, 1, 0, 0]);
  });

  it('drafts the notice the incident calls for now, in the customer’s language when the desk writes it', () => {
    assert.equal(noticeKindOf({ resolved: false, postIncidentReview: false }), 'ongoing');
    assert.equal(noticeKindOf({ resolved: true, postIncidentReview: false }), 'resolved');
    assert.equal(noticeKindOf({ resolved: true, postIncidentReview: true }), 'review');
    assert.equal(noticeLanguage('ko-KR', 'en', ['en', 'ko']), 'ko');
    assert.equal(noticeLanguage('EN_gb', 'ko', ['en', 'ko']), 'en');
    assert.equal(noticeLanguage('fr-FR', 'ko', ['en', 'ko']), 'ko', 'a language the desk does not write: the reader’s');
    assert.equal(noticeLanguage(undefined, 'en', ['en', 'ko']), 'en');
  });

  it('reminds of a resolved incident once per period while a customer is not told', () => {
    const i = incident([customer(1, { told }), customer(2)]);
    const resolvedAt = Date.parse(i.resolvedAt ?? '');
    assert.equal(incidentReminderDue(i, 4 * HOUR, new Date(resolvedAt + 4 * HOUR - 1)), undefined, 'the first period is not over');
    assert.deepEqual(incidentReminderDue(i, 4 * HOUR, new Date(resolvedAt + 4 * HOUR)), { periods: 1, waitedMs: 4 * HOUR, untold: 1 });
    assert.equal(incidentReminderDue(i, 4 * HOUR, new Date(resolvedAt + 9 * HOUR))?.periods, 2);
    assert.equal(incidentReminderDue(incident([customer(1, { told })]), 4 * HOUR, new Date(resolvedAt + 9 * HOUR)), undefined, 'everyone told');
    assert.equal(incidentReminderDue(incident([customer(1)], { resolved: false, resolvedAt: undefined }), 4 * HOUR, new Date(resolvedAt + 9 * HOUR)), undefined, 'still open');
  });

  it('a reminder’s dedupe key names the incident, its resolution and the period, not where it goes', () => {
    const i = incident([customer(1)]);
    const due = { periods: 2, waitedMs: 8 * HOUR, untold: 1 };
    const a = planIncidentReminder({ incident: i, due, target: 'partner|19:a', message: { activity: { text: 'x' } } });
    const b = planIncidentReminder({ incident: i, due, target: 'partner|19:b', message: { activity: { text: 'y' } } });
    assert.equal(a.dedupeKey, `incident_reminder:EX300001:${at(60)}:2`);
    assert.equal(a.dedupeKey, b.dedupeKey, 'a channel moved within a period does not get a second one');
    assert.equal(a.kind, 'reminder');
    assert.equal(a.escalationId, 'incident:EX300001');
  });

  it('reminds in the card’s thread when the card is in the incident channel, else in the channel; not at all with no channel', () => {
    const card: IncidentCardState = { channel: 'c1', postId: 'p', postedAt: at(0), lastUpdateAt: at(0), heldReplies: [], activityId: '17', threadKey: 'c1;messageid=17' };
    assert.equal(incidentReminderTarget(card, 'c1'), 'c1;messageid=17');
    assert.equal(incidentReminderTarget(card, 'c2'), 'c2', 'the channel moved');
    assert.equal(incidentReminderTarget({ ...card, failed: 'unreachable' }, 'c1'), 'c1');
    assert.equal(incidentReminderTarget(undefined, 'c1'), 'c1');
    assert.equal(incidentReminderTarget(card, undefined), undefined);
  });
});
