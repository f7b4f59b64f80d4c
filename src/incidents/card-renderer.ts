/**
 * The incident channel's messages as cards: the incident card (posted, then updated in place) and
 * the replies in its thread (an update, the resolution with every customer's notice and "told"
 * button, the post-incident review), rendered by the same function the chat's `incident <id>`
 * uses, in the language and on the clock of who set the channel. Escalations shown are those of
 * the channel's partner tenant.
 */
import { renderIncident } from '../cards/incident-cards';
import { cardActivity } from '../cards/notification-cards';
import type { CardRenderer } from '../cards/renderer';
import type { IncidentCardMode } from '../cards/views';
import type { IncidentReply, PlannedIncidentMessage } from '../domain/incident-messages';
import type { Localizer } from '../i18n';
import type { IncidentStore } from '../store/incidents';
import type { ConversationStore } from '../store/queues';
import type { IncidentViews } from './card-views';
import type { IncidentRenderer } from './render';

/** Dependencies of the card renderer. */
export interface IncidentCardRendererOptions {
  readonly cards: CardRenderer;
  readonly localizer: Localizer;
  readonly views: IncidentViews;
  /** Who set the channel: its language and clock. */
  readonly incidents: Pick<IncidentStore, 'getChannel'>;
  /** The target's reference: its partner tenant. */
  readonly conversations: Pick<ConversationStore, 'get'>;
}

/** Which card a reply is. */
export function replyMode(reply: IncidentReply): IncidentCardMode {
  switch (reply.kind) {
    case 'update':
      return 'update';
    case 'resolved':
      return 'resolved';
    case 'post_incident_review':
      return 'review';
  }
}

/** The renderer the app gives the sweep: each planned message as the incident card it stands for. */
export function incidentCardRenderer(options: IncidentCardRendererOptions): IncidentRenderer {
  return async (message: PlannedIncidentMessage, incident) => {
    const channel = await options.incidents.getChannel();
    const tr = options.localizer.forLocale(channel?.setBy.locale, channel?.setBy.timeZone);
    const partnerTenantId = (await options.conversations.get(message.target))?.tenantId;
    const request =
      message.kind === 'reply'
        ? { mode: replyMode(message.reply), ...(message.reply.kind === 'update' ? { changes: message.reply.changes } : {}) }
        : { mode: 'card' as const };
    const view = await options.views.card(tr, incident, partnerTenantId, request);
    return cardActivity(renderIncident(options.cards, tr, view));
  };
}
