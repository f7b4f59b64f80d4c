/**
 * The groups of lifecycle states the rest of the bot asks about, each defined once: derived
 * from the transition table where the table says it (terminal, cancellable), named here where
 * it is a product rule (in progress, with Microsoft, watched).
 */
import { ESCALATION_STATES, TRANSITIONS, type EscalationState } from './escalation';

/** The states (among `among`, in lifecycle order) from which the table allows moving to `to`. */
export function statesLeadingTo(
  to: EscalationState,
  among: readonly EscalationState[] = ESCALATION_STATES,
): readonly EscalationState[] {
  return among.filter((s) => TRANSITIONS[s].includes(to));
}

/** The states from which nothing moves on: closed, cancelled. */
export const TERMINAL_STATES: readonly EscalationState[] = ESCALATION_STATES.filter((s) => TRANSITIONS[s].length === 0);

/** States in which an escalation still needs someone's attention: every state that is not terminal. */
export const OPEN_STATES: readonly EscalationState[] = ESCALATION_STATES.filter((s) => !TERMINAL_STATES.includes(s));

/**
 * The states in which the flow still expects the engineer to act before Microsoft has the
 * problem: describing, troubleshooting and triage, the prepared hand-off, and "not warranted"
 * (which the engineer closes or takes back to triage). `resume` and `cancel` without an id pick
 * the newest of these.
 */
export const IN_PROGRESS_STATES: readonly EscalationState[] = ['draft', 'triage', 'awaiting_handoff', 'not_warranted'];

/** The states the engineer may still cancel: those the table lets move to `cancelled`. */
export const CANCELLABLE_STATES: readonly EscalationState[] = statesLeadingTo('cancelled');

/** A linked Microsoft service request is open: Microsoft works it, or waits for the partner. */
export const WITH_MICROSOFT_STATES: readonly EscalationState[] = ['escalated', 'attention_needed'];

/** A confirmed, documented Microsoft incident or advisory explains the problem and is watched. */
export const KNOWN_ISSUE_STATES: readonly EscalationState[] = ['known_issue'];

/** The states the tracker watches Microsoft for: a known incident, or a linked service request. */
export const TRACKED_STATES: readonly EscalationState[] = [...KNOWN_ISSUE_STATES, ...WITH_MICROSOFT_STATES];
