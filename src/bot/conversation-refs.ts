/**
 * Keeps the durable conversation references proactive messages need: written on install and
 * on every incoming activity (so the serviceUrl stays the one the user's traffic uses), removed
 * on uninstall. Runs after the tenant allow-list, so refused tenants leave nothing behind.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { conversationKey, type ConversationStore } from '../store/queues';
import { tenantOf } from './turn-context';

/** The tenant used for turns that carry none (the local playground). */
export const LOCAL_TENANT = 'local';

/** The reference key of the conversation a turn came from. */
export function conversationKeyOf(context: TurnContext): string | undefined {
  const id = context.activity.conversation?.id;
  return id ? conversationKey(tenantOf(context) ?? LOCAL_TENANT, id) : undefined;
}

/** Creates the middleware that records conversation references. */
export function conversationReferences(store: ConversationStore, clock: Clock, logger: Logger): Middleware {
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const a = context.activity;
      const key = conversationKeyOf(context);
      if (key && a.serviceUrl && a.recipient?.id) {
        try {
          if (a.type === 'installationUpdate' && (a.action === 'remove' || a.action === 'remove-upgrade')) {
            await store.remove(key);
          } else {
            await store.upsert({
              key,
              serviceUrl: a.serviceUrl,
              conversationId: a.conversation.id,
              tenantId: tenantOf(context) ?? LOCAL_TENANT,
              conversationType: a.conversation.conversationType,
              userId: a.from?.id,
              aadObjectId: a.from?.aadObjectId,
              botId: a.recipient.id,
              botName: a.recipient.name,
              updatedAt: clock.now().toISOString(),
            });
          }
        } catch (error) {
          // A lost reference costs a notification later, not this turn: answer the user anyway.
          logger.warn({ err: error }, 'could not record the conversation reference');
        }
      }
      await next();
    },
  };
}
