/**
 * What the tracker sends when Microsoft moves an escalation: the resolved or the
 * attention-needed card, in the owner's language.
 */
import type { Escalation } from '../domain/escalation';
import { flowOf } from '../domain/flow';
import type { Localizer } from '../i18n';
import type { NotificationKind } from '../store/queues';
import type { NotificationPayload } from '../tracking/types';
import { cardActivity, renderAttention, renderReminder, renderResolved } from './notification-cards';
import type { CardRenderer } from './renderer';

/** Renders notifications of each kind as a card message. */
export function notificationRenderer(
  cards: CardRenderer,
  localizer: Localizer,
  deepLinkOf: (e: Escalation) => string,
): (kind: NotificationKind, escalation: Escalation) => NotificationPayload {
  return (kind, escalation) => {
    // In the owner's language, with times on the clock they described the problem on.
    const tr = localizer.forLocale(flowOf(escalation).locale, flowOf(escalation).timeZone);
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
