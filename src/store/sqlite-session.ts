/**
 * The one SQLite connection of a process and its transaction helpers, shared by the stores so
 * that one method can write several tables (an escalation, its tracking row and its outbox
 * rows) in one transaction; and the guard that refuses writes once the file is lost.
 */
import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { startWalCheckpointer, type CheckpointerOptions, type WalCheckpointer } from './sqlite-checkpointer';
import type { Statement } from './sql';

/** Who moves the WAL into the database file: a thread of its own, or the connection inside its commits. */
export type CheckpointMode = 'background' | 'inline';

/** SQLite's own threshold (WAL pages) for checkpointing inside a commit, used when no thread does it. */
const INLINE_CHECKPOINT_PAGES = 1000;
/** Which file a connection opened: the same path can later name another file, or none. */
export interface FileIdentity {
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
export class SqliteSession {
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
export class PreparedStatements {
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

  /** Runs a write statement. */
  run(statement: Statement): BetterSqlite3.RunResult {
    return this.prepare(statement.sql).run(...statement.params);
  }

  /** Every row a statement returns. */
  all<R>(statement: Statement): R[] {
    return this.prepare(statement.sql).all(...statement.params) as R[];
  }

  /** The first row a statement returns, if any. */
  get<R>(statement: Statement): R | undefined {
    return this.prepare(statement.sql).get(...statement.params) as R | undefined;
  }
}

/** Turns a synchronous call into the promise the interfaces promise, a throw into a rejection. */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
