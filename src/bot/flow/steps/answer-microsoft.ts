/**
 * "Send to Microsoft": the engineer's answer to Microsoft's question becomes a note on the
 * Partner Center request, exactly once per question. The answer is recorded (optimistically,
 * against the escalation's version) before it is sent, so a double press or a second channel
 * member finds it and sends nothing; the send reuses one MS-RequestId, so a resend after a
 * crash adds no second note. A send slower than the turn finishes in the background and the
 * card is updated with the real outcome: the engineer is never told "nothing changed" when
 * the note may have been added.
 */
import { randomUUID } from 'node:crypto';
import {
  answerOutcomeUnknown,
  answerToCurrentQuestion,
  currentQuestion,
  noteText,
  withAnswer,
  type AnswerStatus,
  type AnswerToMicrosoft,
} from '../../../domain/answers';
import { detailsOf } from '../../../domain/details';
import type { Escalation } from '../../../domain/escalation';
import { ConcurrencyError } from '../../../store/types';
import type { HandlerContext } from '../../bot';
import { conversationKeyOf } from '../../conversation-refs';
import { BudgetTimeoutError, within } from '../../within';
import { invalidFields, text } from '../input';
import { cardActivity, renderAttention, renderStatus } from '../../../cards/notification-cards';
import type { FlowKit, StepAnswer } from '../kit';

const AnswerText = text(4000);
/** Saving an answer's outcome retries this often when the tracker moved the escalation meanwhile. */
const SAVE_ATTEMPTS = 5;

/** Handles a press of "Send to Microsoft" on an escalation Microsoft asked about. */
export async function answerMicrosoft(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const { tr } = ctx;
  const { store, support, clock, background, pollNow } = kit.deps;
  const now = clock.now();
  const earlier = answerToCurrentQuestion(e);
  // Already answered (or being answered) by this press's twin or a colleague: show it, send nothing.
  if (earlier && earlier.status !== 'failed' && !answerOutcomeUnknown(earlier, now, kit.lateWorkMs)) {
    return kit.card(tr, e, { error: tr.t('flow.errors.alreadyAnswered', { name: earlier.by }) });
  }
  const typed = AnswerText.safeParse(ctx.data.answer);
  if (!typed.success) return kit.card(tr, e, { error: invalidFields(tr, ['answer']) });
  const actor = kit.actor(ctx);
  const answer: AnswerToMicrosoft = {
    question: currentQuestion(e),
    text: typed.data,
    by: actor.name ?? actor.id,
    byId: actor.id,
    at: now.toISOString(),
    // A resend of an answer whose outcome is unknown keeps its id: Partner Center adds no second note.
    requestId: earlier && earlier.text === typed.data && earlier.status === 'sending' ? earlier.requestId : randomUUID(),
    status: 'sending',
  };
  let recorded: Escalation;
  try {
    recorded = await store.update(withAnswer(e, answer, now), e.version, []);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    const fresh = (await store.get(e.id)) ?? e;
    const winner = answerToCurrentQuestion(fresh);
    return kit.card(tr, fresh, { error: winner ? tr.t('flow.errors.alreadyAnswered', { name: winner.by }) : tr.t('flow.errors.stale') });
  }

  const requestId = detailsOf(recorded).serviceRequestId ?? '';
  const send = support.addNote(requestId, noteText(answer), answer.by, answer.requestId);
  const outcome = await settle(within(send, kit.turnBudgetMs));
  if (outcome === 'late' && background) {
    // Partner Center is slow: the note may land. Say so, and update this card when it is known.
    const target = conversationKeyOf(ctx.turn);
    const cardId = ctx.turn.activity.replyToId;
    background.run('answer to Microsoft', async () => {
      const late = await settle(within(send, Math.max(kit.lateWorkMs - kit.turnBudgetMs, 1)));
      const saved = await record(kit, e.id, answer, late === 'ok' ? 'sent' : late === 'late' ? 'sending' : 'failed');
      if (late === 'ok') await pollNow?.(e.id);
      const current = (await store.get(e.id)) ?? saved;
      if (!target || !cardId || !current) return;
      const card = await kit.card(tr, current, { error: late === 'failed' ? tr.t('flow.errors.answerRefused') : undefined });
      await kit.notify({ occasion: 'answer_settled', escalationId: e.id, requestId: answer.requestId, target, activityId: cardId, message: { activity: cardActivity(card) } });
    });
    return kit.card(tr, recorded);
  }
  if (outcome !== 'ok') {
    ctx.info.logger.warn({ outcome }, 'Partner Center did not take the answer');
    const saved = await record(kit, e.id, answer, outcome === 'late' ? 'sending' : 'failed');
    return kit.card(tr, saved ?? recorded, { error: tr.t('flow.errors.answerRefused') });
  }
  const sent = (await record(kit, e.id, answer, 'sent')) ?? recorded;
  await pollNow?.(e.id);
  await ctx.turn.sendActivity(tr.t('flow.messages.answered', { request: requestId }));
  const current = (await store.get(e.id)) ?? sent;
  // The flow's own card (a read-only status since Microsoft asked) says it was answered.
  await kit.notify({ occasion: 'status_changed', escalation: current, message: { activity: cardActivity(renderStatus(kit.deps.cards, tr, current)) } });
  // The card pressed shows what was sent, by whom and when, whatever Microsoft did meanwhile.
  return renderAttention(kit.deps.cards, tr, { ...kit.view(sent), answer: { ...answer, status: 'sent' }, deepLink: kit.deepLink(sent) });
}

/** Saves what became of an answer, on whatever version the escalation has reached meanwhile. */
async function record(kit: FlowKit, id: string, answer: AnswerToMicrosoft, status: AnswerStatus): Promise<Escalation | undefined> {
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    const current = await kit.deps.store.get(id);
    if (!current) return undefined;
    try {
      return await kit.deps.store.update(withAnswer(current, { ...answer, status }, kit.deps.clock.now()), current.version, []);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
  return undefined;
}

/** A send's outcome: done, refused, or not known within the time given. */
async function settle(work: Promise<unknown>): Promise<'ok' | 'failed' | 'late'> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return error instanceof BudgetTimeoutError ? 'late' : 'failed';
  }
}
