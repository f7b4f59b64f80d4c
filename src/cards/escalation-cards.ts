/**
 * The cards of the escalation flow's steps, one typed render function each: describe, the
 * health check's matches, troubleshooting, triage, the hand-off and "not warranted". Pure: a
 * view model in (src/cards/views.ts), the card out, every user-facing word from the locale files.
 */
import type { Escalation } from '../domain/escalation';
import type { HealthCheck } from '../domain/health-check';
import type { MatchReason } from '../domain/matching';
import { UTC_ZONE } from '../domain/local-time';
import { CATEGORIES, SEVERITIES, selfHelpChecks, serviceFamily, type DecisionReason, type Severity } from '../domain/triage';
import type { Translator } from '../i18n';
import { checkLabels, readinessLine } from './access-cards';
import { severityChoice, severityShort } from './severity';
import { shownTime, utcMinute } from './format';
import { DATASETS } from './verbs';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import type { DescribeValues, EscalationView, HandoffView, MatchView, NotWarrantedView, TriageView, TroubleshootView } from './views';

/** The escalation's one-line header: id, customer, service, state (customer and service shown inert). */
export function headerLine(tr: Translator, e: Escalation): string {
  return tr.t('flow.header', { id: e.id, customer: inert(e.customer.name), service: inert(e.service), state: tr.t(`flow.states.${e.state}`) });
}

/** The steps of Microsoft's procedure, as the flow's cards number them ("Step 2 of 5 · Troubleshoot"). */
export const FLOW_STEP_NAMES = ['health', 'troubleshoot', 'decide', 'handoff', 'close'] as const;
export type FlowStepNumber = 1 | 2 | 3 | 4 | 5;

/** "Step 2 of 5 · Troubleshoot". */
export function stepLine(tr: Translator, step: FlowStepNumber): string {
  return tr.t('flow.steps.line', { n: String(step), total: String(FLOW_STEP_NAMES.length), name: tr.t(`flow.steps.${FLOW_STEP_NAMES[step - 1]}`) });
}

/**
 * What earlier steps recorded, in one line, for the card of `step`: the problem as described;
 * from troubleshooting on, what the health check found; from the decision on, the checks; from
 * the hand-off on, the category and severity.
 */
export function soFarLine(tr: Translator, view: EscalationView, step: FlowStepNumber): string {
  const e = view.escalation;
  const f = view.details;
  const s = (key: string, vars: Record<string, string> = {}) => tr.t(`flow.soFar.${key}`, vars);
  const parts = [e.id, inert(e.customer.name), inert(e.service), `“${inert(e.title)}”`];
  if (e.since) parts.push(s('started', { time: shownTime(tr, e.since) }));
  if (e.usersAffected !== undefined) parts.push(s('users', { n: String(e.usersAffected) }));
  if (step >= 2) {
    if (f.notSameReason) parts.push(s('notSame'));
    else if (f.healthCheck?.outcome === 'no_match') parts.push(s('noMatch'));
    else if (f.healthCheck?.outcome === 'not_checked') parts.push(s('notChecked'));
  }
  const t = f.troubleshooting;
  if (step >= 3 && t) {
    const na = t.notApplicable?.length ?? 0;
    parts.push(t.skipped ? s('skipped') : s(na > 0 ? 'checksWithNa' : 'checks', { done: String(t.done.length), total: String(t.checks.length), na: String(na) }));
  }
  if (step >= 4 && f.severity) parts.push(severityShort(tr, f.severity, view.plan));
  return parts.join(' · ');
}

/**
 * The fields every flow card shows or carries: the escalation's id and header, the flow id (for
 * refresh), the error banner. A step card (`step`) heads with where the engineer is ("Step 2 of
 * 5 · Troubleshoot") and what earlier steps recorded, instead of the state's name.
 */
export function escalationFields(tr: Translator, view: EscalationView, step?: FlowStepNumber): Record<string, unknown> {
  const e = view.escalation;
  const access = view.details.accessCheck;
  return {
    escalationId: e.id,
    flowId: view.details.flowId ?? '',
    headerLine: step ? stepLine(tr, step) : headerLine(tr, e),
    soFar: step ? soFarLine(tr, view, step) : '',
    error: view.error ?? '',
    // The describing engineer's GDAP readiness, as checked when the problem was described.
    accessLine: access ? readinessLine(tr, e.customer.name, access) : '',
    accessReady: access?.outcome === 'checked' && access.ready,
  };
}

/**
 * The describe card: customer, service, what is wrong, since when, how many users, where.
 * When the partner has more customers than the card lists (`searchable`), the customer field
 * searches them all as the engineer types (Teams' typeahead over the `customers` dataset) and
 * `customers` is the first page, for clients that cannot search. A field with a customer
 * already chosen (preset, or sent back for correction), with every customer listed, or for a
 * client without typeahead (local mode: the Agents Playground) lists the choices only: such
 * renderers show a typeahead field's value as the raw tenant id, where a plain filtered field
 * shows the name. The date and time are read in the reader's time zone, which the card names
 * (or says it is UTC).
 */
export function renderDescribe(
  cards: CardRenderer,
  tr: Translator,
  data: {
    readonly flowId: string;
    readonly customers: readonly { readonly name: string; readonly tenantId: string }[];
    readonly services: readonly string[];
    readonly values?: DescribeValues;
    readonly error?: string;
    /** The list is a first page: the field searches the rest. */
    readonly searchable?: boolean;
    /** Says the list is a first page, and how to reach the others. */
    readonly customersNote?: string;
  },
): AdaptiveCardJson {
  const zone = tr.timeZone?.name;
  return cards.render('escalate-describe', tr, {
    escalationId: '',
    headerLine: '',
    error: data.error ?? '',
    flowId: data.flowId,
    customers: data.customers,
    customerDataset: data.searchable ? DATASETS.customers : '',
    customersNote: data.customersNote ?? '',
    presetCustomer: data.values?.customerTenantId ?? '',
    sinceDateLabel: tr.t('cards.escalate-describe.sinceDate', { zone: zone ?? UTC_ZONE }),
    sinceTimeLabel: tr.t('cards.escalate-describe.sinceTime', { zone: zone ?? UTC_ZONE }),
    zoneNote: zone === undefined ? tr.t('cards.escalate-describe.zoneUnknown') : '',
    // The zone the card's date and time are in goes back with the answer: it is what the engineer was told.
    timeZone: zone ?? UTC_ZONE,
    services: data.services.map((name) => ({ name })),
    values: { customerTenantId: '', service: '', title: '', description: '', sinceDate: '', sinceTime: '', usersAffected: '', regions: '', ...data.values },
  });
}

/** Localized "why it matched" line. */
export function matchReasonText(tr: Translator, reasons: readonly MatchReason[]): string {
  const parts = reasons.map((r) =>
    'words' in r ? tr.t(`flow.matchReasons.${r.code}`, { words: inert(r.words.join(', ')) }) : tr.t(`flow.matchReasons.${r.code}`),
  );
  return tr.t('flow.matchReasonsPrefix', { reasons: parts.join('; ') });
}

/** The health-check card: the matching known issues and why each matched. */
export function renderMatch(cards: CardRenderer, tr: Translator, view: MatchView): AdaptiveCardJson {
  return cards.render('escalate-match', tr, {
    ...escalationFields(tr, view, 1),
    matches: view.offered.map((m) => ({
      id: m.id,
      shownId: inert(m.id),
      title: inert(m.title),
      kind: tr.t(`cards.health.kind.${m.classification}`),
      status: tr.t(`healthStatus.${m.status}`),
      since: tr.t('cards.escalate-match.started', { time: shownTime(tr, m.startDateTime) }),
      impact: inert(m.impact),
      reasons: matchReasonText(tr, m.reasons),
      // "Yes, it's this incident" (or advisory): Microsoft's issue, not the partner's to fix.
      confirm: tr.t(m.classification === 'advisory' ? 'cards.escalate-match.confirmAdvisory' : 'cards.escalate-match.confirm'),
    })),
  });
}

/**
 * What the service-health check found, as the one line the request to Microsoft carries:
 * checked with no match, or could not be checked and why. Never "no match" for a check that
 * did not run. Undefined when nothing was recorded (escalations from before it was).
 */
export function healthCheckLine(tr: Translator, check: HealthCheck | undefined): string | undefined {
  if (check === undefined) return undefined;
  const heading = tr.t('flow.healthCheck.heading');
  if (check.outcome === 'not_checked') {
    return `${heading}: ${tr.t('flow.healthCheck.not_checked', { reason: tr.t(`flow.healthCheck.failures.${check.failure}`) })}`;
  }
  return `${heading}: ${tr.t(`flow.healthCheck.${check.outcome}`, { time: `${utcMinute(check.at)} UTC` })}`;
}

/** A check a submission left open: its label, the advice under it, and what was missing (a reason for "not applicable"). */
export interface OpenCheck {
  readonly label: string;
  readonly advice: string;
  readonly note: string;
}

/** The troubleshooting checklist card; `justChecked` says whether the health check ran in this same turn. */
export function renderTroubleshoot(cards: CardRenderer, tr: Translator, view: TroubleshootView): AdaptiveCardJson {
  const t = view.details.troubleshooting;
  const checks = t?.checks ?? [];
  const check = view.details.healthCheck;
  // A check the engineer's GDAP roles do not allow says which roles would.
  const labels = checkLabels(tr, view.escalation.service, checks, view.details.accessCheck);
  const reasonOf = (key: string) => t?.notApplicable?.find((n) => n.check === key)?.reason ?? '';
  return cards.render('escalate-troubleshoot', tr, {
    ...escalationFields(tr, view, 2),
    // "No match" only for a check that ran and found none; older escalations recorded no outcome.
    noMatch: view.justChecked && (check === undefined || check.outcome === 'no_match'),
    notChecked: check?.outcome === 'not_checked' ? (healthCheckLine(tr, check) ?? '') : '',
    notes: t?.notes ?? '',
    open: view.open ?? [],
    checks: checks.map((key, i) => ({
      key,
      label: labels[i] ?? key,
      state: t?.done.includes(key) ? 'true' : reasonOf(key) ? 'na' : 'false',
      reason: reasonOf(key),
    })),
  });
}

/** The category, severity and impact card. */
export function renderTriage(cards: CardRenderer, tr: Translator, view: TriageView): AdaptiveCardJson {
  const f = view.details;
  return cards.render('escalate-triage', tr, {
    ...escalationFields(tr, view, 3),
    openChecks: view.openChecks.map((key) => ({ label: tr.t(`flow.checks.${key}`), advice: tr.t(`flow.advice.${key}`) })),
    categories: CATEGORIES.map((key) => ({ key, label: tr.t(`flow.categories.${key}`) })),
    severities: (Object.keys(SEVERITIES) as Severity[]).map((key) => ({ key, label: severityChoice(tr, key, view.plan) })),
    values: { category: f.category ?? '', severity: f.severity ?? 'moderate', businessImpact: f.businessImpact ?? '', contact: f.contact ?? '', ...view.values },
  });
}

/** "Cancel this escalation?": what would be cancelled (id, title, customer, where it stands), and the choice. */
export function renderCancelConfirm(cards: CardRenderer, tr: Translator, view: EscalationView): AdaptiveCardJson {
  const e = view.escalation;
  return cards.render('cancel-confirm', tr, {
    escalationId: e.id,
    facts: [
      { title: tr.t('flow.facts.id'), value: e.id },
      { title: tr.t('flow.facts.problem'), value: inert(e.title) },
      { title: tr.t('flow.facts.customer'), value: inert(e.customer.name) },
      { title: tr.t('flow.facts.service'), value: inert(e.service) },
      { title: tr.t('flow.facts.state'), value: tr.t(`flow.states.${e.state}`) },
    ],
  });
}

/** The decision's reasons, localized. */
function reasonLines(tr: Translator, reasons: readonly DecisionReason[]): { text: string }[] {
  return reasons.map((r) => ({ text: tr.t(`flow.reasons.${r}`) }));
}

/** The hand-off card: why, the copy-ready request, the deep link and the request number input. */
export function renderHandoff(cards: CardRenderer, tr: Translator, view: HandoffView): AdaptiveCardJson {
  const e = view.escalation;
  const f = view.details;
  const strings = tr.section('cards.escalate-handoff');
  return cards.render('escalate-handoff', tr, {
    ...escalationFields(tr, view, 4),
    reasons: reasonLines(tr, view.reasons),
    request: f.request ?? { title: '', description: '', product: e.service },
    // The facts show the title; the copy inputs keep it as typed.
    shownTitle: inert(f.request?.title ?? ''),
    shownProduct: inert(f.request?.product ?? e.service),
    severityLabel: f.severity ? severityShort(tr, f.severity, view.plan) : '',
    deepLink: view.deepLink,
    recentRequests: view.recentRequests ?? [],
    // The filing path names the customer; the template cannot interpolate inside strings.
    strings: { ...strings, howToFile: String(strings.howToFile).replace('{customer}', inert(e.customer.name)) },
  });
}

/**
 * The not-warranted card: why (the decision's reasons), and what to do for this category and
 * service: the service's own admin-side checks first, each with where to look, then where
 * Microsoft documents the service's configuration.
 */
export function renderNotWarranted(cards: CardRenderer, tr: Translator, view: NotWarrantedView): AdaptiveCardJson {
  const e = view.escalation;
  const family = serviceFamily(e.service);
  const vars = { service: inert(e.service), customer: inert(e.customer.name) };
  const category = view.details.category ?? 'none';
  return cards.render('escalate-not-warranted', tr, {
    ...escalationFields(tr, view, 3),
    reasons: reasonLines(tr, view.reasons),
    guidanceIntro: tr.t(`flow.guidance.intro.${category === 'none' ? 'none' : 'other'}`, vars),
    guidance: selfHelpChecks(e.service).map((key) => ({ label: tr.t(`flow.checks.${key}`), advice: tr.t(`flow.advice.${key}`) })),
    docs: tr.t(`flow.guidance.docs.${family ?? 'other'}`, vars),
    back: tr.t('flow.guidance.back'),
  });
}
