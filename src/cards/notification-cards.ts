/**
 * The cards that close the loop, sent proactively or shown again on demand: Microsoft
 * resolved it (tell the customer), Microsoft needs information, and reminders; and the
 * messages that carry them, in the owner's language, for the tracker and the reminders (which
 * hand over an escalation as stored: its view is read here).
 */
import { answerToCurrentQuestion } from '../domain/answers';
import { detailsOf, type FlowDetails } from '../domain/details';
import type { Escalation } from '../domain/escalation';
import { contactName, givenName } from '../domain/contact';
import type { Localizer, Translator } from '../i18n';
import { headerLine } from './escalation-cards';
import { shownTime } from './format';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import type { AttentionView, EscalationView, ReminderView } from './views';

/** Microsoft's newest note on the linked request, if the tracker recorded one. */
function lastMicrosoftWord(details: FlowDetails): string {
  return inert(details.microsoftNotes?.at(-1)?.text.slice(0, 2000) ?? '');
}

function facts(tr: Translator, { escalation: e, details: f }: EscalationView): { title: string; value: string }[] {
  const out = [{ title: tr.t('flow.facts.problem'), value: inert(e.title) }];
  if (f.serviceRequestId) out.push({ title: tr.t('flow.facts.request'), value: f.serviceRequestId });
  if (f.knownIssue) out.push({ title: tr.t('flow.facts.incident'), value: inert(`${f.knownIssue.id} · ${f.knownIssue.title}`) });
  // When Microsoft acted, named for what it did (not "Since", which is when the problem started).
  const at = e.state === 'attention_needed' ? 'askedAt' : e.state === 'resolved' ? 'resolvedAt' : 'microsoftAt';
  if (f.microsoftStatus) out.push({ title: tr.t(`flow.facts.${at}`), value: shownTime(tr, f.microsoftStatus.at) });
  return out;
}

/** The drafted message's greeting: the contact by name when the triage named one, else the customer. */
function greeting(tr: Translator, customer: string, contact: string | undefined): string {
  const name = contactName(contact);
  return name ? tr.t('cards.notify-resolved.greetingName', { name, givenName: givenName(name) }) : tr.t('cards.notify-resolved.greetingCustomer', { customer });
}

/** "Microsoft resolved it": what was resolved, a drafted message to the customer, and the closing actions. */
export function renderResolved(cards: CardRenderer, tr: Translator, view: EscalationView): AdaptiveCardJson {
  const { escalation: e, details: f } = view;
  const ref = f.serviceRequestId ?? f.knownIssue?.id ?? '';
  const s = (key: string, vars: Record<string, string>) => tr.t(`cards.notify-resolved.${key}`, vars);
  return cards.render('notify-resolved', tr, {
    escalationId: e.id,
    title: s(f.serviceRequestId ? 'titleRequest' : 'titleIncident', { id: ref, customer: inert(e.customer.name) }),
    headerLine: headerLine(tr, e),
    error: view.error ?? '',
    facts: facts(tr, view),
    lastWord: lastMicrosoftWord(f),
    draft: s('draft', {
      greeting: greeting(tr, e.customer.name, f.contact),
      title: e.title,
      service: e.service,
      reference: s(f.serviceRequestId ? 'referenceRequest' : 'referenceIncident', { id: ref }),
      engineer: e.ownerName ?? '',
    }),
    contact: f.contact ?? '',
    // A request is reopened with a note; a resolved incident was never ours to reopen: a new escalation, prefilled from it.
    reopenTitle: s(f.serviceRequestId ? 'reopen' : 'reportNew', {}),
    stillBrokenLabel: s(f.serviceRequestId ? 'stillBrokenLabel' : 'stillBrokenIncidentLabel', {}),
  });
}

/**
 * "Microsoft needs information": Microsoft's question and a way to answer it; once answered,
 * what was sent, by whom and when, and no second form (a failed send keeps the text to retry).
 */
export function renderAttention(cards: CardRenderer, tr: Translator, view: AttentionView): AdaptiveCardJson {
  const { escalation: e, answer } = view;
  const shown = answer && answer.status !== 'failed' ? answer : undefined;
  const note = shown ? tr.t(`cards.notify-attention.${shown.status === 'sent' ? 'answered' : 'sending'}`, { time: shownTime(tr, shown.at), name: inert(shown.by) }) : '';
  return cards.render('notify-attention', tr, {
    answerNote: note,
    answerStyle: shown?.status === 'sent' ? 'good' : 'emphasis',
    answerShown: shown ? inert(shown.text) : '',
    // A send still in progress keeps the form: if its outcome never comes, the same answer can go again.
    showForm: shown?.status !== 'sent',
    answerValue: answer && answer.status !== 'sent' ? answer.text : '',
    escalationId: e.id,
    title: tr.t('cards.notify-attention.title', { customer: inert(e.customer.name) }),
    headerLine: headerLine(tr, e),
    error: view.error ?? '',
    facts: facts(tr, view),
    lastWord: lastMicrosoftWord(view.details) || tr.t('cards.notify-attention.noNote'),
    deepLink: view.deepLink,
  });
}

/**
 * Where an escalation stands with Microsoft, as one read-only line: what Microsoft did and when,
 * what was answered, by whom and when, and whom it waits for. What the flow's own card becomes
 * when Microsoft acts, so each event has one card to act on (the notification).
 */
export function statusLine(tr: Translator, e: Escalation, details: FlowDetails = detailsOf(e)): string {
  const s = (key: string, vars: Record<string, string> = {}) => tr.t(`cards.escalation-status.${key}`, vars);
  const answer = details.answers?.at(-1);
  const answered = answer && answer.status === 'sent' ? s('answered', { time: shownTime(tr, answer.at), name: inert(answer.by) }) : undefined;
  const at = shownTime(tr, details.microsoftStatus?.at);
  switch (e.state) {
    case 'attention_needed': {
      const current = answerToCurrentQuestion(e);
      const done = current?.status === 'sent' && answered;
      return [s('asked', { time: at }), ...(done ? [answered, s('waiting')] : [s('answerBelow')])].join(' · ');
    }
    case 'escalated':
      return [answered ? s('askedEarlier') : s('escalated'), answered, s('waiting')].filter(Boolean).join(' · ');
    case 'resolved':
      return [s('resolved', { time: at }), s('tellBelow')].join(' · ');
    case 'customer_notified':
    case 'closed': {
      const told = details.customerNotified;
      return told ? s('told', { time: shownTime(tr, told.at), name: inert(told.by) }) : tr.t(`flow.states.${e.state}`);
    }
    default:
      return tr.t(`flow.states.${e.state}`);
  }
}

/** The read-only status card: the escalation's title and header, and where it stands with Microsoft. */
export function renderStatus(cards: CardRenderer, tr: Translator, e: Escalation): AdaptiveCardJson {
  const details = detailsOf(e);
  const answer = details.answers?.at(-1);
  return cards.render('escalation-status', tr, {
    title: inert(e.title),
    headerLine: headerLine(tr, e),
    statusLine: statusLine(tr, e, details),
    answerShown: answer && answer.status === 'sent' && e.state !== 'closed' ? inert(`${tr.t('cards.notify-attention.youWrote')} ${answer.text.slice(0, 500)}`) : '',
  });
}

/** A reminder about an escalation that waits for the engineer. */
export function renderReminder(cards: CardRenderer, tr: Translator, view: ReminderView): AdaptiveCardJson {
  return cards.render('reminder', tr, { escalationId: view.escalation.id, text: view.text, headerLine: headerLine(tr, view.escalation) });
}

/** A message activity carrying one card, as the outbox sends it. */
export function cardActivity(card: AdaptiveCardJson): Readonly<Record<string, unknown>> {
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
}

/** A card message as the outbox stores it. */
export interface CardMessage {
  readonly activity: Readonly<Record<string, unknown>>;
}

/** The owner's translator: their language, and times on the clock they described the problem on. */
function ownersTranslator(localizer: Localizer, details: FlowDetails): Translator {
  return localizer.forLocale(details.locale, details.timeZone);
}

/**
 * Renders what the tracker sends when Microsoft moves an escalation: the resolved or the
 * attention-needed card (any other kind: a reminder naming the state), in the owner's language.
 */
export function notificationRenderer(
  cards: CardRenderer,
  localizer: Localizer,
  deepLinkOf: (e: Escalation) => string,
): (kind: string, escalation: Escalation) => CardMessage {
  return (kind, escalation) => {
    const view = { escalation, details: detailsOf(escalation) };
    const tr = ownersTranslator(localizer, view.details);
    switch (kind) {
      case 'resolved':
        return { activity: cardActivity(renderResolved(cards, tr, view)) };
      case 'attention_needed':
        return { activity: cardActivity(renderAttention(cards, tr, { ...view, answer: answerToCurrentQuestion(escalation), deepLink: deepLinkOf(escalation) })) };
      default:
        return { activity: cardActivity(renderReminder(cards, tr, { escalation, text: tr.t(`flow.states.${escalation.state}`) })) };
    }
  };
}

/** Renders the read-only status card of an escalation, in its owner's language (what the flow's card becomes when Microsoft acts). */
export function statusRenderer(cards: CardRenderer, localizer: Localizer): (escalation: Escalation) => CardMessage {
  return (e) => ({ activity: cardActivity(renderStatus(cards, ownersTranslator(localizer, detailsOf(e)), e)) });
}

/** Renders a reminder of one rule (`flow.reminders.<rule>`) about an escalation that has waited `waitedMs`, in the owner's language. */
export function reminderRenderer(cards: CardRenderer, localizer: Localizer): (rule: string, escalation: Escalation, waitedMs: number) => CardMessage {
  return (rule, e, waitedMs) => {
    const details = detailsOf(e);
    const tr = ownersTranslator(localizer, details);
    const text = tr.t(`flow.reminders.${rule}`, {
      id: e.id,
      request: details.serviceRequestId ?? '',
      days: String(Math.floor(waitedMs / 86_400_000)),
    });
    return { activity: cardActivity(renderReminder(cards, tr, { escalation: e, text })) };
  };
}
