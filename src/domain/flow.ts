/**
 * Where an escalation stands in the conversation that builds it: the step the engineer is
 * on and what each step recorded. Kept in the escalation's `details`, so the flow survives
 * restarts and any channel member can continue it.
 */
import type { Escalation } from './escalation';
import type { HealthCheck } from './health-check';
import type { Category, ServiceRequestDraft, Severity, TroubleshootingRecord } from './triage';

/** The steps of the flow, in order. */
export const FLOW_STEPS = ['health', 'troubleshoot', 'category', 'handoff', 'decision', 'done'] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

/** A known issue offered by the health check. */
export interface OfferedIssue {
  readonly id: string;
  readonly title: string;
}

/** What is known of an answer's send. */
export type AnswerStatus = 'sending' | 'sent' | 'failed';

/** One answer to one of Microsoft's questions. */
export interface AnswerToMicrosoft {
  /** Which question it answers: when Microsoft asked (the attention request's time). */
  readonly question: string;
  readonly text: string;
  /** Who wrote it, by name (shown and written into the note) and by id. */
  readonly by: string;
  readonly byId: string;
  readonly at: string;
  /** Idempotency key of the send (Partner Center's MS-RequestId): a resend reuses it. */
  readonly requestId: string;
  readonly status: AnswerStatus;
}

/** What the flow records in `details`. */
export interface FlowDetails {
  readonly step?: FlowStep;
  readonly flowId?: string;
  readonly offered?: readonly OfferedIssue[];
  readonly knownIssue?: OfferedIssue;
  readonly notSameReason?: string;
  readonly troubleshooting?: TroubleshootingRecord;
  readonly category?: Category;
  readonly severity?: Severity;
  readonly businessImpact?: string;
  readonly contact?: string;
  readonly request?: ServiceRequestDraft;
  readonly serviceRequestId?: string;
  /** Where the flow's card was posted (the channel thread or the personal chat). */
  readonly conversationId?: string;
  /** Conversation reference keys notified when Microsoft moves the escalation. */
  readonly notifyTargets?: readonly string[];
  /** What the service-health check found, or why it could not run. */
  readonly healthCheck?: HealthCheck;
  /** The health check outlasted its turn and finishes in the background. */
  readonly healthPending?: boolean;
  /** The message id of the flow's card, updated in place when Microsoft moves the escalation. */
  readonly cardActivityId?: string;
  /** The owner's language, for notifications sent outside a turn. */
  readonly locale?: string;
  /** The zone the owner typed the start time in (IANA id, "UTC±hh:mm" or "UTC"): the request states it, notifications show times in it. */
  readonly timeZone?: string;
  /** What Microsoft last said (status, notes), recorded by the tracker. */
  readonly microsoftStatus?: { readonly source: string; readonly status: string; readonly at: string };
  readonly microsoftNotes?: readonly { readonly createdByName?: string; readonly createdDate?: string; readonly text: string }[];
  /** The engineer's answers to Microsoft's questions, each recorded before it is sent. */
  readonly answers?: readonly AnswerToMicrosoft[];
  /** When the engineer reopened a resolved request (Microsoft's older closure no longer counts). */
  readonly reopenedAt?: string;
  /** Who was told, when, and what (closing the loop). */
  readonly customerNotified?: { readonly by: string; readonly at: string; readonly contact: string; readonly message: string };
}

/** The flow details of an escalation. */
export function flowOf(escalation: Escalation): FlowDetails {
  return escalation.details;
}

// The state groups are defined once, in states.ts; the flow imports this one from here.
export { IN_PROGRESS_STATES } from './states';

/** The flow step implied by an escalation's state (its recorded step wins while in progress). */
export function stepOf(escalation: Escalation): FlowStep {
  const recorded = flowOf(escalation).step;
  switch (escalation.state) {
    case 'draft':
      return 'health';
    case 'triage':
      return recorded === 'category' ? 'category' : 'troubleshoot';
    case 'awaiting_handoff':
      return 'handoff';
    case 'not_warranted':
      return 'decision';
    default:
      return 'done';
  }
}
