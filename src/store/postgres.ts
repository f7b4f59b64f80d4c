/**
 * The PostgreSQL implementation of the stores (pg.Pool), for deployments with more than
 * one instance. Every statement is parameterised; the schema is whatever `search_path`
 * the connection string selects. This file holds the escalations, the bot-state documents and
 * the opening of the pool; the pool is postgres-session.ts, the queues postgres-queues.ts, and
 * the SQL of every table its *-sql.ts.
 */
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Logger } from 'pino';
import type { AuditEvent, Escalation } from '../domain/escalation';
import { heartbeatSql, inKeyOrder, writeDocumentSql } from './document-sql';
import {
  AUDIT_COLUMNS,
  SELECT_AUDIT,
  SELECT_ESCALATION,
  EscalationLists,
  assertEventsBelongTo,
  fromAuditRow,
  fromEscalationColumns,
  insertEscalationSql,
  listEscalationsSql,
  toAuditRow,
  toEscalationRow,
  toPage,
  updateEscalationSql,
  type AuditRow,
  type EscalationQuery,
} from './escalation-sql';
import { migratePostgres } from './migrate';
import { NOTIFICATION_COLUMNS, notificationRow } from './outbox-sql';
import { PostgresIncidentStore, PostgresTenantSweepStore } from './postgres-incidents';
import { PostgresConversationStore, PostgresOutboxStore, PostgresTrackingStore } from './postgres-queues';
import { PostgresSession, prepared, run, type Queryable } from './postgres-session';
import { effectiveLimit, fromJsonColumn, numbered, sortableTimestamp, type Statement } from './sql';
import { TRACKING_COLUMNS, TRACKING_UPSERT, trackingRow } from './tracking-sql';
import {
  ConcurrencyError,
  DuplicateError,
  ETagConflictError,
  NotFoundError,
  type ConversationStore,
  type Database,
  type DocumentStore,
  type DocumentWrite,
  type EscalationStore,
  type NotificationInput,
  type Page,
  type StoredDocument,
  type TrackingStore,
} from './types';

/** How to open a PostgreSQL database. */
export interface PostgresOptions {
  /** A `postgres://` URL; `?options=-c search_path=...` selects a schema. */
  readonly connectionString: string;
  readonly logger?: Logger;
  /** Most connections the pool opens (default 10). */
  readonly poolSize?: number;
  /**
   * Asked for the password of each new connection (an Entra token that expires): the URL then
   * carries none. pg lets a connection string's empty password win over this, so the URL is
   * split into fields instead.
   */
  readonly password?: () => Promise<string>;
}

/** Escalations and audit events in PostgreSQL. */
class PostgresEscalationStore extends EscalationLists implements EscalationStore {
  constructor(private readonly session: PostgresSession) {
    super();
  }

  async create(escalation: Escalation, events: readonly AuditEvent[], outbox: readonly NotificationInput[] = []): Promise<Escalation> {
    assertEventsBelongTo(escalation.id, events);
    const { row, stored } = toEscalationRow(escalation, 1);
    // ON CONFLICT instead of catching 23505: a repeated id simply writes nothing.
    const result = await this.write(insertEscalationSql(row), stored, events, outbox);
    if (!result.written) throw new DuplicateError(escalation.id);
    return stored;
  }

  async get(id: string): Promise<Escalation | undefined> {
    const result = await this.session.queryable.query<{ data: unknown; version: number }>(prepared(numbered(SELECT_ESCALATION), [id]));
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
    const result = await this.write(updateEscalationSql(row, expectedVersion), stored, events, outbox);
    if (!result.written) throw result.present ? new ConcurrencyError(next.id, expectedVersion) : new NotFoundError(next.id);
    return stored;
  }

  /**
   * Writes an escalation with its audit events, its tracking row and its notifications in
   * one statement: `head` writes the escalation, and data-modifying CTEs add the rest only
   * when it did. PostgreSQL runs one statement atomically and checks the foreign keys at its
   * end. As a transaction of separate statements this took six round trips, most of a turn's
   * CPU on PostgreSQL.
   */
  private async write(
    head: Statement,
    stored: Escalation,
    events: readonly AuditEvent[],
    outbox: readonly NotificationInput[],
  ): Promise<{ written: boolean; present: boolean }> {
    const params = [...head.params];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const parts = [`written AS (${numbered(head.sql)} RETURNING id)`];
    if (events.length > 0) {
      parts.push(
        `audited AS (INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')})
           SELECT ${columnsOf('e', AUDIT_COLUMNS)}
           FROM written, json_populate_recordset(NULL::audit_events, ${bind(JSON.stringify(events.map(toAuditRow)))}::json) WITH ORDINALITY AS e
           ORDER BY e.ordinality)`,
      );
    }
    const tracking = trackingRow(stored);
    parts.push(
      tracking
        ? `tracked AS (INSERT INTO tracking (${TRACKING_COLUMNS.join(', ')})
             SELECT ${columnsOf('t', TRACKING_COLUMNS)} FROM written, json_populate_record(NULL::tracking, ${bind(JSON.stringify(tracking))}::json) AS t
             ${TRACKING_UPSERT})`
        : 'untracked AS (DELETE FROM tracking WHERE escalation_id IN (SELECT id FROM written))',
    );
    if (outbox.length > 0) {
      const now = sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id);
      parts.push(
        `notified AS (INSERT INTO outbox (${NOTIFICATION_COLUMNS.join(', ')})
           SELECT ${columnsOf('n', NOTIFICATION_COLUMNS)}
           FROM written, json_populate_recordset(NULL::outbox, ${bind(JSON.stringify(outbox.map((n) => notificationRow(n, now))))}::json) WITH ORDINALITY AS n
           ORDER BY n.ordinality
           ON CONFLICT DO NOTHING)`,
      );
    }
    const id = bind(stored.id);
    const result = await this.session.queryable.query<{ written: number; present: boolean }>(
      prepared(
        `WITH ${parts.join(',\n')}
         SELECT (SELECT count(*) FROM written)::int AS written, EXISTS (SELECT 1 FROM escalations WHERE id = ${id}) AS present`,
        params,
      ),
    );
    const answer = result.rows[0];
    return { written: (answer?.written ?? 0) > 0, present: answer?.present === true };
  }

  async audit(id: string): Promise<readonly AuditEvent[]> {
    const result = await run<AuditRow>(this.session.queryable, { sql: SELECT_AUDIT, params: [id] });
    return result.rows.map(fromAuditRow);
  }

  protected async query(query: EscalationQuery): Promise<Page<Escalation>> {
    const limit = effectiveLimit(query.limit);
    const result = await run<{ data: unknown; version: number; updated_at: string; id: string }>(
      this.session.queryable,
      listEscalationsSql(query, limit),
    );
    return toPage(result.rows, limit);
  }

  protected async select<R>(statement: Statement): Promise<R[]> {
    return (await run<R & pg.QueryResultRow>(this.session.queryable, statement)).rows;
  }
}

/** `a.x, a.y` for the columns `x, y`. */
function columnsOf(alias: string, columns: readonly string[]): string {
  return columns.map((c) => `${alias}.${c}`).join(', ');
}

/** Writes one bot-state document: unconditionally, or only over the eTag it was read with. */
async function writeDocument(client: Queryable, w: DocumentWrite, now: string): Promise<void> {
  const { statement, conditional } = writeDocumentSql(w, now);
  // The conditional UPDATE locks the row and re-checks the eTag after any concurrent writer commits.
  if ((await run(client, statement)).rowCount === 0 && conditional) throw new ETagConflictError(w.key);
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

/** An open PostgreSQL database. */
class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly escalations: EscalationStore;
  readonly documents: DocumentStore;
  readonly outbox: PostgresOutboxStore;
  readonly tracking: TrackingStore;
  readonly conversations: ConversationStore;
  readonly incidents: PostgresIncidentStore;
  readonly incidentSweeps: PostgresTenantSweepStore;

  constructor(private readonly session: PostgresSession) {
    this.escalations = new PostgresEscalationStore(session);
    this.documents = new PostgresDocumentStore(session);
    this.outbox = new PostgresOutboxStore(session);
    this.tracking = new PostgresTrackingStore(session);
    this.conversations = new PostgresConversationStore(session);
    this.incidents = new PostgresIncidentStore(session);
    this.incidentSweeps = new PostgresTenantSweepStore(session);
  }

  /** A write that commits: a schema dropped and recreated empty, or a read-only server, fails it. */
  async ping(): Promise<void> {
    await run(this.session.queryable, heartbeatSql('readiness', new Date()));
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** Opens a pool to PostgreSQL and brings the schema up to date. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const target = options.password
    ? { ...parseIntoClientConfig(options.connectionString), password: options.password }
    : { connectionString: options.connectionString };
  const pool = new pg.Pool({
    ...target,
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
