/**
 * The durable queues in PostgreSQL: the notification outbox, the tracking schedule and the
 * conversation references. Claims lease rows with `FOR UPDATE SKIP LOCKED`, so instances never
 * wait on each other.
 */
import {
  fromConversationRow,
  listConversationsSql,
  markUnreachableSql,
  toConversationPage,
  upsertConversationSql,
  type ConversationRow,
} from './conversation-sql';
import {
  fromClaimedRow,
  fromOutboxRow,
  insertNotification,
  markDeadSql,
  markSendingSql,
  markSentSql,
  outboxDue,
  rescheduleSql,
  retireSenderSql,
  senderRosterSql,
  type OutboxRow,
} from './outbox-sql';
import { run, type PostgresSession } from './postgres-session';
import type {
  ClaimOptions,
  ClaimedNotification,
  ConversationRecord,
  ConversationStore,
  Notification,
  NotificationInput,
  OutboxStore,
  RescheduleInput,
  ScheduleInput,
  SenderRoster,
  TrackedItem,
  TrackingStore,
} from './queues';
import { effectiveLimit } from './sql';
import { TRACKING_DUE_CONDITION, fromTrackingRow, pollNowSql, scheduleSql, type TrackingRow } from './tracking-sql';

/** The outbox in PostgreSQL: claims lease rows with FOR UPDATE SKIP LOCKED, so instances never wait on each other. */
export class PostgresOutboxStore implements OutboxStore, SenderRoster {
  constructor(private readonly session: PostgresSession) {}

  async enqueue(notifications: readonly NotificationInput[], now: Date): Promise<number> {
    if (notifications.length === 0) return 0;
    return this.session.transaction(async (client) => {
      let added = 0;
      for (const n of notifications) added += (await run(client, insertNotification(n, now.toISOString()))).rowCount ?? 0;
      return added;
    });
  }

  async claimDue(owner: string, now: Date, limit: number, leaseMs: number, options: ClaimOptions = {}): Promise<ClaimedNotification[]> {
    const at = now.toISOString();
    const expires = new Date(now.getTime() + leaseMs).toISOString();
    const condition = outboxDue(at, options.excludeTargets);
    const result = await run<OutboxRow & { previous_status: string }>(this.session.queryable, {
      sql: `WITH due AS (
              SELECT seq, status AS previous_status FROM outbox WHERE ${condition.sql}
              ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox o SET lease_owner = ?, lease_expires_at = ?, updated_at = ?
            FROM due WHERE o.seq = due.seq
            RETURNING o.*, due.previous_status`,
      params: [...condition.params, Math.max(1, Math.floor(limit)), owner, expires, at],
    });
    // RETURNING has no defined order: restore enqueue order.
    return result.rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((row) => fromClaimedRow(row, row.previous_status));
  }

  async markSending(id: string, owner: string, now: Date): Promise<boolean> {
    return (await run(this.session.queryable, markSendingSql(id, owner, now))).rowCount === 1;
  }

  async markSent(id: string, owner: string, activityId: string, now: Date): Promise<boolean> {
    return (await run(this.session.queryable, markSentSql(id, owner, activityId, now))).rowCount === 1;
  }

  async reschedule(id: string, owner: string, input: RescheduleInput, now: Date): Promise<boolean> {
    const statement = rescheduleSql(id, owner, input.nextAttemptAt, input.error, now);
    return (await run(this.session.queryable, statement)).rowCount === 1;
  }

  async markDead(id: string, owner: string, reason: string, now: Date): Promise<boolean> {
    return (await run(this.session.queryable, markDeadSql(id, owner, reason, now))).rowCount === 1;
  }

  async get(id: string): Promise<Notification | undefined> {
    const result = await this.session.queryable.query<OutboxRow>('SELECT * FROM outbox WHERE id = $1', [id]);
    return result.rows[0] === undefined ? undefined : fromOutboxRow(result.rows[0]);
  }

  async listForEscalation(escalationId: string): Promise<readonly Notification[]> {
    const result = await this.session.queryable.query<OutboxRow>('SELECT * FROM outbox WHERE escalation_id = $1 ORDER BY seq', [
      escalationId,
    ]);
    return result.rows.map(fromOutboxRow);
  }

  async liveSenders(owner: string, now: Date, ttlMs: number): Promise<number> {
    const { beat, clear, count } = senderRosterSql(owner, now, ttlMs);
    // Its own beat committed first, so the count (a statement of its own) sees it.
    await run(this.session.queryable, beat);
    await run(this.session.queryable, clear);
    const result = await run<{ n: string | number }>(this.session.queryable, count);
    return Number(result.rows[0]?.n ?? 1);
  }

  async retireSender(owner: string): Promise<void> {
    await run(this.session.queryable, retireSenderSql(owner));
  }
}

/** The tracking schedule in PostgreSQL, leased with FOR UPDATE SKIP LOCKED. */
export class PostgresTrackingStore implements TrackingStore {
  constructor(private readonly session: PostgresSession) {}

  async claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TrackedItem[]> {
    const at = now.toISOString();
    const expires = new Date(now.getTime() + leaseMs).toISOString();
    // next_poll_at moves to the lease expiry: see scheduleSql for how pollNow during a poll is kept.
    const result = await run<TrackingRow>(this.session.queryable, {
      sql: `WITH due AS (
              SELECT escalation_id FROM tracking WHERE ${TRACKING_DUE_CONDITION}
              ORDER BY next_poll_at, escalation_id LIMIT ? FOR UPDATE SKIP LOCKED
            )
            UPDATE tracking t SET lease_owner = ?, lease_expires_at = ?, next_poll_at = ?, updated_at = ?
            FROM due WHERE t.escalation_id = due.escalation_id
            RETURNING t.*`,
      params: [at, at, Math.max(1, Math.floor(limit)), owner, expires, expires, at],
    });
    return result.rows.map(fromTrackingRow);
  }

  async schedule(escalationId: string, owner: string, input: ScheduleInput): Promise<boolean> {
    const statement = scheduleSql(escalationId, owner, input.nextPollAt, input.intervalMs, input.lastObserved, new Date());
    return (await run(this.session.queryable, statement)).rowCount === 1;
  }

  async pollNow(escalationId: string, now: Date, intervalMs: number): Promise<boolean> {
    return (await run(this.session.queryable, pollNowSql(escalationId, now, intervalMs))).rowCount === 1;
  }

  async get(escalationId: string): Promise<TrackedItem | undefined> {
    const result = await this.session.queryable.query<TrackingRow>('SELECT * FROM tracking WHERE escalation_id = $1', [escalationId]);
    return result.rows[0] === undefined ? undefined : fromTrackingRow(result.rows[0]);
  }
}

/** Conversation references in PostgreSQL. */
export class PostgresConversationStore implements ConversationStore {
  constructor(private readonly session: PostgresSession) {}

  async upsert(record: Omit<ConversationRecord, 'unreachable'>): Promise<void> {
    await run(this.session.queryable, upsertConversationSql(record));
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    const result = await this.session.queryable.query<ConversationRow>('SELECT * FROM conversations WHERE key = $1', [key]);
    return result.rows[0] === undefined ? undefined : fromConversationRow(result.rows[0]);
  }

  async remove(key: string): Promise<void> {
    await this.session.queryable.query('DELETE FROM conversations WHERE key = $1', [key]);
  }

  async markUnreachable(key: string, reason: string, now: Date): Promise<boolean> {
    return (await run(this.session.queryable, markUnreachableSql(key, reason, now))).rowCount === 1;
  }

  async list(options: { limit?: number; cursor?: string; tenantId?: string } = {}): Promise<{
    items: ConversationRecord[];
    nextCursor?: string;
  }> {
    const limit = effectiveLimit(options.limit);
    const result = await run<ConversationRow>(this.session.queryable, listConversationsSql({ ...options, limit }));
    return toConversationPage(result.rows, limit);
  }
}
