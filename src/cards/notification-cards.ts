/**
 * The cards that close the loop, sent proactively or shown again on demand: Microsoft
 * resolved it (tell the customer), Microsoft needs information, and reminders.
 */
import type { Escalation } from '../domain/escalation';
import { answerToCurrentQuestion } from '../domain/answers';
import { flowOf } from '../domain/flow';
import type { Translator } from '../i18n';
import { headerLine } from './escalation-cards';
import { shownTime } from './format';
import { inert } from './inert';
import type { AdaptiveCardJson, CardRenderer } from './renderer';

/** Microsoft's newest note on the linked request, if the tracker recorded one. */
export function lastMicrosoftWord(e: Escalation): string {
  const notes = flowOf(e).microsoftNotes ?? [];
  return inert(notes.at(-1)?.text.slice(0, 2000) ?? '');
}

function facts(tr: Translator, e: Escalation): { title: string; value: string }[] {
  const f = flowOf(e);
  const out = [{ title: tr.t('flow.facts.problem'), value: inert(e.title) }];
  if (f.serviceRequestId) out.push({ title: tr.t('flow.facts.request'), value: f.serviceRequestId });
  if (f.knownIssue) out.push({ title: tr.t('flow.facts.incident'), value: inert(`${f.knownIssue.id} · ${f.knownIssue.title}`) });
  if (f.microsoftStatus) out.push({ title: tr.t('flow.facts.since'), value: shownTime(tr, f.microsoftStatus.at) });
  return out;
}

/** "Microsoft resolved it": what was resolved, a drafted message to the customer, and the closing actions. */
export function renderResolved(cards: CardRenderer, tr: Translator, e: Escalation, error?: string): AdaptiveCardJson {
  const f = flowOf(e);
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
