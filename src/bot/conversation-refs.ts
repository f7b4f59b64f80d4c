/**
 * Keeps the durable conversation references proactive messages need: written on install and
 * on every incoming activity (so the serviceUrl stays the one the user's traffic uses), removed
 * on uninstall. Runs after the tenant allow-list, so refused tenants leave nothing behind.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { conversationKey, type ConversationRecord, type ConversationStore } from '../store/queues';
import { tenantOf } from './turn-context';

/** The tenant used for turns that carry none (the local playground). */
export const LOCAL_TENANT = 'local';

/** The reference key of the conversation a turn came from. */
export function conversationKeyOf(context: TurnContext): string | undefined {
  const id = context.activity.conversation?.id;
  return id ? conversationKey(tenantOf(context) ?? LOCAL_TENANT, id) : undefined;
}

/** A channel's root conversation: the id without the `;messageid=…` of the thread a post lives in. */
export function channelRootId(conversationId: string): string {
  return conversationId.split(';messageid=')[0] ?? conversationId;
}

/**
 * The reference of the team channel a turn came from, at its root (where a proactive send starts a
 * new post, rather than replying in the thread the turn came from); undefined outside a channel.
 */
export function channelRootReferenceOf(context: TurnContext, at: Date): Omit<ConversationRecord, 'unreachable'> | undefined {
  const reference = referenceOf(context, at);
  if (!reference || context.activity.conversation?.conversationType !== 'channel') return undefined;
  const conversationId = channelRootId(reference.conversationId);
  return { ...reference, conversationId, key: conversationKey(reference.tenantId, conversationId) };
}

/** How long an unchanged reference is not written again (a message stream would rewrite it every turn). */
const REWRITE_AFTER_MS = 10 * 60_000;
/** References remembered as recently written, per middleware instance. */
const MAX_REMEMBERED = 10_000;

/** The reference a turn carries, or undefined when the activity lacks what a proactive send needs. */
function referenceOf(context: TurnContext, at: Date): Omit<ConversationRecord, 'unreachable'> | undefined {
  const a = context.activity;
  const key = conversationKeyOf(context);
  if (!key || !a.serviceUrl || !a.recipient?.id) return undefined;
  return {
    key,
    serviceUrl: a.serviceUrl,
    conversationId: a.conversation.id,
    tenantId: tenantOf(context) ?? LOCAL_TENANT,
    conversationType: a.conversation.conversationType,
    userId: a.from?.id,
    aadObjectId: a.from?.aadObjectId,
    botId: a.recipient.id,
    botName: a.recipient.name,
    updatedAt: at.toISOString(),
  };
}

/** Creates the middleware that records conversation references. */
export function conversationReferences(store: ConversationStore, clock: Clock, logger: Logger): Middleware {
  // key → what was last written and when, so a stream of messages does not rewrite it every turn.
  const written = new Map<string, { readonly fingerprint: string; readonly at: number }>();
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const now = clock.now();
      const reference = referenceOf(context, now);
      if (reference) {
        const a = context.activity;
        const removed = a.type === 'installationUpdate' && (a.action === 'remove' || a.action === 'remove-upgrade');
        const fingerprint = [reference.serviceUrl, reference.botId, reference.userId ?? '', reference.conversationType ?? ''].join('|');
        const last = written.get(reference.key);
        // Install events always write; an unchanged reference is rewritten only after a while.
        const unchanged =
          a.type !== 'installationUpdate' && last?.fingerprint === fingerprint && now.getTime() - last.at < REWRITE_AFTER_MS;
        try {
          written.delete(reference.key);
          if (removed) {
            await store.remove(reference.key);
          } else if (!unchanged) {
            await store.upsert(reference);
            written.set(reference.key, { fingerprint, at: now.getTime() });
            // Map order is insertion order: the first key is the least recently written.
            if (written.size > MAX_REMEMBERED) written.delete(written.keys().next().value ?? reference.key);
          } else if (last) {
            written.set(reference.key, last);
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
