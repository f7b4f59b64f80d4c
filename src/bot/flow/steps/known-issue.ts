/**
 * The health step's answer: the engineer confirms an offered known issue (the escalation
 * watches it), or says it is not the same problem, with a reason, and troubleshooting begins.
 */
import { detailsOf } from '../../../domain/details';
import type { Escalation } from '../../../domain/escalation';
import { troubleshootingStart } from '../../../domain/health-outcome';
import type { HandlerContext } from '../../bot';
import { text } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

const NotSameReason = text(300);

/** "Yes, this is it": the escalation becomes the known issue, watched until Microsoft resolves it. */
export async function knownConfirm(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const issue = (detailsOf(e).offered ?? []).find((o) => o.id === ctx.data.issueId);
  if (!issue) return kit.stale(ctx, e);
  const saved = await kit.apply(ctx, e, kit.move(ctx, 'known_issue', { step: 'done', knownIssue: { id: issue.id, title: issue.title } }));
  if ('card' in saved) return saved.card;
  await kit.say(ctx, 'flow.messages.watching', { issue: issue.id, customer: e.customer.name });
  return kit.summary(ctx.tr, saved.saved);
}

/** "Not the same problem", with the reason Microsoft will read: on to troubleshooting. */
export async function knownDiffers(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const reason = NotSameReason.safeParse(ctx.data.notSameReason);
  if (!reason.success) {
    return kit.render(ctx.tr, { card: 'match', escalation: e, offered: detailsOf(e).offered ?? [], error: ctx.tr.t('flow.errors.invalid', { fields: 'notSameReason' }) });
  }
  const saved = await kit.apply(
    ctx,
    e,
    kit.move(ctx, 'triage', { ...troubleshootingStart(e.service), notSameReason: reason.data, knownIssue: undefined }, reason.data),
  );
  return 'card' in saved ? saved.card : kit.render(ctx.tr, { card: 'troubleshoot', escalation: saved.saved, justChecked: false });
}
