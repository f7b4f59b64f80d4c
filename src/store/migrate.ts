/**
 * The two runners that bring a database's schema up to date at open: the migrations this
 * build knows (migrations.ts) and the database has not recorded yet, each with its backfill,
 * all in one transaction.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ClientBase } from 'pg';
import type { Logger } from 'pino';
import { DIALECT_TYPES, MIGRATIONS, assertValidMigrations, type Backfill, type Migration } from './migrations';
import { numbered, type Statement } from './sql';

/** What a run of the migrations did. */
export interface MigrationResult {
  /** Versions applied by this run (empty when the schema was already current). */
  readonly applied: readonly number[];
  /** Versions recorded in the database that this build does not know (a newer build ran). */
  readonly unknown: readonly number[];
}

const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** A recorded migration. */
interface AppliedRow {
  readonly version: number;
  readonly name: string;
}

/**
 * The migrations still to apply. A recorded version whose name differs from this build's
 * means a shipped migration was edited or renumbered: applying on top of it would leave the
 * schema in a state no build describes, so it stops.
 */
function plan(recorded: readonly AppliedRow[], migrations: readonly Migration[]): { pending: Migration[]; unknown: number[] } {
  const byVersion = new Map(recorded.map((r) => [Number(r.version), r.name]));
  for (const m of migrations) {
    const name = byVersion.get(m.version);
    if (name !== undefined && name !== m.name) {
      throw new Error(`Migration ${m.version} is recorded as "${name}" but this build calls it "${m.name}".`);
    }
  }
  const known = new Set(migrations.map((m) => m.version));
  return {
    pending: migrations.filter((m) => !byVersion.has(m.version)),
    unknown: [...byVersion.keys()].filter((v) => !known.has(v)).sort((a, b) => a - b),
  };
}

function report(logger: Logger | undefined, result: MigrationResult, migrations: readonly Migration[]): void {
  for (const version of result.applied) {
    logger?.info({ version, name: migrations.find((m) => m.version === version)?.name }, 'database migration applied');
  }
  if (result.unknown.length > 0) {
    logger?.warn({ versions: result.unknown }, 'database has migrations this build does not know (a newer build ran)');
  }
}

/**
 * Applies the missing migrations to a SQLite database in one IMMEDIATE transaction: the
 * write lock is taken before reading `schema_migrations`, so a second process opening the
 * same file waits (busy_timeout) and then finds nothing left to do.
 */
export function migrateSqlite(
  db: BetterSqlite3.Database,
  logger?: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  assertValidMigrations(migrations);
  const run = db.transaction((): MigrationResult => {
    db.exec(CREATE_SCHEMA_MIGRATIONS);
    const recorded = db.prepare('SELECT version, name FROM schema_migrations').all() as AppliedRow[];
    const { pending, unknown } = plan(recorded, migrations);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of pending) {
      for (const statement of m.up(DIALECT_TYPES.sqlite)) db.exec(statement);
      if (m.backfill) backfillSqlite(db, m.backfill);
      record.run(m.version, m.name, new Date().toISOString());
    }
    return { applied: pending.map((m) => m.version), unknown };
  });
  const result = run.immediate();
  report(logger, result, migrations);
  return result;
}

/**
 * Applies the missing migrations to the current schema of a PostgreSQL connection in one
 * transaction. A transaction-scoped advisory lock keyed on the schema name serialises
 * processes starting at once (it is taken before `schema_migrations` even exists, which a
 * table lock could not do); it is released by COMMIT or ROLLBACK.
 */
export async function migratePostgres(
  client: ClientBase,
  logger?: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  assertValidMigrations(migrations);
  await client.query('BEGIN');
  try {
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('escalation-desk:migrations'), hashtext(coalesce(current_schema(), '')))",
    );
    await client.query(CREATE_SCHEMA_MIGRATIONS);
    const recorded = await client.query<AppliedRow>('SELECT version, name FROM schema_migrations');
    const { pending, unknown } = plan(recorded.rows, migrations);
    for (const m of pending) {
      for (const statement of m.up(DIALECT_TYPES.postgres)) await client.query(statement);
      if (m.backfill) await backfillPostgres(client, m.backfill);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
    const result = { applied: pending.map((m) => m.version), unknown };
    report(logger, result, migrations);
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Rows a backfill reads at a time. */
const BACKFILL_PAGE = 500;

type Row = Readonly<Record<string, unknown>>;

/**
 * The statements of a backfill in order, each answered with the rows it returned: a page of
 * rows in key order, then an UPDATE for each row that `rewrite` gives columns to set. Written
 * once for both runners (one synchronous, one not).
 */
function* backfillSteps(b: Backfill): Generator<Statement, void, readonly Row[]> {
  let after: unknown = '';
  for (;;) {
    const rows = yield {
      sql: `SELECT ${[b.key, ...b.read].join(', ')} FROM ${b.table} WHERE ${b.key} > ? ORDER BY ${b.key} LIMIT ?`,
      params: [after, BACKFILL_PAGE],
    };
    for (const row of rows) {
      const set = Object.entries(b.rewrite(row));
      if (set.length === 0) continue;
      yield {
        sql: `UPDATE ${b.table} SET ${set.map(([column]) => `${column} = ?`).join(', ')} WHERE ${b.key} = ?`,
        params: [...set.map(([, value]) => value), row[b.key]],
      };
    }
    if (rows.length < BACKFILL_PAGE) return;
    after = rows[rows.length - 1][b.key];
  }
}

function backfillSqlite(db: BetterSqlite3.Database, b: Backfill): void {
  const steps = backfillSteps(b);
  for (let step = steps.next([]); !step.done; ) {
    const statement = db.prepare(step.value.sql);
    if (statement.reader) {
      step = steps.next(statement.all(...step.value.params) as Row[]);
    } else {
      statement.run(...step.value.params);
      step = steps.next([]);
    }
  }
}

async function backfillPostgres(client: ClientBase, b: Backfill): Promise<void> {
  const steps = backfillSteps(b);
  for (let step = steps.next([]); !step.done; ) {
    const result = await client.query<Row>(numbered(step.value.sql), step.value.params);
    step = steps.next(result.rows);
  }
}
