/**
 * The `outbox` table in both dialects: how a notification is inserted (with its escalation's
 * change, or on its own), when one is due, and the lease-fenced updates of its sending. Only
 * the claim differs by dialect (PostgreSQL leases with `FOR UPDATE SKIP LOCKED`, SQLite relies
 * on its single writer), so it is written in each store.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimedNotification, Notification, NotificationInput, NotificationKind, NotificationStatus } from './queues';
import { fromJsonColumn, iso, placeholders, sortableTimestamp, type Statement } from './sql';

/** The columns a new notification is inserted with, in this order. */
export const NOTIFICATION_COLUMNS = [
  'id',
  'escalation_id',
  'kind',
  'target',
  'payload',
  'dedupe_key',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
] as const;

/** A new notification's row (`payload` as an object), by the names of NOTIFICATION_COLUMNS. */
export function notificationRow(n: NotificationInput, now: string): { readonly [C in (typeof NOTIFICATION_COLUMNS)[number]]: unknown } {
  const id = n.id ?? randomUUID();
  const notBefore = n.notBefore === undefined ? now : sortableTimestamp(n.notBefore, 'notBefore', id);
  return {
    id,
    escalation_id: n.escalationId,
    kind: n.kind,
    target: n.target,
    payload: n.payload,
    dedupe_key: n.dedupeKey,
    status: 'pending',
    attempts: 0,
    next_attempt_at: notBefore,
    created_at: now,
    updated_at: now,
  };
}

/** The INSERT of one notification; a repeated id or dedupe key is skipped. */
export function insertNotification(n: NotificationInput, now: string): Statement {
  const row = notificationRow(n, now);
  return {
    sql: `INSERT INTO outbox (${NOTIFICATION_COLUMNS.join(', ')}) VALUES (${placeholders(NOTIFICATION_COLUMNS.length)}) ON CONFLICT DO NOTHING`,
    params: NOTIFICATION_COLUMNS.map((c) => (c === 'payload' ? JSON.stringify(row.payload) : row[c])),
  };
}

/** Columns of the outbox as both drivers return them. */
export interface OutboxRow {
  readonly seq: number | string;
  readonly id: string;
  readonly escalation_id: string;
  readonly kind: string;
  readonly target: string;
  readonly payload: unknown;
  readonly dedupe_key: string;
  readonly status: string;
  readonly attempts: number | string;
  readonly next_attempt_at: string;
  readonly lease_owner: string | null;
  readonly lease_expires_at: string | null;
  readonly sent_activity_id: string | null;
  readonly last_error: string | null;
  readonly created_at: string;
}

/** Rebuilds a notification from its row. */
export function fromOutboxRow(row: OutboxRow): Notification {
  return {
    id: row.id,
    escalationId: row.escalation_id,
    kind: row.kind as NotificationKind,
    target: row.target,
    payload: fromJsonColumn<Record<string, unknown>>(row.payload),
    dedupeKey: row.dedupe_key,
    status: row.status as NotificationStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    ...(row.sent_activity_id === null ? {} : { sentActivityId: row.sent_activity_id }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

/** A claimed row, flagged when it had been `sending` before (a send may have happened). */
export function fromClaimedRow(row: OutboxRow, previousStatus: string): ClaimedNotification {
  return { ...fromOutboxRow(row), reclaimed: previousStatus === 'sending' };
}

/**
 * Due notifications: pending, due and not leased by a live claim, or sending with an expired
 * lease (a worker died with a send possibly in flight).
 */
export const OUTBOX_DUE_CONDITION = `((status = 'pending' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?))
  OR (status = 'sending' AND lease_expires_at <= ?))`;

/**
 * The due condition and its parameters, leaving out conversations the worker is still busy
 * with: their rows wait unleased instead of queueing behind a slow send with their lease ticking.
 */
export function outboxDue(now: string, excludeTargets: readonly string[] = []): Statement {
  const targets = [...new Set(excludeTargets)];
  const excluded = targets.length > 0 ? ` AND target NOT IN (${placeholders(targets.length)})` : '';
  return { sql: `${OUTBOX_DUE_CONDITION}${excluded}`, params: [now, now, now, ...targets] };
}

/** A claimed row, by its lease holder: claimed and not yet sending (`pending`), or sending. */
const HELD_BY = "id = ? AND status IN ('pending', 'sending') AND lease_owner = ?";

/**
 * Marks a claimed row as being sent, right before its HTTP request leaves, and counts the
 * attempt: from here a crash leaves a possibly delivered message (`sending`), before it a
 * message certainly not sent (`pending`, resent after the lease without doubt).
 */
export function markSendingSql(id: string, owner: string, now: Date): Statement {
  return {
    sql: `UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE ${HELD_BY}`,
    params: [iso(now), id, owner],
  };
}

/** Marks a claimed row sent, only for the owner holding it. */
export function markSentSql(id: string, owner: string, activityId: string, now: Date): Statement {
  return {
    sql: `UPDATE outbox SET status = 'sent', sent_activity_id = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE ${HELD_BY}`,
    params: [activityId, iso(now), id, owner],
  };
}

/** Puts a claimed row back as pending: the channel refused it, or it was never sent. */
export function rescheduleSql(id: string, owner: string, nextAttemptAt: Date, error: string, now: Date): Statement {
  return {
    sql: `UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE ${HELD_BY}`,
    params: [iso(nextAttemptAt), error.slice(0, 200), iso(now), id, owner],
  };
}

/** Gives up on a claimed row. */
export function markDeadSql(id: string, owner: string, reason: string, now: Date): Statement {
  return {
    sql: `UPDATE outbox SET status = 'dead', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE ${HELD_BY}`,
    params: [reason.slice(0, 200), iso(now), id, owner],
  };
}

/**
 * The `heartbeat` rows of outbox workers (`SenderRoster`): `outbox:<owner>`, stamped with each
 * instance's own clock (instances are expected to keep time within a second of each other).
 */
const SENDER_ROW = 'outbox:';
/** Rows of senders silent this many times their time to live are deleted as they are seen. */
const SENDER_ROWS_KEPT_TTLS = 10;

/** A sender's beat, what clears long-silent senders, and the count of live ones (in this order). */
export function senderRosterSql(owner: string, now: Date, ttlMs: number): { beat: Statement; clear: Statement; count: Statement } {
  return {
    beat: { sql: 'INSERT INTO heartbeat (name, beat_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at', params: [`${SENDER_ROW}${owner}`, iso(now)] },
    clear: { sql: 'DELETE FROM heartbeat WHERE name LIKE ? AND beat_at < ?', params: [`${SENDER_ROW}%`, iso(new Date(now.getTime() - SENDER_ROWS_KEPT_TTLS * ttlMs))] },
    count: { sql: 'SELECT count(*) AS n FROM heartbeat WHERE name LIKE ? AND beat_at > ?', params: [`${SENDER_ROW}%`, iso(new Date(now.getTime() - ttlMs))] },
  };
}

/** Removing a sender's beat. */
export function retireSenderSql(owner: string): Statement {
  return { sql: 'DELETE FROM heartbeat WHERE name = ?', params: [`${SENDER_ROW}${owner}`] };
}
