/**
 * Cancelling an escalation, asked first. `cancel` names the escalation it would cancel (id,
 * title, customer, where it stands) and asks; only "Yes, cancel it" cancels. Which one: the one
 * a card names (its Cancel button), the id typed after `cancel`, or else the escalation this
 * conversation is on: the engineer's one changed last here. When that one is finished (or there
 * is none), nothing is in progress here and an older, unrelated escalation is never picked.
 */
import { renderCancelConfirm } from '../../../cards/escalation-cards';
import { notifyTargetsOf } from '../../../domain/notifications';
import type { Escalation } from '../../../domain/escalation';
import { CANCELLABLE_STATES } from '../../../domain/states';
import type { HandlerContext } from '../../bot';
import { conversationKeyOf } from '../../conversation-refs';
import type { FlowKit, StepAnswer } from '../kit';

/** How many of the engineer's newest escalations are looked through for this conversation's. */
const LOOKED_AT = 20;

/** The escalation this conversation is on: the engineer's one changed last here (any state). */
async function currentHere(kit: FlowKit, ctx: HandlerContext): Promise<Escalation | undefined> {
  const here = conversationKeyOf(ctx.turn);
  if (!here) return undefined;
  const page = await kit.deps.store.list({ ownerId: ctx.info.userId ?? 'unknown', partnerTenantId: kit.tenant(ctx), limit: LOOKED_AT });
  return page.items
    .filter((e) => notifyTargetsOf(e)[0] === here)
    .reduce<Escalation | undefined>((newest, e) => (!newest || e.updatedAt > newest.updatedAt ? e : newest), undefined);
}

/** The id typed after `cancel`, if any. */
function typedId(ctx: HandlerContext): string | undefined {
  const first = (ctx.args ?? '').trim().split(/\s+/)[0];
  return first ? first : undefined;
}

/** `cancel` (typed, or a card's Cancel button): names the escalation and asks before cancelling it. */
export async function cancel(kit: FlowKit, ctx: HandlerContext): StepAnswer {
  const named = ctx.data.escalationId ?? typedId(ctx);
  const e = named ? await kit.load(ctx, named) : await currentHere(kit, ctx);
  if (named && !e) return undefined;
  if (!e || (!named && !CANCELLABLE_STATES.includes(e.state))) return kit.say(ctx, 'flow.messages.nothingToCancel');
  if (!CANCELLABLE_STATES.includes(e.state)) {
    await kit.say(ctx, 'flow.errors.cannotCancel', { id: e.id, state: ctx.tr.t(`flow.states.${e.state}`) });
    return kit.card(ctx.tr, e);
  }
  return renderCancelConfirm(kit.deps.cards, ctx.tr, kit.view(e));
}

/** "Yes, cancel it": the escalation the confirmation named is cancelled, and the engineer is told which. */
export async function cancelConfirm(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const saved = await kit.apply(e, kit.move(ctx, 'cancelled', { step: 'done' }));
  await kit.say(ctx, 'flow.messages.cancelled', { id: e.id, title: e.title, customer: e.customer.name });
  return kit.summary(ctx.tr, saved);
}
