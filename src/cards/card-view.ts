/**
 * Any escalation card from its view model: the one function that renders whichever card a
 * `CardView` names (the card for wherever an escalation stands, chosen and gathered by the flow).
 */
import type { Translator } from '../i18n';
import { renderHandoff, renderMatch, renderNotWarranted, renderTriage, renderTroubleshoot } from './escalation-cards';
import { renderAttention, renderResolved } from './notification-cards';
import type { AdaptiveCardJson, CardRenderer } from './renderer';
import { renderEscalation } from './summary-cards';
import type { CardView } from './views';

export type { CardView } from './views';

/** Renders the card a view model names. */
export function renderCard(cards: CardRenderer, tr: Translator, view: CardView): AdaptiveCardJson {
  switch (view.card) {
    case 'match':
      return renderMatch(cards, tr, view);
    case 'troubleshoot':
      return renderTroubleshoot(cards, tr, view);
    case 'triage':
      return renderTriage(cards, tr, view);
    case 'handoff':
      return renderHandoff(cards, tr, view);
    case 'notWarranted':
      return renderNotWarranted(cards, tr, view);
    case 'resolved':
      return renderResolved(cards, tr, view);
    case 'attention':
      return renderAttention(cards, tr, view);
    case 'summary':
      return renderEscalation(cards, tr, view);
  }
}
