/**
 * The incident cards: the incident channel's card and the replies in its thread (one template,
 * one function: a reply is the card saying what changed, and the resolution's lists the customers
 * with a drafted notice and a "told" button each), the `incidents` overview, and the channel's
 * reminder of customers not told. Pure: the view models carry what was gathered (the page of
 * customers, their escalations and drafted notices, the links); names and Microsoft's text are
 * made inert, times shown on the reader's clock.
 */
import { CUSTOMERS_PER_PAGE } from '../domain/incident-card';
import type { ReplyChange } from '../domain/incident-messages';
import type { Incident } from '../domain/incidents';
import type { Translator } from '../i18n';
import { shownTime } from './format';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import type { IncidentCardView, IncidentCustomerView, IncidentListView, IncidentReminderView } from './views';

/** Escalation ids listed per customer before "and N more". */
const ESCALATIONS_NAMED = 3;
/** Customers named in a reminder before "and N more". */
const REMINDER_NAMED = 8;
/** Microsoft's post as the card shows it (the whole text is in the tab and the admin center). */
const POST_CHARS = 1200;

/** Microsoft's status in the reader's words, whatever case Graph sent it in. */
export function statusLabel(tr: Translator, status: string): string {
  const labels = tr.section('healthStatus');
  const key = Object.keys(labels).find((k) => k.toLowerCase() === status.trim().toLowerCase());
  return key !== undefined && typeof labels[key] === 'string' ? labels[key] : inert(status);
}

/** Text Microsoft posted as HTML, read as plain text: tags dropped, entities decoded, white space collapsed. */
export function plainText(content: string): string {
  return content
    .replace(/<br\s*\/?>|<\/p>|<\/li>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n\n')
    .trim();
}

function heading(tr: Translator, view: IncidentCardView): string {
  const i = view.incident;
  const vars = { id: i.id, service: inert(i.service) };
  const kind = i.classification.toLowerCase() === 'advisory' ? 'Advisory' : 'Incident';
  return tr.t(`cards.incident.heading.${view.mode}${view.mode === 'card' ? kind : ''}`, vars);
}

function statusLine(tr: Translator, i: Incident): string {
  const status = statusLabel(tr, i.status);
  if (i.resolved) return tr.t('cards.incident.statusResolved', { status, time: shownTime(tr, i.endDateTime ?? i.resolvedAt), start: shownTime(tr, i.startDateTime) });
  return tr.t('cards.incident.statusOpen', { status, time: shownTime(tr, i.startDateTime) });
}

function changeText(tr: Translator, change: ReplyChange): string {
  switch (change.kind) {
    case 'status':
      return tr.t('cards.incident.changes.status', { from: statusLabel(tr, change.from), to: statusLabel(tr, change.to) });
    case 'post':
      return tr.t('cards.incident.changes.post', { time: shownTime(tr, change.createdDateTime) });
    case 'reopened':
      return tr.t('cards.incident.changes.reopened');
  }
}

function customerRow(tr: Translator, view: IncidentCardView, row: IncidentCustomerView, index: number): Record<string, unknown> {
  const c = row.customer;
  const line = [tr.t('cards.incident.customer.since', { time: shownTime(tr, c.firstSeenAt) })];
  if (c.goneSince !== undefined) line.push(tr.t('cards.incident.customer.gone', { time: shownTime(tr, c.goneSince) }));
  const told = c.told;
  const named = row.escalations.slice(0, ESCALATIONS_NAMED).map((e) => tr.t('cards.incident.customer.escalation', { id: e.id, state: tr.t(`flow.states.${e.state}`) }));
  const more = row.escalations.length - named.length;
  return {
    index,
    tenantId: c.tenantId,
    name: inert(c.name),
    line: line.join(' · '),
    told: told !== undefined,
    toldLine: told
      ? tr.t('cards.incident.customer.told', { name: inert(told.by.name ?? told.by.id), time: shownTime(tr, told.at) })
      : tr.t('cards.incident.customer.notTold'),
    toldColor: told ? 'Good' : view.incident.resolved ? 'Attention' : 'Default',
    escalations:
      named.length === 0
        ? ''
        : tr.t('cards.incident.customer.escalations', { list: named.join(', ') + (more > 0 ? tr.t('cards.incident.customer.moreEscalations', { n: more }) : '') }),
    noticeId: `notice${index}`,
    noticeLabel: tr.t('cards.incident.noticeLabel', { customer: inert(c.name) }),
    notice: row.notice,
  };
}

/**
 * The incident card for the channel, or one of its thread's replies (`view.mode`): Microsoft's
 * fields, its latest post, the post-incident review once published, and a page of the affected
 * customers, each with since when, whether the issue left them, their escalations, whether they
 * were told and by whom, and (until told) a drafted notice and a "told" button. Past a page it
 * says how many more there are and where to find them (the next page, the tab).
 */
export function renderIncident(cards: CardRenderer, tr: Translator, view: IncidentCardView): AdaptiveCardJson {
  const i = view.incident;
  const latest = i.posts[i.posts.length - 1];
  const showPost = latest !== undefined && (view.mode === 'card' || view.mode === 'resolved' || view.changes?.some((c) => c.kind === 'post') === true);
  const postText = latest ? plainText(latest.content) : '';
  // A customer list belongs to the card and to the messages that ask the channel to act on it.
  const showCustomers = view.mode !== 'update';
  const t = view.tally;
  const page = view.page;
  return cards.render('incident', tr, {
    incidentId: i.id,
    mode: view.mode,
    heading: heading(tr, view),
    title: inert(i.title),
    statusLine: statusLine(tr, i),
    statusColor: i.resolved ? 'Good' : 'Attention',
    note: view.note ?? '',
    error: view.error ?? '',
    changes: (view.changes ?? []).map((c) => ({ text: changeText(tr, c) })),
    impact: view.mode === 'card' || view.mode === 'update' ? inert(plainText(i.impactDescription)) : '',
    latestPostHeading: latest ? tr.t('cards.incident.latestPost', { time: shownTime(tr, latest.createdDateTime) }) : '',
    latestPost: showPost ? inert(postText.length > POST_CHARS ? `${postText.slice(0, POST_CHARS - 1)}…` : postText) : '',
    reviewLink: view.reviewLink ?? '',
    reviewText: view.reviewLink ? tr.t('cards.incident.reviewPublished') : '',
    showCustomers,
    customersHeading: tr.t(`cards.incident.customersHeading.${view.mode !== 'card' ? 'tell' : t.gone > 0 ? 'cardGone' : 'card'}`, {
      affected: t.affected,
      still: t.stillAffected,
      gone: t.gone,
      told: t.told,
      escalations: view.escalations,
    }),
    pageNote: page.pages > 1 ? tr.t('cards.incident.pageNote', { first: page.first, last: page.last, total: page.total }) : '',
    customers: page.customers.map((row, n) => customerRow(tr, view, row, (page.page - 1) * CUSTOMERS_PER_PAGE + n + 1)),
    page: page.page,
    pages: page.pages,
    moreNote:
      page.pages > 1
        ? tr.t(view.tabLink ? 'cards.incident.moreWithTab' : 'cards.incident.more', { n: page.total - page.customers.length, id: i.id })
        : '',
    tabLink: view.tabLink ?? '',
  });
}

/** A health-read failure reason in a few words (the sweep's reason codes). */
function reasonText(tr: Translator, reason: string): string {
  const reasons = tr.section('cards.incident-list.reasons');
  const text = reasons[reason];
  return typeof text === 'string' ? text : tr.t('cards.incident-list.reasons.other', { reason: inert(reason.slice(0, 40)) });
}

/** The `incidents` overview: open incidents with their customers, the incident channel, and the tenants that could not be read with why. */
export function renderIncidentList(cards: CardRenderer, tr: Translator, view: IncidentListView): AdaptiveCardJson {
  return cards.render('incident-list', tr, {
    channelLine: view.channel
      ? tr.t('cards.incident-list.channel', { name: inert(view.channel.setBy), time: shownTime(tr, view.channel.setAt) })
      : tr.t('cards.incident-list.noChannel'),
    incidents: view.incidents.map(({ incident: i, tally }) => ({
      id: i.id,
      heading: tr.t('cards.incident-list.heading', { id: i.id, service: inert(i.service), status: statusLabel(tr, i.status) }),
      title: inert(i.title),
      line: tr.t('cards.incident-list.line', {
        affected: tally.affected,
        still: tally.stillAffected,
        told: tally.told,
        since: shownTime(tr, i.startDateTime),
      }),
    })),
    // `incident <id>`: made inert so Teams does not read `<id>` as a tag.
    moreIncidents: view.moreIncidents ? inert(tr.t(view.tabLink ? 'cards.incident-list.moreIncidentsTab' : 'cards.incident-list.moreIncidents')) : '',
    unreadableHeading: tr.t('cards.incident-list.unreadableHeading', { n: view.unreadable.length + (view.moreUnreadable ? '+' : '') }),
    unreadable: view.unreadable.map((u) => ({
      name: inert(u.name),
      reason: tr.t('cards.incident-list.unreadableLine', { reason: reasonText(tr, u.reason), n: u.failures, time: shownTime(tr, u.since) }),
    })),
    moreUnreadable: view.moreUnreadable ? tr.t('cards.incident-list.moreUnreadable') : '',
    tabLink: view.tabLink ?? '',
  });
}

/** The channel's reminder: a resolved incident still has customers not told. */
export function renderIncidentReminder(cards: CardRenderer, tr: Translator, view: IncidentReminderView): AdaptiveCardJson {
  const i = view.incident;
  const untold = i.customers.filter((c) => c.told === undefined).map((c) => inert(c.name));
  const names = untold.slice(0, REMINDER_NAMED).join(', ');
  return cards.render('incident-reminder', tr, {
    incidentId: i.id,
    text: tr.t('cards.incident-reminder.text', {
      id: i.id,
      service: inert(i.service),
      title: inert(i.title),
      hours: Math.max(1, Math.floor(view.waitedMs / 3_600_000)),
      untold: view.tally.untold,
      affected: view.tally.affected,
    }),
    names: untold.length > REMINDER_NAMED ? tr.t('cards.incident-reminder.namesMore', { names, n: untold.length - REMINDER_NAMED }) : names,
  });
}
