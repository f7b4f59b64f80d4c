/**
 * What an escalation carries besides its core fields, as the flow and the tracker record it in
 * `details` (JSON in the database), grouped by the step that writes it. `detailsOf` reads the
 * stored JSON field by field and checks each one's shape: a row written by an older version (a
 * field it never had, or had in another form) reads as "absent", never as a value of the wrong
 * type. What is written stays the same JSON, so every stored row keeps loading.
 */
import { accessCheckOf, type AccessCheck } from './access-check';
import type { Escalation } from './escalation';
import { isHealthCheckFailure, type HealthCheck } from './health-check';
import type { MatchReason } from './matching';
import type { FirstResponse } from './response-clocks';
import { isCategory, isSeverity, type Category, type ServiceRequestDraft, type Severity, type TroubleshootingRecord } from './triage';

/** The steps of the flow, in order. */
export const FLOW_STEPS = ['health', 'troubleshoot', 'category', 'handoff', 'decision', 'done'] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

/** A known issue as the engineer confirmed it (or as the tracker watches it). */
export interface KnownIssueRef {
  readonly id: string;
  readonly title: string;
}

/** A known issue as the health check offered it, with why it matched: shown again on the match card. */
export interface OfferedMatch extends KnownIssueRef {
  readonly classification: string;
  readonly status: string;
  readonly impact: string;
  readonly startDateTime: string;
  readonly reasons: readonly MatchReason[];
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

/** A note on the linked request, as Microsoft's side shows it. */
export interface MicrosoftNote {
  readonly createdByName?: string;
  readonly createdDate?: string;
  readonly text: string;
}

/** Written when the problem is described: the flow's identity, where it runs, and for whom. */
export interface DescribedDetails {
  readonly step?: FlowStep;
  readonly flowId?: string;
  /** Where the flow's card was posted (the channel thread or the personal chat). */
  readonly conversationId?: string;
  /** Conversation reference keys notified when Microsoft moves the escalation. */
  readonly notifyTargets?: readonly string[];
  /** The message id of the flow's card, updated in place when Microsoft moves the escalation. */
  readonly cardActivityId?: string;
  /** The owner's language, for notifications sent outside a turn. */
  readonly locale?: string;
  /** The zone the owner typed the start time in (IANA id, "UTC±hh:mm" or "UTC"): the request states it, notifications show times in it. */
  readonly timeZone?: string;
}

/** Written by the service-health check and the engineer's answer to it. */
export interface HealthDetails {
  readonly offered?: readonly OfferedMatch[];
  /** What the service-health check found, or why it could not run. */
  readonly healthCheck?: HealthCheck;
  /** The health check outlasted its turn and finishes in the background. */
  readonly healthPending?: boolean;
  readonly knownIssue?: KnownIssueRef;
  readonly notSameReason?: string;
}

/** Written by troubleshooting and triage. */
export interface TriageDetails {
  readonly troubleshooting?: TroubleshootingRecord;
  readonly category?: Category;
  readonly severity?: Severity;
  readonly businessImpact?: string;
  readonly contact?: string;
}

/** Written at the hand-off. */
export interface HandoffDetails {
  readonly request?: ServiceRequestDraft;
  readonly serviceRequestId?: string;
}

/** Written while Microsoft works on it: by the tracker, and by the engineer answering. */
export interface TrackingDetails {
  /** What Microsoft last said (status, notes), recorded by the tracker. */
  readonly microsoftStatus?: { readonly source: string; readonly status: string; readonly at: string };
  readonly microsoftNotes?: readonly MicrosoftNote[];
  /** The engineer's answers to Microsoft's questions, each recorded before it is sent. */
  readonly answers?: readonly AnswerToMicrosoft[];
  /** When the engineer reopened a resolved request (Microsoft's older closure no longer counts). */
  readonly reopenedAt?: string;
}

/** Written when the loop is closed: who was told, when, and what. */
export interface ClosingDetails {
  readonly customerNotified?: { readonly by: string; readonly at: string; readonly contact: string; readonly message: string };
}

/** Written when the problem is described (or just after): whether the engineer can act for the customer. */
export interface AccessDetails {
  /** The describing engineer's GDAP readiness for the customer, as checked then. */
  readonly accessCheck?: AccessCheck;
}

/** Written by the tracker from the linked request: what the response clocks and the report read. */
export interface ClockDetails {
  /** Partner Center's `createdDate` of the linked request: Microsoft's clock starts here. */
  readonly requestCreatedAt?: string;
  /** The linked request's severity as Partner Center has it (the engineer may have filed another). */
  readonly requestSeverity?: Severity;
  /** Microsoft's first response (a note not the partner's, or a status Microsoft set), with who made it. */
  readonly microsoftFirstResponse?: FirstResponse;
}

/** Everything a stored escalation may carry in `details`. */
export type FlowDetails = DescribedDetails & HealthDetails & TriageDetails & HandoffDetails & TrackingDetails & ClosingDetails & AccessDetails & ClockDetails;

type Json = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
/** The non-empty text items of a stored list (a notification target that is not text reaches no one). */
const strings = (v: unknown): readonly string[] | undefined =>
  Array.isArray(v) ? v.filter((s: unknown): s is string => typeof s === 'string' && s !== '') : undefined;
/** The items of a stored list that read as `T`; the others are left out. */
function list<T>(v: unknown, item: (x: Json) => T | undefined): readonly T[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.flatMap((x: unknown) => {
    const o = obj(x);
    const read = o && item(o);
    return read === undefined ? [] : [read];
  });
}

const STEPS: readonly string[] = FLOW_STEPS;
const WORD_REASONS: readonly string[] = ['wordsInTitle', 'wordsInImpact', 'wordsInFeature'];

function matchReason(o: Json): MatchReason | undefined {
  const code = o.code;
  if (code === 'incident' || code === 'advisory') return { code };
  if (code === 'sameService') return { code, service: str(o.service) ?? '' };
  if (code === 'timeOverlap' || code === 'ongoing') return { code, issueStart: str(o.issueStart) ?? '' };
  if (typeof code === 'string' && WORD_REASONS.includes(code)) {
    return { code: code as 'wordsInTitle' | 'wordsInImpact' | 'wordsInFeature', words: strings(o.words) ?? [] };
  }
  return undefined;
}

function knownIssue(o: Json): KnownIssueRef | undefined {
  const id = str(o.id);
  // The id is what links the escalation to Microsoft's issue; a missing title reads as empty.
  return id === undefined ? undefined : { id, title: str(o.title) ?? '' };
}

function offered(o: Json): OfferedMatch | undefined {
  const ref = knownIssue(o);
  if (!ref) return undefined;
  return {
    ...ref,
    classification: str(o.classification) ?? '',
    status: str(o.status) ?? '',
    impact: str(o.impact) ?? '',
    startDateTime: str(o.startDateTime) ?? '',
    reasons: list(o.reasons, matchReason) ?? [],
  };
}

function healthCheck(o: Json): HealthCheck | undefined {
  const at = str(o.at);
  if (at === undefined) return undefined;
  if (o.outcome === 'matched' || o.outcome === 'no_match') return { outcome: o.outcome, at };
  if (o.outcome === 'not_checked' && isHealthCheckFailure(o.failure)) return { outcome: 'not_checked', at, failure: o.failure };
  return undefined;
}

function troubleshooting(o: Json): TroubleshootingRecord | undefined {
  const checks = strings(o.checks);
  const done = strings(o.done);
  if (!checks || !done) return undefined;
  const notes = str(o.notes);
  const notApplicable = Array.isArray(o.notApplicable)
    ? o.notApplicable.flatMap((n: unknown) => {
        const item = n !== null && typeof n === 'object' ? (n as Json) : {};
        const [check, reason] = [str(item.check), str(item.reason)];
        return check !== undefined && reason !== undefined ? [{ check, reason }] : [];
      })
    : undefined;
  return { checks, done, skipped: o.skipped === true, ...(notes !== undefined ? { notes } : {}), ...(notApplicable?.length ? { notApplicable } : {}) };
}

function request(o: Json): ServiceRequestDraft | undefined {
  const [title, description, product] = [str(o.title), str(o.description), str(o.product)];
  if (title === undefined || description === undefined || product === undefined || !isSeverity(o.severity)) return undefined;
  return { title, description, severity: o.severity, product };
}

function microsoftStatus(o: Json): TrackingDetails['microsoftStatus'] {
  const [source, status, at] = [str(o.source), str(o.status), str(o.at)];
  return source === undefined || status === undefined || at === undefined ? undefined : { source, status, at };
}

function note(o: Json): MicrosoftNote | undefined {
  const text = str(o.text);
  return text === undefined ? undefined : { text, createdByName: str(o.createdByName), createdDate: str(o.createdDate) };
}

function answer(o: Json): AnswerToMicrosoft | undefined {
  const fields = [str(o.question), str(o.text), str(o.by), str(o.byId), str(o.at), str(o.requestId)];
  const status = o.status;
  if (fields.some((f) => f === undefined) || (status !== 'sending' && status !== 'sent' && status !== 'failed')) return undefined;
  const [question, text, by, byId, at, requestId] = fields as string[];
  return { question: question ?? '', text: text ?? '', by: by ?? '', byId: byId ?? '', at: at ?? '', requestId: requestId ?? '', status };
}

function customerNotified(o: Json): ClosingDetails['customerNotified'] {
  const [by, at, contact, message] = [str(o.by), str(o.at), str(o.contact), str(o.message)];
  return by === undefined || at === undefined ? undefined : { by, at, contact: contact ?? '', message: message ?? '' };
}

function firstResponse(o: Json): FirstResponse | undefined {
  const at = str(o.at);
  if (at === undefined || Number.isNaN(Date.parse(at)) || (o.kind !== 'note' && o.kind !== 'status')) return undefined;
  const [by, status] = [str(o.by), str(o.status)];
  return { at, kind: o.kind, ...(by !== undefined ? { by } : {}), ...(status !== undefined ? { status } : {}) };
}

/** Reads one nested record of the stored JSON, when it is one. */
function nested<T>(v: unknown, read: (o: Json) => T | undefined): T | undefined {
  const o = obj(v);
  return o && read(o);
}

/**
 * Only the linked request number and the confirmed known issue's id, read as `detailsOf` reads
 * them: every write derives its reference columns and tracking row from these two, and reading
 * the whole details for them cost more than the rest of the derivation.
 */
export function referencesOf(e: Pick<Escalation, 'details'>): Pick<FlowDetails, 'serviceRequestId'> & { readonly knownIssueId?: string } {
  return { serviceRequestId: str(e.details.serviceRequestId), knownIssueId: nested(e.details.knownIssue, knownIssue)?.id };
}

/** The escalation's details, each field checked against its type (absent when it does not read as one). */
export function detailsOf(e: Pick<Escalation, 'details'>): FlowDetails {
  const d = e.details;
  return {
    step: typeof d.step === 'string' && STEPS.includes(d.step) ? (d.step as FlowStep) : undefined,
    flowId: str(d.flowId),
    conversationId: str(d.conversationId),
    notifyTargets: strings(d.notifyTargets),
    cardActivityId: str(d.cardActivityId),
    locale: str(d.locale),
    timeZone: str(d.timeZone),
    // Read when asked: most readers of the details never look at the health check's offers.
    get offered() {
      return list(d.offered, offered);
    },
    healthCheck: nested(d.healthCheck, healthCheck),
    healthPending: bool(d.healthPending),
    knownIssue: nested(d.knownIssue, knownIssue),
    notSameReason: str(d.notSameReason),
    troubleshooting: nested(d.troubleshooting, troubleshooting),
    category: isCategory(d.category) ? d.category : undefined,
    severity: isSeverity(d.severity) ? d.severity : undefined,
    businessImpact: str(d.businessImpact),
    contact: str(d.contact),
    request: nested(d.request, request),
    serviceRequestId: str(d.serviceRequestId),
    microsoftStatus: nested(d.microsoftStatus, microsoftStatus),
    microsoftNotes: list(d.microsoftNotes, note),
    answers: list(d.answers, answer),
    reopenedAt: str(d.reopenedAt),
    customerNotified: nested(d.customerNotified, customerNotified),
    accessCheck: accessCheckOf(d.accessCheck),
    requestCreatedAt: str(d.requestCreatedAt),
    requestSeverity: isSeverity(d.requestSeverity) ? d.requestSeverity : undefined,
    microsoftFirstResponse: nested(d.microsoftFirstResponse, firstResponse),
  };
}

/** The escalation with `details` recorded over what it carried (in the same state: no audit event). */
export function withDetails(e: Escalation, details: FlowDetails, at: Date): Escalation {
  return { ...e, details: { ...e.details, ...details }, updatedAt: at.toISOString() };
}
