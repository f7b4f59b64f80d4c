/**
 * The view models the escalation cards render, one per card: the escalation with its details
 * already read, and what only the caller can know or gather (the decision's reasons, the audit
 * trail, recent requests, whether the health check ran in this turn). The cards do no more than
 * lay them out in the reader's language.
 */
import type { GdapRelationship } from '../domain/access';
import type { AccessCheck } from '../domain/access-check';
import type { AnswerToMicrosoft, FlowDetails, OfferedMatch } from '../domain/details';
import type { AuditEvent, Escalation, EscalationState } from '../domain/escalation';
import type { EscalationClocks } from '../domain/escalation-clocks';
import type { SupportPlan } from '../domain/response-clocks';
import type { DecisionReason } from '../domain/triage';
import type { CustomerPage, CustomerTally } from '../domain/incident-card';
import type { ReplyChange } from '../domain/incident-messages';
import type { AffectedCustomer, Incident } from '../domain/incidents';

/** What every escalation card starts from: the escalation, its details read once, and an error banner. */
export interface EscalationView {
  readonly escalation: Escalation;
  readonly details: FlowDetails;
  readonly error?: string;
  /** Microsoft's response time per severity under the partner's support plan (default: 2/4/8 h). */
  readonly plan?: SupportPlan;
}

/** What the engineer typed on a card, echoed back when it must be corrected. */
export type DescribeValues = Readonly<Record<string, string>>;

/** The health check's matches, and why each matched. */
export interface MatchView extends EscalationView {
  readonly offered: readonly OfferedMatch[];
}

/** The troubleshooting checklist; `justChecked`: the health check ran in this same turn; `open`: the checks a submission left open. */
export interface TroubleshootView extends EscalationView {
  readonly justChecked: boolean;
  readonly open?: readonly { readonly label: string; readonly advice: string; readonly note: string }[];
}

/** Category, severity and impact; the checks still open, to try before handing off. */
export interface TriageView extends EscalationView {
  readonly openChecks: readonly string[];
  readonly values?: DescribeValues;
}

/** The hand-off: why it goes to Microsoft, where to file it, and the customer's recent requests to pick from. */
export interface HandoffView extends EscalationView {
  readonly reasons: readonly DecisionReason[];
  readonly deepLink: string;
  readonly recentRequests?: readonly { readonly id: string; readonly label: string }[];
}

/** Not for Microsoft: why. */
export interface NotWarrantedView extends EscalationView {
  readonly reasons: readonly DecisionReason[];
}

/** Microsoft needs information: the answer already given to its current question, if any. */
export interface AttentionView extends EscalationView {
  readonly answer?: AnswerToMicrosoft;
  readonly deepLink: string;
}

/** A reminder about an escalation. */
export interface ReminderView {
  readonly escalation: Escalation;
  readonly text: string;
}

/** The summary: the audit trail, and what only the deployment knows. */
export interface SummaryView extends EscalationView {
  readonly audit: readonly AuditEvent[];
  /** SUPPORT_SOURCE=manual: the engineer reports what Microsoft did. */
  readonly manual: boolean;
  /** Why the conversation notifications go to cannot be reached, if it cannot. */
  readonly unreachable?: string;
  /** The response clocks at the time of rendering, where they run. */
  readonly clocks?: EscalationClocks;
}

/** An engineer's GDAP access to a customer, in full (`access <customer>`). */
export interface AccessView {
  readonly customer: { readonly name: string; readonly tenantId: string };
  readonly check: AccessCheck;
  readonly relationships: readonly GdapRelationship[];
  /** What just happened (a consent grant's outcome), good news or not. */
  readonly banner?: { readonly text: string; readonly good: boolean };
  /** Offer "Grant health consent": the health app is refused there, and this deployment can grant it. */
  readonly canGrant: boolean;
}

/** Whose escalations a list shows: the engineer's own (personal chat), or a channel's or group chat's. */
export type ListScope = 'mine' | 'channel' | 'chat';

/** The list of an engineer's (or a conversation's) escalations, with their ages as of `now`. */
export interface ListView {
  readonly items: readonly Pick<EscalationView, 'escalation' | 'details'>[];
  readonly now: Date;
  /** Whose (default: the engineer's own). */
  readonly scope?: ListScope;
  /** Closed and cancelled ones included (`list all`). */
  readonly all?: boolean;
}

/** Any card of an escalation, tagged with which. */
export type CardView =
  | ({ readonly card: 'match' } & MatchView)
  | ({ readonly card: 'troubleshoot' } & TroubleshootView)
  | ({ readonly card: 'triage' } & TriageView)
  | ({ readonly card: 'handoff' } & HandoffView)
  | ({ readonly card: 'notWarranted' } & NotWarrantedView)
  | ({ readonly card: 'resolved' } & EscalationView)
  | ({ readonly card: 'attention' } & AttentionView)
  | ({ readonly card: 'summary' } & SummaryView);

/** One affected customer as the incident card lists it. */
export interface IncidentCustomerView {
  readonly customer: AffectedCustomer;
  /** Their open escalations confirmed as this incident (`details.knownIssue`), newest first. */
  readonly escalations: readonly { readonly id: string; readonly state: EscalationState }[];
  /** The notice drafted for them, in their language when known, else the reader's. */
  readonly notice: string;
}

/** Which message of an incident a card is: the channel's card, or a reply in its thread. */
export type IncidentCardMode = 'card' | 'update' | 'resolved' | 'review';

/** The incident card (and its thread's replies): the incident, a page of its customers, what only the caller can gather. */
export interface IncidentCardView {
  readonly incident: Incident;
  readonly mode: IncidentCardMode;
  /** What an update reply says changed. */
  readonly changes?: readonly ReplyChange[];
  readonly tally: CustomerTally;
  /** The page of customers shown, each with their escalations and notice. */
  readonly page: Omit<CustomerPage, 'customers'> & { readonly customers: readonly IncidentCustomerView[] };
  /** Open escalations confirmed as this incident, every customer's. */
  readonly escalations: number;
  /** The incident in the tab, when the deployment has one to link. */
  readonly tabLink?: string;
  /** Microsoft's post-incident review in the admin center, once published. */
  readonly reviewLink?: string;
  readonly error?: string;
  /** What the action just done did (e.g. who was marked told). */
  readonly note?: string;
}

/** A tenant whose service health the sweep could not read, and why. */
export interface UnreadableTenantView {
  readonly name: string;
  /** The sweep's reason (`access_403`, `budget`, …). */
  readonly reason: string;
  readonly since?: string;
  readonly failures: number;
}

/** The `incidents` command's card: open incidents with their customers, and the tenants not read. */
export interface IncidentListView {
  readonly incidents: readonly { readonly incident: Incident; readonly tally: CustomerTally }[];
  /** More open incidents than listed. */
  readonly moreIncidents: boolean;
  readonly unreadable: readonly UnreadableTenantView[];
  readonly moreUnreadable: boolean;
  /** The incident channel, if one is set: who set it and when. */
  readonly channel?: { readonly setBy: string; readonly setAt: string };
  readonly tabLink?: string;
}

/** The channel's reminder that a resolved incident's customers are not all told. */
export interface IncidentReminderView {
  readonly incident: Incident;
  readonly tally: CustomerTally;
  readonly waitedMs: number;
}
