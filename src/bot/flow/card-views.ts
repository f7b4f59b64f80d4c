/**
 * The view models of the flow's cards, built from an escalation read once (its details checked
 * by the domain) and what the card needs gathered first: the audit trail and the reachability of
 * its notification targets for the summary, the customer's recent Partner Center requests and
 * the decision's reasons for the hand-off. The card functions only render them.
 */
import type { AttentionView, CardView, EscalationView, SummaryView, TriageView } from '../../cards/views';
import { inert } from '../../cards/inert';
import { answerToCurrentQuestion } from '../../domain/answers';
import type { Clock } from '../../domain/clock';
import { detailsOf } from '../../domain/details';
import { escalationClocks, type ClockSettings } from '../../domain/escalation-clocks';
import type { Escalation } from '../../domain/escalation';
import { decisionOf, stageOf } from '../../domain/flow';
import { openChecks } from '../../domain/triage';
import type { Translator } from '../../i18n';
import type { ConversationStore } from '../../store/queues';
import type { EscalationStore } from '../../store/types';
import type { SupportProvider } from '../../support/types';
import { within } from '../within';

/** Where the gathered facts come from. */
export interface CardSources {
  readonly deps: {
    readonly store: Pick<EscalationStore, 'audit'>;
    readonly conversations: Pick<ConversationStore, 'get'>;
    readonly support: Pick<SupportProvider, 'source' | 'listCustomerRequests'>;
    /** The response clocks are read at render time, against these targets (none: no clocks shown). */
    readonly clock?: Clock;
    readonly clocks?: ClockSettings;
  };
  /** Longest the Partner Center list may hold the turn. */
  readonly turnBudgetMs: number;
  deepLink(e: Escalation): string;
}

/** What a step adds to the current card: an error banner, and whether the health check ran in this same turn. */
export interface CardNote {
  readonly error?: string;
  readonly justChecked?: boolean;
}

/** The escalation with its details read, for any of its cards. */
export function escalationView(e: Escalation, error?: string): EscalationView {
  return { escalation: e, details: detailsOf(e), error };
}

/** The triage card's view: the checks still open (unless troubleshooting was skipped: the service is down). */
export function triageView(view: EscalationView, values?: Readonly<Record<string, string>>): TriageView {
  const t = view.details.troubleshooting;
  return { ...view, openChecks: t && !t.skipped ? openChecks(t) : [], values };
}

/** The attention card's view: the answer already given to Microsoft's current question, if any. */
export function attentionView(view: EscalationView, deepLink: string): AttentionView {
  return { ...view, answer: answerToCurrentQuestion(view.escalation), deepLink };
}

/** The view model of the card for wherever the escalation stands. */
export async function currentCardView(src: CardSources, tr: Translator, e: Escalation, note: CardNote = {}): Promise<CardView> {
  const view = { ...escalationView(e, note.error), plan: src.deps.clocks?.plan };
  const stage = stageOf(e, view.details);
  switch (stage.step) {
    case 'health':
      if (stage.pending) return { card: 'summary', ...(await summaryView(src, { ...view, error: note.error ?? tr.t('flow.messages.healthPending', { customer: inert(e.customer.name) }) })) };
      return { card: 'match', ...view, offered: stage.offered };
    case 'troubleshoot':
      return { card: 'troubleshoot', ...view, justChecked: note.justChecked === true };
    case 'category':
      return { card: 'triage', ...triageView(view) };
    case 'handoff':
      return { card: 'handoff', ...view, reasons: decisionOf(view.details).reasons, deepLink: src.deepLink(e), recentRequests: await recentRequests(src, e) };
    case 'decision':
      // Shown without the error banner (a stale press that lands here is not told so).
      return { card: 'notWarranted', ...view, error: undefined, reasons: decisionOf(view.details).reasons };
    case 'done':
      if (e.state === 'resolved') return { card: 'resolved', ...view };
      if (e.state === 'attention_needed' && src.deps.support.source !== 'manual') return { card: 'attention', ...attentionView(view, src.deepLink(e)) };
      return { card: 'summary', ...(await summaryView(src, view)) };
  }
}

/** The summary's view: the audit trail, and what only this deployment knows (manual tracking, unreachable targets). */
export async function summaryView(src: CardSources, view: EscalationView): Promise<SummaryView> {
  // Independent reads, asked at once (one target at most): on PostgreSQL each is a round trip.
  const [audit, ...targets] = await Promise.all([
    src.deps.store.audit(view.escalation.id),
    ...(view.details.notifyTargets ?? []).map((key) => src.deps.conversations.get(key)),
  ]);
  const { clock, clocks } = src.deps;
  return {
    ...view,
    audit,
    manual: src.deps.support.source === 'manual',
    unreachable: targets.find((t) => t?.unreachable)?.unreachable?.reason,
    // Clocks are read from stored times now: the same after a restart, on every instance.
    ...(clock && clocks ? { clocks: escalationClocks(view.escalation, clocks, clock.now(), view.details) } : {}),
  };
}

/**
 * With Partner Center tracking, the customer's recent open requests, so the engineer can
 * pick the one just filed; bounded in time like every upstream call inside a turn.
 */
export async function recentRequests(src: CardSources, e: Escalation): Promise<{ id: string; label: string }[]> {
  if (src.deps.support.source !== 'partnercenter') return [];
  try {
    const requests = await within(src.deps.support.listCustomerRequests(e.customer.tenantId), src.turnBudgetMs);
    return [...requests]
      .filter((r) => r.status !== 'closed')
      .sort((a, b) => Date.parse(b.createdDate ?? '') - Date.parse(a.createdDate ?? ''))
      .slice(0, 10)
      .map((r) => ({ id: r.id, label: inert(`${r.id} · ${r.title}`.slice(0, 200)) }));
  } catch {
    // The number can still be typed; the list is a convenience.
    return [];
  }
}
