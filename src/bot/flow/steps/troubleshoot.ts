/**
 * The troubleshooting step: the admin-side checklist that fits the service. Checks still open
 * are saved and explained (the engineer resumes later); a complete list, or "the service is
 * down for everyone" (skip), leads on to triage.
 */
import type { Escalation } from '../../../domain/escalation';
import { stageOf } from '../../../domain/flow';
import type { TroubleshootingRecord } from '../../../domain/triage';
import type { HandlerContext } from '../../bot';
import { field } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** Longest troubleshooting note kept. */
const MAX_NOTES = 2000;

/** The checklist as the engineer submitted it (`skip`: the service is down, nothing to check). */
export async function troubleshoot(kit: FlowKit, ctx: HandlerContext, e: Escalation, skip = false): StepAnswer {
  const stage = stageOf(e);
  if (stage.step !== 'troubleshoot') return kit.stale(ctx, e);
  const { checks } = stage.troubleshooting;
  const done = checks.filter((k) => ctx.data[`check_${k}`] === 'true' || ctx.data[`check_${k}`] === true);
  const notes = field(ctx.data, 'notes', MAX_NOTES);
  const record: TroubleshootingRecord = { checks, done, skipped: skip, ...(notes ? { notes } : {}) };
  const complete = skip || done.length === checks.length;
  const saved = await kit.apply(ctx, e, kit.stay({ troubleshooting: record, step: complete ? 'category' : 'troubleshoot' }));
  if ('card' in saved) return saved.card;
  if (complete) return kit.render(ctx.tr, { card: 'triage', escalation: saved.saved });
  const open = checks.filter((k) => !done.includes(k)).map((k) => `${ctx.tr.t(`flow.checks.${k}`)}: ${ctx.tr.t(`flow.advice.${k}`)}`);
  await kit.say(ctx, 'flow.messages.saved', { id: e.id });
  return kit.render(ctx.tr, { card: 'troubleshoot', escalation: saved.saved, justChecked: false, error: open.join('\n') });
}

/** "Skip: the service is down for everyone". */
export function troubleshootSkip(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return troubleshoot(kit, ctx, e, true);
}
