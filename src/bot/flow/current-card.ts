/**
 * What the card for wherever an escalation stands needs, gathered once before it is rendered:
 * the audit trail and the reachability of its notification targets for the summary, the
 * customer's recent Partner Center requests and the decision's reasons for the hand-off. The
 * card functions then only render (src/cards/card-view.ts).
 */
import type { CardView, SummaryView } from '../../cards/card-view';
import { inert } from '../../cards/inert';
import { detailsOf } from '../../domain/details';
import type { Escalation } from '../../domain/escalation';
import { decisionOf, stageOf } from '../../domain/flow';
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

/** The view model of the card for wherever the escalation stands. */
export async function currentCardView(src: CardSources, tr: Translator, e: Escalation, note: CardNote = {}): Promise<CardView> {
  const details = detailsOf(e);
  const stage = stageOf(e, details);
  const { error } = note;
  switch (stage.step) {
    case 'health':
      if (stage.pending) return summaryView(src, e, error ?? tr.t('flow.messages.healthPending', { customer: inert(e.customer.name) }));
      return { card: 'match', escalation: e, offered: stage.offered, error };
    case 'troubleshoot':
      return { card: 'troubleshoot', escalation: e, justChecked: note.justChecked === true, error };
    case 'category':
      return { card: 'triage', escalation: e, error };
    case 'handoff':
      return { card: 'handoff', escalation: e, reasons: decisionOf(details).reasons, deepLink: src.deepLink(e), recentRequests: await recentRequests(src, e), error };
    case 'decision':
      return { card: 'notWarranted', escalation: e, reasons: decisionOf(details).reasons };
    case 'done':
      if (e.state === 'resolved') return { card: 'resolved', escalation: e, error };
      if (e.state === 'attention_needed' && src.deps.support.source !== 'manual') return { card: 'attention', escalation: e, deepLink: src.deepLink(e), error };
      return summaryView(src, e, error);
  }
}

/** The summary's view model, with what only this deployment knows: manual tracking, unreachable targets. */
export async function summaryView(src: CardSources, e: Escalation, error?: string): Promise<SummaryView> {
  // Independent reads, asked at once (one target at most): on PostgreSQL each is a round trip.
  const [audit, ...targets] = await Promise.all([
    src.deps.store.audit(e.id),
    ...(detailsOf(e).notifyTargets ?? []).map((key) => src.deps.conversations.get(key)),
  ]);
  return {
    card: 'summary',
    escalation: e,
    audit,
    manual: src.deps.support.source === 'manual',
    unreachable: targets.find((t) => t?.unreachable)?.unreachable?.reason,
    error,
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
