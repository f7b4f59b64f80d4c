/**
 * What the tracking workers need from the outside world, as interfaces: the proactive sender
 * (implemented over botbuilder in src/bot/proactive-sender.ts) and the shape of a payload.
 * No botbuilder here.
 */
import type { NotificationPayload } from '../domain/notifications';
import type { ConversationRecord } from '../store/queues';

export type { NotificationPayload };

/** The outcome of one proactive send or update, as the connector answered it. */
export type SendResult =
  | { readonly ok: true; readonly activityId: string }
  /** 429, 412, 502, 503, 504 or a network failure: try again later (not before `retryAfterMs`). */
  | { readonly ok: false; readonly kind: 'retry'; readonly status?: number; readonly retryAfterMs?: number; readonly code?: string }
  /** 403 ConversationBlockedByUser / BotNotInConversationRoster: stop sending there until reinstalled. */
  | { readonly ok: false; readonly kind: 'unreachable'; readonly status: number; readonly code: string }
  /** 400, 401, 403, 404, 413 and the like: retrying would not help. */
  | { readonly ok: false; readonly kind: 'permanent'; readonly status?: number; readonly code?: string }
  /**
   * The request left but no answer came in time: it may have arrived. Resending a new
   * activity follows the ambiguous-delivery rule; an update can simply be repeated.
   */
  | { readonly ok: false; readonly kind: 'ambiguous'; readonly code: string };

/** What a lookup of an earlier, possibly interrupted send found. */
export type DeliveryLookup =
  | { readonly found: true; readonly activityId: string }
  | { readonly found: false }
  /** The channel cannot tell (Teams has no "get activity by client key"). */
  | { readonly found: 'unknown' };

/** Sends proactive messages to stored conversations. */
export interface ProactiveSender {
  /**
   * Sends a new activity. `idempotencyKey` is stable across retries and reclaims of one
   * notification; it travels in the activity's channelData so a duplicate can be recognised.
   */
  send(target: ConversationRecord, activity: Readonly<Record<string, unknown>>, idempotencyKey: string): Promise<SendResult>;
  /** Replaces an activity sent earlier. */
  update(target: ConversationRecord, activityId: string, activity: Readonly<Record<string, unknown>>): Promise<SendResult>;
  /** Whether an activity with this idempotency key already reached the conversation. */
  lookup(target: ConversationRecord, idempotencyKey: string): Promise<DeliveryLookup>;
}

/** The channelData field carrying the idempotency key of a send. */
export const IDEMPOTENCY_CHANNEL_DATA_KEY = 'escalationDeskNotificationId';

/** Reads a stored payload; undefined when it is not one (the notification is then given up). */
export function readPayload(payload: Readonly<Record<string, unknown>>): NotificationPayload | undefined {
  const activity = payload.activity;
  if (typeof activity !== 'object' || activity === null || Array.isArray(activity)) return undefined;
  const update = payload.updateActivityId;
  if (update !== undefined && typeof update !== 'string') return undefined;
  const m = payload.mention as { id?: unknown; name?: unknown } | undefined;
  const mention = m && typeof m === 'object' && typeof m.id === 'string' && typeof m.name === 'string' ? { mention: { id: m.id, name: m.name } } : {};
  return { activity: activity as Record<string, unknown>, ...(update ? { updateActivityId: update } : {}), ...mention };
}
