/** The schema migrations: ordered, recorded, idempotent, all-or-nothing, and safe to race on PostgreSQL. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/store';
import {
  assertValidMigrations,
  MIGRATIONS,
  migratePostgres,
  migrateSqlite,
  type Migration,
} from '../../src/store/migrations';
import { usePostgresSchemas } from '../support/postgres';

interface RecordedRow {
  version: number;
  name: string;
  applied_at: string;
}

const EXPECTED = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));

/** The migrations plus one that fails halfway, to prove a failed run leaves nothing behind. */
const WITH_BROKEN: readonly Migration[] = [
  ...MIGRATIONS,
  { version: 1000, name: 'broken', up: () => ['CREATE TABLE half_done (id INTEGER)', 'THIS IS NOT SQL'] },
];

describe('migrations', function () {
  describe('the list', function () {
    it('has increasing versions and unique names', function () {
      assert.doesNotThrow(() => assertValidMigrations(MIGRATIONS));
      assert.ok(MIGRATIONS.length >= 3);
    });

    it('refuses an out-of-order or duplicate list', function () {
      const [a, b] = MIGRATIONS;
      assert.throws(() => assertValidMigrations([b, a]), /out of order/);
      assert.throws(() => assertValidMigrations([a, { ...b, name: a.name }]), /used twice/);
    });
  });

  describe('SQLite', function () {
    const folder = mkdtempSync(join(tmpdir(), 'ed-migrations-'));

    after(function () {
      rmSync(folder, { recursive: true, force: true });
    });

    function recorded(file: string): RecordedRow[] {
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        return raw.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as RecordedRow[];
      } finally {
        raw.close();
      }
    }

    it('records every version once, and a second open is a no-op', async function () {
      const file = join(folder, 'twice.db');
      await (await openDatabase({ url: `sqlite:${file}` })).close();
      const first = recorded(file);
      assert.deepEqual(first.map(({ version, name }) => ({ version, name })), EXPECTED);
      await (await openDatabase({ url: `sqlite:${file}` })).close();
      assert.deepEqual(recorded(file), first, 'nothing re-applied: applied_at unchanged');
    });

    it('reports what a run applied', function () {
      const raw = new BetterSqlite3(':memory:');
      try {
        assert.deepEqual(migrateSqlite(raw).applied, MIGRATIONS.map((m) => m.version));
        assert.deepEqual(migrateSqlite(raw), { applied: [], unknown: [] });
      } finally {
        raw.close();
      }
    });

    it('rolls a failed run back entirely', function () {
      const raw = new BetterSqlite3(':memory:');
      try {
        assert.throws(() => migrateSqlite(raw, undefined, WITH_BROKEN));
        const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
        assert.deepEqual(tables, []);
      } finally {
        raw.close();
      }
    });

    it('stops when a recorded migration has another name, and reports versions it does not know', function () {
      const raw = new BetterSqlite3(':memory:');
      try {
        migrateSqlite(raw);
        raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('from a newer build', new Date().toISOString());
        assert.deepEqual(migrateSqlite(raw).unknown, [999]);
        raw.prepare("UPDATE schema_migrations SET name = 'renamed' WHERE version = 1").run();
        assert.throws(() => migrateSqlite(raw), /recorded as "renamed"/);
      } finally {
        raw.close();
      }
    });
  });

  describe('PostgreSQL', function () {
    const schemas = usePostgresSchemas();

    async function recorded(schema: string): Promise<RecordedRow[]> {
      const result = await schemas.query<RecordedRow>(
        `SELECT version, name, applied_at FROM ${schema}.schema_migrations ORDER BY version`,
      );
      return result.rows;
    }

    it('records every version once, and a second open is a no-op', async function () {
      const { schema, url } = await schemas.create();
      await (await openDatabase({ url })).close();
      const first = await recorded(schema);
      assert.deepEqual(first.map(({ version, name }) => ({ version, name })), EXPECTED);
      await (await openDatabase({ url })).close();
      assert.deepEqual(await recorded(schema), first, 'nothing re-applied: applied_at unchanged');
    });

    it('lets several processes open one fresh schema at once', async function () {
      const { schema, url } = await schemas.create();
      const opened = await Promise.all(Array.from({ length: 6 }, () => openDatabase({ url, poolSize: 2 })));
      try {
        await Promise.all(opened.map((db) => db.ping()));
      } finally {
        for (const db of opened) await db.close();
      }
      assert.deepEqual((await recorded(schema)).map(({ version, name }) => ({ version, name })), EXPECTED);
    });

    it('reports what a run applied, and rolls a failed run back entirely', async function () {
      const good = await schemas.create();
      const broken = await schemas.create();
      const client = new pg.Client({ connectionString: good.url });
      await client.connect();
      try {
        assert.deepEqual((await migratePostgres(client)).applied, MIGRATIONS.map((m) => m.version));
        assert.deepEqual(await migratePostgres(client), { applied: [], unknown: [] });
      } finally {
        await client.end();
      }
      const other = new pg.Client({ connectionString: broken.url });
      await other.connect();
      try {
        await assert.rejects(migratePostgres(other, undefined, WITH_BROKEN));
      } finally {
        await other.end();
      }
      const tables = await schemas.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
        broken.schema,
      ]);
      assert.equal(tables.rowCount, 0);
    });
  });
});
