/**
 * Opens the database a URL names: `postgres://` / `postgresql://` for PostgreSQL,
 * `sqlite:<path>` or a plain file path for SQLite. Schema migrations run at open.
 */
import type { Logger } from 'pino';
import type { Database } from './types';

export * from './types';
export { describeDatabaseUrl, parseDatabaseUrl, type DatabaseTarget } from './url';
import { describeDatabaseUrl, parseDatabaseUrl } from './url';

/** How to open the database. */
export interface OpenDatabaseOptions {
  /** `postgres://user[:password]@host[:port]/db[?options=-c search_path=schema]`, `sqlite:<path>`, `sqlite::memory:` or a file path. */
  readonly url: string;
  readonly logger?: Logger;
  /** Most PostgreSQL connections (default 10); ignored for SQLite. */
  readonly poolSize?: number;
  /** SQLite's durability setting (default normal); ignored for PostgreSQL. */
  readonly sqliteSynchronous?: 'normal' | 'full';
  /** PostgreSQL only: the password of each new connection (a managed identity's Entra token). */
  readonly password?: () => Promise<string>;
}

/** Opens the database named by `url` and applies pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const target = parseDatabaseUrl(options.url);
  const description = describeDatabaseUrl(options.url);
  if (options.poolSize !== undefined && (!Number.isInteger(options.poolSize) || options.poolSize < 1)) {
    throw new Error(`Database pool size must be a positive integer, not ${options.poolSize}.`);
  }
  let database: Database;
  try {
    // Only the driver the URL names is loaded: a SQLite deployment never loads pg and its
    // type parsers, a PostgreSQL one never loads the native SQLite addon.
    if (target.kind === 'sqlite') {
      const { openSqlite } = await import('./sqlite');
      database = await openSqlite({ filename: target.filename, logger: options.logger, synchronous: options.sqliteSynchronous });
    } else {
      const { openPostgres } = await import('./postgres');
      database = await openPostgres({ connectionString: target.connectionString, logger: options.logger, poolSize: options.poolSize, password: options.password });
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open database ${description}: ${reason}`, { cause: error });
  }
  options.logger?.info({ database: description }, 'database opened');
  return database;
}
