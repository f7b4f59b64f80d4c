/**
 * The SQLite implementation of the stores (better-sqlite3): one file, one connection per
 * process, for a single-instance deployment and for tests (":memory:").
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
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
import { migrateSqlite } from './migrations';
import { startWalCheckpointer, type CheckpointerOptions, type WalCheckpointer } from './sqlite-checkpointer';
import {
  outboxDue,
  TRACKING_DUE_CONDITION,
  fromClaimedRow,
  fromConversationRow,
  fromOutboxRow,
  fromTrackingRow,
  insertNotification,
  listConversationsSql,
  markDeadSql,
  markSendingSql,
  markSentSql,
  markUnreachableSql,
  pollNowSql,
  rescheduleSql,
  scheduleSql,
  syncTracking,
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

/** Who moves the WAL into the database file: a thread of its own, or the connection inside its commits. */
export type CheckpointMode = 'background' | 'inline';

/** SQLite's own threshold (WAL pages) for checkpointing inside a commit, used when no thread does it. */
const INLINE_CHECKPOINT_PAGES = 1000;
/** The WAL file is cut back to this after a checkpoint, so a burst of writes does not hold disk space for good. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Below SQLite's default limit of host parameters per statement, with room to spare. */
const KEYS_PER_STATEMENT = 500;

/** The readiness probe's row in `heartbeat`. */
const HEARTBEAT_NAME = 'readiness';

/** Which file a connection opened: the same path can later name another file, or none. */
interface FileIdentity {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

/**
 * The database file was deleted or replaced after it was opened. The connection still writes
 * to the old file, which no restart will find, so the store refuses every call from then on.
 */
export class DatabaseFileLostError extends Error {
  override readonly name = 'DatabaseFileLostError';
}

/**
 * The one connection and its transaction helpers, shared by the stores so that a later
 * method can write several tables (an escalation and its outbox row) in one transaction.
 */
class SqliteSession {
  private closed = false;
  /** Set once the file is found deleted or replaced; every later call fails with it. */
  private lost: DatabaseFileLostError | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private mode: CheckpointMode = 'inline';
  private readonly statements: PreparedStatements;
  /** better-sqlite3's transaction wrapper, built once (building one per write costs more than a statement). */
  private readonly transact: BetterSqlite3.Transaction<(work: (db: PreparedStatements) => unknown) => unknown>;

  constructor(
    private readonly db: BetterSqlite3.Database,
    /** Undefined for an in-memory database. */
    private readonly file: FileIdentity | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.statements = new PreparedStatements(db);
    this.transact = db.transaction((work: (db: PreparedStatements) => unknown) => {
      const result = work(this.statements);
      // Last, inside the transaction: a write to a file that is gone rolls back instead of
      // being acknowledged (SQLite itself does not notice in WAL mode). One stat() per commit:
      // about 1 µs, 4-7 % of the cheapest write (a one-document upsert, 15-25 µs).
      this.assertSameFile();
      return result;
    });
  }

  /**
   * Runs `work` in a write transaction. IMMEDIATE takes the write lock up front, so a
   * transaction never fails halfway when another process holds the file. It commits only
   * while the path still names the file that was opened.
   */
  write<T>(work: (db: PreparedStatements) => T): Promise<T> {
    return settle(() => {
      this.assertOpen();
      // The wrapper returns what `work` returned.
      return this.transact.immediate(work) as T;
    });
  }

  /** Runs a read; a single statement needs no transaction. */
  read<T>(work: (db: PreparedStatements) => T): Promise<T> {
    return settle(() => {
      this.assertOpen();
      return work(this.statements);
    });
  }

  /** Who checkpoints the WAL now. */
  get checkpointMode(): CheckpointMode {
    return this.mode;
  }

  /**
   * Hands checkpoints to a thread of their own; if it cannot start, or fails later, the
   * connection keeps (or goes back to) checkpointing inside its commits.
   */
  async checkpointInBackground(options: Omit<CheckpointerOptions, 'onFailure'>): Promise<void> {
    try {
      this.checkpointer = await startWalCheckpointer({ ...options, onFailure: () => this.checkpointInline() });
    } catch (error) {
      options.logger?.warn({ err: error }, 'WAL checkpoints stay inside commits');
      return;
    }
    if (this.closed) {
      await this.checkpointer.stop();
      return;
    }
    this.db.pragma('wal_autocheckpoint = 0');
    this.mode = 'background';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The thread's last checkpoint runs before the connection's close (which checkpoints what is left).
    await this.checkpointer?.stop();
    this.db.close();
  }

  private checkpointInline(): void {
    this.mode = 'inline';
    if (!this.closed) this.db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The SQLite database is closed.');
    if (this.lost) throw this.lost;
  }

  private assertSameFile(): void {
    if (this.file === undefined) return;
    const now = statSync(this.file.path, { throwIfNoEntry: false });
    if (now !== undefined && now.dev === this.file.dev && now.ino === this.file.ino) return;
    this.lost = new DatabaseFileLostError(
      `The SQLite database file ${this.file.path} was ${now === undefined ? 'deleted' : 'replaced'} after it was opened: writes would not survive a restart. Restore the file and restart the bot.`,
    );
    this.logger?.error({ err: this.lost }, 'database file lost: refusing every write until restart');
    throw this.lost;
  }
}

/** Most distinct statements kept prepared (IN lists of varying length make the set open-ended). */
const MAX_PREPARED = 256;

/**
 * Statements prepared once per SQL text: preparing compiles the SQL, which cost more than
 * running most of ours (5 % of the CPU of a bench turn before this cache).
 */
class PreparedStatements {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.cache.size >= MAX_PREPARED) this.cache.clear();
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

/** Turns a synchronous call into the promise the interfaces promise, a throw into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Escalations and audit events in SQLite. */
class SqliteEscalationStore implements EscalationStore {
  constructor(private readonly session: SqliteSession) {}

  create(escalation: Escalation, events: readonly AuditEvent[], outbox: readonly NotificationInput[] = []): Promise<Escalation> {
    return this.session.write((db) => {
      assertEventsBelongTo(escalation.id, events);
      const { row, stored } = toEscalationRow(escalation, 1);
      const inserted = db
        .prepare(
          `INSERT INTO escalations (id, version, state, partner_tenant_id, owner_id, customer_tenant_id, created_at, updated_at, data)
           VALUES (@id, @version, @state, @partnerTenantId, @ownerId, @customerTenantId, @createdAt, @updatedAt, @data)
           ON CONFLICT (id) DO NOTHING`,
        )
        .run(row);
      if (inserted.changes === 0) throw new DuplicateError(escalation.id);
      insertEvents(db, events);
      afterSave(db, stored, outbox);
      return stored;
    });
  }

  get(id: string): Promise<Escalation | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT data, version FROM escalations WHERE id = ?').get(id) as
        | { data: string; version: number }
        | undefined;
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
      const updated = db
        .prepare(
          `UPDATE escalations SET version = @version, state = @state, partner_tenant_id = @partnerTenantId,
             owner_id = @ownerId, customer_tenant_id = @customerTenantId, created_at = @createdAt,
             updated_at = @updatedAt, data = @data
           WHERE id = @id AND version = @expectedVersion`,
        )
        .run({ ...row, expectedVersion });
      if (updated.changes === 0) {
        const exists = db.prepare('SELECT 1 FROM escalations WHERE id = ?').get(next.id) !== undefined;
        throw exists ? new ConcurrencyError(next.id, expectedVersion) : new NotFoundError(next.id);
      }
      insertEvents(db, events);
      afterSave(db, stored, outbox);
      return stored;
    });
  }

  list(filter: EscalationFilter): Promise<Page<Escalation>> {
    return this.session.read((db) => {
      const limit = effectiveLimit(filter.limit);
      const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
      const params: unknown[] = [];
      const conditions = listConditions(filter, after, (value) => {
        params.push(value);
        return '?';
      });
      params.push(limit + 1);
      const rows = db.prepare(listSql(conditions, '?')).all(...params) as Array<{
        data: string;
        version: number;
        updated_at: string;
        id: string;
      }>;
      return toPage(rows, limit);
    });
  }

  audit(id: string): Promise<readonly AuditEvent[]> {
    return this.session.read((db) => {
      const rows = db
        .prepare(
          'SELECT escalation_id, at, actor, from_state, to_state, reason FROM audit_events WHERE escalation_id = ? ORDER BY id',
        )
        .all(id) as AuditRow[];
      return rows.map(fromAuditRow);
    });
  }
}

/** What an escalation write carries along in its transaction: its tracking row and its notifications. */
function afterSave(db: PreparedStatements, stored: Escalation, outbox: readonly NotificationInput[]): void {
  run(db, syncTracking(stored));
  const now = sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id);
  for (const n of outbox) run(db, insertNotification(n, now));
}

function run(db: PreparedStatements, statement: Statement): BetterSqlite3.RunResult {
  return db.prepare(statement.sql).run(...statement.params);
}

function insertEvents(db: PreparedStatements, events: readonly AuditEvent[]): void {
  const insert = db.prepare(
    'INSERT INTO audit_events (escalation_id, at, actor, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const e of events) {
    insert.run(e.escalationId, e.at, JSON.stringify(e.actor), e.from, e.to, e.reason ?? null);
  }
}

/** Bot state documents in SQLite. */
class SqliteDocumentStore implements DocumentStore {
  constructor(private readonly session: SqliteSession) {}

  read(keys: readonly string[]): Promise<ReadonlyMap<string, StoredDocument>> {
    return this.session.read((db) => {
      const found = new Map<string, StoredDocument>();
      for (const chunk of chunks([...new Set(keys)])) {
        const rows = db
          .prepare(`SELECT key, value, etag FROM documents WHERE key IN (${chunk.map(() => '?').join(', ')})`)
          .all(...chunk) as Array<{ key: string; value: string; etag: string }>;
        for (const r of rows) {
          found.set(r.key, { value: fromJsonColumn<Record<string, unknown>>(r.value), eTag: r.etag });
        }
      }
      return found;
    });
  }

  write(writes: readonly DocumentWrite[]): Promise<void> {
    return this.session.write((db) => {
      const upsert = db.prepare(
        `INSERT INTO documents (key, value, etag, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at`,
      );
      const conditional = db.prepare(
        'UPDATE documents SET value = ?, etag = ?, updated_at = ? WHERE key = ? AND etag = ?',
      );
      const now = new Date().toISOString();
      for (const w of inKeyOrder(writes)) {
        const value = JSON.stringify(w.value);
        if (isUnconditional(w.eTag)) {
          upsert.run(w.key, value, newETag(), now);
        } else if (conditional.run(value, newETag(), now, w.key, w.eTag).changes === 0) {
          throw new ETagConflictError(w.key);
        }
      }
    });
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.session.write((db) => {
      for (const chunk of chunks([...new Set(keys)])) {
        db.prepare(`DELETE FROM documents WHERE key IN (${chunk.map(() => '?').join(', ')})`).run(...chunk);
      }
    });
  }
}

/** The outbox in SQLite: one writer at a time, so a claim in an IMMEDIATE transaction is exclusive. */
class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly session: SqliteSession) {}

  enqueue(notifications: readonly NotificationInput[], now: Date): Promise<number> {
    return this.session.write((db) => {
      let added = 0;
      for (const n of notifications) added += run(db, insertNotification(n, now.toISOString())).changes;
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
    return this.session.write((db) => run(db, markSendingSql(id, owner, now)).changes === 1);
  }

  markSent(id: string, owner: string, activityId: string, now: Date): Promise<boolean> {
    return this.session.write((db) => run(db, markSentSql(id, owner, activityId, now)).changes === 1);
  }

  reschedule(id: string, owner: string, input: RescheduleInput, now: Date): Promise<boolean> {
    return this.session.write((db) => run(db, rescheduleSql(id, owner, input.nextAttemptAt, input.error, now)).changes === 1);
  }

  markDead(id: string, owner: string, reason: string, now: Date): Promise<boolean> {
    return this.session.write((db) => run(db, markDeadSql(id, owner, reason, now)).changes === 1);
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
}

/** The tracking schedule in SQLite. */
class SqliteTrackingStore implements TrackingStore {
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
        run(db, scheduleSql(escalationId, owner, input.nextPollAt, input.intervalMs, input.lastObserved, new Date())).changes === 1,
    );
  }

  pollNow(escalationId: string, now: Date, intervalMs: number): Promise<boolean> {
    return this.session.write((db) => run(db, pollNowSql(escalationId, now, intervalMs)).changes === 1);
  }

  get(escalationId: string): Promise<TrackedItem | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM tracking WHERE escalation_id = ?').get(escalationId) as TrackingRow | undefined;
      return row === undefined ? undefined : fromTrackingRow(row);
    });
  }
}

/** Conversation references in SQLite. */
class SqliteConversationStore implements ConversationStore {
  constructor(private readonly session: SqliteSession) {}

  upsert(record: Omit<ConversationRecord, 'unreachable'>): Promise<void> {
    return this.session.write((db) => {
      run(db, upsertConversationSql(record));
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
    return this.session.write((db) => run(db, markUnreachableSql(key, reason, now)).changes === 1);
  }

  list(options: { limit?: number; cursor?: string; tenantId?: string } = {}): Promise<{
    items: ConversationRecord[];
    nextCursor?: string;
  }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(options.limit);
      const statement = listConversationsSql({ ...options, limit });
      return toConversationPage(db.prepare(statement.sql).all(...statement.params) as ConversationRow[], limit);
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
  readonly outbox: OutboxStore;
  readonly tracking: TrackingStore;
  readonly conversations: ConversationStore;

  constructor(private readonly session: SqliteSession) {
    this.escalations = new SqliteEscalationStore(session);
    this.documents = new SqliteDocumentStore(session);
    this.outbox = new SqliteOutboxStore(session);
    this.tracking = new SqliteTrackingStore(session);
    this.conversations = new SqliteConversationStore(session);
  }

  /** Who checkpoints the WAL (`background` for a file database whose checkpoint thread runs). */
  get checkpointMode(): CheckpointMode {
    return this.session.checkpointMode;
  }

  /** A write that commits: the file takes writes (not read-only) and is still the one opened. */
  ping(): Promise<void> {
    return this.session.write((db) => {
      db.prepare(
        'INSERT INTO heartbeat (name, beat_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET beat_at = excluded.beat_at',
      ).run(HEARTBEAT_NAME, new Date().toISOString());
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
