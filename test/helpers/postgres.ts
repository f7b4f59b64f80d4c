/**
 * PostgreSQL for tests: every suite gets fresh schemas of its own (`ed_test_<random>`),
 * selected through the connection URL's `options=-c search_path=…`, and dropped afterwards.
 * Unreachable PostgreSQL skips the suite locally and fails it when CI=true.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeDatabaseUrl } from '../../src/store';

/** The server tests use. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A URL that selects `schema` for every connection opened with it. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  const option = `-c search_path=${schema}`;
  parsed.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return parsed.toString();
}

/** One fresh schema and the URL that selects it. */
export interface TestSchema {
  readonly schema: string;
  readonly url: string;
}

/** Schemas made for one suite. */
export interface TestSchemas {
  /** The suite's main schema (created in `before`). */
  readonly main: () => TestSchema;
  /** The URL of the suite's main schema. */
  readonly url: () => string;
  /** Creates one more fresh, empty schema; dropped with the rest in `after`. */
  readonly create: () => Promise<TestSchema>;
  /** Runs SQL against the server as the admin connection (for assertions on raw tables). */
  readonly query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;
}

/**
 * Registers `before`/`after` hooks in the calling `describe` that connect to PostgreSQL,
 * create a schema, and drop every schema made through the returned handle.
 */
export function usePostgresSchemas(): TestSchemas {
  const admin = testDatabaseUrl();
  const state: { client?: pg.Client; main?: TestSchema; schemas: string[] } = { schemas: [] };

  const create = async (): Promise<TestSchema> => {
    if (!state.client) throw new Error('PostgreSQL test client is not connected.');
    const schema = `ed_test_${randomBytes(6).toString('hex')}`;
    state.schemas.push(schema);
    await state.client.query(`CREATE SCHEMA ${schema}`);
    return { schema, url: withSearchPath(admin, schema) };
  };

  before(async function () {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await client.end().catch(() => undefined);
      const where = describeDatabaseUrl(admin);
      if (process.env.CI === 'true') {
        throw new Error(`PostgreSQL at ${where} is unreachable (${reason}); CI=true requires it.`);
      }
      console.warn(
        `      PostgreSQL at ${where} is unreachable (${reason}): skipping. Start it or set TEST_DATABASE_URL.`,
      );
      this.skip();
    }
    state.client = client;
    state.main = await create();
  });

  after(async function () {
    const client = state.client;
    if (!client) return;
    try {
      for (const schema of state.schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });

  const main = (): TestSchema => {
    if (!state.main) throw new Error('PostgreSQL test schema was not created.');
    return state.main;
  };

  return {
    main,
    url: () => main().url,
    create,
    query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
      if (!state.client) throw new Error('PostgreSQL test client is not connected.');
      return state.client.query<R>(sql, params);
    },
  };
}
