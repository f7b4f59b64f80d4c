/**
 * The troubleshooting step: the admin-side checklist that fits the service. Checks still open
 * are saved and explained (the engineer resumes later); a complete list, or "the service is
 * down for everyone" (skip), leads on to triage.
 */
import { renderTriage, renderTroubleshoot } from '../../../cards/escalation-cards';
import type { Escalation } from '../../../domain/escalation';
import { checklistOf } from '../../../domain/flow';
import type { TroubleshootingRecord } from '../../../domain/triage';
import type { HandlerContext } from '../../bot';
import { escalationView, triageView } from '../card-views';
import { field } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** Longest troubleshooting note kept. */
const MAX_NOTES = 2000;

/** The checklist as the engineer submitted it (`skip`: the service is down, nothing to check). */
export async function troubleshoot(kit: FlowKit, ctx: HandlerContext, e: Escalation, skip = false): StepAnswer {
  const { checks } = checklistOf(e);
  const done = checks.filter((k) => ctx.data[`check_${k}`] === 'true' || ctx.data[`check_${k}`] === true);
  const notes = field(ctx.data, 'notes', MAX_NOTES);
  const record: TroubleshootingRecord = { checks, done, skipped: skip, ...(notes ? { notes } : {}) };
  const complete = skip || done.length === checks.length;
  const saved = await kit.apply(e, kit.stay({ troubleshooting: record, step: complete ? 'category' : 'troubleshoot' }));
  if (complete) return renderTriage(kit.deps.cards, ctx.tr, triageView(kit.view(saved)));
  const open = checks.filter((k) => !done.includes(k)).map((k) => `${ctx.tr.t(`flow.checks.${k}`)}: ${ctx.tr.t(`flow.advice.${k}`)}`);
  await kit.say(ctx, 'flow.messages.saved', { id: e.id });
  return renderTroubleshoot(kit.deps.cards, ctx.tr, { ...escalationView(saved, open.join('\n')), justChecked: false });
}

/** "Skip: the service is down for everyone". */
export function troubleshootSkip(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return troubleshoot(kit, ctx, e, true);
}
