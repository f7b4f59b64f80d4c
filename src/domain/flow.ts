/**
 * Where an escalation stands in the conversation that builds it: the step the engineer is on
 * and what that step works on, read from the escalation's state and its details. Kept in the
 * escalation record, so the flow survives restarts and any channel member can continue it.
 */
import { detailsOf, type FlowDetails, type FlowStep, type OfferedMatch } from './details';
import type { Escalation, EscalationState } from './escalation';
import { decide, troubleshootingChecks, type Decision, type ServiceRequestDraft, type TroubleshootingRecord } from './triage';

export { FLOW_STEPS, detailsOf } from './details';
export type { AnswerStatus, AnswerToMicrosoft, FlowDetails, FlowStep, KnownIssueRef, OfferedMatch } from './details';




/** Where an escalation stands in the flow, with what that step works on. */
export type FlowStage =
  /** The health check: its offered matches, or still running in the background. */
  | { readonly step: 'health'; readonly pending: boolean; readonly offered: readonly OfferedMatch[] }
  /** The admin-side checklist (the service's own when none was recorded). */
  | { readonly step: 'troubleshoot'; readonly troubleshooting: TroubleshootingRecord }
  | { readonly step: 'category' }
  /** The copy-ready request to file (an empty one for a row that never recorded it). */
  | { readonly step: 'handoff'; readonly request: ServiceRequestDraft }
  | { readonly step: 'decision' }
  /** Out of the engineer's flow: with Microsoft, closing the loop, or over. */
  | { readonly step: 'done'; readonly state: EscalationState };

/** The flow step implied by an escalation's state (its recorded step tells troubleshooting from the category). */
export function stepOf(escalation: Escalation, details: FlowDetails = detailsOf(escalation)): FlowStep {
  switch (escalation.state) {
    case 'draft':
      return 'health';
    case 'triage':
      return details.step === 'category' ? 'category' : 'troubleshoot';
    case 'awaiting_handoff':
      return 'handoff';
    case 'not_warranted':
      return 'decision';
    default:
      return 'done';
  }
}

/** The troubleshooting checklist of an escalation: as recorded, or the one that fits its service with nothing done. */
export function checklistOf(e: Escalation, details: FlowDetails = detailsOf(e)): TroubleshootingRecord {
  return details.troubleshooting ?? { checks: troubleshootingChecks(e.service), done: [], skipped: false };
}

/** The stage an escalation is at, with what its step works on. */
export function stageOf(e: Escalation, details: FlowDetails = detailsOf(e)): FlowStage {
  const step = stepOf(e, details);
  switch (step) {
    case 'health':
      return { step, pending: details.healthPending === true, offered: details.offered ?? [] };
    case 'troubleshoot':
      return { step, troubleshooting: checklistOf(e, details) };
    case 'handoff':
      return { step, request: details.request ?? { title: '', description: '', severity: details.severity ?? 'moderate', product: e.service } };
    case 'done':
      return { step, state: e.state };
    default:
      return { step };
  }
}

/** The decision the recorded answers lead to: whether it goes to Microsoft, and every reason. */
export function decisionOf(details: FlowDetails): Decision {
  return decide({
    knownIssueConfirmed: details.knownIssue !== undefined,
    notSameReason: details.notSameReason,
    healthCheck: details.healthCheck?.outcome,
    troubleshooting: details.troubleshooting,
    category: details.category,
  });
}
