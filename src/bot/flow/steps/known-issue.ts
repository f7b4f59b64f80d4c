/**
 * The health step's answer: the engineer confirms an offered known issue (the escalation
 * watches it), or says it is not the same problem, with a reason, and troubleshooting begins.
 */
import { renderMatch, renderTroubleshoot } from '../../../cards/escalation-cards';
import type { Escalation } from '../../../domain/escalation';
import { troubleshootingStart } from '../../../domain/health-outcome';
import type { HandlerContext } from '../../bot';
import { escalationView } from '../card-views';
import { invalidFields, text } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

const NotSameReason = text(300);

/** "Yes, this is it": the escalation becomes the known issue, watched until Microsoft resolves it. */
export async function knownConfirm(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const issue = (escalationView(e).details.offered ?? []).find((o) => o.id === ctx.data.issueId);
  if (!issue) return kit.stale(ctx, e);
  const saved = await kit.apply(e, kit.move(ctx, 'known_issue', { step: 'done', knownIssue: { id: issue.id, title: issue.title } }));
  await kit.say(ctx, 'flow.messages.watching', { issue: issue.id, customer: e.customer.name });
  return kit.summary(ctx.tr, saved);
}

/** "Not the same problem", with the reason Microsoft will read: on to troubleshooting. */
export async function knownDiffers(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const reason = NotSameReason.safeParse(ctx.data.notSameReason);
  if (!reason.success) {
    const view = escalationView(e, invalidFields(ctx.tr, ['notSameReason']));
    return renderMatch(kit.deps.cards, ctx.tr, { ...view, offered: view.details.offered ?? [] });
  }
  const saved = await kit.apply(e, kit.move(ctx, 'triage', { ...troubleshootingStart(e.service), notSameReason: reason.data, knownIssue: undefined }, reason.data));
  return renderTroubleshoot(kit.deps.cards, ctx.tr, { ...escalationView(saved), justChecked: false });
}
