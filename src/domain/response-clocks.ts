/**
 * Response clocks both ways, computed from stored times (never timers, so a restart changes
 * nothing): Microsoft's first response to a linked request against the partner's support plan,
 * and the partner's own time from the customer's report to the customer being told, and the
 * reminders they give (the report over many escalations is `response-report.ts`). Plain
 * functions: no I/O here.
 */
import { SEVERITIES, isSeverity, type Severity } from './triage';

/** Microsoft's first-response target per severity, in hours, under the partner's support plan. */
export type SupportPlan = Readonly<Record<Severity, number>>;

/**
 * The documented default: Sev A 2 h, Sev B 4 h, Sev C 8 h. Triage's SEVERITIES is the single
 * source, so the triage card and the clock cannot disagree on the defaults.
 */
export const DEFAULT_SUPPORT_PLAN: SupportPlan = Object.freeze({
  critical: SEVERITIES.critical.responseHours,
  moderate: SEVERITIES.moderate.responseHours,
  minimal: SEVERITIES.minimal.responseHours,
});

/** The longest target a plan may set (a week): anything longer is a typo. */
export const MAX_TARGET_HOURS = 168;

/**
 * Reads a plan written as `critical=2,moderate=4,minimal=8` (hours, decimals allowed; a
 * severity left out keeps its default). Throws RangeError naming what is wrong.
 */
export function parseSupportPlan(text: string): SupportPlan {
  const plan: Record<Severity, number> = { ...DEFAULT_SUPPORT_PLAN };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z]+)\s*=\s*(\d+(?:\.\d+)?)$/i.exec(part);
    const severity = match?.[1].toLowerCase();
    if (!match || !isSeverity(severity)) throw new RangeError(`expected severity=hours pairs such as critical=2,moderate=4,minimal=8 (not "${part.slice(0, 40)}")`);
    const hours = Number(match[2]);
    if (!(hours > 0 && hours <= MAX_TARGET_HOURS)) throw new RangeError(`expected ${severity} hours above 0 and at most ${MAX_TARGET_HOURS}`);
    plan[severity] = hours;
  }
  return Object.freeze(plan);
}

/** The partner's own target: a default and per-customer overrides (tenant id, any case → hours). */
export interface PartnerTargets {
  readonly defaultHours: number;
  readonly perCustomer?: Readonly<Record<string, number>>;
}

/**
 * The partner's targets: the default, each directory customer's own target where the directory
 * sets one, and the configured overrides, which win (tenant ids lower-cased).
 */
export function partnerTargetsOf(
  defaultHours: number,
  customers: readonly { readonly tenantId: string; readonly responseTargetHours?: number }[],
  overrides: Readonly<Record<string, number>> = {},
): PartnerTargets {
  const perCustomer: Record<string, number> = {};
  for (const c of customers) if (c.responseTargetHours !== undefined) perCustomer[c.tenantId.toLowerCase()] = c.responseTargetHours;
  for (const [tenant, hours] of Object.entries(overrides)) perCustomer[tenant.toLowerCase()] = hours;
  return { defaultHours, perCustomer: Object.freeze(perCustomer) };
}

/** The partner's target for one customer, in hours. */
export function partnerTargetHours(targets: PartnerTargets, customerTenantId: string): number {
  const wanted = customerTenantId.toLowerCase();
  for (const [tenant, hours] of Object.entries(targets.perCustomer ?? {})) if (tenant.toLowerCase() === wanted) return hours;
  return targets.defaultHours;
}

/** When the owner is warned that a clock is running out: at 80 % of its target. */
export const WARN_FRACTION = 0.8;

/** Where a clock stands. */
export type ClockState =
  /** Under 80 % of the target used. */
  | 'running'
  /** 80 % used: time to act. */
  | 'warning'
  /** Past the target with no response. */
  | 'breached'
  /** Stopped within the target. */
  | 'met'
  /** Stopped, but after the target. */
  | 'missed';

/** A clock read at one instant. */
export interface ClockReading {
  readonly startedAt: string;
  readonly targetMs: number;
  readonly dueAt: string;
  /** The 80 % point. */
  readonly warnAt: string;
  /** When the clock stopped (the response came), if it has. */
  readonly stoppedAt?: string;
  /** From the start to the stop, or to now while running. */
  readonly elapsedMs: number;
  /** Until the due time from the stop or now; negative when late. */
  readonly remainingMs: number;
  readonly state: ClockState;
}

const HOUR_MS = 3_600_000;

/** Reads a clock from its start, its target and its stop (if any), at `now`. */
export function readClock(startedAt: string, targetMs: number, stoppedAt: string | undefined, now: Date): ClockReading {
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) throw new RangeError('A clock needs a valid start time.');
  const due = start + targetMs;
  const warn = start + Math.round(targetMs * WARN_FRACTION);
  const stop = stoppedAt === undefined ? undefined : Date.parse(stoppedAt);
  const at = stop !== undefined && !Number.isNaN(stop) ? stop : now.getTime();
  const stopped = stop !== undefined && !Number.isNaN(stop);
  const state: ClockState = stopped ? (at <= due ? 'met' : 'missed') : at >= due ? 'breached' : at >= warn ? 'warning' : 'running';
  return {
    startedAt: new Date(start).toISOString(),
    targetMs,
    dueAt: new Date(due).toISOString(),
    warnAt: new Date(warn).toISOString(),
    ...(stopped ? { stoppedAt: new Date(at).toISOString() } : {}),
    elapsedMs: Math.max(0, at - start),
    remainingMs: due - at,
    state,
  };
}

/** A reminder a clock gives its owner, once each. */
export type ClockReminder = 'warning' | 'breach';

/**
 * The reminders due now, given those already sent: one at 80 %, one at breach. A clock first
 * read after its breach gets only the breach reminder (a warning then would be noise).
 */
export function clockRemindersDue(reading: ClockReading, alreadySent: readonly ClockReminder[]): readonly ClockReminder[] {
  if (reading.state === 'breached') return alreadySent.includes('breach') ? [] : ['breach'];
  if (reading.state === 'warning') return alreadySent.includes('warning') || alreadySent.includes('breach') ? [] : ['warning'];
  return [];
}

/** One note on a Microsoft service request, as Partner Center gives it. */
export interface RequestNote {
  readonly createdByName?: string;
  readonly createdDate?: string;
  readonly text: string;
}

/** A status change of a request, as the tracker observed it. */
export interface RequestStatusChange {
  readonly status: string;
  readonly at: string;
  /** The partner made it (Partner Center lets a partner close a request). */
  readonly byPartner?: boolean;
}

/** What a linked request's history says, enough to find Microsoft's first response. */
export interface RequestTimeline {
  /** Partner Center severity: critical, moderate, minimal (unknown: no clock). */
  readonly severity: string;
  /** Partner Center's createdDate: the clock starts here. */
  readonly createdDate?: string;
  readonly notes: readonly RequestNote[];
  readonly statusChanges?: readonly RequestStatusChange[];
}

/**
 * How the partner's own notes are recognised: Partner Center names the App+User token's user
 * as their author, and the desk knows the texts it sent.
 */
export interface PartnerAuthorship {
  readonly names: readonly string[];
  readonly texts: readonly string[];
}

/** Whether a note was written by the partner. */
export function isPartnerNote(note: RequestNote, partner: PartnerAuthorship): boolean {
  const author = note.createdByName?.trim().toLowerCase();
  if (author && partner.names.some((n) => n.trim().toLowerCase() === author)) return true;
  const text = note.text.trim();
  return text !== '' && partner.texts.some((t) => t.trim() === text);
}

/**
 * Microsoft's first response: the first note not written by the partner, or the first status
 * change Microsoft made, whichever came first (only after the request was created).
 */
export function firstMicrosoftResponseAt(timeline: RequestTimeline, partner: PartnerAuthorship): string | undefined {
  const created = timeline.createdDate ? Date.parse(timeline.createdDate) : Number.NEGATIVE_INFINITY;
  const times = [
    ...timeline.notes.filter((n) => !isPartnerNote(n, partner)).map((n) => Date.parse(n.createdDate ?? '')),
    ...(timeline.statusChanges ?? []).filter((c) => !c.byPartner).map((c) => Date.parse(c.at)),
  ].filter((t) => !Number.isNaN(t) && t >= created);
  return times.length === 0 ? undefined : new Date(Math.min(...times)).toISOString();
}

/** Microsoft's first-response clock of one request. */
export interface MicrosoftClock {
  readonly severity: Severity;
  /** "A", "B" or "C". */
  readonly label: string;
  readonly targetHours: number;
  readonly reading: ClockReading;
}

/** Microsoft's clock for a request; undefined when its severity is unknown or it has no creation time. */
export function microsoftClock(timeline: RequestTimeline, plan: SupportPlan, partner: PartnerAuthorship, now: Date): MicrosoftClock | undefined {
  const severity = timeline.severity.toLowerCase();
  if (!isSeverity(severity) || !timeline.createdDate || Number.isNaN(Date.parse(timeline.createdDate))) return undefined;
  const targetHours = plan[severity];
  return {
    severity,
    label: SEVERITIES[severity].label,
    targetHours,
    reading: readClock(timeline.createdDate, targetHours * HOUR_MS, firstMicrosoftResponseAt(timeline, partner), now),
  };
}

/** The partner's clock of one escalation: from the customer's report to the customer being told. */
export function partnerClock(
  escalation: { readonly customerTenantId: string; readonly startedAt: string; readonly customerNotifiedAt?: string },
  targets: PartnerTargets,
  now: Date,
): ClockReading {
  return readClock(escalation.startedAt, partnerTargetHours(targets, escalation.customerTenantId) * HOUR_MS, escalation.customerNotifiedAt, now);
}

/** Microsoft's first response to a request, as the tracker saw it: when, who, and whether a note or a status change. */
export interface FirstResponse {
  readonly at: string;
  /** The note's author, or "Microsoft" for a status change. */
  readonly by?: string;
  readonly kind: 'note' | 'status';
  /** The status Microsoft set (kind `status`). */
  readonly status?: string;
}

/** A request as the tracker reads it, as far as the clocks look at it. */
export interface ObservedRequest {
  readonly status: string;
  readonly createdDate?: string;
  readonly lastModifiedDate?: string;
  readonly lastClosedDate?: string;
  readonly notes: readonly RequestNote[];
}

/**
 * Statuses that only Microsoft's side sets on a request the desk tracks: it asks for information,
 * or closes it (the desk never closes a request itself).
 */
const MICROSOFT_STATUSES: readonly string[] = ['attention_needed', 'closed'];

/**
 * Microsoft's first response visible in a request read now: the earliest note not written by
 * the partner, or the status Microsoft set (at the request's last change, the closest time
 * Partner Center gives), whichever came first; nothing before the request's creation counts.
 */
export function firstResponseIn(request: ObservedRequest, partner: PartnerAuthorship, observedAt?: Date): FirstResponse | undefined {
  const created = request.createdDate ? Date.parse(request.createdDate) : Number.NEGATIVE_INFINITY;
  const candidates: { at: number; response: Omit<FirstResponse, 'at'> }[] = [];
  for (const note of request.notes) {
    const at = Date.parse(note.createdDate ?? '');
    if (Number.isNaN(at) || isPartnerNote(note, partner)) continue;
    candidates.push({ at, response: { kind: 'note', ...(note.createdByName ? { by: note.createdByName } : {}) } });
  }
  if (MICROSOFT_STATUSES.includes(request.status)) {
    // Without a time from Partner Center, the moment it was seen is the closest known.
    const at = Date.parse((request.status === 'closed' ? request.lastClosedDate : undefined) ?? request.lastModifiedDate ?? observedAt?.toISOString() ?? '');
    if (!Number.isNaN(at)) candidates.push({ at, response: { kind: 'status', status: request.status, by: 'Microsoft' } });
  }
  const first = candidates.filter((c) => c.at >= created).sort((a, b) => a.at - b.at)[0];
  return first ? { at: new Date(first.at).toISOString(), ...first.response } : undefined;
}
