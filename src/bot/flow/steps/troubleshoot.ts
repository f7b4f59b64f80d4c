/**
 * The troubleshooting step: the admin-side checklist that fits the service. Each check is
 * checked, not applicable (with a reason), or not yet. Checks still open are saved and listed
 * with advice under each (the engineer resumes later); a settled list, or "the service is down
 * for everyone" (skip), leads on to triage.
 */
import { renderTriage, renderTroubleshoot, type OpenCheck } from '../../../cards/escalation-cards';
import type { Escalation } from '../../../domain/escalation';
import { checklistOf } from '../../../domain/flow';
import { openChecks, type NotApplicableCheck, type TroubleshootingRecord } from '../../../domain/triage';
import type { HandlerContext } from '../../bot';
import { escalationView, triageView } from '../card-views';
import { field } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** Longest troubleshooting note kept. */
const MAX_NOTES = 2000;
/** Longest "not applicable" reason kept. */
const MAX_REASON = 300;

/** The checklist as the engineer submitted it (`skip`: the service is down, nothing to check). */
export async function troubleshoot(kit: FlowKit, ctx: HandlerContext, e: Escalation, skip = false): StepAnswer {
  const { checks } = checklistOf(e);
  const answer = (k: string) => ctx.data[`check_${k}`];
  const done = checks.filter((k) => answer(k) === 'true' || answer(k) === true);
  // Not applicable: chosen as such, or a reason given for a check not ticked; a reason is needed either way.
  const marked = checks.filter((k) => !done.includes(k) && (answer(k) === 'na' || field(ctx.data, `na_${k}`) !== ''));
  const notApplicable: NotApplicableCheck[] = marked.map((k) => ({ check: k, reason: field(ctx.data, `na_${k}`, MAX_REASON) }));
  const notes = field(ctx.data, 'notes', MAX_NOTES);
  const record: TroubleshootingRecord = {
    checks,
    done,
    skipped: skip,
    ...(notes ? { notes } : {}),
    ...(notApplicable.length > 0 ? { notApplicable } : {}),
  };
  const open = openChecks(record);
  const complete = skip || open.length === 0;
  const saved = await kit.apply(e, kit.stay({ troubleshooting: record, step: complete ? 'category' : 'troubleshoot' }));
  if (complete) return renderTriage(kit.deps.cards, ctx.tr, triageView(kit.view(saved)));
  const listed: OpenCheck[] = open.map((k) => ({
    label: ctx.tr.t(`flow.checks.${k}`),
    advice: ctx.tr.t(`flow.advice.${k}`),
    note: marked.includes(k) ? ctx.tr.t('cards.escalate-troubleshoot.naNeedsReason') : '',
  }));
  await kit.say(ctx, 'flow.messages.saved', { id: e.id });
  return renderTroubleshoot(kit.deps.cards, ctx.tr, { ...escalationView(saved), justChecked: false, open: listed });
}

/** "Skip: the service is down for everyone". */
export function troubleshootSkip(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return troubleshoot(kit, ctx, e, true);
}
