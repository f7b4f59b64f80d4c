/**
 * The engineer's answers to Microsoft's questions. An answer is recorded before it is sent, one
 * per question (Microsoft's attention request): a second press, or a second channel member,
 * finds it and sends nothing. Its status says what is known of the send: `sending` while the
 * outcome is open, `sent` once the source confirmed it, `failed` when it refused it.
 */
import type { Escalation } from './escalation';
import { detailsOf, withDetails, type AnswerToMicrosoft } from './details';

export type { AnswerStatus, AnswerToMicrosoft } from './details';

/** Answers kept per escalation (older ones are in the request's own notes). */
const KEPT_ANSWERS = 10;

/** The question an escalation waits on: when Microsoft asked for information. */
export function currentQuestion(e: Escalation): string {
  return detailsOf(e).microsoftStatus?.at ?? e.updatedAt;
}

/** The answer given to the question the escalation waits on, if any. */
export function answerToCurrentQuestion(e: Escalation): AnswerToMicrosoft | undefined {
  const question = currentQuestion(e);
  return [...(detailsOf(e).answers ?? [])].reverse().find((a) => a.question === question);
}

/**
 * Whether an answer's outcome is unknown: it was being sent longer ago than a send can take,
 * so the process that sent it is gone. Sending it again with the same request id is safe.
 */
export function answerOutcomeUnknown(answer: AnswerToMicrosoft, now: Date, longestSendMs: number): boolean {
  return answer.status === 'sending' && now.getTime() - Date.parse(answer.at) > longestSendMs;
}

/** The escalation with an answer recorded (or an earlier record of the same question replaced). */
export function withAnswer(e: Escalation, answer: AnswerToMicrosoft, now: Date): Escalation {
  const others = (detailsOf(e).answers ?? []).filter((a) => !(a.question === answer.question && a.requestId === answer.requestId));
  return withDetails(e, { answers: [...others, answer].slice(-KEPT_ANSWERS) }, now);
}

/** The note as Microsoft reads it: Partner Center shows the API user as the author, so the engineer signs it. */
export function noteText(answer: Pick<AnswerToMicrosoft, 'text' | 'by'>): string {
  return `${answer.text}\n\n— ${answer.by} (Escalation Desk)`;
}
