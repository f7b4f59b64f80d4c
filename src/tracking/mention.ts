/**
 * A notification posted where several people read it (a team channel, a group chat) @mentions
 * the escalation's owner, so Teams tells them even when they do not follow the thread: the
 * activity's text starts with `<at>Name</at>` and carries the matching `mention` entity. A
 * personal chat is the owner's own: no mention there.
 */
import type { Mention, NotificationPayload } from '../domain/notifications';
import type { ConversationRecord } from '../store/queues';

/** Conversation types where a message is read by several people. */
const SHARED_CONVERSATIONS: ReadonlySet<string> = new Set(['channel', 'groupChat']);

/** A name as Teams shows it inside `<at>…</at>`: no markup of its own, bounded. */
function mentionName(name: string): string {
  return name.replace(/[<>]/g, '').replace(/\s+/g, ' ').trim().slice(0, 100);
}

/** The activity a new notification sends to `target`: with the owner @mentioned where the conversation is shared. */
export function withMention(payload: NotificationPayload, target: Pick<ConversationRecord, 'conversationType'>): Readonly<Record<string, unknown>> {
  const { activity, mention } = payload;
  if (!mention || !SHARED_CONVERSATIONS.has(target.conversationType ?? '')) return activity;
  return mentioning(activity, mention);
}

/** `activity` with `mention` at the start of its text and among its entities. */
export function mentioning(activity: Readonly<Record<string, unknown>>, mention: Mention): Readonly<Record<string, unknown>> {
  const name = mentionName(mention.name);
  if (name === '') return activity;
  const at = `<at>${name}</at>`;
  const text = typeof activity.text === 'string' && activity.text !== '' ? `${at} ${activity.text}` : at;
  const entities = Array.isArray(activity.entities) ? (activity.entities as unknown[]) : [];
  return { ...activity, text, entities: [...entities, { type: 'mention', text: at, mentioned: { id: mention.id, name } }] };
}
