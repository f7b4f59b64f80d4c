/**
 * Every verb of the escalation flow, one line each: the verb (typed: a verb missing from
 * `VERBS` does not compile), the states an escalation must be in for it (and, within triage,
 * the step), and the step function that handles it. For a verb with states the flow loads the
 * escalation the card names (the caller's tenant's only) and answers its current card when it
 * is elsewhere; a verb `from: 'any'` finds what it works on itself. A new verb is a step
 * function and one line here.
 */
import type { Verb } from '../../cards/verbs';
import type { FlowStep } from '../../domain/details';
import type { Escalation, EscalationState } from '../../domain/escalation';
import { CANCELLABLE_STATES, WITH_MICROSOFT_STATES } from '../../domain/states';
import type { HandlerContext } from '../bot';
import type { CommandName } from '../commands';
import type { FlowKit, StepAnswer } from './kit';
import { access, grantHealthConsent } from './steps/access';
import { answerMicrosoft } from './steps/answer-microsoft';
import { customerNotified, manualAttention, manualResolved, remindLater, stillBroken } from './steps/close-the-loop';
import { describe, start } from './steps/describe';
import { handoffLink } from './steps/handoff';
import { incidentShow, incidentTold } from './steps/incident';
import { knownConfirm, knownDiffers } from './steps/known-issue';
import { cancel, cancelConfirm } from './steps/cancel';
import { list, refresh, resume, status } from './steps/navigation';
import { close, retriage, triage } from './steps/triage';
import { troubleshoot, troubleshootSkip } from './steps/troubleshoot';

/** A verb on one escalation, in one of `from` states (and at `step`, where a state has several). */
export interface EscalationRoute {
  readonly verb: Verb;
  readonly from: readonly EscalationState[];
  readonly step?: FlowStep;
  readonly handle: (kit: FlowKit, ctx: HandlerContext, e: Escalation) => StepAnswer;
}

/** A verb that finds what it works on itself: a new flow, the latest one in progress, a list. */
export interface OpenRoute {
  readonly verb: Verb;
  readonly from: 'any';
  readonly handle: (kit: FlowKit, ctx: HandlerContext) => StepAnswer;
}

export type VerbRoute = EscalationRoute | OpenRoute;

/** The flow's verbs. */
export const FLOW_VERBS: readonly VerbRoute[] = [
  { verb: 'escalate', from: 'any', handle: start },
  { verb: 'describe', from: 'any', handle: describe },
  { verb: 'knownConfirm', from: ['draft'], handle: knownConfirm },
  { verb: 'knownDiffers', from: ['draft', 'known_issue'], handle: knownDiffers },
  { verb: 'troubleshoot', from: ['triage'], step: 'troubleshoot', handle: troubleshoot },
  { verb: 'troubleshootSkip', from: ['triage'], step: 'troubleshoot', handle: troubleshootSkip },
  { verb: 'triage', from: ['triage'], step: 'category', handle: triage },
  { verb: 'close', from: ['not_warranted'], handle: close },
  { verb: 'retriage', from: ['not_warranted'], handle: retriage },
  { verb: 'handoffLink', from: ['awaiting_handoff'], handle: handoffLink },
  { verb: 'answerMicrosoft', from: ['attention_needed'], handle: answerMicrosoft },
  { verb: 'customerNotified', from: ['resolved'], handle: customerNotified },
  { verb: 'stillBroken', from: ['resolved'], handle: stillBroken },
  { verb: 'remindLater', from: ['resolved'], handle: remindLater },
  { verb: 'manualAttention', from: ['escalated'], handle: manualAttention },
  { verb: 'manualResolved', from: WITH_MICROSOFT_STATES, handle: manualResolved },
  { verb: 'resume', from: 'any', handle: resume },
  { verb: 'cancel', from: 'any', handle: cancel },
  { verb: 'cancelConfirm', from: CANCELLABLE_STATES, handle: cancelConfirm },
  { verb: 'status', from: 'any', handle: status },
  { verb: 'list', from: 'any', handle: list },
  { verb: 'refresh', from: 'any', handle: refresh },
  { verb: 'access', from: 'any', handle: access },
  { verb: 'grantHealthConsent', from: 'any', handle: grantHealthConsent },
  { verb: 'incident', from: 'any', handle: incidentShow },
  { verb: 'incidentTold', from: 'any', handle: incidentTold },
];

/** Typed commands answered as the verb of the same name. */
export const FLOW_COMMANDS = {
  escalate: 'escalate',
  resume: 'resume',
  status: 'status',
  list: 'list',
  cancel: 'cancel',
  access: 'access',
  incident: 'incident',
} as const satisfies Partial<Record<CommandName, Verb>>;
