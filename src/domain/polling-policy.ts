/**
 * How often the tracker asks Microsoft about an escalation: by what is at stake, not by how
 * long it has been quiet alone. Sev A requests, requests where Microsoft waits for the partner
 * (`attention_needed`) and requests touched lately by the engineer or by Microsoft are polled
 * at the short interval; only quiet, lower-severity ones back off (Sev B less far than Sev C);
 * a watched incident is polled at the health cache's freshness and its check accepts only a
 * snapshot much younger than that, so the two waits never stack. Pure: no clock, no I/O.
 */
import type { EscalationState } from './escalation';
import type { TrackingKind } from './tracking';

/** What is polled: a Partner Center service request, or a known service incident. */
export type PollTarget = TrackingKind;

/** A request's severity as Partner Center names it (critical = Sev A). */
export type PollSeverity = 'critical' | 'moderate' | 'minimal' | 'unknown';

/** The intervals of the policy, in milliseconds. */
export interface PollingSettings {
  /** Sev A, attention_needed and recently touched requests; also the first step of any backoff. */
  readonly activeIntervalMs: number;
  /** How long after the last touch (engineer or Microsoft) a request counts as active. */
  readonly activeWindowMs: number;
  /** Where the backoff of a quiet Sev B request stops. */
  readonly moderateMaxIntervalMs: number;
  /** Where the backoff of a quiet Sev C (or unknown severity) request stops. */
  readonly quietMaxIntervalMs: number;
  /** A watched incident: the health cache's freshness (never below the active interval). */
  readonly incidentIntervalMs: number;
}

/**
 * The defaults: at most 30 s (plus the loops' own pauses, a few seconds) from a change at
 * Microsoft to the card for what is at stake; a window of 4 hours (Sev B's initial response
 * time); quiet Sev B every 10 minutes at most, quiet Sev C every 30; incidents every 2 minutes
 * (Graph's cache freshness).
 */
export const DEFAULT_POLLING: PollingSettings = Object.freeze({
  activeIntervalMs: 30_000,
  activeWindowMs: 4 * 3_600_000,
  moderateMaxIntervalMs: 10 * 60_000,
  quietMaxIntervalMs: 30 * 60_000,
  incidentIntervalMs: 2 * 60_000,
});

/** What the policy looks at. */
export interface PollSubject {
  readonly target: PollTarget;
  readonly state: EscalationState;
  /** The request's severity (Microsoft's, else the one chosen in triage). */
  readonly severity?: PollSeverity;
  /** When the engineer or Microsoft last touched it, in ms since the epoch. */
  readonly lastActivityAt?: number;
}

/** Why an interval was chosen (for logs and the bench). */
export type PollReason = 'incident' | 'attention_needed' | 'critical' | 'recent' | 'quiet';

/** The next interval and why. */
export interface PollDecision {
  readonly intervalMs: number;
  readonly reason: PollReason;
}

/**
 * The interval before the next poll of `subject`, after a poll at `now` that ran with
 * `previousIntervalMs`. Quiet requests double it, from the active interval up to their cap;
 * anything at stake gets the active interval at once.
 */
export function nextPollInterval(subject: PollSubject, previousIntervalMs: number, now: number, settings: PollingSettings = DEFAULT_POLLING): PollDecision {
  const active = settings.activeIntervalMs;
  if (subject.target === 'health_issue') return { intervalMs: Math.max(active, settings.incidentIntervalMs), reason: 'incident' };
  if (subject.state === 'attention_needed') return { intervalMs: active, reason: 'attention_needed' };
  if (subject.severity === 'critical') return { intervalMs: active, reason: 'critical' };
  // A touch "in the future" is clock skew between us and Microsoft: it counts as now.
  if (subject.lastActivityAt !== undefined && now - subject.lastActivityAt < settings.activeWindowMs) {
    return { intervalMs: active, reason: 'recent' };
  }
  const cap = subject.severity === 'moderate' ? settings.moderateMaxIntervalMs : settings.quietMaxIntervalMs;
  return { intervalMs: backedOff(previousIntervalMs, active, cap), reason: 'quiet' };
}

/** The interval after a poll that failed for a passing reason: backed off, whatever is at stake. */
export function failedPollInterval(previousIntervalMs: number, settings: PollingSettings = DEFAULT_POLLING): number {
  return backedOff(previousIntervalMs, settings.activeIntervalMs, settings.quietMaxIntervalMs);
}

/**
 * How old a cached incident may be when a poll reads it: a small part of the poll interval,
 * so a check never sits behind a cache about as old as the interval itself (the two waits
 * would add up), while escalations watching the same incident still share one upstream call.
 */
export function incidentSnapshotMaxAgeMs(intervalMs: number): number {
  return Math.min(15_000, Math.floor(intervalMs / 4));
}

/** The latest of several instants (ISO 8601 strings or ms), ignoring missing or unreadable ones. */
export function latestOf(...instants: ReadonlyArray<string | number | undefined>): number | undefined {
  let latest: number | undefined;
  for (const instant of instants) {
    const ms = typeof instant === 'number' ? instant : instant === undefined ? Number.NaN : Date.parse(instant);
    if (Number.isFinite(ms) && (latest === undefined || ms > latest)) latest = ms;
  }
  return latest;
}

function backedOff(previousIntervalMs: number, floor: number, cap: number): number {
  return Math.max(floor, Math.min(cap, previousIntervalMs * 2));
}
