/**
 * The PostgreSQL pool and its transaction helper, shared by the stores so that one method can
 * write several tables (an escalation and its outbox rows) in one transaction, or lease rows
 * with `FOR UPDATE SKIP LOCKED`; and how statements are sent (numbered, prepared).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { numbered, type Statement } from './sql';

/** Something that runs a query: the pool for single reads, a checked-out client inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * The pool and its transaction helper, shared by the stores so that a later method can
 * write several tables (an escalation and its outbox row) in one transaction, or lease rows
 * with `FOR UPDATE SKIP LOCKED`.
 */
export class PostgresSession {
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

/**
 * A query each connection prepares once and then only binds and executes: PostgreSQL parses
 * and plans it once per connection instead of on every turn. For the statements every turn
 * runs; the name is derived from the text, so each variant of a statement has its own.
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `ed_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** Runs a statement written with `?` placeholders. */
export function run<R extends pg.QueryResultRow = pg.QueryResultRow>(client: Queryable, statement: Statement): Promise<pg.QueryResult<R>> {
  return client.query<R>(numbered(statement.sql), statement.params);
}
