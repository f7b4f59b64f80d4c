/**
 * The response clocks of one stored escalation, read from the times its details carry (never
 * from timers: a restart reads the same clocks): Microsoft's first response to the linked request
 * and the partner's own time to tell the customer; the reminders they are due; what the tracker
 * records from a request it reads; and the escalation as a record of the response-time report.
 * Plain functions: no I/O here.
 */
import { noteText } from './answers';
import { detailsOf, type ClockDetails, type FlowDetails } from './details';
import type { Escalation, EscalationState } from './escalation';
import {
  clockRemindersDue,
  firstResponseIn,
  partnerClock,
  readClock,
  type ClockReading,
  type ClockReminder,
  type ObservedRequest,
  type PartnerAuthorship,
  type PartnerTargets,
  type SupportPlan,
} from './response-clocks';
import type { ResponseRecord } from './response-report';
import { WITH_MICROSOFT_STATES } from './states';
import { SEVERITIES, isSeverity, type Severity } from './triage';

const HOUR_MS = 3_600_000;

/** What the clocks are measured against: the support plan and the partner's own targets. */
export interface ClockSettings {
  readonly plan: SupportPlan;
  readonly partnerTargets: PartnerTargets;
}

/** Microsoft's first-response clock of the escalation's linked request. */
export interface RequestClock {
  readonly requestId: string;
  readonly severity: Severity;
  /** "A", "B" or "C". */
  readonly label: string;
  readonly targetHours: number;
  readonly reading: ClockReading;
}

/** Both clocks of an escalation, where they apply. */
export interface EscalationClocks {
  readonly microsoft?: RequestClock;
  readonly partner?: ClockReading;
}

/**
 * States in which the partner is not (or no longer) going to tell the customer of a resolution:
 * "not warranted" (the partner fixes it and closes it) and cancelled.
 */
const NO_PARTNER_CLOCK: readonly EscalationState[] = ['not_warranted', 'cancelled'];

/** Microsoft's clock from stored times: the request's creation to its first response, at the request's severity. */
export function requestClockOf(details: FlowDetails, plan: SupportPlan, now: Date): RequestClock | undefined {
  const requestId = details.serviceRequestId;
  const severity = details.requestSeverity ?? details.severity;
  const created = details.requestCreatedAt;
  if (!requestId || !severity || !created || Number.isNaN(Date.parse(created))) return undefined;
  const targetHours = plan[severity];
  return {
    requestId,
    severity,
    label: SEVERITIES[severity].label,
    targetHours,
    reading: readClock(created, targetHours * HOUR_MS, details.microsoftFirstResponse?.at, now),
  };
}

/**
 * The partner's clock: from the escalation's start (the customer's report) to the customer being
 * told; none for an escalation that ended without that step (cancelled, not warranted, closed
 * without the customer told).
 */
export function partnerClockOf(e: Escalation, details: FlowDetails, targets: PartnerTargets, now: Date): ClockReading | undefined {
  const told = details.customerNotified?.at;
  if (NO_PARTNER_CLOCK.includes(e.state) || (e.state === 'closed' && !told)) return undefined;
  return partnerClock({ customerTenantId: e.customer.tenantId, startedAt: e.createdAt, customerNotifiedAt: told }, targets, now);
}

/** Both clocks of an escalation at `now`. */
export function escalationClocks(e: Escalation, settings: ClockSettings, now: Date, details: FlowDetails = detailsOf(e)): EscalationClocks {
  const microsoft = requestClockOf(details, settings.plan, now);
  const partner = partnerClockOf(e, details, settings.partnerTargets, now);
  return { ...(microsoft ? { microsoft } : {}), ...(partner ? { partner } : {}) };
}

/** Whose clock a reminder is about. */
export type ClockSide = 'microsoft' | 'partner';

/** A reminder a clock gives the escalation's owner now. */
export interface DueClockReminder {
  readonly side: ClockSide;
  readonly reminder: ClockReminder;
  /** The clock's start: with the side and the reminder, what makes it one reminder ever. */
  readonly startedAt: string;
  readonly clocks: EscalationClocks;
}

/**
 * The clock reminders due for an escalation now (80 % and breach, once each: the outbox's dedupe
 * key says "once"): Microsoft's while the request is with Microsoft, the partner's while the
 * customer has not been told.
 */
export function clockRemindersFor(e: Escalation, settings: ClockSettings, now: Date): readonly DueClockReminder[] {
  const clocks = escalationClocks(e, settings, now);
  const due: DueClockReminder[] = [];
  if (clocks.microsoft && WITH_MICROSOFT_STATES.includes(e.state)) {
    for (const reminder of clockRemindersDue(clocks.microsoft.reading, [])) due.push({ side: 'microsoft', reminder, startedAt: clocks.microsoft.reading.startedAt, clocks });
  }
  if (clocks.partner && e.state !== 'customer_notified' && e.state !== 'closed') {
    for (const reminder of clockRemindersDue(clocks.partner, [])) due.push({ side: 'partner', reminder, startedAt: clocks.partner.startedAt, clocks });
  }
  return due;
}

/**
 * How the partner's own notes on the request are recognised: the engineers who answered
 * Microsoft by name (Partner Center may show the API user instead, so also) the texts the desk
 * sent, which end with its signature.
 */
export function partnerAuthorshipOf(e: Escalation, details: FlowDetails = detailsOf(e)): PartnerAuthorship {
  const answers = details.answers ?? [];
  return {
    names: [...new Set([...(e.ownerName ? [e.ownerName] : []), ...answers.map((a) => a.by)])],
    texts: answers.map(noteText),
  };
}

/**
 * What the tracker should record from a request it just read, or undefined when it knows it all
 * already: the request's creation time and severity, and Microsoft's first response once seen.
 * Each is recorded once; a later read never moves them.
 */
export function requestTimesToRecord(
  e: Escalation,
  request: ObservedRequest & { readonly severity: string },
  observedAt: Date,
  details: FlowDetails = detailsOf(e),
): ClockDetails | undefined {
  const patch: { -readonly [K in keyof ClockDetails]: ClockDetails[K] } = {};
  if (!details.requestCreatedAt && request.createdDate && !Number.isNaN(Date.parse(request.createdDate))) {
    patch.requestCreatedAt = new Date(request.createdDate).toISOString();
  }
  if (isSeverity(request.severity) && details.requestSeverity !== request.severity) patch.requestSeverity = request.severity;
  if (!details.microsoftFirstResponse) {
    const first = firstResponseIn(request, partnerAuthorshipOf(e, details), observedAt);
    if (first) patch.microsoftFirstResponse = first;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/**
 * The escalation as a record of the response-time report (what `responseTimeReport` reads), or
 * undefined for one whose customer was never going to be told: cancelled, not warranted, or
 * closed without the customer told (its partner clock would read as a breach forever).
 */
export function responseRecordOf(e: Escalation): ResponseRecord | undefined {
  const d = detailsOf(e);
  if (partnerClockOf(e, d, { defaultHours: 1 }, new Date(e.updatedAt)) === undefined) return undefined;
  return {
    escalationId: e.id,
    customerTenantId: e.customer.tenantId,
    startedAt: e.createdAt,
    ...(d.requestSeverity ?? d.severity ? { severity: d.requestSeverity ?? d.severity } : {}),
    ...(d.requestCreatedAt ? { requestCreatedAt: d.requestCreatedAt } : {}),
    ...(d.microsoftFirstResponse ? { microsoftFirstResponseAt: d.microsoftFirstResponse.at } : {}),
    ...(d.customerNotified ? { customerNotifiedAt: d.customerNotified.at } : {}),
  };
}
