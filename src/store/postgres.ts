/**
 * The PostgreSQL implementation of the stores (pg.Pool), for deployments with more than
 * one instance. Every statement is parameterised; the schema is whatever `search_path`
 * the connection string selects.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { AuditEvent, Escalation } from '../domain/escalation';
import {
  assertEventsBelongTo,
  decodeCursor,
  effectiveLimit,
  fromAuditRow,
  fromEscalationColumns,
  fromJsonColumn,
  inKeyOrder,
  isUnconditional,
  listConditions,
  listSql,
  newETag,
  sortableTimestamp,
  toEscalationRow,
  toPage,
  type AuditRow,
} from './common';
import { migratePostgres } from './migrations';
import {
  outboxDue,
  TRACKING_DUE_CONDITION,
  fromClaimedRow,
  fromConversationRow,
  fromOutboxRow,
  fromTrackingRow,
  insertNotification,
  listConversationsSql,
  NOTIFICATION_COLUMNS,
  notificationRow,
  TRACKING_COLUMNS,
  TRACKING_UPSERT,
  trackingRow,
  markDeadSql,
  markSendingSql,
  markSentSql,
  markUnreachableSql,
  numbered,
  pollNowSql,
  rescheduleSql,
  scheduleSql,
  toConversationPage,
  upsertConversationSql,
  type ConversationRow,
  type OutboxRow,
  type Statement,
  type TrackingRow,
} from './queue-sql';
import {
  ConcurrencyError,
  DuplicateError,
  ETagConflictError,
  NotFoundError,
  type Database,
  type DocumentStore,
  type DocumentWrite,
  type EscalationFilter,
  type EscalationStore,
  type Page,
  type StoredDocument,
  type ClaimOptions,
  type ClaimedNotification,
  type ConversationRecord,
  type ConversationStore,
  type NotificationInput,
  type Notification,
  type OutboxStore,
  type RescheduleInput,
  type ScheduleInput,
  type TrackedItem,
  type TrackingStore,
} from './types';

/** How to open a PostgreSQL database. */
export interface PostgresOptions {
  /** A `postgres://` URL; `?options=-c search_path=...` selects a schema. */
  readonly connectionString: string;
  readonly logger?: Logger;
  /** Most connections the pool opens (default 10). */
  readonly poolSize?: number;
}

/** Something that runs a query: the pool for single reads, a checked-out client inside a transaction. */
type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * The pool and its transaction helper, shared by the stores so that a later method can
 * write several tables (an escalation and its outbox row) in one transaction, or lease rows
 * with `FOR UPDATE SKIP LOCKED`.
 */
class PostgresSession {
  private closed = false;

  constructor(private readonly pool: pg.Pool) {}

  /** Runs `work` on one connection between BEGIN and COMMIT; any throw rolls it back. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back must not go back to the pool half-way through a transaction.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** The pool, for statements that need no transaction. */
  get queryable(): Queryable {
    this.assertOpen();
    return this.pool;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The PostgreSQL database is closed.');
  }
}

/** Escalations and audit events in PostgreSQL. */
class PostgresEscalationStore implements EscalationStore {
  constructor(private readonly session: PostgresSession) {}

  async create(escalation: Escalation, events: readonly AuditEvent[], outbox: readonly NotificationInput[] = []): Promise<Escalation> {
    assertEventsBelongTo(escalation.id, events);
    const { row, stored } = toEscalationRow(escalation, 1);
    // ON CONFLICT instead of catching 23505: a repeated id simply writes nothing.
    const result = await this.write(
      `INSERT INTO escalations (id, version, state, partner_tenant_id, owner_id, customer_tenant_id, created_at, updated_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [row.id, row.version, row.state, row.partnerTenantId, row.ownerId, row.customerTenantId, row.createdAt, row.updatedAt, row.data],
      stored,
      events,
      outbox,
    );
    if (!result.written) throw new DuplicateError(escalation.id);
    return stored;
  }

  async get(id: string): Promise<Escalation | undefined> {
    const result = await this.session.queryable.query<{ data: unknown; version: number }>(
      prepared('SELECT data, version FROM escalations WHERE id = $1', [id]),
    );
    const row = result.rows[0];
    return row === undefined ? undefined : fromEscalationColumns(row.data, row.version);
  }

  async update(
    next: Escalation,
    expectedVersion: number,
    events: readonly AuditEvent[],
    outbox: readonly NotificationInput[] = [],
  ): Promise<Escalation> {
    assertEventsBelongTo(next.id, events);
    const { row, stored } = toEscalationRow(next, expectedVersion + 1);
    // A concurrent writer holds the row lock until it commits; this UPDATE then re-checks
    // the version against the committed row and matches nothing, so exactly one wins.
    const result = await this.write(
      `UPDATE escalations SET version = $3, state = $4, partner_tenant_id = $5, owner_id = $6,
         customer_tenant_id = $7, created_at = $8, updated_at = $9, data = $10::json
       WHERE id = $1 AND version = $2 RETURNING id`,
      [row.id, expectedVersion, row.version, row.state, row.partnerTenantId, row.ownerId, row.customerTenantId, row.createdAt, row.updatedAt, row.data],
      stored,
      events,
      outbox,
    );
    if (!result.written) throw result.present ? new ConcurrencyError(next.id, expectedVersion) : new NotFoundError(next.id);
    return stored;
  }

  /**
   * Writes an escalation with its audit events, its tracking row and its notifications in
   * one statement: `head` (whose `$1` is the escalation's id) writes the escalation and
   * returns its id when it did, and data-modifying CTEs add the rest only then. PostgreSQL
   * runs one statement atomically and checks the foreign keys at its end. As a transaction
   * of separate statements this took six round trips, most of a turn's CPU on PostgreSQL.
   */
  private async write(
    head: string,
    headParams: readonly unknown[],
    stored: Escalation,
    events: readonly AuditEvent[],
    outbox: readonly NotificationInput[],
  ): Promise<{ written: boolean; present: boolean }> {
    const params = [...headParams];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const parts = [`written AS (${head})`];
    if (events.length > 0) {
      const rows = events.map((e) => ({ escalation_id: e.escalationId, at: e.at, actor: e.actor, from_state: e.from, to_state: e.to, reason: e.reason ?? null }));
      parts.push(
        `audited AS (INSERT INTO audit_events (escalation_id, at, actor, from_state, to_state, reason)
           SELECT e.escalation_id, e.at, e.actor, e.from_state, e.to_state, e.reason
           FROM written, json_populate_recordset(NULL::audit_events, ${bind(JSON.stringify(rows))}::json) WITH ORDINALITY AS e
           ORDER BY e.ordinality)`,
      );
    }
    const tracking = trackingRow(stored);
    parts.push(
      tracking
        ? `tracked AS (INSERT INTO tracking (${TRACKING_COLUMNS})
             SELECT ${columnsOf('t', TRACKING_COLUMNS)} FROM written, json_populate_record(NULL::tracking, ${bind(JSON.stringify(tracking))}::json) AS t
             ${TRACKING_UPSERT})`
        : 'untracked AS (DELETE FROM tracking WHERE escalation_id IN (SELECT id FROM written))',
    );
    if (outbox.length > 0) {
      const now = sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id);
      parts.push(
        `notified AS (INSERT INTO outbox (${NOTIFICATION_COLUMNS})
           SELECT ${columnsOf('n', NOTIFICATION_COLUMNS)}
           FROM written, json_populate_recordset(NULL::outbox, ${bind(JSON.stringify(outbox.map((n) => notificationRow(n, now))))}::json) WITH ORDINALITY AS n
           ORDER BY n.ordinality
           ON CONFLICT DO NOTHING)`,
      );
    }
    const result = await this.session.queryable.query<{ written: number; present: boolean }>(
      prepared(
        `WITH ${parts.join(',\n')}
         SELECT (SELECT count(*) FROM written)::int AS written, EXISTS (SELECT 1 FROM escalations WHERE id = $1) AS present`,
        params,
      ),
    );
    const answer = result.rows[0];
    return { written: (answer?.written ?? 0) > 0, present: answer?.present === true };
  }

  async list(filter: EscalationFilter): Promise<Page<Escalation>> {
    const limit = effectiveLimit(filter.limit);
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const conditions = listConditions(filter, after, bind);
    const sql = listSql(conditions, bind(limit + 1));
    const result = await this.session.queryable.query<{ data: unknown; version: number; updated_at: string; id: string }>(
      sql,
      params,
    );
    return toPage(result.rows, limit);
  }

  async audit(id: string): Promise<readonly AuditEvent[]> {
    const result = await this.session.queryable.query<AuditRow>(
      'SELECT escalation_id, at, actor, from_state, to_state, reason FROM audit_events WHERE escalation_id = $1 ORDER BY id',
      [id],
    );
    return result.rows.map(fromAuditRow);
  }
}

/** Writes one bot-state document: unconditionally, or only over the eTag it was read with. */
async function writeDocument(client: Queryable, w: DocumentWrite, now: string): Promise<void> {
  const value = JSON.stringify(w.value);
  if (isUnconditional(w.eTag)) {
    await client.query(
      `INSERT INTO documents (key, value, etag, updated_at) VALUES ($1, $2::json, $3, $4)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at`,
      [w.key, value, newETag(), now],
    );
    return;
  }
  // The conditional UPDATE locks the row and re-checks the eTag after any concurrent writer commits.
  const updated = await client.query('UPDATE documents SET value = $2::json, etag = $3, updated_at = $4 WHERE key = $1 AND etag = $5', [
    w.key,
    value,
    newETag(),
    now,
    w.eTag,
  ]);
  if (updated.rowCount === 0) throw new ETagConflictError(w.key);
}

/**
 * A query each connection prepares once and then only binds and executes: PostgreSQL parses
 * and plans it once per connection instead of on every turn. For the statements every turn
 * runs; the name is derived from the text, so each variant of a statement has its own.
 */
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `ed_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** `a.x, a.y` for the columns `x, y`. */
function columnsOf(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(client: Queryable, statement: Statement): Promise<pg.QueryResult<R>> {
  return client.query<R>(numbered(statement.sql), statement.params);
}

/** Bot state documents in PostgreSQL. */
class PostgresDocumentStore implements DocumentStore {
  constructor(private readonly session: PostgresSession) {}

  async read(keys: readonly string[]): Promise<ReadonlyMap<string, StoredDocument>> {
    const found = new Map<string, StoredDocument>();
    if (keys.length === 0) return found;
    const result = await this.session.queryable.query<{ key: string; value: unknown; etag: string }>(
      'SELECT key, value, etag FROM documents WHERE key = ANY($1::text[])',
      [[...new Set(keys)]],
    );
    for (const r of result.rows) {
      found.set(r.key, { value: fromJsonColumn<Record<string, unknown>>(r.value), eTag: r.etag });
    }
    return found;
  }

  async write(writes: readonly DocumentWrite[]): Promise<void> {
    const now = new Date().toISOString();
    const [only] = writes;
    // One statement is atomic by itself: a single write needs no BEGIN and COMMIT round trips.
    if (writes.length === 1 && only !== undefined) return writeDocument(this.session.queryable, only, now);
    if (writes.length === 0) return;
    await this.session.transaction(async (client) => {
      for (const w of inKeyOrder(writes)) await writeDocument(client, w, now);
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.session.queryable.query('DELETE FROM documents WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
  }
}

/** The outbox in PostgreSQL: claims lease rows with FOR UPDATE SKIP LOCKED, so instances never wait on each other. */
class PostgresOutboxStore implements OutboxStore {
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
}

/** The tracking schedule in PostgreSQL, leased with FOR UPDATE SKIP LOCKED. */
class PostgresTrackingStore implements TrackingStore {
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
class PostgresConversationStore implements ConversationStore {
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

/** An open PostgreSQL database. */
class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly escalations: EscalationStore;
  readonly documents: DocumentStore;
  readonly outbox: OutboxStore;
  readonly tracking: TrackingStore;
  readonly conversations: ConversationStore;

  constructor(private readonly session: PostgresSession) {
    this.escalations = new PostgresEscalationStore(session);
    this.documents = new PostgresDocumentStore(session);
    this.outbox = new PostgresOutboxStore(session);
    this.tracking = new PostgresTrackingStore(session);
    this.conversations = new PostgresConversationStore(session);
  }

  /** A write that commits: a schema dropped and recreated empty, or a read-only server, fails it. */
  async ping(): Promise<void> {
    await this.session.queryable.query(
      'INSERT INTO heartbeat (name, beat_at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at',
      ['readiness', new Date().toISOString()],
    );
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** Opens a pool to PostgreSQL and brings the schema up to date. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: 'escalation-desk',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client dropped by the server emits 'error' on the pool; unhandled, that would crash the process.
  pool.on('error', (error) => {
    options.logger?.error({ err: error }, 'idle PostgreSQL connection failed');
  });
  try {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await migratePostgres(client, options.logger);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresDatabase(new PostgresSession(pool));
}
