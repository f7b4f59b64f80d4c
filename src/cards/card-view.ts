/**
 * The view model of an escalation's card, one variant per card, and the one function that
 * renders any of them. The flow decides which card an escalation needs and gathers what it
 * shows (the audit trail, the decision's reasons, recent requests); rendering is pure.
 */
import type { OfferedMatch } from '../domain/details';
import type { AuditEvent, Escalation } from '../domain/escalation';
import type { DecisionReason } from '../domain/triage';
import type { Translator } from '../i18n';
import {
  renderHandoff,
  renderMatch,
  renderNotWarranted,
  renderTriage,
  renderTroubleshoot,
  type DescribeValues,
} from './escalation-cards';
import { renderAttention, renderReminder, renderResolved } from './notification-cards';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import { renderEscalation } from './summary-cards';

/** The summary card's view: the escalation, its audit trail, and what only the deployment knows. */
export interface SummaryView {
  readonly card: 'summary';
  readonly escalation: Escalation;
  readonly audit: readonly AuditEvent[];
  /** SUPPORT_SOURCE=manual: the engineer reports what Microsoft did. */
  readonly manual: boolean;
  /** Why the conversation notifications go to cannot be reached, if it cannot. */
  readonly unreachable?: string;
  readonly error?: string;
}

/** Any card of an escalation, with everything it shows. */
export type CardView =
  | { readonly card: 'match'; readonly escalation: Escalation; readonly offered: readonly OfferedMatch[]; readonly error?: string }
  /** `justChecked`: the health check ran in this same turn (the card says it found nothing). */
  | { readonly card: 'troubleshoot'; readonly escalation: Escalation; readonly justChecked: boolean; readonly error?: string }
  | { readonly card: 'triage'; readonly escalation: Escalation; readonly error?: string; readonly values?: DescribeValues }
  | {
      readonly card: 'handoff';
      readonly escalation: Escalation;
      readonly reasons: readonly DecisionReason[];
      readonly deepLink: string;
      readonly recentRequests?: readonly { id: string; label: string }[];
      readonly error?: string;
    }
  | { readonly card: 'notWarranted'; readonly escalation: Escalation; readonly reasons: readonly DecisionReason[] }
  | { readonly card: 'resolved'; readonly escalation: Escalation; readonly error?: string }
  | { readonly card: 'attention'; readonly escalation: Escalation; readonly deepLink: string; readonly error?: string }
  | { readonly card: 'reminder'; readonly escalation: Escalation; readonly text: string }
  | SummaryView;

/** Renders the card a view model describes. */
export function renderCard(cards: CardRenderer, tr: Translator, view: CardView): AdaptiveCardJson {
  const e = view.escalation;
  switch (view.card) {
    case 'match':
      return renderMatch(cards, tr, e, view.offered, view.error);
    case 'troubleshoot':
      return renderTroubleshoot(cards, tr, e, view.justChecked, view.error);
    case 'triage':
      return renderTriage(cards, tr, e, view.error, view.values);
    case 'handoff':
      return renderHandoff(cards, tr, e, view);
    case 'notWarranted':
      return renderNotWarranted(cards, tr, e, view.reasons);
    case 'resolved':
      return renderResolved(cards, tr, e, view.error);
    case 'attention':
      return renderAttention(cards, tr, e, view.deepLink, view.error);
    case 'reminder':
      return renderReminder(cards, tr, e, view.text);
    case 'summary':
      return renderEscalation(cards, tr, e, view.audit, view.error, { manual: view.manual, unreachable: view.unreachable });
  }
}
