/**
 * What the tracker watches Microsoft for, and how what Microsoft says moves an escalation: the
 * Microsoft references an escalation carries (its service request number, its confirmed known
 * issue), which one is polled in which state, and the state a status observed upstream leads to.
 * Pure: the tracker (src/tracking/) does the polling and saving.
 */
import type { Escalation, EscalationState } from './escalation';
import { detailsOf, referencesOf } from './details';
import { KNOWN_ISSUE_STATES, WITH_MICROSOFT_STATES } from './states';

/** What is polled: a Partner Center service request, or a known service incident. */
export type TrackingKind = 'service_request' | 'health_issue';

/** What is watched for an escalation: a Microsoft service request, or a known service incident. */
export interface TrackingTarget {
  readonly kind: TrackingKind;
  /** The service request number, or the health issue id. */
  readonly ref: string;
  /** The customer tenant (health issues are read per tenant). */
  readonly tenantId: string;
}

/** The Microsoft references an escalation carries, whatever its state. */
export interface MicrosoftLinks {
  /** The linked Partner Center service request number (`details.serviceRequestId`). */
  readonly serviceRequestId?: string;
  /** The confirmed known incident or advisory (`details.knownIssue.id`). */
  readonly knownIssueId?: string;
}

/**
 * A Microsoft reference (request number, issue id) as given in `details` or a query: trimmed;
 * none when it is not text, blank, or holds a control character, which no Microsoft id has
 * (and a NUL cannot even be stored in a PostgreSQL text column).
 */
export function referenceOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || /\p{Cc}/u.test(trimmed) ? undefined : trimmed;
}

/** The service request number and known issue id an escalation carries (the store indexes both). */
export function microsoftLinksOf(escalation: Escalation): MicrosoftLinks {
  const flow = referencesOf(escalation);
  const serviceRequestId = referenceOf(flow.serviceRequestId);
  const knownIssueId = referenceOf(flow.knownIssueId);
  return { ...(serviceRequestId ? { serviceRequestId } : {}), ...(knownIssueId ? { knownIssueId } : {}) };
}

/**
 * What to poll for an escalation in its current state, or undefined when nothing is: the
 * linked service request while Microsoft has it, the confirmed incident while it is the known
 * issue. Derived from the record itself, so the tracking row changes with the escalation.
 */
export function trackingTargetOf(escalation: Escalation): TrackingTarget | undefined {
  const links = microsoftLinksOf(escalation);
  const tenantId = escalation.customer.tenantId;
  if (WITH_MICROSOFT_STATES.includes(escalation.state)) {
    return links.serviceRequestId ? { kind: 'service_request', ref: links.serviceRequestId, tenantId } : undefined;
  }
  if (KNOWN_ISSUE_STATES.includes(escalation.state)) {
    return links.knownIssueId ? { kind: 'health_issue', ref: links.knownIssueId, tenantId } : undefined;
  }
  return undefined;
}

/** What the tracker saw upstream, as far as the rules look at it. */
export interface ObservedStatus {
  /** Upstream status, e.g. `attention_needed`, `closed`, or `resolved` for an incident. */
  readonly status: string;
  /** The service request read, when one was. */
  readonly request?: { readonly lastClosedDate?: string; readonly lastModifiedDate?: string };
}

/** The state Microsoft's status moves an escalation to, if any. */
export function nextState(current: EscalationState, source: TrackingKind, status: string): EscalationState | undefined {
  if (source === 'health_issue') return KNOWN_ISSUE_STATES.includes(current) && status === 'resolved' ? 'resolved' : undefined;
  if (!WITH_MICROSOFT_STATES.includes(current)) return undefined;
  if (status === 'closed') return 'resolved';
  if (status === 'attention_needed' && current === 'escalated') return 'attention_needed';
  // Microsoft has what it asked for: the request is worked again.
  if (status === 'open' && current === 'attention_needed') return 'escalated';
  return undefined;
}

/**
 * After the engineer reopens a resolved request, Partner Center still says `closed` until
 * Microsoft works it again: that old closure must not resolve the escalation a second time.
 */
export function stillClosedBeforeReopen(escalation: Escalation, observed: ObservedStatus): boolean {
  const reopenedAt = detailsOf(escalation).reopenedAt;
  if (typeof reopenedAt !== 'string' || observed.status !== 'closed') return false;
  const closedAt = observed.request?.lastClosedDate ?? observed.request?.lastModifiedDate;
  return closedAt === undefined || Date.parse(closedAt) <= Date.parse(reopenedAt);
}

/** The state a poll leads to: none while an older closure predates the engineer's reopening. */
export function stateAfterObservation(escalation: Escalation, source: TrackingKind, observed: ObservedStatus): EscalationState | undefined {
  return stillClosedBeforeReopen(escalation, observed) ? undefined : nextState(escalation.state, source, observed.status);
}
