/**
 * The escalation's summary card (state, facts, the timeline of state changes and Microsoft's
 * notes, the actions its state allows) and the list of an engineer's escalations. Pure: the
 * audit trail and what only the deployment knows (manual tracking, unreachable targets) are
 * gathered by the caller and passed in.
 */
import type { MicrosoftNote } from '../domain/details';
import type { AuditEvent } from '../domain/escalation';
import { CANCELLABLE_STATES, IN_PROGRESS_STATES } from '../domain/states';
import type { Translator } from '../i18n';
import { clockLines } from './clock-lines';
import { severityShort } from './severity';
import { escalationFields } from './escalation-cards';
import { shownTime } from './format';
import { inert, inertOptional } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import type { ListView, SummaryView } from './views';

/** The escalation's summary card: state, facts, timeline and the actions its state allows. */
export function renderEscalation(cards: CardRenderer, tr: Translator, view: SummaryView): AdaptiveCardJson {
  const e = view.escalation;
  const f = view.details;
  const fact = (key: string, value: string | number | undefined) =>
    value === undefined || value === '' ? [] : [{ title: tr.t(`flow.facts.${key}`), value: String(value) }];
  return cards.render('escalation', tr, {
    ...escalationFields(tr, view),
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
      ...fact('severity', f.severity ? severityShort(tr, f.severity, view.plan) : undefined),
      ...fact('request', f.serviceRequestId),
      ...fact('owner', inertOptional(e.ownerName)),
      ...fact('unreachable', view.unreachable ? tr.t('flow.unreachable', { reason: view.unreachable }) : undefined),
    ],
    timeline: timeline(tr, view.audit, f.microsoftNotes ?? []),
    // Microsoft's first-response clock and the partner's own, on the reader's clock.
    clocks: clockLines(tr, view.clocks),
    canCancel: CANCELLABLE_STATES.includes(e.state),
    canTell: e.state === 'resolved',
    manual: view.manual,
    state: e.state,
    canDiffer: e.state === 'known_issue',
    canResume: IN_PROGRESS_STATES.includes(e.state),
  });
}

/** Entries the card's timeline shows: the newest matter most; a long history would outgrow the card. */
const TIMELINE_ENTRIES = 15;

/**
 * State changes and Microsoft's notes in one timeline, in the order they happened (a note
 * Microsoft wrote before a later state change is listed before it), the newest last.
 */
function timeline(tr: Translator, audit: readonly AuditEvent[], notes: readonly MicrosoftNote[]): { text: string }[] {
  const entries = [
    ...audit.map((ev) => ({
      at: ev.at,
      text: tr.t('flow.timeline', {
        at: shownTime(tr, ev.at),
        // Microsoft, the desk itself, or a person whose name was not recorded: named in the reader's language.
        actor: ev.actor.name ? inert(ev.actor.name) : tr.t(`flow.actors.${ev.actor.kind}`),
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

/**
 * The list of an engineer's open escalations (or a channel's, or with the closed ones too):
 * each with its title, customer, service, state as the engineer reads it, and age.
 */
export function renderList(cards: CardRenderer, tr: Translator, view: ListView): AdaptiveCardJson {
  const which = `${view.scope ?? 'mine'}${view.all ? 'All' : 'Open'}`;
  return cards.render('escalation-list', tr, {
    heading: tr.t(`cards.escalation-list.heading.${which}`),
    emptyText: tr.t(`cards.escalation-list.none.${which}`),
    showAll: view.all ? '' : 'yes',
    items: view.items.map(({ escalation: e, details }) => ({
      id: e.id,
      title: inert(e.title),
      customer: inert(e.customer.name),
      service: inert(e.service),
      state: tr.t(`flow.states.${e.state}`),
      age: age(tr, e.createdAt, view.now),
      request: details.serviceRequestId ? ` · ${details.serviceRequestId}` : '',
    })),
  });
}
