/**
 * The cards that close the loop, sent proactively or shown again on demand: Microsoft
 * resolved it (tell the customer), Microsoft needs information, and reminders; and the
 * messages that carry them, in the owner's language, for the tracker and the reminders.
 */
import { answerToCurrentQuestion } from '../domain/answers';
import { detailsOf } from '../domain/details';
import type { Escalation } from '../domain/escalation';
import type { Localizer, Translator } from '../i18n';
import { headerLine } from './escalation-cards';
import { shownTime } from './format';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';

/** Microsoft's newest note on the linked request, if the tracker recorded one. */
export function lastMicrosoftWord(e: Escalation): string {
  const notes = detailsOf(e).microsoftNotes ?? [];
  return inert(notes.at(-1)?.text.slice(0, 2000) ?? '');
}

function facts(tr: Translator, e: Escalation): { title: string; value: string }[] {
  const f = detailsOf(e);
  const out = [{ title: tr.t('flow.facts.problem'), value: inert(e.title) }];
  if (f.serviceRequestId) out.push({ title: tr.t('flow.facts.request'), value: f.serviceRequestId });
  if (f.knownIssue) out.push({ title: tr.t('flow.facts.incident'), value: inert(`${f.knownIssue.id} · ${f.knownIssue.title}`) });
  if (f.microsoftStatus) out.push({ title: tr.t('flow.facts.since'), value: shownTime(tr, f.microsoftStatus.at) });
  return out;
}

/** "Microsoft resolved it": what was resolved, a drafted message to the customer, and the closing actions. */
export function renderResolved(cards: CardRenderer, tr: Translator, e: Escalation, error?: string): AdaptiveCardJson {
  const f = detailsOf(e);
  const ref = f.serviceRequestId ?? f.knownIssue?.id ?? '';
  const s = (key: string, vars: Record<string, string>) => tr.t(`cards.notify-resolved.${key}`, vars);
  return cards.render('notify-resolved', tr, {
    escalationId: e.id,
    title: s(f.serviceRequestId ? 'titleRequest' : 'titleIncident', { id: ref, customer: inert(e.customer.name) }),
    headerLine: headerLine(tr, e),
    error: error ?? '',
    facts: facts(tr, e),
    lastWord: lastMicrosoftWord(e),
    draft: s('draft', {
      customer: e.customer.name,
      title: e.title,
      service: e.service,
      reference: s(f.serviceRequestId ? 'referenceRequest' : 'referenceIncident', { id: ref }),
      engineer: e.ownerName ?? '',
    }),
    contact: f.contact ?? '',
  });
}

/**
 * "Microsoft needs information": Microsoft's question and a way to answer it; once answered,
 * what was sent, by whom and when, and no second form (a failed send keeps the text to retry).
 */
export function renderAttention(cards: CardRenderer, tr: Translator, e: Escalation, deepLink: string, error?: string): AdaptiveCardJson {
  const answer = answerToCurrentQuestion(e);
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
    error: error ?? '',
    facts: facts(tr, e),
    lastWord: lastMicrosoftWord(e) || tr.t('cards.notify-attention.noNote'),
    deepLink,
  });
}

/** A reminder about an escalation that waits for the engineer. */
export function renderReminder(cards: CardRenderer, tr: Translator, e: Escalation, text: string): AdaptiveCardJson {
  return cards.render('reminder', tr, { escalationId: e.id, text, headerLine: headerLine(tr, e) });
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
function ownersTranslator(localizer: Localizer, e: Escalation): Translator {
  const d = detailsOf(e);
  return localizer.forLocale(d.locale, d.timeZone);
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
    const tr = ownersTranslator(localizer, escalation);
    switch (kind) {
      case 'resolved':
        return { activity: cardActivity(renderResolved(cards, tr, escalation)) };
      case 'attention_needed':
        return { activity: cardActivity(renderAttention(cards, tr, escalation, deepLinkOf(escalation))) };
      default:
        return { activity: cardActivity(renderReminder(cards, tr, escalation, tr.t(`flow.states.${escalation.state}`))) };
    }
  };
}

/** Renders a reminder of one rule (`flow.reminders.<rule>`) about an escalation that has waited `waitedMs`, in the owner's language. */
export function reminderRenderer(cards: CardRenderer, localizer: Localizer): (rule: string, escalation: Escalation, waitedMs: number) => CardMessage {
  return (rule, e, waitedMs) => {
    const tr = ownersTranslator(localizer, e);
    const text = tr.t(`flow.reminders.${rule}`, {
      id: e.id,
      request: detailsOf(e).serviceRequestId ?? '',
      days: String(Math.floor(waitedMs / 86_400_000)),
    });
    return { activity: cardActivity(renderReminder(cards, tr, e, text)) };
  };
}
