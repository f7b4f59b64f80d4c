/**
 * The incident channel's side of the sweep: a planned message as an outbox notification, what
 * became of a card's post (its activity and its thread once sent), and the record completed with
 * every customer for rendering.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock';
import { cardFailed, cardPosted, planIncidentMessages, type CardTiming, type IncidentCardState, type PlannedIncidentMessage } from '../domain/incident-messages';
import type { Incident, IncidentMerge } from '../domain/incidents';
import type { IncidentChannel, IncidentStore, StoredIncident } from '../store/incidents';
import { conversationKey, type ConversationStore, type NewNotification, type OutboxStore } from '../store/queues';
import type { IncidentRenderer } from './render';

/** A planned message as an outbox notification, rendered now; its outbox id is the post's id for a card. */
export async function channelNotification(message: PlannedIncidentMessage, incident: Incident, render: IncidentRenderer): Promise<NewNotification> {
  const activity = await render(message, incident);
  const common = { escalationId: `incident:${incident.id}`, target: message.target, dedupeKey: message.dedupeKey };
  switch (message.kind) {
    case 'post_card':
      return { ...common, id: message.id, kind: 'incident_card', payload: { activity } };
    case 'update_card':
      return { ...common, id: randomUUID(), kind: 'card_update', payload: { activity, updateActivityId: message.activityId } };
    case 'reply':
      return { ...common, id: randomUUID(), kind: 'incident_reply', payload: { activity } };
  }
}

/** The card with what became of its post: its activity and thread once sent, failed once given up. */
export async function withPostOutcome(
  card: IncidentCardState,
  outbox: Pick<OutboxStore, 'get'>,
  conversations: Pick<ConversationStore, 'get' | 'upsert'>,
  now: Date,
): Promise<IncidentCardState> {
  if (card.activityId !== undefined || card.failed !== undefined) return card;
  const post = await outbox.get(card.postId);
  if (!post) return cardFailed(card, 'post_missing');
  if (post.status === 'dead') return cardFailed(card, post.lastError ?? 'post_failed');
  if (post.status !== 'sent' || !post.sentActivityId) return card;
  const thread = await threadOf(card.channel, post.sentActivityId, conversations, now);
  return thread ? cardPosted(card, post.sentActivityId, thread) : cardFailed(card, 'no_conversation');
}

/**
 * The conversation reference of a card's thread: the channel's, with Teams' thread form of the
 * conversation id (`<channel>;messageid=<root activity>`), stored so the outbox can send there.
 */
async function threadOf(channelKey: string, activityId: string, conversations: Pick<ConversationStore, 'get' | 'upsert'>, now: Date): Promise<string | undefined> {
  const channel = await conversations.get(channelKey);
  if (!channel) return undefined;
  const { unreachable: _u, ...reference } = channel;
  const conversationId = `${channel.conversationId.split(';messageid=')[0]};messageid=${activityId}`;
  const key = conversationKey(channel.tenantId, conversationId);
  await conversations.upsert({ ...reference, key, conversationId, updatedAt: now.toISOString() });
  return key;
}

/** A record carrying some customers' entries, completed with every other customer as stored. */
export function withEveryCustomer(incident: Incident, stored: StoredIncident | undefined): Incident {
  if (!stored) return incident;
  const key = (tenantId: string): string => tenantId.toLowerCase();
  const changed = new Map(incident.customers.map((c) => [key(c.tenantId), c]));
  const known = new Set(stored.incident.customers.map((c) => key(c.tenantId)));
  const customers = stored.incident.customers.map((c) => changed.get(key(c.tenantId)) ?? c);
  return { ...incident, customers: [...customers, ...incident.customers.filter((c) => !known.has(key(c.tenantId)))] };
}

/** What `saveWithMessages` needs. */
export interface IncidentSaveDeps {
  readonly incidents: Pick<IncidentStore, 'get' | 'save'>;
  readonly clock: Clock;
  readonly render: IncidentRenderer;
  readonly cardTiming?: CardTiming;
}

/** One change of an incident to save with the channel's messages it calls for. */
export interface IncidentChange {
  readonly incident: Incident;
  /** As read: its version guards the save (none: a new incident). */
  readonly stored: StoredIncident | undefined;
  readonly merge: Pick<IncidentMerge, 'events' | 'changedCustomers'>;
  readonly channel: IncidentChannel | undefined;
  readonly card: IncidentCardState | undefined;
  /** The record carries only some customers' entries (a tenant's sweep reads only its own). */
  readonly partial: boolean;
}

/**
 * Plans the channel's messages for a changed incident and saves both in one transaction, against
 * the version read (`IncidentConflictError` otherwise). A record carrying one tenant's customer
 * entry (`partial`) is completed from the store only when a message is rendered (the card and the
 * resolution list every customer): once per window. The sweep and the card's actions both save
 * through here, so a change made either way reaches the card the same way.
 */
export async function saveWithMessages(deps: IncidentSaveDeps, change: IncidentChange): Promise<StoredIncident> {
  const { incident, stored, merge, channel, card, partial } = change;
  const plan = planIncidentMessages({
    incident,
    events: merge.events,
    card,
    channel: channel?.conversationKey,
    now: deps.clock.now().toISOString(),
    timing: deps.cardTiming,
    newId: randomUUID,
  });
  const shown = partial && plan.messages.length > 0 && stored ? withEveryCustomer(incident, await deps.incidents.get(incident.id)) : incident;
  const outbox: NewNotification[] = [];
  // A handful of messages at most (a post or an update, and the thread's replies): one at a time.
  for (const message of plan.messages) outbox.push(await channelNotification(message, shown, deps.render));
  return deps.incidents.save({
    at: deps.clock.now(),
    incident,
    expectedVersion: stored?.version ?? 0,
    changedCustomers: merge.changedCustomers,
    card: plan.card,
    outbox,
  });
}
