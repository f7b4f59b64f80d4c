/**
 * The store contract against PostgreSQL, in a fresh schema of its own
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 */
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/store';
import { usePostgresSchemas } from '../helpers/postgres';
import { storeContract } from './contract';

describe('PostgreSQL store', function () {
  const schemas = usePostgresSchemas();

  storeContract('PostgreSQL', () => openDatabase({ url: schemas.url(), poolSize: 4 }));

  it('fails its ping (readiness) once its schema is dropped and recreated empty', async function () {
    const { schema, url } = await schemas.create();
    const db = await openDatabase({ url, poolSize: 2 });
    try {
      await db.ping();
      await schemas.query(`DROP SCHEMA ${schema} CASCADE`);
      await schemas.query(`CREATE SCHEMA ${schema}`);
      await assert.rejects(db.ping(), /relation "heartbeat" does not exist/);
    } finally {
      await db.close();
    }
  });

  it('keeps its tables in the schema the URL selects', async function () {
    const db = await openDatabase({ url: schemas.url() });
    try {
      assert.equal(db.kind, 'postgres');
      const tables = await schemas.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schemas.main().schema],
      );
      assert.deepEqual(
        tables.rows.map((r) => r.table_name),
        [
          'audit_events',
          'conversations',
          'documents',
          'escalations',
          'heartbeat',
          'incident_channel',
          'incident_customers',
          'incident_sweeps',
          'incidents',
          'outbox',
          'schema_migrations',
          'tracking',
        ],
      );
    } finally {
      await db.close();
    }
  });
});
