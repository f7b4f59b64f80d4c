/**
 * The service-health check of the describe step, inside a turn's time budget. A check slower
 * than the turn finishes in the background and the flow's card follows, updated in place; a
 * check lost to a restart runs again when the engineer resumes. Where the check takes the
 * escalation is the domain's `healthOutcome`.
 */
import { inert } from '../../../cards/inert';
import { detailsOf } from '../../../domain/details';
import type { Actor, Escalation } from '../../../domain/escalation';
import { healthOutcome, type HealthLookup } from '../../../domain/health-outcome';
import type { HealthOverview } from '../../../health';
import { healthFailureOf } from '../../../health/failure';
import type { Translator } from '../../../i18n';
import { ConcurrencyError } from '../../../store/types';
import type { HandlerContext } from '../../bot';
import { within } from '../../within';
import { cardActivity } from '../../../cards/notification-cards';
import type { FlowKit, StepAnswer } from '../kit';

/** A lookup of a tenant's health overview, as the health provider answers it. */
export type OverviewLookup = Promise<{ readonly value: HealthOverview }>;

/**
 * A tenant's health overview within the turn's time budget, or why it could not be read. On
 * timeout: 'late' when the caller can finish it in the background; otherwise the failure
 * (and, for a named customer, the engineer is told what is missing, in their language).
 */
export async function lookupHealth(
  kit: FlowKit,
  ctx: HandlerContext,
  lookup: OverviewLookup,
  customerName?: string,
  allowLate = false,
): Promise<HealthLookup | 'late'> {
  try {
    // The lookup keeps running in the health cache after a timeout; its result serves the next turn.
    return { overview: (await within(lookup, kit.turnBudgetMs)).value };
  } catch (error) {
    const failure = healthFailureOf(error);
    if (failure === 'timeout' && allowLate) return 'late';
    ctx.info.logger.warn({ err: error, failure }, 'health check unavailable during escalation');
    if (customerName) {
      await ctx.turn.sendActivity(
        ctx.tr.t('flow.messages.healthUnavailable', { customer: inert(customerName), reason: ctx.tr.t(`flow.healthCheck.failures.${failure}`) }),
      );
    }
    return { failure };
  }
}

/** Saves the outcome of a check run after the describe turn (late, or again on resume); undefined when someone moved the escalation on meanwhile. */
async function saveHealthOutcome(kit: FlowKit, e: Escalation, looked: HealthLookup, actor: Actor): Promise<Escalation | undefined> {
  const change = healthOutcome(e, looked, actor, kit.deps.clock.now());
  try {
    return await kit.deps.store.update(change.escalation, e.version, change.events);
  } catch (error) {
    if (error instanceof ConcurrencyError) return undefined;
    throw error;
  }
}

/** Completes a health check that outlasted its turn and puts the resulting card in place of the flow's. */
export async function finishLateHealthCheck(kit: FlowKit, id: string, lookup: OverviewLookup, tr: Translator, actor: Actor): Promise<void> {
  const looked: HealthLookup = await within(lookup, kit.lateWorkMs).then(
    (snapshot) => ({ overview: snapshot.value }),
    (error: unknown) => ({ failure: healthFailureOf(error) }),
  );
  const current = await kit.deps.store.get(id);
  if (!current || current.state !== 'draft' || !detailsOf(current).healthPending) return;
  const next = await saveHealthOutcome(kit, current, looked, actor);
  if (!next) return;
  const error =
    'failure' in looked
      ? tr.t('flow.messages.healthUnavailable', { customer: inert(next.customer.name), reason: tr.t(`flow.healthCheck.failures.${looked.failure}`) })
      : undefined;
  const card = await kit.card(tr, next, { error, justChecked: true });
  await kit.notify({ occasion: 'health_checked', escalation: next, message: { activity: cardActivity(card) } });
}

/** Runs again the check of a draft whose late check was lost (a restart), and answers the card it leads to. */
export async function checkAgain(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const looked = await lookupHealth(kit, ctx, kit.deps.health.getOverview(e.customer.tenantId), e.customer.name);
  const next = await saveHealthOutcome(kit, e, looked === 'late' ? { failure: 'timeout' } : looked, kit.actor(ctx));
  return kit.card(ctx.tr, next ?? (await kit.deps.store.get(e.id)) ?? e, { justChecked: true });
}
