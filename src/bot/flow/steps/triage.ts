/**
 * Triage and its decision: the category (one of Microsoft's five, or none), the severity, the
 * business impact and a contact. The domain decides: none of the five is the partner's to fix
 * (not warranted: close it, or triage again); troubleshooting still owed goes back to the
 * checklist; otherwise the copy-ready request is prepared for the hand-off.
 */
import { healthCheckLine, renderHandoff, renderNotWarranted, renderTriage, renderTroubleshoot } from '../../../cards/escalation-cards';
import type { FlowDetails } from '../../../domain/details';
import type { Escalation } from '../../../domain/escalation';
import { decisionOf } from '../../../domain/flow';
import { buildServiceRequest, isCategory, isSeverity, openChecks, type Category, type RequestLabels, type Severity } from '../../../domain/triage';
import type { Translator } from '../../../i18n';
import type { HandlerContext } from '../../bot';
import { escalationView, triageView } from '../card-views';
import { echo, field, invalidFields } from '../input';
import type { FlowKit, StepAnswer } from '../kit';

/** What the triage card submitted, checked. */
interface TriageAnswers {
  readonly category: Category;
  readonly severity?: Severity;
  readonly businessImpact: string;
  readonly contact: string;
}

/**
 * The triage answers, or the names of the fields to correct: severity and business impact are
 * needed unless it is none of the five (the card marks them required); the customer's contact
 * for Microsoft is optional (Microsoft contacts the partner who filed the request).
 */
function readAnswers(data: Readonly<Record<string, unknown>>): TriageAnswers | { readonly invalid: readonly string[] } {
  const { category, severity } = data;
  const businessImpact = field(data, 'businessImpact');
  const contact = field(data, 'contact');
  const bad: string[] = [];
  if (!isCategory(category)) bad.push('category');
  if (category !== 'none') {
    if (!isSeverity(severity)) bad.push('severity');
    if (businessImpact.length < 1 || businessImpact.length > 1000) bad.push('businessImpact');
    if (contact.length > 200) bad.push('contact');
  }
  if (bad.length > 0 || !isCategory(category)) return { invalid: bad };
  return { category, ...(isSeverity(severity) ? { severity } : {}), businessImpact, contact };
}

/** The triage card submitted (the escalation loaded, at the category step): decide → save → render. */
export async function triage(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const { tr } = ctx;
  const view = kit.view(e);
  const details = view.details;
  const answers = readAnswers(ctx.data);
  if ('invalid' in answers) {
    const error = invalidFields(tr, answers.invalid);
    return renderTriage(kit.deps.cards, tr, triageView({ ...view, error }, echo(ctx.data)));
  }
  const decision = decisionOf({ ...details, ...answers });

  if (answers.category === 'none') {
    const saved = await kit.apply(e, kit.move(ctx, 'not_warranted', { ...answers, step: 'decision' }));
    return renderNotWarranted(kit.deps.cards, tr, { ...escalationView(saved), reasons: decision.reasons });
  }
  if (!decision.escalate) {
    const why = decision.reasons.filter((r) => r === 'troubleshooting_missing').map((r) => tr.t(`flow.reasons.${r}`));
    const saved = await kit.apply(e, kit.stay({ ...answers, step: 'troubleshoot' }));
    const t = escalationView(saved).details.troubleshooting;
    const open = (t ? openChecks(t) : []).map((k) => ({ label: tr.t(`flow.checks.${k}`), advice: tr.t(`flow.advice.${k}`), note: '' }));
    return renderTroubleshoot(kit.deps.cards, tr, { ...escalationView(saved, why.join(' ')), justChecked: false, open });
  }
  const severity = answers.severity ?? 'moderate';
  const labels = requestLabels(tr, answers.category, details);
  const request = buildServiceRequest(
    {
      customerName: e.customer.name,
      customerTenantId: e.customer.tenantId,
      service: e.service,
      title: e.title,
      description: e.description,
      since: e.since,
      sinceZone: tr.zone(details.timeZone),
      usersAffected: e.usersAffected,
      regions: e.regions,
      category: answers.category,
      severity,
      businessImpact: answers.businessImpact,
      contact: answers.contact,
      troubleshooting: details.troubleshooting,
      notSameIssue: details.notSameReason ? { issueId: details.offered?.[0]?.id ?? '-', reason: details.notSameReason } : undefined,
      escalationId: e.id,
    },
    labels,
  );
  const saved = await kit.apply(e, kit.move(ctx, 'awaiting_handoff', { ...answers, severity, request, step: 'handoff' }));
  const recentRequests = await kit.recentRequests(saved);
  return renderHandoff(kit.deps.cards, tr, { ...kit.view(saved), reasons: decision.reasons, deepLink: kit.deepLink(saved), recentRequests });
}

/** The request's words in the engineer's language. */
function requestLabels(tr: Translator, category: Category, details: FlowDetails): RequestLabels {
  return {
    category: tr.t(`flow.categories.${category}`),
    healthCheck: healthCheckLine(tr, details.healthCheck),
    checksDone: [
      ...(details.troubleshooting?.done ?? []).map((k) => tr.t(`flow.checks.${k}`)),
      // Not applicable, with the engineer's reason: Microsoft sees why a check was not done.
      ...(details.troubleshooting?.notApplicable ?? []).map((n) => `${tr.t(`flow.checks.${n.check}`)}: ${tr.t('flow.request.notApplicable')} (${n.reason})`),
    ],
    checksSkipped: tr.t('flow.request.skipped'),
    // The locale file has every heading (the locale test checks key parity with English).
    headings: tr.section('flow.request') as unknown as RequestLabels['headings'],
  };
}

/** Not warranted: the partner fixes it; the escalation is closed. */
export async function close(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  return kit.summary(ctx.tr, await kit.apply(e, kit.move(ctx, 'closed', { step: 'done' })));
}

/** Not warranted after all? Back to the category. */
export async function retriage(kit: FlowKit, ctx: HandlerContext, e: Escalation): StepAnswer {
  const saved = await kit.apply(e, kit.move(ctx, 'triage', { step: 'category' }));
  return renderTriage(kit.deps.cards, ctx.tr, triageView(kit.view(saved)));
}
