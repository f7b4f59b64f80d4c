/**
 * A severity as the cards name it, with Microsoft's response time under the partner's configured
 * support plan (SUPPORT_PLAN_RESPONSE_HOURS), never hours written into the strings.
 */
import { DEFAULT_SUPPORT_PLAN, type SupportPlan } from '../domain/response-clocks';
import type { Severity } from '../domain/triage';
import type { Translator } from '../i18n';

/** Hours as the reader writes them (1.5 stays 1.5). */
function hoursText(tr: Translator, hours: number): string {
  return tr.number(hours);
}

/** A severity with Microsoft's response time under the plan, as the triage card offers it. */
export function severityChoice(tr: Translator, severity: Severity, plan: SupportPlan = DEFAULT_SUPPORT_PLAN): string {
  return tr.t(`flow.severities.${severity}`, { hours: hoursText(tr, plan[severity]) });
}

/** A severity in short, with its response time under the plan ("Critical (Sev A, 2 h)"). */
export function severityShort(tr: Translator, severity: Severity, plan: SupportPlan = DEFAULT_SUPPORT_PLAN): string {
  return tr.t(`flow.severityShort.${severity}`, { hours: hoursText(tr, plan[severity]) });
}
