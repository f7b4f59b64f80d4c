/**
 * The cards of the escalation flow, one typed render function each. They take the
 * escalation as stored and the user's translator; every user-facing word comes from the
 * locale files.
 */
import type { AuditEvent, Escalation } from '../domain/escalation';
import { flowOf } from '../domain/flow';
import type { HealthCheck } from '../domain/health-check';
import type { MatchReason } from '../domain/matching';
import { UTC_ZONE } from '../domain/local-time';
import { CATEGORIES, SEVERITIES, decide, openChecks, type Severity } from '../domain/triage';
import type { Translator } from '../i18n';
import { shownTime, utcMinute } from './format';
import { DATASETS } from './verbs';
import { inert, inertOptional } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';

/** A known issue as offered on the match card (stored with the escalation so the card can be shown again). */
export interface OfferedMatch {
  readonly id: string;
  readonly title: string;
  readonly classification: string;
  readonly status: string;
  readonly impact: string;
  readonly startDateTime: string;
  readonly reasons: readonly MatchReason[];
}

/** What the engineer typed on the describe card, echoed back when it must be corrected. */
export type DescribeValues = Readonly<Record<string, string>>;


/** The escalation's one-line header: id, customer, service, state (customer and service shown inert). */
export function headerLine(tr: Translator, e: Escalation): string {
  return tr.t('flow.header', { id: e.id, customer: inert(e.customer.name), service: inert(e.service), state: tr.t(`flow.states.${e.state}`) });
}

function base(tr: Translator, e: Escalation | undefined, error: string | undefined): Record<string, unknown> {
  return { escalationId: e?.id ?? '', flowId: e ? (flowOf(e).flowId ?? '') : '', headerLine: e ? headerLine(tr, e) : '', error: error ?? '' };
}

/**
 * The describe card: customer, service, what is wrong, since when, how many users, where.
 * When the partner has more customers than the card lists (`searchable`), the customer field
 * searches them all as the engineer types (Teams' typeahead over the `customers` dataset) and
 * `customers` is the first page, for clients that cannot search. A field with a customer
 * already chosen (preset, or sent back for correction), or with every customer listed, lists
 * the choices only: renderers without typeahead (the Agents Playground) show a typeahead
 * field's value as the raw tenant id, where a plain filtered field shows the name. The date and
 * time are read in the reader's time zone, which the card names (or says it is UTC).
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
    ...base(tr, undefined, data.error),
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
export function renderMatch(cards: CardRenderer, tr: Translator, e: Escalation, matches: readonly OfferedMatch[], error?: string): AdaptiveCardJson {
  return cards.render('escalate-match', tr, {
    ...base(tr, e, error),
    matches: matches.map((m) => ({
      id: m.id,
      shownId: inert(m.id),
      title: inert(m.title),
      kind: tr.t(`cards.health.kind.${m.classification}`),
      status: tr.t(`healthStatus.${m.status}`),
      since: tr.t('cards.health.since', { time: shownTime(tr, m.startDateTime) }),
      impact: inert(m.impact),
      reasons: matchReasonText(tr, m.reasons),
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

/** The troubleshooting checklist card; `justChecked` says whether the health check ran in this same turn. */
export function renderTroubleshoot(cards: CardRenderer, tr: Translator, e: Escalation, justChecked: boolean, error?: string): AdaptiveCardJson {
  const f = flowOf(e);
  const t = f.troubleshooting;
  const checks = t?.checks ?? [];
  const check = f.healthCheck;
  return cards.render('escalate-troubleshoot', tr, {
    ...base(tr, e, error),
    // "No match" only for a check that ran and found none; older escalations recorded no outcome.
    noMatch: justChecked && (check === undefined || check.outcome === 'no_match'),
    notChecked: check?.outcome === 'not_checked' ? (healthCheckLine(tr, check) ?? '') : '',
    notes: t?.notes ?? '',
    checks: checks.map((key) => ({ key, label: tr.t(`flow.checks.${key}`), done: t?.done.includes(key) ? 'true' : 'false' })),
  });
}

/** The category, severity and impact card. */
export function renderTriage(cards: CardRenderer, tr: Translator, e: Escalation, error?: string, values: DescribeValues = {}): AdaptiveCardJson {
  const f = flowOf(e);
  const open = f.troubleshooting && !f.troubleshooting.skipped ? openChecks(f.troubleshooting) : [];
  return cards.render('escalate-triage', tr, {
    ...base(tr, e, error),
    openChecks: open.map((key) => ({ label: tr.t(`flow.checks.${key}`), advice: tr.t(`flow.advice.${key}`) })),
    categories: CATEGORIES.map((key) => ({ key, label: tr.t(`flow.categories.${key}`) })),
    severities: (Object.keys(SEVERITIES) as Severity[]).map((key) => ({ key, label: tr.t(`flow.severities.${key}`) })),
    values: { category: f.category ?? '', severity: f.severity ?? 'moderate', businessImpact: f.businessImpact ?? '', contact: f.contact ?? '', ...values },
  });
}

/** The decision's reasons, localized. */
function decisionReasons(tr: Translator, e: Escalation): { text: string }[] {
  const f = flowOf(e);
  return decide({
    knownIssueConfirmed: f.knownIssue !== undefined,
    notSameReason: f.notSameReason,
    healthCheck: f.healthCheck?.outcome,
    troubleshooting: f.troubleshooting,
    category: f.category,
  }).reasons.map((r) => ({ text: tr.t(`flow.reasons.${r}`) }));
}

/** The hand-off card: the copy-ready request, the deep link and the request number input. */
export function renderHandoff(
  cards: CardRenderer,
  tr: Translator,
  e: Escalation,
  data: { readonly deepLink: string; readonly recentRequests?: readonly { id: string; label: string }[]; readonly error?: string },
): AdaptiveCardJson {
  const f = flowOf(e);
  const strings = tr.section('cards.escalate-handoff');
  return cards.render('escalate-handoff', tr, {
    ...base(tr, e, data.error),
    reasons: decisionReasons(tr, e),
    request: f.request ?? { title: '', description: '', product: e.service },
    // The facts show the title; the copy inputs keep it as typed.
    shownTitle: inert(f.request?.title ?? ''),
    shownProduct: inert(f.request?.product ?? e.service),
    severityLabel: f.severity ? tr.t(`flow.severityShort.${f.severity}`) : '',
    deepLink: data.deepLink,
    recentRequests: data.recentRequests ?? [],
    // The filing path names the customer; the template cannot interpolate inside strings.
    strings: { ...strings, howToFile: String(strings.howToFile).replace('{customer}', inert(e.customer.name)) },
  });
}

/** The not-warranted card: why, and what the partner should do. */
export function renderNotWarranted(cards: CardRenderer, tr: Translator, e: Escalation): AdaptiveCardJson {
  const guidance = tr.section('flow').guidance;
  return cards.render('escalate-not-warranted', tr, {
    ...base(tr, e, undefined),
    reasons: decisionReasons(tr, e),
    guidance: (Array.isArray(guidance) ? guidance : []).map((text: unknown) => ({ text: String(text) })),
  });
}

/** The escalation's summary card: state, facts, timeline and the actions its state allows. */
export function renderEscalation(
  cards: CardRenderer,
  tr: Translator,
  e: Escalation,
  audit: readonly AuditEvent[],
  error?: string,
  options: { readonly manual?: boolean; readonly unreachable?: string } = {},
): AdaptiveCardJson {
  const f = flowOf(e);
  const fact = (key: string, value: string | number | undefined) =>
    value === undefined || value === '' ? [] : [{ title: tr.t(`flow.facts.${key}`), value: String(value) }];
  return cards.render('escalation', tr, {
    ...base(tr, e, error),
    title: inert(e.title),
    stateText: tr.t(`flow.states.${e.state}`),
    facts: [
      ...fact('customer', inert(e.customer.name)),
      ...fact('service', inert(e.service)),
      ...fact('problem', inert(e.description.length > 300 ? `${e.description.slice(0, 299)}…` : e.description)),
      ...fact('since', shownTime(tr, e.since)),
      ...fact('users', e.usersAffected),
      ...fact('knownIssue', f.knownIssue ? inert(`${f.knownIssue.id} · ${f.knownIssue.title}`) : undefined),
      ...fact('category', f.category ? tr.t(`flow.categories.${f.category}`) : undefined),
      ...fact('severity', f.severity ? tr.t(`flow.severityShort.${f.severity}`) : undefined),
      ...fact('request', f.serviceRequestId),
      ...fact('owner', inertOptional(e.ownerName)),
      ...fact('unreachable', options.unreachable ? tr.t('flow.unreachable', { reason: options.unreachable }) : undefined),
    ],
    timeline: timeline(tr, audit, f.microsoftNotes ?? []),
    canCancel: ['draft', 'known_issue', 'triage', 'awaiting_handoff'].includes(e.state),
    canTell: e.state === 'resolved',
    manual: options.manual === true,
    state: e.state,
    canDiffer: e.state === 'known_issue',
    canResume: ['draft', 'triage', 'awaiting_handoff', 'not_warranted'].includes(e.state),
  });
}

/** Entries the card's timeline shows: the newest matter most; a long history would outgrow the card. */
const TIMELINE_ENTRIES = 15;

/**
 * State changes and Microsoft's notes in one timeline, in the order they happened (a note
 * Microsoft wrote before a later state change is listed before it), the newest last.
 */
function timeline(tr: Translator, audit: readonly AuditEvent[], notes: NonNullable<ReturnType<typeof flowOf>['microsoftNotes']>): { text: string }[] {
  const entries = [
    ...audit.map((ev) => ({
      at: ev.at,
      text: tr.t('flow.timeline', {
        at: shownTime(tr, ev.at),
        actor: inert(ev.actor.name ?? (ev.actor.kind === 'microsoft' ? 'Microsoft' : ev.actor.kind)),
        from: ev.from ? tr.t(`flow.states.${ev.from}`) : '—',
        to: tr.t(`flow.states.${ev.to}`),
        reason: ev.reason ? ` · ${inert(ev.reason)}` : '',
      }),
    })),
    ...notes.map((n) => ({
      at: n.createdDate ?? '',
      text: `${shownTime(tr, n.createdDate)} · ${inert(n.createdByName ?? 'Microsoft')} · ${inert(n.text.slice(0, 500))}`,
    })),
  ];
  // A stable sort by time: entries without a time keep their place at the end.
  const when = (at: string) => (Number.isNaN(Date.parse(at)) ? Number.POSITIVE_INFINITY : Date.parse(at));
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => when(a.entry.at) - when(b.entry.at) || a.i - b.i)
    .slice(-TIMELINE_ENTRIES)
    .map(({ entry }) => ({ text: entry.text }));
}

function age(tr: Translator, fromIso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000));
  if (minutes < 120) return tr.t('flow.age.minutes', { n: minutes });
  if (minutes < 48 * 60) return tr.t('flow.age.hours', { n: Math.floor(minutes / 60) });
  return tr.t('flow.age.days', { n: Math.floor(minutes / 1440) });
}

/** The list of an engineer's open escalations. */
export function renderList(cards: CardRenderer, tr: Translator, escalations: readonly Escalation[], now: Date): AdaptiveCardJson {
  return cards.render('escalation-list', tr, {
    items: escalations.map((e) => ({
      id: e.id,
      customer: inert(e.customer.name),
      service: inert(e.service),
      state: tr.t(`flow.states.${e.state}`),
      age: age(tr, e.createdAt, now),
      request: flowOf(e).serviceRequestId ? ` · ${flowOf(e).serviceRequestId}` : '',
    })),
  });
}
