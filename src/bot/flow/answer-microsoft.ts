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
import { z } from 'zod';
import type { AdaptiveCardJson } from '../../cards';
import { cardActivity } from '../../cards/notification-cards';
import type { BackgroundWork } from '../../background-work';
import type { Clock } from '../../domain/clock';
import {
  answerOutcomeUnknown,
  answerToCurrentQuestion,
  currentQuestion,
  noteText,
  withAnswer,
  type AnswerStatus,
  type AnswerToMicrosoft,
} from '../../domain/answers';
import type { Actor, Escalation } from '../../domain/escalation';
import { flowOf } from '../../domain/flow';
import type { Translator } from '../../i18n';
import type { OutboxStore } from '../../store/queues';
import { ConcurrencyError, type EscalationStore } from '../../store/types';
import type { SupportProvider } from '../../support/types';
import type { HandlerContext } from '../bot';
import { conversationKeyOf } from '../conversation-refs';
import { BudgetTimeoutError, within } from '../within';

/** What the step borrows from the flow: loading with the tenant check, the card of a state, who acts. */
export interface FlowKit {
  load(ctx: HandlerContext, id: unknown): Promise<Escalation | undefined>;
  cardFor(tr: Translator, e: Escalation, error?: string): Promise<AdaptiveCardJson>;
  actor(ctx: HandlerContext): Actor;
}

/** Dependencies of the answer step. */
export interface AnswerMicrosoftOptions {
  readonly store: EscalationStore;
  readonly support: SupportProvider;
  readonly clock: Clock;
  readonly outbox: Pick<OutboxStore, 'enqueue'>;
  readonly background?: BackgroundWork;
  /** Longest the turn waits for Partner Center before answering "sending". */
  readonly turnBudgetMs: number;
  /** Longest a send may take at all; a `sending` answer older than this has an unknown outcome. */
  readonly longestSendMs: number;
  readonly pollNow?: (escalationId: string) => Promise<unknown>;
}

const AnswerText = z.string().trim().min(1).max(4000);
/** Saving an answer's outcome retries this often when the tracker moved the escalation meanwhile. */
const SAVE_ATTEMPTS = 5;

/** The "Send to Microsoft" verb. */
export class AnswerMicrosoftStep {
  constructor(
    private readonly options: AnswerMicrosoftOptions,
    private readonly kit: FlowKit,
  ) {}

  /** Handles a press of "Send to Microsoft". */
  async handle(ctx: HandlerContext): Promise<AdaptiveCardJson | undefined> {
    const { tr } = ctx;
    const e = await this.kit.load(ctx, ctx.data.escalationId);
    if (!e) return undefined;
    if (e.state !== 'attention_needed') return this.kit.cardFor(tr, e, tr.t('flow.errors.stale'));
    const now = this.options.clock.now();
    const earlier = answerToCurrentQuestion(e);
    // Already answered (or being answered) by this press's twin or a colleague: show it, send nothing.
    if (earlier && earlier.status !== 'failed' && !answerOutcomeUnknown(earlier, now, this.options.longestSendMs)) {
      return this.kit.cardFor(tr, e, tr.t('flow.errors.alreadyAnswered', { name: earlier.by }));
    }
    const text = AnswerText.safeParse(ctx.data.answer);
    if (!text.success) return this.kit.cardFor(tr, e, tr.t('flow.errors.invalid', { fields: 'answer' }));
    const actor = this.kit.actor(ctx);
    const answer: AnswerToMicrosoft = {
      question: currentQuestion(e),
      text: text.data,
      by: actor.name ?? actor.id,
      byId: actor.id,
      at: now.toISOString(),
      // A resend of an answer whose outcome is unknown keeps its id: Partner Center adds no second note.
      requestId: earlier && earlier.text === text.data && earlier.status === 'sending' ? earlier.requestId : randomUUID(),
      status: 'sending',
    };
    let recorded: Escalation;
    try {
      recorded = await this.options.store.update(withAnswer(e, answer, now), e.version, []);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const fresh = (await this.options.store.get(e.id)) ?? e;
      const winner = answerToCurrentQuestion(fresh);
      return this.kit.cardFor(tr, fresh, winner ? tr.t('flow.errors.alreadyAnswered', { name: winner.by }) : tr.t('flow.errors.stale'));
    }

    const requestId = flowOf(recorded).serviceRequestId ?? '';
    const send = this.options.support.addNote(requestId, noteText(answer), answer.by, answer.requestId);
    const outcome = await settle(within(send, this.options.turnBudgetMs));
    if (outcome === 'late' && this.options.background) {
      // Partner Center is slow: the note may land. Say so, and update this card when it is known.
      const target = conversationKeyOf(ctx.turn);
      const cardId = ctx.turn.activity.replyToId;
      this.options.background.run('answer to Microsoft', async () => {
        const late = await settle(within(send, Math.max(this.options.longestSendMs - this.options.turnBudgetMs, 1)));
        const saved = await this.record(e.id, answer, late === 'ok' ? 'sent' : late === 'late' ? 'sending' : 'failed');
        if (late === 'ok') await this.options.pollNow?.(e.id);
        const current = (await this.options.store.get(e.id)) ?? saved;
        if (!target || !cardId || !current) return;
        const card = await this.kit.cardFor(tr, current, late === 'failed' ? tr.t('flow.errors.answerRefused') : undefined);
        await this.options.outbox.enqueue(
          [
            {
              id: randomUUID(),
              escalationId: e.id,
              kind: 'card_update',
              target,
              payload: { activity: cardActivity(card), updateActivityId: cardId },
              dedupeKey: `answer:${e.id}:${answer.requestId}:${target}`,
            },
          ],
          this.options.clock.now(),
        );
      });
      return this.kit.cardFor(tr, recorded);
    }
    if (outcome !== 'ok') {
      ctx.info.logger.warn({ outcome }, 'Partner Center did not take the answer');
      const saved = await this.record(e.id, answer, outcome === 'late' ? 'sending' : 'failed');
      return this.kit.cardFor(tr, saved ?? recorded, tr.t('flow.errors.answerRefused'));
    }
    await this.record(e.id, answer, 'sent');
    await this.options.pollNow?.(e.id);
    await ctx.turn.sendActivity(tr.t('flow.messages.answered', { request: requestId }));
    const current = await this.options.store.get(e.id);
    return this.kit.cardFor(tr, current ?? recorded);
  }

  /** Saves what became of an answer, on whatever version the escalation has reached meanwhile. */
  private async record(id: string, answer: AnswerToMicrosoft, status: AnswerStatus): Promise<Escalation | undefined> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
      const current = await this.options.store.get(id);
      if (!current) return undefined;
      try {
        return await this.options.store.update(withAnswer(current, { ...answer, status }, this.options.clock.now()), current.version, []);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    return undefined;
  }
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
