/**
 * The escalation and its lifecycle: one transition table, one function that moves an
 * escalation through it and produces the audit event. Plain TypeScript: no I/O here.
 */

/** Every state an escalation can be in (PRODUCT.md, "The lifecycle of an escalation"). */
export const ESCALATION_STATES = [
  'draft',
  'known_issue',
  'triage',
  'not_warranted',
  'awaiting_handoff',
  'escalated',
  'attention_needed',
  'resolved',
  'customer_notified',
  'closed',
  'cancelled',
] as const;

export type EscalationState = (typeof ESCALATION_STATES)[number];

/** The single transition table: for each state, the states it may move to. */
export const TRANSITIONS: { readonly [S in EscalationState]: readonly EscalationState[] } = {
  draft: ['known_issue', 'triage', 'cancelled'],
  known_issue: ['resolved', 'triage', 'cancelled'],
  triage: ['not_warranted', 'awaiting_handoff', 'cancelled'],
  not_warranted: ['closed', 'triage'],
  awaiting_handoff: ['escalated', 'cancelled'],
  escalated: ['attention_needed', 'resolved'],
  attention_needed: ['escalated', 'resolved'],
  resolved: ['customer_notified', 'escalated'],
  customer_notified: ['closed'],
  closed: [],
  cancelled: [],
};

/**
 * Transitions that must carry a reason: leaving a known issue for triage means the
 * partner judged it a different problem, and reopening means it is still broken.
 */
const REASON_REQUIRED: ReadonlyArray<readonly [EscalationState, EscalationState]> = [
  ['known_issue', 'triage'],
  ['resolved', 'escalated'],
];

/** Whether a string names a state of the lifecycle. */
export function isEscalationState(value: unknown): value is EscalationState {
  return typeof value === 'string' && (ESCALATION_STATES as readonly string[]).includes(value);
}

/** Whether the table allows moving from one state to another. */
export function canTransition(from: EscalationState, to: EscalationState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether moving from one state to another must be justified with a reason. */
export function reasonRequired(from: EscalationState, to: EscalationState): boolean {
  return REASON_REQUIRED.some(([f, t]) => f === from && t === to);
}

/** Who did something: a partner user, the bot itself, or Microsoft (through its APIs). */
export interface Actor {
  readonly kind: 'user' | 'system' | 'microsoft';
  /** Entra object id for users; a component name for the system; `microsoft` for Microsoft. */
  readonly id: string;
  readonly name?: string;
}

/** One line of an escalation's audit trail. `from` is null for the creation event. */
export interface AuditEvent {
  readonly escalationId: string;
  readonly at: string;
  readonly actor: Actor;
  readonly from: EscalationState | null;
  readonly to: EscalationState;
  readonly reason?: string;
}

/** The customer an escalation is about: a tenant the partner manages. */
export interface CustomerRef {
  readonly tenantId: string;
  readonly name: string;
  readonly domain?: string;
}

/** What the engineer described to open an escalation. */
export interface NewEscalation {
  readonly id: string;
  /** The partner's own Entra tenant (where the engineer works). */
  readonly partnerTenantId: string;
  /** Entra object id of the engineer who owns the escalation. */
  readonly ownerId: string;
  readonly ownerName?: string;
  readonly customer: CustomerRef;
  readonly service: string;
  readonly title: string;
  readonly description: string;
  /** When the customer's problem started (ISO 8601). */
  readonly since?: string;
  readonly usersAffected?: number;
  readonly regions?: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The escalation record: what was described, and what the flow made of it. Fields filled later in the flow are optional. */
export interface Escalation extends Omit<NewEscalation, 'details'> {
  /** Incremented by every stored change; used for optimistic concurrency. */
  readonly version: number;
  readonly state: EscalationState;
  /** Everything the later steps of the flow add (health match, triage, hand-off, tracking). */
  readonly details: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Refused: the table does not allow this move, or it needed a reason that was not given. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly escalationId: string,
    readonly from: EscalationState,
    readonly to: EscalationState,
    readonly why: 'not_in_table' | 'reason_required',
  ) {
    super(
      why === 'not_in_table'
        ? `Escalation ${escalationId} cannot move from ${from} to ${to}.`
        : `Escalation ${escalationId} needs a reason to move from ${from} to ${to}.`,
    );
  }
}

/** Creates a draft escalation and its creation audit event. */
export function createEscalation(
  input: NewEscalation,
  actor: Actor,
  at: Date,
): { escalation: Escalation; event: AuditEvent } {
  const when = at.toISOString();
  const escalation: Escalation = {
    ...input,
    details: input.details ?? {},
    state: 'draft',
    version: 1,
    createdAt: when,
    updatedAt: when,
  };
  const event: AuditEvent = { escalationId: input.id, at: when, actor, from: null, to: 'draft' };
  return { escalation, event };
}

/** Options of one transition: who, when, why, and any details that change with it. */
export interface TransitionInput {
  readonly actor: Actor;
  readonly at: Date;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Moves an escalation to another state if the table allows it, returning the new record
 * (version not yet incremented: the store does that when it saves) and its audit event.
 */
export function transition(
  escalation: Escalation,
  to: EscalationState,
  input: TransitionInput,
): { escalation: Escalation; event: AuditEvent } {
  const from = escalation.state;
  if (!canTransition(from, to)) {
    throw new IllegalTransitionError(escalation.id, from, to, 'not_in_table');
  }
  const reason = input.reason?.trim();
  if (reasonRequired(from, to) && !reason) {
    throw new IllegalTransitionError(escalation.id, from, to, 'reason_required');
  }
  const when = input.at.toISOString();
  const next: Escalation = {
    ...escalation,
    state: to,
    details: input.details ? { ...escalation.details, ...input.details } : escalation.details,
    updatedAt: when,
  };
  const event: AuditEvent = {
    escalationId: escalation.id,
    at: when,
    actor: input.actor,
    from,
    to,
    ...(reason ? { reason } : {}),
  };
  return { escalation: next, event };
}
