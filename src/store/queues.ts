/**
 * The durable work queues behind proactive notifications: the outbox of notifications to send,
 * the tracking schedule of escalations to poll, and the conversation references they are
 * sent to. Leases (owner + expiry) make each row worked by one instance at a time, and let a
 * crashed instance's work be taken over once its lease runs out.
 */
import type { NotificationKind, PlannedNotification } from '../domain/notifications';
import type { TrackingTarget } from '../domain/tracking';

export type { NotificationKind, TrackingTarget };

/**
 * Where a notification is in its life. `pending`: not sent yet (it may be leased to a worker
 * about to send it); `sending`: a send was started, so it may have arrived.
 */
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'dead';

/**
 * What the outbox takes: a planned notification (`planNotifications`), to which the store gives
 * a fresh id, or one with an id of the caller's choosing. Its dedupe key is unique across the
 * outbox: a second notification with the same key is silently skipped.
 */
export interface NotificationInput extends PlannedNotification {
  /** Unique id, also the idempotency key of the send; default: a fresh UUID. */
  readonly id?: string;
}

/** A notification to enqueue with its own id. */
export interface NewNotification extends NotificationInput {
  readonly id: string;
}

/** A stored notification. */
export interface Notification {
  readonly id: string;
  readonly escalationId: string;
  readonly kind: NotificationKind;
  readonly target: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly dedupeKey: string;
  readonly status: NotificationStatus;
  /** Sends started so far: one per HTTP request to the channel. */
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: string;
  readonly sentActivityId?: string;
  readonly lastError?: string;
  readonly createdAt: string;
}

/** A notification handed to a worker by `claimDue`. */
export interface ClaimedNotification extends Notification {
  /**
   * The row was `sending` when claimed: a previous worker's lease ran out with a send possibly
   * in flight, so the message may already have been delivered.
   */
  readonly reclaimed: boolean;
}

/** How a failed attempt is put back. */
export interface RescheduleInput {
  readonly nextAttemptAt: Date;
  /** Short reason for the log and the row (no message text). */
  readonly error: string;
}

/** What a claim leaves out. */
export interface ClaimOptions {
  /** Conversation keys whose notifications are not claimed this time. */
  readonly excludeTargets?: readonly string[];
}

/** Notifications waiting to be sent, with leases. */
export interface OutboxStore {
  /** Enqueues notifications on their own (reminders); returns how many were new (dedupe keys skip the rest). */
  enqueue(notifications: readonly NotificationInput[], now: Date): Promise<number>;
  /**
   * Leases up to `limit` due notifications to `owner` for `leaseMs`: pending ones whose time has
   * come, and `sending` ones whose lease expired (flagged `reclaimed`). The status is left as
   * it was: `markSending` says when a send actually starts.
   * Oldest first; a row leased by another live owner is skipped, never waited for, and so are
   * rows for `excludeTargets` (conversations the caller is still sending to).
   */
  claimDue(owner: string, now: Date, limit: number, leaseMs: number, options?: ClaimOptions): Promise<ClaimedNotification[]>;
  /**
   * Marks a claimed notification `sending` and counts the attempt, right before its request
   * leaves; false when `owner` no longer holds the lease (then it must not be sent).
   */
  markSending(id: string, owner: string, now: Date): Promise<boolean>;
  /** Records delivery; false when `owner` no longer holds the lease (someone else took it over). */
  markSent(id: string, owner: string, activityId: string, now: Date): Promise<boolean>;
  /** Puts a claimed notification back as pending for a later attempt; false when the lease was lost. */
  reschedule(id: string, owner: string, input: RescheduleInput, now: Date): Promise<boolean>;
  /** Gives up on a notification for good; false when the lease was lost. */
  markDead(id: string, owner: string, reason: string, now: Date): Promise<boolean>;
  /** One notification. */
  get(id: string): Promise<Notification | undefined>;
  /** An escalation's notifications, in the order they were enqueued. */
  listForEscalation(escalationId: string): Promise<readonly Notification[]>;
}

/**
 * The outbox workers sending to Teams now, across instances: Teams' limits are per bot, so each
 * of n workers holds 1/n of them. A worker beats while it runs; one silent for `ttlMs` (a
 * process killed) no longer counts.
 */
export interface SenderRoster {
  /** Records that `owner` sends at `now`; answers how many senders beat within `ttlMs` before `now`, itself included. */
  liveSenders(owner: string, now: Date, ttlMs: number): Promise<number>;
  /** `owner` stopped sending (a graceful stop): the others take its share at their next beat. */
  retireSender(owner: string): Promise<void>;
}

/** A tracking row: what to poll and when. */
export interface TrackedItem extends TrackingTarget {
  readonly escalationId: string;
  readonly nextPollAt: string;
  /** The current polling interval (adaptive). */
  readonly intervalMs: number;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: string;
  /** The last status observed upstream (e.g. `open`), for change detection and logs. */
  readonly lastObserved?: string;
}

/** When and how to poll next. */
export interface ScheduleInput {
  readonly nextPollAt: Date;
  readonly intervalMs: number;
  readonly lastObserved?: string;
}

/** The polling schedule of tracked escalations, with leases. */
export interface TrackingStore {
  /**
   * Leases up to `limit` escalations due for polling to `owner` for `leaseMs`; rows leased by a
   * live owner are skipped (each escalation is polled by one instance at a time).
   */
  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TrackedItem[]>;
  /** Sets the next poll and releases the lease; false when `owner` no longer holds it or the row is gone. */
  schedule(escalationId: string, owner: string, input: ScheduleInput): Promise<boolean>;
  /** Polls the escalation at the next opportunity with the shortest interval (e.g. after the engineer added a note). */
  pollNow(escalationId: string, now: Date, intervalMs: number): Promise<boolean>;
  /** One tracking row. */
  get(escalationId: string): Promise<TrackedItem | undefined>;
}

/** Why proactive messages cannot reach a conversation. */
export type UnreachableReason = 'ConversationBlockedByUser' | 'BotNotInConversationRoster' | (string & {});

/** A stored conversation reference: enough to send proactively. */
export interface ConversationRecord {
  /** Caller-chosen key (see `conversationKey`). */
  readonly key: string;
  readonly serviceUrl: string;
  readonly conversationId: string;
  readonly tenantId: string;
  readonly conversationType?: string;
  readonly userId?: string;
  readonly aadObjectId?: string;
  readonly botId: string;
  readonly botName?: string;
  readonly updatedAt: string;
  readonly unreachable?: { readonly reason: UnreachableReason; readonly at: string };
}

/** Conversation references for proactive messages. */
export interface ConversationStore {
  /** Inserts or replaces a reference; a reinstall (upsert) clears `unreachable`. */
  upsert(record: Omit<ConversationRecord, 'unreachable'>): Promise<void>;
  /** One reference. */
  get(key: string): Promise<ConversationRecord | undefined>;
  /** Removes a reference (uninstall); missing keys are ignored. */
  remove(key: string): Promise<void>;
  /** Stops proactive sends there until the next upsert; false when the key is unknown. */
  markUnreachable(key: string, reason: UnreachableReason, now: Date): Promise<boolean>;
  /** References in key order, `limit` at a time (default 50, at most 500), after `cursor`. */
  list(options?: { readonly limit?: number; readonly cursor?: string; readonly tenantId?: string }): Promise<{
    readonly items: readonly ConversationRecord[];
    readonly nextCursor?: string;
  }>;
}

/** The usual reference key: tenant and conversation id. */
export function conversationKey(tenantId: string, conversationId: string): string {
  return `${tenantId.toLowerCase()}|${conversationId}`;
}
