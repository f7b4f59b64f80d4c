/**
 * The SQLite implementation of the stores (better-sqlite3): one file, one connection per
 * process, for a single-instance deployment and for tests (":memory:"). This file holds the
 * escalations, the bot-state documents and the opening of the file; the connection is
 * sqlite-session.ts, the queues sqlite-queues.ts, and the SQL of every table its *-sql.ts.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import type { AuditEvent, Escalation } from '../domain/escalation';
import { heartbeatSql, inKeyOrder, writeDocumentSql } from './document-sql';
import {
  SELECT_AUDIT,
  SELECT_ESCALATION,
  EscalationLists,
  assertEventsBelongTo,
  fromAuditRow,
  fromEscalationColumns,
  insertAuditSql,
  insertEscalationSql,
  listEscalationsSql,
  toEscalationRow,
  toPage,
  updateEscalationSql,
  type AuditRow,
  type EscalationQuery,
} from './escalation-sql';
import { migrateSqlite } from './migrate';
import { insertNotification } from './outbox-sql';
import { effectiveLimit, fromJsonColumn, placeholders, sortableTimestamp, type Statement } from './sql';
import { SqliteIncidentStore, SqliteTenantSweepStore } from './sqlite-incidents';
import { SqliteConversationStore, SqliteOutboxStore, SqliteTrackingStore } from './sqlite-queues';
import { SqliteSession, settle, type CheckpointMode, type FileIdentity, type PreparedStatements } from './sqlite-session';
import { syncTracking } from './tracking-sql';
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

export { DatabaseFileLostError, type CheckpointMode } from './sqlite-session';

/** How to open a SQLite database. */
export interface SqliteOptions {
  /** A file path, or ":memory:" for a throw-away database. */
  readonly filename: string;
  readonly logger?: Logger;
  /** How long a write waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /**
   * `normal` (default): in WAL mode a commit survives the process being killed at any moment
   * and the file is never corrupted, but the last commits may be lost if the machine itself
   * loses power or the OS crashes; the WAL is flushed at checkpoints, not at every commit.
   * `full` flushes the WAL to disk at every commit: it survives a power cut too, but the
   * flush blocks the event loop (better-sqlite3 is synchronous) and more than halved turn
   * throughput in bench/turn-latency. Deployments that need both run on PostgreSQL.
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * How often the checkpoint thread moves the WAL into the database file (default 250 ms;
   * file databases only). See sqlite-checkpointer.ts.
   */
  readonly checkpointIntervalMs?: number;
}

/** The WAL file is cut back to this after a checkpoint, so a burst of writes does not hold disk space for good. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Below SQLite's default limit of host parameters per statement, with room to spare. */
const KEYS_PER_STATEMENT = 500;

/** The readiness probe's row in `heartbeat`. */
const HEARTBEAT_NAME = 'readiness';

/** Escalations and audit events in SQLite. */
class SqliteEscalationStore extends EscalationLists implements EscalationStore {
  constructor(private readonly session: SqliteSession) {
    super();
  }

  create(escalation: Escalation, events: readonly AuditEvent[], outbox: readonly NotificationInput[] = []): Promise<Escalation> {
    return this.session.write((db) => {
      assertEventsBelongTo(escalation.id, events);
      const { row, stored } = toEscalationRow(escalation, 1);
      if (db.run(insertEscalationSql(row)).changes === 0) throw new DuplicateError(escalation.id);
      afterSave(db, stored, events, outbox);
      return stored;
    });
  }

  get(id: string): Promise<Escalation | undefined> {
    return this.session.read((db) => {
      const row = db.get<{ data: string; version: number }>({ sql: SELECT_ESCALATION, params: [id] });
      return row === undefined ? undefined : fromEscalationColumns(row.data, row.version);
    });
  }

  update(
    next: Escalation,
    expectedVersion: number,
    events: readonly AuditEvent[],
    outbox: readonly NotificationInput[] = [],
  ): Promise<Escalation> {
    return this.session.write((db) => {
      assertEventsBelongTo(next.id, events);
      const { row, stored } = toEscalationRow(next, expectedVersion + 1);
      if (db.run(updateEscalationSql(row, expectedVersion)).changes === 0) {
        const exists = db.get({ sql: 'SELECT 1 FROM escalations WHERE id = ?', params: [next.id] }) !== undefined;
        throw exists ? new ConcurrencyError(next.id, expectedVersion) : new NotFoundError(next.id);
      }
      afterSave(db, stored, events, outbox);
      return stored;
    });
  }

  audit(id: string): Promise<readonly AuditEvent[]> {
    return this.session.read((db) => db.all<AuditRow>({ sql: SELECT_AUDIT, params: [id] }).map(fromAuditRow));
  }

  protected query(query: EscalationQuery): Promise<Page<Escalation>> {
    return this.session.read((db) => {
      const limit = effectiveLimit(query.limit);
      return toPage(db.all(listEscalationsSql(query, limit)), limit);
    });
  }

  protected select<R>(statement: Statement): Promise<R[]> {
    return this.session.read((db) => db.all<R>(statement));
  }
}

/**
 * What an escalation write carries along in its transaction: its audit events, its tracking
 * row and its notifications.
 */
function afterSave(db: PreparedStatements, stored: Escalation, events: readonly AuditEvent[], outbox: readonly NotificationInput[]): void {
  for (const e of events) db.run(insertAuditSql(e));
  db.run(syncTracking(stored));
  const now = sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id);
  for (const n of outbox) db.run(insertNotification(n, now));
}

/** Bot state documents in SQLite. */
class SqliteDocumentStore implements DocumentStore {
  constructor(private readonly session: SqliteSession) {}

  read(keys: readonly string[]): Promise<ReadonlyMap<string, StoredDocument>> {
    return this.session.read((db) => {
      const found = new Map<string, StoredDocument>();
      for (const chunk of chunks([...new Set(keys)])) {
        const rows = db.all<{ key: string; value: string; etag: string }>({
          sql: `SELECT key, value, etag FROM documents WHERE key IN (${placeholders(chunk.length)})`,
          params: chunk,
        });
        for (const r of rows) found.set(r.key, { value: fromJsonColumn<Record<string, unknown>>(r.value), eTag: r.etag });
      }
      return found;
    });
  }

  write(writes: readonly DocumentWrite[]): Promise<void> {
    return this.session.write((db) => {
      const now = new Date().toISOString();
      for (const w of inKeyOrder(writes)) {
        const { statement, conditional } = writeDocumentSql(w, now);
        if (db.run(statement).changes === 0 && conditional) throw new ETagConflictError(w.key);
      }
    });
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.session.write((db) => {
      for (const chunk of chunks([...new Set(keys)])) {
        db.run({ sql: `DELETE FROM documents WHERE key IN (${placeholders(chunk.length)})`, params: chunk });
      }
    });
  }
}

/** Splits keys so no statement exceeds SQLite's limit on host parameters. */
function chunks(keys: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) out.push(keys.slice(i, i + KEYS_PER_STATEMENT));
  return out;
}

/** An open SQLite database. */
export class SqliteDatabase implements Database {
  readonly kind = 'sqlite' as const;
  readonly escalations: EscalationStore;
  readonly documents: DocumentStore;
  readonly outbox: SqliteOutboxStore;
  readonly tracking: TrackingStore;
  readonly conversations: ConversationStore;
  readonly incidents: SqliteIncidentStore;
  readonly incidentSweeps: SqliteTenantSweepStore;

  constructor(private readonly session: SqliteSession) {
    this.escalations = new SqliteEscalationStore(session);
    this.documents = new SqliteDocumentStore(session);
    this.outbox = new SqliteOutboxStore(session);
    this.tracking = new SqliteTrackingStore(session);
    this.conversations = new SqliteConversationStore(session);
    this.incidents = new SqliteIncidentStore(session);
    this.incidentSweeps = new SqliteTenantSweepStore(session);
  }

  /** Who checkpoints the WAL (`background` for a file database whose checkpoint thread runs). */
  get checkpointMode(): CheckpointMode {
    return this.session.checkpointMode;
  }

  /** A write that commits: the file takes writes (not read-only) and is still the one opened. */
  ping(): Promise<void> {
    return this.session.write((db) => {
      db.run(heartbeatSql(HEARTBEAT_NAME, new Date()));
    });
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Opens (creating if needed) a SQLite database and brings its schema up to date. */
export async function openSqlite(options: SqliteOptions): Promise<SqliteDatabase> {
  const session = await settle(() => openSqliteNow(options));
  if (options.filename !== ':memory:') {
    await session.checkpointInBackground({
      filename: options.filename,
      intervalMs: options.checkpointIntervalMs ?? 250,
      logger: options.logger,
    });
  }
  return new SqliteDatabase(session);
}

function openSqliteNow(options: SqliteOptions): SqliteSession {
  const inMemory = options.filename === ':memory:';
  if (!inMemory) mkdirSync(dirname(options.filename), { recursive: true });
  const db = new BetterSqlite3(options.filename);
  let file: FileIdentity | undefined;
  try {
    if (!inMemory) {
      // Right after the open: the file the connection holds (better-sqlite3 exposes no descriptor).
      const opened = statSync(options.filename);
      file = { path: options.filename, dev: opened.dev, ino: opened.ino };
    }
    // The busy timeout must be set first: switching to WAL itself needs a lock another process may hold.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    if (!inMemory) db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    migrateSqlite(db, options.logger);
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteSession(db, file, options.logger);
}
