/**
 * The durable queues in SQLite: the notification outbox, the tracking schedule and the
 * conversation references. One writer at a time, so a claim in an IMMEDIATE transaction is
 * exclusive without row locks.
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
import type { SqliteSession } from './sqlite-session';
import { TRACKING_DUE_CONDITION, fromTrackingRow, pollNowSql, scheduleSql, type TrackingRow } from './tracking-sql';

/** The outbox in SQLite: one writer at a time, so a claim in an IMMEDIATE transaction is exclusive. */
export class SqliteOutboxStore implements OutboxStore, SenderRoster {
  constructor(private readonly session: SqliteSession) {}

  enqueue(notifications: readonly NotificationInput[], now: Date): Promise<number> {
    return this.session.write((db) => {
      let added = 0;
      for (const n of notifications) added += db.run(insertNotification(n, now.toISOString())).changes;
      return added;
    });
  }

  claimDue(owner: string, now: Date, limit: number, leaseMs: number, options: ClaimOptions = {}): Promise<ClaimedNotification[]> {
    return this.session.write((db) => {
      const at = now.toISOString();
      const condition = outboxDue(at, options.excludeTargets);
      const due = db
        .prepare(`SELECT seq, status FROM outbox WHERE ${condition.sql} ORDER BY seq LIMIT ?`)
        .all(...condition.params, Math.max(1, Math.floor(limit))) as Array<{ seq: number; status: string }>;
      const lease = db.prepare(
        'UPDATE outbox SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE seq = ? RETURNING *',
      );
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      return due.map((d) => fromClaimedRow(lease.get(owner, expires, at, d.seq) as OutboxRow, d.status));
    });
  }

  markSending(id: string, owner: string, now: Date): Promise<boolean> {
    return this.session.write((db) => db.run(markSendingSql(id, owner, now)).changes === 1);
  }

  markSent(id: string, owner: string, activityId: string, now: Date): Promise<boolean> {
    return this.session.write((db) => db.run(markSentSql(id, owner, activityId, now)).changes === 1);
  }

  reschedule(id: string, owner: string, input: RescheduleInput, now: Date): Promise<boolean> {
    return this.session.write((db) => db.run(rescheduleSql(id, owner, input.nextAttemptAt, input.error, now)).changes === 1);
  }

  markDead(id: string, owner: string, reason: string, now: Date): Promise<boolean> {
    return this.session.write((db) => db.run(markDeadSql(id, owner, reason, now)).changes === 1);
  }

  get(id: string): Promise<Notification | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
      return row === undefined ? undefined : fromOutboxRow(row);
    });
  }

  listForEscalation(escalationId: string): Promise<readonly Notification[]> {
    return this.session.read((db) =>
      (db.prepare('SELECT * FROM outbox WHERE escalation_id = ? ORDER BY seq').all(escalationId) as OutboxRow[]).map(fromOutboxRow),
    );
  }

  liveSenders(owner: string, now: Date, ttlMs: number): Promise<number> {
    const { beat, clear, count } = senderRosterSql(owner, now, ttlMs);
    return this.session.write((db) => {
      db.run(beat);
      db.run(clear);
      return Number(db.get<{ n: number }>(count)?.n ?? 1);
    });
  }

  retireSender(owner: string): Promise<void> {
    return this.session.write((db) => {
      db.run(retireSenderSql(owner));
    });
  }
}

/** The tracking schedule in SQLite. */
export class SqliteTrackingStore implements TrackingStore {
  constructor(private readonly session: SqliteSession) {}

  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TrackedItem[]> {
    return this.session.write((db) => {
      const at = now.toISOString();
      const due = db
        .prepare(`SELECT escalation_id FROM tracking WHERE ${TRACKING_DUE_CONDITION} ORDER BY next_poll_at, escalation_id LIMIT ?`)
        .all(at, at, Math.max(1, Math.floor(limit))) as Array<{ escalation_id: string }>;
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      // next_poll_at moves to the lease expiry: see scheduleSql for how pollNow during a poll is kept.
      const lease = db.prepare(
        'UPDATE tracking SET lease_owner = ?, lease_expires_at = ?, next_poll_at = ?, updated_at = ? WHERE escalation_id = ? RETURNING *',
      );
      return due.map((d) => fromTrackingRow(lease.get(owner, expires, expires, at, d.escalation_id) as TrackingRow));
    });
  }

  schedule(escalationId: string, owner: string, input: ScheduleInput): Promise<boolean> {
    return this.session.write(
      (db) =>
        db.run(scheduleSql(escalationId, owner, input.nextPollAt, input.intervalMs, input.lastObserved, new Date())).changes === 1,
    );
  }

  pollNow(escalationId: string, now: Date, intervalMs: number): Promise<boolean> {
    return this.session.write((db) => db.run(pollNowSql(escalationId, now, intervalMs)).changes === 1);
  }

  get(escalationId: string): Promise<TrackedItem | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM tracking WHERE escalation_id = ?').get(escalationId) as TrackingRow | undefined;
      return row === undefined ? undefined : fromTrackingRow(row);
    });
  }
}

/** Conversation references in SQLite. */
export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly session: SqliteSession) {}

  upsert(record: Omit<ConversationRecord, 'unreachable'>): Promise<void> {
    return this.session.write((db) => {
      db.run(upsertConversationSql(record));
    });
  }

  get(key: string): Promise<ConversationRecord | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM conversations WHERE key = ?').get(key) as ConversationRow | undefined;
      return row === undefined ? undefined : fromConversationRow(row);
    });
  }

  remove(key: string): Promise<void> {
    return this.session.write((db) => {
      db.prepare('DELETE FROM conversations WHERE key = ?').run(key);
    });
  }

  markUnreachable(key: string, reason: string, now: Date): Promise<boolean> {
    return this.session.write((db) => db.run(markUnreachableSql(key, reason, now)).changes === 1);
  }

  list(options: { limit?: number; cursor?: string; tenantId?: string } = {}): Promise<{
    items: ConversationRecord[];
    nextCursor?: string;
  }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(options.limit);
      return toConversationPage(db.all<ConversationRow>(listConversationsSql({ ...options, limit })), limit);
    });
  }
}
