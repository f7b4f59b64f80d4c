/**
 * Where the service-health check takes a described escalation: the matching known issues are
 * offered (it stays a draft until the engineer answers), or none match, or the check could not
 * run, and triage begins with the service's troubleshooting checklist. Pure: the caller looked
 * the overview up and saves the result.
 */
import { withDetails, type FlowDetails, type OfferedMatch } from './details';
import { transition, type Actor, type AuditEvent, type Escalation } from './escalation';
import { healthCheckOf, type HealthCheckFailure } from './health-check';
import { rankIssues } from './matching';
import { troubleshootingChecks } from './triage';

/** Most known issues offered on the match card. */
export const MAX_OFFERED = 3;

/** A tenant's health overview as the check reads it: each service with its Graph id and its issues. */
export interface OverviewForMatching {
  readonly services: readonly {
    readonly id: string;
    readonly service: string;
    readonly issues: Parameters<typeof rankIssues>[1];
  }[];
}

/** A health lookup's result: the overview, or why it could not be read. */
export type HealthLookup = { readonly overview: OverviewForMatching } | { readonly failure: HealthCheckFailure };

/** The first step of triage: the troubleshooting checklist that fits the service, nothing done yet. */
export function troubleshootingStart(service: string): Pick<FlowDetails, 'step' | 'troubleshooting'> {
  return { step: 'troubleshoot', troubleshooting: { checks: troubleshootingChecks(service), done: [], skipped: false } };
}

/** The known issues of the overview that could explain the escalation, best first, as the match card offers them. */
export function offeredMatches(e: Escalation, overview: OverviewForMatching): OfferedMatch[] {
  const matches = rankIssues(
    { customerTenantId: e.customer.tenantId, service: e.service, symptom: `${e.title} ${e.description}`, startedAt: e.since ?? e.createdAt },
    overview.services.flatMap((s) => s.issues),
    Object.fromEntries(overview.services.map((s) => [s.service, s.id])),
  ).slice(0, MAX_OFFERED);
  return matches.map((m) => ({
    id: m.issue.id,
    title: m.issue.title,
    classification: m.issue.classification,
    status: m.issue.status,
    impact: m.issue.impactDescription.slice(0, 500),
    startDateTime: m.issue.startDateTime,
    reasons: m.reasons,
  }));
}

/**
 * The escalation after its health check: with the matches offered (still a draft, no event), or
 * moved to triage with the checklist (one event). Either way the check's outcome is recorded,
 * and "could not check" is never recorded as "no match".
 */
export function healthOutcome(e: Escalation, looked: HealthLookup, actor: Actor, now: Date): { escalation: Escalation; events: AuditEvent[] } {
  const offered = 'overview' in looked ? offeredMatches(e, looked.overview) : [];
  const healthCheck = healthCheckOf(now, 'failure' in looked ? { failure: looked.failure } : { matches: offered.length });
  if (offered.length > 0) {
    return { escalation: withDetails(e, { offered, healthCheck, healthPending: false }, now), events: [] };
  }
  const details: FlowDetails = { ...troubleshootingStart(e.service), healthCheck, healthPending: false };
  const r = transition(e, 'triage', { actor, at: now, details: { ...details } });
  return { escalation: r.escalation, events: [r.event] };
}
