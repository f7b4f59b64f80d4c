/**
 * What the incident channel is sent about an incident: one card per incident, updated in place
 * at most once per coalescing window however many customers join or posts arrive, and a reply in
 * the card's thread only when it matters (Microsoft posted, the status changed, it was resolved or
 * reopened, the post-incident review was published). The resolution's reply stands for the
 * status and post that came with it. The card is updated in its own thread's conversation
 * (`<channel>;messageid=<post>`: the conversation Teams made for the post). When the channel moves,
 * an open incident's card is posted again in the new one. Replies planned before the card's thread exists (its post not
 * yet sent) are held and sent once it does, so none is lost.
 *
 * Pure: the caller renders each planned message, enqueues it in the outbox with its dedupe key
 * (which makes it happen once even when several instances plan it), and stores the card state.
 */
import { sameValue, type Incident, type IncidentEvent } from './incidents';

/** A reply in the incident card's thread. `key` makes its dedupe key. */
export type IncidentReply =
  | { readonly kind: 'update'; readonly key: string; readonly changes: readonly ReplyChange[] }
  | { readonly kind: 'resolved'; readonly key: string }
  | { readonly kind: 'post_incident_review'; readonly key: string };

/** One thing an update reply says. */
export type ReplyChange =
  | { readonly kind: 'status'; readonly from: string; readonly to: string }
  | { readonly kind: 'post'; readonly createdDateTime: string }
  | { readonly kind: 'reopened' };

/** Where the incident's card is and what it still owes the channel. */
export interface IncidentCardState {
  /** Conversation reference key of the channel the card was posted to. */
  readonly channel: string;
  /** Outbox id of the card's post: its sent activity id is the card's. */
  readonly postId: string;
  readonly postedAt: string;
  /** The card's activity, once the post was sent. */
  readonly activityId?: string;
  /** Conversation reference key of the card's thread (replies go there), once known. */
  readonly threadKey?: string;
  /** When the card was last posted or updated: the next update waits a window from here. */
  readonly lastUpdateAt: string;
  /** Since when the card shows less than the record (an update is owed). */
  readonly staleSince?: string;
  /** Replies waiting for the thread to exist. */
  readonly heldReplies: readonly IncidentReply[];
  /** The post was given up (e.g. the channel removed the bot): nothing more is sent for this card. */
  readonly failed?: string;
  /** When card work is next due (an owed update, or checking whether the post was sent). */
  readonly dueAt?: string;
}

/** A message to enqueue for the incident channel. */
export type PlannedIncidentMessage =
  | { readonly kind: 'post_card'; readonly incidentId: string; readonly id: string; readonly target: string; readonly dedupeKey: string }
  | {
      readonly kind: 'update_card';
      readonly incidentId: string;
      readonly target: string;
      readonly activityId: string;
      readonly dedupeKey: string;
    }
  | { readonly kind: 'reply'; readonly incidentId: string; readonly target: string; readonly reply: IncidentReply; readonly dedupeKey: string };

/** Timing of the card. */
export interface CardTiming {
  /** At most one card update per window (the post counts as one). */
  readonly windowMs: number;
  /** How soon to look again whether the card's post was sent (its activity id known). */
  readonly postCheckMs: number;
}

/** Defaults: one update a minute at most per incident, well inside Teams' 60 per 30 s per conversation. */
export const DEFAULT_CARD_TIMING: CardTiming = Object.freeze({ windowMs: 60_000, postCheckMs: 5_000 });

/** What `planIncidentMessages` reads. */
export interface PlanInput {
  readonly incident: Incident;
  /** What the merge changed (empty for a due card's flush). */
  readonly events: readonly IncidentEvent[];
  readonly card?: IncidentCardState;
  /** The incident channel (a conversation reference key); undefined while none is set (`incidents off`). */
  readonly channel?: string;
  readonly now: string;
  readonly timing?: CardTiming;
  /** A fresh outbox id for a card's post. */
  readonly newId: () => string;
}

/** The messages to enqueue and the card state to store with them. */
export interface PlannedMessages {
  readonly card?: IncidentCardState;
  readonly messages: readonly PlannedIncidentMessage[];
}

/**
 * Plans the channel's messages for one incident. Without a channel nothing is sent (the card keeps
 * what it owes). An open incident without a card gets its card posted; an existing card gets its
 * replies (once its thread exists) and at most one update per window.
 */
export function planIncidentMessages(input: PlanInput): PlannedMessages {
  const { incident, events, card, channel, now } = input;
  const timing = input.timing ?? DEFAULT_CARD_TIMING;
  const nowMs = Date.parse(now);
  if (channel === undefined) {
    return { ...(card ? { card: withoutDue({ ...card, ...stale(card, events, now) }) } : {}), messages: [] };
  }
  if (!card || (card.channel !== channel && !incident.resolved)) {
    // No card yet, or the channel moved (`incidents here` elsewhere): an open incident gets its card there.
    if (incident.resolved) return { messages: [] };
    const id = input.newId();
    const posted: IncidentCardState = {
      channel,
      postId: id,
      postedAt: now,
      lastUpdateAt: now,
      heldReplies: [],
      dueAt: iso(nowMs + timing.postCheckMs),
    };
    // The post's own id in the key: a channel set again after a move gets the card again (the
    // versioned save of the incident already makes one instance's plan the only one).
    const dedupeKey = `incident_card:${incident.id}:${channel}:${id}`;
    return { card: posted, messages: [{ kind: 'post_card', incidentId: incident.id, id, target: channel, dedupeKey }] };
  }
  if (card.failed !== undefined) return { card: withoutDue(card), messages: [] };

  const replies = [...card.heldReplies, ...repliesFor(incident, events)];
  let next: IncidentCardState = { ...card, ...stale(card, events, now), heldReplies: [] };
  const messages: PlannedIncidentMessage[] = [];
  if (next.activityId === undefined || next.threadKey === undefined) {
    // The post is not sent yet: nothing to update or reply under; look again soon.
    return { card: { ...next, heldReplies: replies, dueAt: iso(nowMs + timing.postCheckMs) }, messages };
  }
  for (const reply of replies) {
    messages.push({ kind: 'reply', incidentId: incident.id, target: next.threadKey, reply, dedupeKey: `incident_reply:${incident.id}:${reply.key}` });
  }
  const updateAt = Date.parse(next.lastUpdateAt) + timing.windowMs;
  if (next.staleSince !== undefined && nowMs >= updateAt) {
    messages.push({
      kind: 'update_card',
      incidentId: incident.id,
      // The post's own conversation (`<channel>;messageid=<post>`), as Teams answered its creation.
      target: next.threadKey,
      activityId: next.activityId,
      dedupeKey: `incident_card_update:${incident.id}:${now}`,
    });
    const { staleSince: _s, ...fresh } = next;
    next = withoutDue({ ...fresh, lastUpdateAt: now });
  } else {
    next = next.staleSince !== undefined ? { ...next, dueAt: iso(updateAt) } : withoutDue(next);
  }
  return { card: next, messages };
}

/** The card once its post was sent: its activity and the conversation key of its thread. */
export function cardPosted(card: IncidentCardState, activityId: string, threadKey: string): IncidentCardState {
  return { ...card, activityId, threadKey };
}

/** The card whose post was given up: nothing more is sent for it. */
export function cardFailed(card: IncidentCardState, reason: string): IncidentCardState {
  return withoutDue({ ...card, failed: reason.slice(0, 200), heldReplies: [] });
}

/** The thread replies a round's events call for. */
export function repliesFor(incident: Incident, events: readonly IncidentEvent[]): IncidentReply[] {
  const has = (kind: IncidentEvent['kind']): boolean => events.some((e) => e.kind === kind);
  const replies: IncidentReply[] = [];
  if (has('resolved')) {
    // Its final post and status go in the resolution's reply.
    replies.push({ kind: 'resolved', key: `resolved:${incident.lastModifiedDateTime}` });
  } else {
    const changes: ReplyChange[] = [];
    if (has('reopened')) changes.push({ kind: 'reopened' });
    for (const e of events) {
      if (e.kind === 'status_changed' && !sameValue(e.from, e.to)) changes.push({ kind: 'status', from: e.from, to: e.to });
      if (e.kind === 'post_added') changes.push({ kind: 'post', createdDateTime: e.post.createdDateTime });
    }
    if (changes.length > 0) {
      const latest = incident.posts[incident.posts.length - 1]?.createdDateTime ?? '';
      replies.push({ kind: 'update', key: `update:${incident.status.toLowerCase()}:${incident.posts.length}:${latest}:${incident.resolved ? 'r' : 'o'}`, changes });
    }
  }
  if (has('post_incident_review')) replies.push({ kind: 'post_incident_review', key: 'post_incident_review' });
  return replies;
}

/** Marks the card stale when the round changed anything it shows. */
function stale(card: IncidentCardState, events: readonly IncidentEvent[], now: string): Pick<IncidentCardState, 'staleSince'> {
  if (card.staleSince !== undefined) return { staleSince: card.staleSince };
  return events.length > 0 ? { staleSince: now } : {};
}

function withoutDue(card: IncidentCardState): IncidentCardState {
  const { dueAt: _d, ...rest } = card;
  return rest;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
