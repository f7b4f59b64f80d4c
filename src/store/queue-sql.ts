/**
 * SQL and row mapping of the outbox, tracking and conversation tables, shared by SQLite and
 * PostgreSQL. Statements are written with `?` placeholders; `numbered` renders them for pg.
 * Only the claims differ: PostgreSQL leases with `FOR UPDATE SKIP LOCKED`, SQLite relies on
 * its single writer (the claim runs in one IMMEDIATE transaction).
 */
import { randomUUID } from 'node:crypto';
import type { Escalation } from '../domain/escalation';
import { fromJsonColumn, sortableTimestamp } from './common';
import type {
  ClaimedNotification,
  ConversationRecord,
  NotificationInput,
  Notification,
  NotificationKind,
  NotificationStatus,
  TrackedItem,
} from './queues';
import { trackingTargetOf } from '../domain/tracking';

/** The first polling interval of a newly tracked escalation (the tracker adapts it). */
export const INITIAL_TRACKING_INTERVAL_MS = 60_000;

/** Renders `?` placeholders as `$1, $2, …` for pg. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** One statement and its parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

const iso = (d: Date): string => d.toISOString();

/** The columns a new notification is inserted with, in this order. */
export const NOTIFICATION_COLUMNS =
  'id, escalation_id, kind, target, payload, dedupe_key, status, attempts, next_attempt_at, created_at, updated_at';

/** A new notification's row (`payload` as an object), by the names of NOTIFICATION_COLUMNS. */
export function notificationRow(n: NotificationInput, now: string): Readonly<Record<string, unknown>> {
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
    sql: `INSERT INTO outbox (${NOTIFICATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    params: NOTIFICATION_COLUMNS.split(', ').map((c) => (c === 'payload' ? JSON.stringify(row.payload) : row[c])),
  };
}

/**
 * The tracking row that follows an escalation's state: upserted while there is something to
 * poll (a new reference is polled at once), deleted otherwise.
 */
export function syncTracking(escalation: Escalation): Statement {
  const row = trackingRow(escalation);
  if (!row) return { sql: 'DELETE FROM tracking WHERE escalation_id = ?', params: [escalation.id] };
  return {
    sql: `INSERT INTO tracking (${TRACKING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ${TRACKING_UPSERT}`,
    params: TRACKING_COLUMNS.split(', ').map((c) => row[c]),
  };
}

/** The columns a tracking row is written with, in this order. */
export const TRACKING_COLUMNS = 'escalation_id, kind, ref, tenant_id, next_poll_at, interval_ms, updated_at';

/** How an upsert of a tracking row treats the existing one: its schedule stays unless the target changed. */
export const TRACKING_UPSERT = `ON CONFLICT (escalation_id) DO UPDATE SET
  next_poll_at = CASE WHEN tracking.ref <> excluded.ref OR tracking.kind <> excluded.kind
    THEN excluded.next_poll_at ELSE tracking.next_poll_at END,
  interval_ms = CASE WHEN tracking.ref <> excluded.ref OR tracking.kind <> excluded.kind
    THEN excluded.interval_ms ELSE tracking.interval_ms END,
  kind = excluded.kind, ref = excluded.ref, tenant_id = excluded.tenant_id, updated_at = excluded.updated_at`;

/** The tracking row an escalation should have (by the names of TRACKING_COLUMNS), or undefined when nothing is to be polled. */
export function trackingRow(escalation: Escalation): Readonly<Record<string, unknown>> | undefined {
  const target = trackingTargetOf(escalation);
  if (!target) return undefined;
  const at = sortableTimestamp(escalation.updatedAt, 'updatedAt', escalation.id);
  return {
    escalation_id: escalation.id,
    kind: target.kind,
    ref: target.ref,
    tenant_id: target.tenantId,
    next_poll_at: at,
    interval_ms: INITIAL_TRACKING_INTERVAL_MS,
    updated_at: at,
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
  const excluded = targets.length > 0 ? ` AND target NOT IN (${targets.map(() => '?').join(', ')})` : '';
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

/** Columns of the tracking table. */
export interface TrackingRow {
  readonly escalation_id: string;
  readonly kind: string;
  readonly ref: string;
  readonly tenant_id: string;
  readonly next_poll_at: string;
  readonly interval_ms: number | string;
  readonly lease_owner: string | null;
  readonly lease_expires_at: string | null;
  readonly last_observed: string | null;
}

/** Rebuilds a tracking row. */
export function fromTrackingRow(row: TrackingRow): TrackedItem {
  return {
    escalationId: row.escalation_id,
    kind: row.kind as TrackedItem['kind'],
    ref: row.ref,
    tenantId: row.tenant_id,
    nextPollAt: row.next_poll_at,
    intervalMs: Number(row.interval_ms),
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    ...(row.last_observed === null ? {} : { lastObserved: row.last_observed }),
  };
}

/** Due tracking rows: time has come and nobody holds a live lease. */
export const TRACKING_DUE_CONDITION = 'next_poll_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)';

/**
 * Sets the next poll and releases the lease. A claim pushes `next_poll_at` to the lease expiry,
 * so an earlier `next_poll_at` now means `pollNow` was called during the poll: that wins.
 */
export function scheduleSql(escalationId: string, owner: string, nextPollAt: Date, intervalMs: number, lastObserved: string | undefined, now: Date): Statement {
  return {
    sql: `UPDATE tracking SET
            interval_ms = CASE WHEN next_poll_at < lease_expires_at THEN interval_ms ELSE CAST(? AS INTEGER) END,
            next_poll_at = CASE WHEN next_poll_at < lease_expires_at THEN next_poll_at ELSE CAST(? AS TEXT) END,
            last_observed = COALESCE(CAST(? AS TEXT), last_observed),
            lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE escalation_id = ? AND lease_owner = ?`,
    params: [Math.round(intervalMs), iso(nextPollAt), lastObserved ?? null, iso(now), escalationId, owner],
  };
}

/** Makes a tracked escalation due now with the given interval. */
export function pollNowSql(escalationId: string, now: Date, intervalMs: number): Statement {
  return {
    sql: 'UPDATE tracking SET next_poll_at = ?, interval_ms = ?, updated_at = ? WHERE escalation_id = ?',
    params: [iso(now), Math.round(intervalMs), iso(now), escalationId],
  };
}

/** Columns of the conversations table. */
export interface ConversationRow {
  readonly key: string;
  readonly service_url: string;
  readonly conversation_id: string;
  readonly tenant_id: string;
  readonly conversation_type: string | null;
  readonly user_id: string | null;
  readonly aad_object_id: string | null;
  readonly bot_id: string;
  readonly bot_name: string | null;
  readonly unreachable_reason: string | null;
  readonly unreachable_at: string | null;
  readonly updated_at: string;
}

/** Rebuilds a conversation reference. */
export function fromConversationRow(row: ConversationRow): ConversationRecord {
  return {
    key: row.key,
    serviceUrl: row.service_url,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    botId: row.bot_id,
    updatedAt: row.updated_at,
    ...(row.conversation_type === null ? {} : { conversationType: row.conversation_type }),
    ...(row.user_id === null ? {} : { userId: row.user_id }),
    ...(row.aad_object_id === null ? {} : { aadObjectId: row.aad_object_id }),
    ...(row.bot_name === null ? {} : { botName: row.bot_name }),
    ...(row.unreachable_reason === null
      ? {}
      : { unreachable: { reason: row.unreachable_reason, at: row.unreachable_at ?? row.updated_at } }),
  };
}

/** Inserts or replaces a reference; a reinstall clears `unreachable`. */
export function upsertConversationSql(r: Omit<ConversationRecord, 'unreachable'>): Statement {
  return {
    sql: `INSERT INTO conversations (key, service_url, conversation_id, tenant_id, conversation_type, user_id, aad_object_id, bot_id, bot_name, unreachable_reason, unreachable_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
          ON CONFLICT (key) DO UPDATE SET service_url = excluded.service_url, conversation_id = excluded.conversation_id,
            tenant_id = excluded.tenant_id, conversation_type = excluded.conversation_type, user_id = excluded.user_id,
            aad_object_id = excluded.aad_object_id, bot_id = excluded.bot_id, bot_name = excluded.bot_name,
            unreachable_reason = NULL, unreachable_at = NULL, updated_at = excluded.updated_at`,
    params: [
      r.key,
      r.serviceUrl,
      r.conversationId,
      r.tenantId,
      r.conversationType ?? null,
      r.userId ?? null,
      r.aadObjectId ?? null,
      r.botId,
      r.botName ?? null,
      r.updatedAt,
    ],
  };
}

/** Marks a reference unreachable. */
export function markUnreachableSql(key: string, reason: string, now: Date): Statement {
  return {
    sql: 'UPDATE conversations SET unreachable_reason = ?, unreachable_at = ? WHERE key = ?',
    params: [reason.slice(0, 100), iso(now), key],
  };
}

/** One page of references in key order (one row more than the page, to learn if another follows). */
export function listConversationsSql(options: { limit: number; cursor?: string; tenantId?: string }): Statement {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (options.cursor !== undefined) {
    conditions.push('key > ?');
    params.push(decodeKeyCursor(options.cursor));
  }
  if (options.tenantId !== undefined) {
    conditions.push('tenant_id = ?');
    params.push(options.tenantId);
  }
  params.push(options.limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT * FROM conversations ${where} ORDER BY key LIMIT ?`, params };
}

/** Cuts fetched references into a page and the next cursor. */
export function toConversationPage(
  rows: readonly ConversationRow[],
  limit: number,
): { items: ConversationRecord[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map(fromConversationRow);
  if (rows.length <= limit) return { items };
  return { items, nextCursor: Buffer.from(items[items.length - 1].key, 'utf8').toString('base64url') };
}

function decodeKeyCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '') throw new RangeError('Invalid list cursor: not a cursor returned by list().');
  return key;
}
