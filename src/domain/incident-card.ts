/**
 * What the incident card shows of an incident's customers, and what the incident channel is
 * reminded of: the tally (affected, still affected, gone, told), the customers in the order they
 * need the engineer (not told first), one page of them (a card holds a dozen with a drafted
 * notice each; hundreds are summarized, paged and left to the tab), which notice a customer is
 * owed and in which language, and the reminder to tell the customers of a resolved incident,
 * once per incident per period. Pure.
 */
import type { IncidentCardState } from './incident-messages';
import type { AffectedCustomer, Incident } from './incidents';
import type { NotificationPayload, PlannedNotification } from './notifications';

/** Customers one card lists with their notice and "told" button; past it, the card pages and summarizes. */
export const CUSTOMERS_PER_PAGE = 8;

/** How many customers an incident has, by what they still need. */
export interface CustomerTally {
  /** Every customer the incident was ever seen in. */
  readonly affected: number;
  /** Seen and not gone. */
  readonly stillAffected: number;
  /** The issue left their tenant while the incident went on. */
  readonly gone: number;
  readonly told: number;
  readonly untold: number;
}

/** The tally of an incident's customers. */
export function tallyOf(incident: Pick<Incident, 'customers'>): CustomerTally {
  const told = incident.customers.filter((c) => c.told !== undefined).length;
  const gone = incident.customers.filter((c) => c.goneSince !== undefined).length;
  const affected = incident.customers.length;
  return { affected, stillAffected: affected - gone, gone, told, untold: affected - told };
}

/** Rank of a customer in the card's order: who still needs telling first, the still affected before the gone. */
function rank(c: AffectedCustomer): number {
  if (c.told !== undefined) return 2;
  return c.goneSince === undefined ? 0 : 1;
}

/**
 * The customers in the order the card lists them: not told yet (still affected, then gone), then
 * told; within each group in the order they were first seen.
 */
export function customersInCardOrder(incident: Pick<Incident, 'customers'>): AffectedCustomer[] {
  return incident.customers
    .map((customer, i) => ({ customer, i }))
    .sort((a, b) => rank(a.customer) - rank(b.customer) || a.i - b.i)
    .map(({ customer }) => customer);
}

/** One page of the card's customers. */
export interface CustomerPage {
  readonly customers: readonly AffectedCustomer[];
  /** 1-based, within 1..pages. */
  readonly page: number;
  readonly pages: number;
  /** 1-based position of the first customer shown (0 when there is none). */
  readonly first: number;
  readonly last: number;
  readonly total: number;
}

/** The page `page` (1-based; clamped to the pages there are) of the card's customers. */
export function customerPage(incident: Pick<Incident, 'customers'>, page: number, size = CUSTOMERS_PER_PAGE): CustomerPage {
  const ordered = customersInCardOrder(incident);
  const pages = Math.max(1, Math.ceil(ordered.length / size));
  const current = Math.min(pages, Math.max(1, Number.isFinite(page) ? Math.floor(page) : 1));
  const customers = ordered.slice((current - 1) * size, current * size);
  const first = customers.length === 0 ? 0 : (current - 1) * size + 1;
  return { customers, page: current, pages, first, last: first === 0 ? 0 : first + customers.length - 1, total: ordered.length };
}

/** Which notice a customer is owed: the incident goes on, it is resolved, or its post-incident review is out. */
export type NoticeKind = 'ongoing' | 'resolved' | 'review';

/** The notice the incident calls for now. */
export function noticeKindOf(incident: Pick<Incident, 'resolved' | 'postIncidentReview'>): NoticeKind {
  if (incident.postIncidentReview) return 'review';
  return incident.resolved ? 'resolved' : 'ongoing';
}

/**
 * The language a customer's notice is drafted in: the customer's own when known and one the desk
 * writes (`ko-KR` → `ko`), else the reader's.
 */
export function noticeLanguage(customerLanguage: string | undefined, readerLanguage: string, supported: readonly string[]): string {
  const primary = customerLanguage?.trim().toLowerCase().split(/[-_]/)[0];
  return primary !== undefined && supported.includes(primary) ? primary : readerLanguage;
}

/** A reminder of a resolved incident whose customers are not all told, and how long it has waited. */
export interface IncidentReminderDue {
  /** Whole periods since the resolution: one reminder per period. */
  readonly periods: number;
  readonly waitedMs: number;
  readonly untold: number;
}

/**
 * Whether a reminder is due for an incident at `now`: resolved at least a period ago with a
 * customer not told yet. Undefined otherwise (open, everyone told, or the first period not over).
 */
export function incidentReminderDue(incident: Incident, periodMs: number, now: Date): IncidentReminderDue | undefined {
  if (!incident.resolved || incident.resolvedAt === undefined || periodMs <= 0) return undefined;
  const { untold } = tallyOf(incident);
  if (untold === 0) return undefined;
  const waitedMs = now.getTime() - Date.parse(incident.resolvedAt);
  const periods = Math.floor(waitedMs / periodMs);
  return periods < 1 ? undefined : { periods, waitedMs, untold };
}

/**
 * Where an incident's reminders go: its card's thread when the card is in the incident channel
 * (and was not given up), else the channel itself; none while no channel is set (`incidents off`).
 */
export function incidentReminderTarget(card: IncidentCardState | undefined, channel: string | undefined): string | undefined {
  if (channel === undefined) return undefined;
  if (card?.threadKey !== undefined && card.channel === channel && card.failed === undefined) return card.threadKey;
  return channel;
}

/** The reminder's outbox row: its dedupe key names the incident, its resolution and the period, so one goes per period. */
export function planIncidentReminder(input: {
  readonly incident: Pick<Incident, 'id' | 'resolvedAt'>;
  readonly due: IncidentReminderDue;
  readonly target: string;
  readonly message: NotificationPayload;
}): PlannedNotification {
  const { incident, due, target, message } = input;
  return {
    escalationId: `incident:${incident.id}`.slice(0, 64),
    kind: 'reminder',
    target,
    payload: { ...message },
    dedupeKey: `incident_reminder:${incident.id}:${incident.resolvedAt ?? ''}:${due.periods}`,
  };
}
