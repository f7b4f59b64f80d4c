/**
 * Closing the loop once Microsoft resolved it: the customer was told (who, when, what; then the
 * escalation closes), it is still broken (a note to Microsoft, and it is reopened), or "remind
 * me later". With SUPPORT_SOURCE=manual the engineer also reports what Microsoft did.
 */
import type { AdaptiveCardJson } from '../../../cards';
import { renderReminder, renderResolved } from '../../../cards/notification-cards';
import { detailsOf } from '../../../domain/details';
import { transition, type Escalation, type EscalationState } from '../../../domain/escalation';
import type { HandlerContext } from '../../bot';
import { conversationKeyOf } from '../../conversation-refs';
import { escalationView } from '../card-views';
import { invalidFields, text } from '../input';
import { cardActivity } from '../../../cards/notification-cards';
import type { FlowKit, StepAnswer } from '../kit';
import { startFrom } from './describe';

const CustomerMessage = text(4000);
const NotifiedContact = text(200);
const StillBrokenReason = text(1000);

/** Closes the loop: who was told, when and what; then the escalation is closed. */
export async function customerNotified(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const message = CustomerMessage.safeParse(ctx.data.customerMessage);
  const contact = NotifiedContact.safeParse(ctx.data.notifiedContact);
  if (!message.success || !contact.success) {
    const fields = [message.success ? '' : 'customerMessage', contact.success ? '' : 'notifiedContact'].filter(Boolean);
    return renderResolved(kit.deps.cards, ctx.tr, escalationView(e, invalidFields(ctx.tr, fields)));
  }
  const actor = kit.actor(ctx);
  const at = kit.deps.clock.now();
  const saved = await kit.apply(e, (current) => {
    const told = transition(current, 'customer_notified', {
      actor,
      at,
      details: { customerNotified: { by: actor.name ?? actor.id, at: at.toISOString(), contact: contact.data, message: message.data } },
    });
    const closed = transition(told.escalation, 'closed', { actor, at, details: { step: 'done' } });
    return { escalation: closed.escalation, events: [told.event, closed.event] };
  });
  await kit.say(ctx, 'flow.messages.notified', { customer: e.customer.name, id: e.id });
  const card = await kit.summary(ctx.tr, saved);
  await retireResolvedCards(kit, ctx, saved, card);
  return card;
}

/** Reopens a resolved request that is still broken: a note to Microsoft, then back to escalated. */
export async function stillBroken(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const refuse = (error: string) => renderResolved(kit.deps.cards, ctx.tr, escalationView(e, error));
  const reason = StillBrokenReason.safeParse(ctx.data.stillBrokenReason);
  if (!reason.success) return refuse(invalidFields(ctx.tr, ['stillBrokenReason']));
  const details = detailsOf(e);
  const requestId = details.serviceRequestId;
  if (!requestId) {
    // A resolved incident is Microsoft's to reopen, not ours: a new escalation, prefilled from this one and linked to the incident.
    const incident = details.knownIssue;
    if (!incident) return refuse(ctx.tr.t('flow.errors.reopenIncident'));
    return startFrom(kit, ctx, {
      customerTenantId: e.customer.tenantId,
      service: e.service,
      title: e.title,
      description: ctx.tr.t('flow.messages.stillBrokenAfterIncident', { reason: reason.data, id: incident.id, title: incident.title, escalation: e.id }),
      ...(e.usersAffected !== undefined ? { usersAffected: String(e.usersAffected) } : {}),
      ...(e.regions && e.regions.length > 0 ? { regions: e.regions.join(', ') } : {}),
    });
  }
  try {
    await kit.deps.support.addNote(requestId, reason.data, kit.actor(ctx).name);
  } catch (error) {
    ctx.info.logger.warn({ err: error }, 'could not add a note to the Microsoft request');
    return refuse(ctx.tr.t('flow.errors.microsoftUnavailable', { code: ctx.info.correlationId.slice(0, 8) }));
  }
  const saved = await kit.apply(e, kit.move(ctx, 'escalated', { reopenedAt: kit.deps.clock.now().toISOString() }, reason.data));
  await kit.deps.pollNow?.(e.id);
  await kit.say(ctx, 'flow.messages.reopened', { id: e.id });
  const card = await kit.summary(ctx.tr, saved);
  await retireResolvedCards(kit, ctx, saved, card);
  return card;
}

/**
 * Once the escalation has left `resolved`, every other copy of its "Microsoft resolved it"
 * card (the notifications sent, the flow's card updated in place) becomes the same read-only
 * card, so no one presses a button that no longer applies. The card pressed is updated by
 * the invoke's own answer.
 */
async function retireResolvedCards(kit: FlowKit, ctx: HandlerContext, e: Escalation, card: AdaptiveCardJson): Promise<void> {
  await kit.notify({
    occasion: 'left_resolved',
    escalation: e,
    sent: await kit.deps.outbox.listForEscalation(e.id),
    pressedActivityId: ctx.turn.activity.replyToId,
    message: { activity: cardActivity(card) },
  });
}

/** "Remind me later": one reminder after the snooze period (a second press in the same hour adds none). */
export async function remindLater(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const now = kit.deps.clock.now();
  const target = conversationKeyOf(ctx.turn);
  if (target) {
    const reminder = renderReminder(kit.deps.cards, ctx.tr, { escalation: e, text: ctx.tr.t('flow.reminders.resolved', { id: e.id }) });
    await kit.notify({
      occasion: 'snooze',
      escalationId: e.id,
      target,
      pressedAt: now,
      remindAt: new Date(now.getTime() + kit.deps.snoozeMs),
      message: { activity: cardActivity(reminder) },
    });
  }
  await kit.say(ctx, 'flow.reminders.snoozed', { id: e.id, hours: String(Math.round(kit.deps.snoozeMs / 3_600_000)) });
  return renderResolved(kit.deps.cards, ctx.tr, escalationView(e));
}

/** SUPPORT_SOURCE=manual: the engineer reports that Microsoft asked for information, or resolved it. */
async function manualMove(kit: FlowKit, ctx: HandlerContext, e: Escalation, to: EscalationState): StepAnswer {
  if (kit.deps.support.source !== 'manual') return kit.stale(ctx, e);
  const saved = await kit.apply(e, kit.move(ctx, to, {}));
  await kit.say(ctx, to === 'resolved' ? 'flow.messages.manualResolved' : 'flow.messages.manualAttention', { id: e.id });
  return kit.card(ctx.tr, saved);
}

/** "Microsoft asked for information" (manual tracking). */
export function manualAttention(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return manualMove(kit, ctx, e, 'attention_needed');
}

/** "Microsoft resolved it" (manual tracking). */
export function manualResolved(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return manualMove(kit, ctx, e, 'resolved');
}
