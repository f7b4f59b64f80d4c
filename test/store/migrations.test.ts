/** The schema migrations: ordered, recorded, idempotent, all-or-nothing, and safe to race on PostgreSQL. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/store';
import { migratePostgres, migrateSqlite } from '../../src/store/migrate';
import { assertValidMigrations, MIGRATIONS, type Migration } from '../../src/store/migrations';
import { usePostgresSchemas } from '../helpers/postgres';
import { createEscalation, type Escalation, type EscalationState } from '../../src/domain/escalation';
import { ESCALATION_COLUMNS, conversationColumn, referenceColumns } from '../../src/store/escalation-sql';
import type { Database } from '../../src/store';

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

/** Versions before tenant ids were lower-cased (7): what an older build left behind. */
const BEFORE_LOWER_CASE = MIGRATIONS.filter((m) => m.version < 7);
const PARTNER_UPPER = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';
const CUSTOMER_UPPER = 'C0FFEE00-ABCD-4EF0-8123-456789ABCDEF';

/**
 * An escalation as an older build stored it: upper-case tenant ids in the columns and in the
 * JSON, with text that must survive the migration byte for byte (escapes, a NUL, a quoted id).
 */
function upperCaseRecord(id: string): { escalation: Escalation; params: unknown[] } {
  const { escalation } = createEscalation(
    {
      id,
      partnerTenantId: PARTNER_UPPER,
      ownerId: 'owner-1',
      customer: { tenantId: CUSTOMER_UPPER, name: 'Contoso "\u0000 한국', domain: 'contoso.example' },
      service: 'Exchange Online',
      title: `Typed by the user: "partnerTenantId":"${PARTNER_UPPER}" stays as typed`,
      description: 'Line one\nline two \u2028 \ud83d\udce5',
      details: { step: 'troubleshoot', serviceRequestId: '2611250010001234' },
    },
    { kind: 'user', id: 'owner-1' },
    new Date(Date.UTC(2024, 4, 1)),
  );
  const row = { ...escalation, state: 'escalated' as const };
  return {
    escalation: row,
    params: [row.id, row.version, row.state, row.partnerTenantId, row.ownerId, row.customer.tenantId, row.createdAt, row.updatedAt, JSON.stringify(row)],
  };
}

/** What the migrated record must be: the same record with lower-case tenant ids. */
function lowerCased(e: Escalation): Escalation {
  return { ...e, partnerTenantId: e.partnerTenantId.toLowerCase(), customer: { ...e.customer, tenantId: e.customer.tenantId.toLowerCase() } };
}

/** Versions before the Microsoft references had columns (9): what an older build left behind. */
const BEFORE_REFERENCES = MIGRATIONS.filter((m) => m.version < 9);
const REFERENCE_PARTNER = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const REQUEST = '2611250010001234';
const INCIDENT = 'EX226792';
const BULK_INCIDENT = 'EX900001';
/** More rows than the backfill reads at a time, so it has to page. */
const BULK = 1100;

/**
 * Escalations as a build before migration 9 stored them: the references only in the JSON, some
 * padded, some absent or unusable, with text a JSON function of PostgreSQL cannot read (a NUL).
 */
function recordsBeforeReferences(): Escalation[] {
  const make = (id: string, state: EscalationState, details: Record<string, unknown>, minute: number): Escalation => ({
    ...createEscalation(
      {
        id,
        partnerTenantId: REFERENCE_PARTNER,
        ownerId: 'owner-1',
        customer: { tenantId: 'c0ffee00-abcd-4ef0-8123-456789abcdef', name: 'Contoso "\u0000 한국' },
        service: 'Exchange Online',
        title: 'Mail delayed \u0000 📭',
        description: 'Quoted: "nul\u0000byte"',
        details,
      },
      { kind: 'user', id: 'owner-1' },
      new Date(Date.UTC(2025, 0, 1, 9, minute)),
    ).escalation,
    state,
  });
  return [
    make('ED-REF-A', 'escalated', { serviceRequestId: REQUEST }, 1),
    make('ED-REF-B', 'known_issue', { knownIssue: { id: INCIDENT, title: 'Mail delayed' } }, 2),
    make('ED-REF-C', 'resolved', { serviceRequestId: ` ${REQUEST}\n`, knownIssue: { id: INCIDENT, title: 'Mail "delayed" \u0000' } }, 3),
    make('ED-REF-D', 'draft', {}, 4),
    make('ED-REF-E', 'escalated', { serviceRequestId: `${REQUEST}\u0000`, knownIssue: { id: 7 } }, 5),
    ...Array.from({ length: BULK }, (_, i) =>
      make(`ED-BULK-${String(i).padStart(4, '0')}`, 'known_issue', { knownIssue: { id: BULK_INCIDENT, title: 'bulk' } }, 10 + i),
    ),
  ];
}

/** The nine columns a build before migration 9 wrote. */
const COLUMNS_BEFORE_REFERENCES = ['id', 'version', 'state', 'partner_tenant_id', 'owner_id', 'customer_tenant_id', 'created_at', 'updated_at', 'data'];

function rowBeforeReferences(e: Escalation): unknown[] {
  return [e.id, e.version, e.state, e.partnerTenantId, e.ownerId, e.customer.tenantId, e.createdAt, e.updatedAt, JSON.stringify(e)];
}

/** What a store of today finds of the older rows through the new queries. */
async function assertReferencesCarriedOver(db: Database, records: readonly Escalation[]): Promise<void> {
  const byId = new Map(records.map((e) => [e.id, e]));
  const ids = async (page: Promise<{ items: readonly Escalation[] }>): Promise<string[]> => (await page).items.map((e) => e.id);
  assert.deepEqual(await ids(db.escalations.listByServiceRequest(REFERENCE_PARTNER, REQUEST)), ['ED-REF-C', 'ED-REF-A']);
  assert.deepEqual(await ids(db.escalations.listByKnownIssue(REFERENCE_PARTNER, INCIDENT)), ['ED-REF-C', 'ED-REF-B']);
  assert.deepEqual((await db.escalations.listByKnownIssue(REFERENCE_PARTNER, INCIDENT)).items, [byId.get('ED-REF-C'), byId.get('ED-REF-B')], 'records read back exactly');
  let bulk = 0;
  let cursor: string | undefined;
  do {
    const page = await db.escalations.listByKnownIssue(REFERENCE_PARTNER, BULK_INCIDENT, { limit: 500, cursor });
    bulk += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(bulk, BULK, 'every page the backfill read');
}

/** The reference columns a write of today gives each record: what the backfill must have given it. */
function expectedReferenceColumns(records: readonly Escalation[]): Array<{ id: string; service_request_id: string | null; known_issue_id: string | null }> {
  return records.map((e) => ({ id: e.id, ...referenceColumns(e) })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Versions before the conversation had a column (11). */
const BEFORE_CONVERSATIONS = MIGRATIONS.filter((m) => m.version < 11);
const CHANNEL = '19:aa11bb22cc33@thread.tacv2';
/** The columns a build before migration 11 wrote. */
const COLUMNS_BEFORE_CONVERSATIONS = ESCALATION_COLUMNS.filter((c) => c !== 'conversation_id');

/** Escalations as a build before migration 11 stored them: the conversation only in the JSON (a channel thread, a personal chat, none). */
function recordsBeforeConversations(): Escalation[] {
  const make = (id: string, conversationId: string | undefined, minute: number): Escalation =>
    createEscalation(
      {
        id,
        partnerTenantId: REFERENCE_PARTNER,
        ownerId: 'owner-1',
        customer: { tenantId: 'c0ffee00-abcd-4ef0-8123-456789abcdef', name: 'Contoso' },
        service: 'Exchange Online',
        title: 'Mail delayed',
        description: 'd',
        details: conversationId === undefined ? {} : { conversationId },
      },
      { kind: 'user', id: 'owner-1' },
      new Date(Date.UTC(2025, 0, 1, 9, minute)),
    ).escalation;
  return [make('ED-CONV-A', `${CHANNEL};messageid=1`, 1), make('ED-CONV-B', `${CHANNEL};messageid=2`, 2), make('ED-CONV-C', 'a:personal-9', 3), make('ED-CONV-D', undefined, 4)];
}

function rowBeforeConversations(e: Escalation): unknown[] {
  const row: Record<string, unknown> = {
    id: e.id,
    version: e.version,
    state: e.state,
    partner_tenant_id: e.partnerTenantId,
    owner_id: e.ownerId,
    customer_tenant_id: e.customer.tenantId,
    ...referenceColumns(e),
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    data: JSON.stringify(e),
  };
  return COLUMNS_BEFORE_CONVERSATIONS.map((c) => row[c]);
}

/** What a store of today finds of the older rows by conversation. */
async function assertConversationsCarriedOver(db: Database): Promise<void> {
  const ids = async (conversationId: string): Promise<string[]> =>
    (await db.escalations.list({ partnerTenantId: REFERENCE_PARTNER, conversationId })).items.map((e) => e.id);
  assert.deepEqual(await ids(CHANNEL), ['ED-CONV-B', 'ED-CONV-A']);
  assert.deepEqual(await ids('a:personal-9'), ['ED-CONV-C']);
}

/** The conversation column a write of today gives each record. */
function expectedConversationColumns(records: readonly Escalation[]): Array<{ id: string; conversation_id: string | null }> {
  return records.map((e) => ({ id: e.id, ...conversationColumn(e) })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

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

    it('lower-cases the tenant ids of rows written before migration 7, and the store finds them in any case', async function () {
      const file = join(folder, 'upper-case.db');
      const raw = new BetterSqlite3(file);
      const { escalation, params } = upperCaseRecord('ED-UPPER001');
      try {
        migrateSqlite(raw, undefined, BEFORE_LOWER_CASE);
        raw
          .prepare('INSERT INTO escalations (id, version, state, partner_tenant_id, owner_id, customer_tenant_id, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(...params);
        raw
          .prepare('INSERT INTO tracking (escalation_id, kind, ref, tenant_id, next_poll_at, interval_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(escalation.id, 'service_request', '2611250010001234', CUSTOMER_UPPER, escalation.updatedAt, 60000, escalation.updatedAt);
        raw
          .prepare('INSERT INTO conversations (key, service_url, conversation_id, tenant_id, bot_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(`${PARTNER_UPPER.toLowerCase()}|a:1`, 'https://smba.example/', 'a:1', PARTNER_UPPER, '28:bot', escalation.updatedAt);
      } finally {
        raw.close();
      }
      const db = await openDatabase({ url: `sqlite:${file}` });
      try {
        assert.deepEqual(await db.escalations.get(escalation.id), lowerCased(escalation));
        for (const partnerTenantId of [PARTNER_UPPER, PARTNER_UPPER.toLowerCase()]) {
          const page = await db.escalations.list({ partnerTenantId, customerTenantId: CUSTOMER_UPPER.toLowerCase() });
          assert.deepEqual(page.items.map((e) => e.id), [escalation.id], partnerTenantId);
        }
        assert.equal((await db.conversations.get(`${PARTNER_UPPER.toLowerCase()}|a:1`))?.tenantId, PARTNER_UPPER.toLowerCase());
      } finally {
        await db.close();
      }
      const check = new BetterSqlite3(file, { readonly: true });
      try {
        assert.deepEqual(check.prepare('SELECT partner_tenant_id AS p, customer_tenant_id AS c FROM escalations').get(), {
          p: PARTNER_UPPER.toLowerCase(),
          c: CUSTOMER_UPPER.toLowerCase(),
        });
        assert.deepEqual(check.prepare('SELECT tenant_id AS t FROM tracking').get(), { t: CUSTOMER_UPPER.toLowerCase() });
        assert.deepEqual(check.prepare('SELECT data FROM escalations').get(), { data: JSON.stringify(lowerCased(escalation)) }, 'the JSON text is the same but for the ids');
      } finally {
        check.close();
      }
    });

    it('carries the Microsoft references of rows written before migration 9 into their indexed columns', async function () {
      const file = join(folder, 'references.db');
      const records = recordsBeforeReferences();
      const raw = new BetterSqlite3(file);
      try {
        migrateSqlite(raw, undefined, BEFORE_REFERENCES);
        const insert = raw.prepare(`INSERT INTO escalations (${COLUMNS_BEFORE_REFERENCES.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        raw.transaction(() => records.forEach((e) => insert.run(...rowBeforeReferences(e))))();
      } finally {
        raw.close();
      }
      const db = await openDatabase({ url: `sqlite:${file}` });
      try {
        await assertReferencesCarriedOver(db, records);
      } finally {
        await db.close();
      }
      const check = new BetterSqlite3(file, { readonly: true });
      try {
        assert.deepEqual(check.prepare('SELECT id, service_request_id, known_issue_id FROM escalations ORDER BY id').all(), expectedReferenceColumns(records));
        const data = check.prepare('SELECT data FROM escalations WHERE id = ?').get('ED-REF-C') as { data: string };
        assert.equal(data.data, JSON.stringify(records[2]), 'the JSON text is untouched');
        const columns = (check.prepare('PRAGMA table_info(escalations)').all() as Array<{ name: string }>).map((c) => c.name);
        assert.deepEqual([...columns].sort(), [...ESCALATION_COLUMNS].sort(), 'the store writes every column of the table');
      } finally {
        check.close();
      }
    });

    it('carries the conversation of rows written before migration 11 into its indexed column', async function () {
      const file = join(folder, 'conversations.db');
      const records = recordsBeforeConversations();
      const raw = new BetterSqlite3(file);
      try {
        migrateSqlite(raw, undefined, BEFORE_CONVERSATIONS);
        const insert = raw.prepare(`INSERT INTO escalations (${COLUMNS_BEFORE_CONVERSATIONS.join(', ')}) VALUES (${COLUMNS_BEFORE_CONVERSATIONS.map(() => '?').join(', ')})`);
        raw.transaction(() => records.forEach((e) => insert.run(...rowBeforeConversations(e))))();
      } finally {
        raw.close();
      }
      const db = await openDatabase({ url: `sqlite:${file}` });
      try {
        await assertConversationsCarriedOver(db);
      } finally {
        await db.close();
      }
      const check = new BetterSqlite3(file, { readonly: true });
      try {
        assert.deepEqual(check.prepare('SELECT id, conversation_id FROM escalations ORDER BY id').all(), expectedConversationColumns(records));
      } finally {
        check.close();
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

    it('lower-cases the tenant ids of rows written before migration 7, keeping the JSON text otherwise exact', async function () {
      const { schema, url } = await schemas.create();
      const { escalation, params } = upperCaseRecord('ED-UPPER002');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migratePostgres(client, undefined, BEFORE_LOWER_CASE);
        await client.query(
          'INSERT INTO escalations (id, version, state, partner_tenant_id, owner_id, customer_tenant_id, created_at, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)',
          params,
        );
        await client.query(
          'INSERT INTO tracking (escalation_id, kind, ref, tenant_id, next_poll_at, interval_ms, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [escalation.id, 'service_request', '2611250010001234', CUSTOMER_UPPER, escalation.updatedAt, 60000, escalation.updatedAt],
        );
        await client.query('INSERT INTO conversations (key, service_url, conversation_id, tenant_id, bot_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
          `${PARTNER_UPPER.toLowerCase()}|a:1`,
          'https://smba.example/',
          'a:1',
          PARTNER_UPPER,
          '28:bot',
          escalation.updatedAt,
        ]);
      } finally {
        await client.end();
      }
      const db = await openDatabase({ url });
      try {
        assert.deepEqual(await db.escalations.get(escalation.id), lowerCased(escalation));
        for (const partnerTenantId of [PARTNER_UPPER, PARTNER_UPPER.toLowerCase()]) {
          const page = await db.escalations.list({ partnerTenantId, customerTenantId: CUSTOMER_UPPER });
          assert.deepEqual(page.items.map((e) => e.id), [escalation.id], partnerTenantId);
        }
        assert.equal((await db.conversations.get(`${PARTNER_UPPER.toLowerCase()}|a:1`))?.tenantId, PARTNER_UPPER.toLowerCase());
      } finally {
        await db.close();
      }
      const text = await schemas.query<{ data: string; p: string; c: string }>(
        `SELECT data::text AS data, partner_tenant_id AS p, customer_tenant_id AS c FROM ${schema}.escalations`,
      );
      assert.equal(text.rows[0]?.data, JSON.stringify(lowerCased(escalation)), 'the JSON text is the same but for the ids');
      assert.equal(text.rows[0]?.p, PARTNER_UPPER.toLowerCase());
      const tracked = await schemas.query<{ t: string }>(`SELECT tenant_id AS t FROM ${schema}.tracking`);
      assert.equal(tracked.rows[0]?.t, CUSTOMER_UPPER.toLowerCase());
    });

    it('carries the Microsoft references of rows written before migration 9 into their indexed columns', async function () {
      const { schema, url } = await schemas.create();
      const records = recordsBeforeReferences();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migratePostgres(client, undefined, BEFORE_REFERENCES);
        for (let i = 0; i < records.length; i += 100) {
          const batch = records.slice(i, i + 100);
          const values = batch.map((_, r) => `(${COLUMNS_BEFORE_REFERENCES.map((__, c) => `$${r * COLUMNS_BEFORE_REFERENCES.length + c + 1}`).join(', ')})`);
          await client.query(`INSERT INTO escalations (${COLUMNS_BEFORE_REFERENCES.join(', ')}) VALUES ${values.join(', ')}`, batch.flatMap(rowBeforeReferences));
        }
      } finally {
        await client.end();
      }
      const db = await openDatabase({ url });
      try {
        await assertReferencesCarriedOver(db, records);
      } finally {
        await db.close();
      }
      const columns = await schemas.query<{ id: string; service_request_id: string | null; known_issue_id: string | null }>(
        `SELECT id, service_request_id, known_issue_id FROM ${schema}.escalations ORDER BY id`,
      );
      assert.deepEqual(columns.rows, expectedReferenceColumns(records));
      const text = await schemas.query<{ data: string }>(`SELECT data::text AS data FROM ${schema}.escalations WHERE id = 'ED-REF-C'`);
      assert.equal(text.rows[0]?.data, JSON.stringify(records[2]), 'the JSON text is untouched');
      const names = await schemas.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'escalations'",
        [schema],
      );
      assert.deepEqual(names.rows.map((r) => r.column_name).sort(), [...ESCALATION_COLUMNS].sort(), 'the store writes every column of the table');
    });

    it('carries the conversation of rows written before migration 11 into its indexed column', async function () {
      const { schema, url } = await schemas.create();
      const records = recordsBeforeConversations();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migratePostgres(client, undefined, BEFORE_CONVERSATIONS);
        for (const e of records) {
          await client.query(
            `INSERT INTO escalations (${COLUMNS_BEFORE_CONVERSATIONS.join(', ')}) VALUES (${COLUMNS_BEFORE_CONVERSATIONS.map((_, i) => `$${i + 1}`).join(', ')})`,
            rowBeforeConversations(e),
          );
        }
      } finally {
        await client.end();
      }
      const db = await openDatabase({ url });
      try {
        await assertConversationsCarriedOver(db);
      } finally {
        await db.close();
      }
      const columns = await schemas.query<{ id: string; conversation_id: string | null }>(`SELECT id, conversation_id FROM ${schema}.escalations ORDER BY id`);
      assert.deepEqual(columns.rows, expectedConversationColumns(records));
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
