/**
 * The database schema as an ordered list of versioned migrations, shared by SQLite and
 * PostgreSQL (migrate.ts applies the missing ones at open). Never edit or renumber a migration
 * that has shipped: add a new one. (Over 300 lines on purpose: the list only grows, and one
 * ordered list is what makes the schema's history readable.)
 */
import type { Escalation } from '../domain/escalation';
import { referenceColumns } from './escalation-sql';
import { fromJsonColumn } from './sql';

/** Which database a migration is rendered for. */
export type Dialect = 'sqlite' | 'postgres';

/** The few column types that differ between the dialects; everything else is shared SQL. */
export interface DialectTypes {
  /**
   * JSON text. PostgreSQL gets `json`, not `jsonb`: `json` keeps the text exactly (key order,
   * `\u0000`, lone surrogates in user-typed text), which jsonb would reorder or refuse.
   */
  readonly json: string;
  /** An auto-incrementing integer primary key. */
  readonly autoId: string;
  /**
   * Text compared byte by byte. Ids and ISO timestamps order the list pages; a locale
   * collation on PostgreSQL would order them differently from SQLite.
   */
  readonly key: string;
}

/** The column types of each dialect. */
export const DIALECT_TYPES: { readonly [D in Dialect]: DialectTypes } = Object.freeze({
  sqlite: Object.freeze({ json: 'TEXT', autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT', key: 'TEXT' }),
  postgres: Object.freeze({
    json: 'JSON',
    autoId: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    key: 'TEXT COLLATE "C"',
  }),
});

/**
 * One step of the schema. `up` returns its statements for a dialect's column types; a
 * `backfill` then rewrites the existing rows in code, in the same transaction.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (types: DialectTypes) => readonly string[];
  readonly backfill?: Backfill;
}

/**
 * Columns of existing rows computed in code from the row itself: for values the write path
 * derives in TypeScript, so old rows get exactly what a write of today would store, with no
 * second, SQL spelling of the rule (and no JSON function of either dialect in the way).
 */
export interface Backfill {
  readonly table: string;
  /** The primary key: rows are read in its order, a page at a time. */
  readonly key: string;
  /** The columns `rewrite` reads (besides the key). */
  readonly read: readonly string[];
  /** The columns to set on one row, by name; nothing is written when it is empty. */
  readonly rewrite: (row: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'create escalations',
    up: (t: DialectTypes) => [
      `CREATE TABLE escalations (
        id ${t.key} PRIMARY KEY,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        partner_tenant_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        customer_tenant_id TEXT NOT NULL,
        created_at ${t.key} NOT NULL,
        updated_at ${t.key} NOT NULL,
        data ${t.json} NOT NULL
      )`,
      // One index per list filter, each ending in the list's sort order so a page is an index range.
      'CREATE INDEX escalations_updated ON escalations (updated_at DESC, id DESC)',
      'CREATE INDEX escalations_owner ON escalations (owner_id, updated_at DESC, id DESC)',
      'CREATE INDEX escalations_customer ON escalations (customer_tenant_id, updated_at DESC, id DESC)',
      'CREATE INDEX escalations_partner ON escalations (partner_tenant_id, updated_at DESC, id DESC)',
      'CREATE INDEX escalations_state ON escalations (state, updated_at DESC, id DESC)',
    ],
  },
  {
    version: 2,
    name: 'create audit_events',
    up: (t: DialectTypes) => [
      `CREATE TABLE audit_events (
        id ${t.autoId},
        escalation_id ${t.key} NOT NULL REFERENCES escalations (id),
        at TEXT NOT NULL,
        actor ${t.json} NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT
      )`,
      'CREATE INDEX audit_events_escalation ON audit_events (escalation_id, id)',
    ],
  },
  {
    version: 3,
    name: 'create documents',
    up: (t: DialectTypes) => [
      `CREATE TABLE documents (
        key ${t.key} PRIMARY KEY,
        value ${t.json} NOT NULL,
        etag TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 4,
    name: 'create outbox',
    up: (t: DialectTypes) => [
      // seq orders notifications as enqueued (ids are UUIDs); timestamps are canonical ISO text.
      `CREATE TABLE outbox (
        seq ${t.autoId},
        id ${t.key} NOT NULL UNIQUE,
        escalation_id ${t.key} NOT NULL,
        kind TEXT NOT NULL,
        target ${t.key} NOT NULL,
        payload ${t.json} NOT NULL,
        dedupe_key ${t.key} NOT NULL UNIQUE,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at ${t.key} NOT NULL,
        lease_owner TEXT,
        lease_expires_at ${t.key},
        sent_activity_id TEXT,
        last_error TEXT,
        created_at ${t.key} NOT NULL,
        updated_at ${t.key} NOT NULL
      )`,
      'CREATE INDEX outbox_pending ON outbox (status, next_attempt_at, seq)',
      'CREATE INDEX outbox_lease ON outbox (status, lease_expires_at)',
      'CREATE INDEX outbox_escalation ON outbox (escalation_id, seq)',
    ],
  },
  {
    version: 5,
    name: 'create tracking',
    up: (t: DialectTypes) => [
      `CREATE TABLE tracking (
        escalation_id ${t.key} PRIMARY KEY REFERENCES escalations (id),
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        next_poll_at ${t.key} NOT NULL,
        interval_ms INTEGER NOT NULL,
        lease_owner TEXT,
        lease_expires_at ${t.key},
        last_observed TEXT,
        updated_at ${t.key} NOT NULL
      )`,
      'CREATE INDEX tracking_due ON tracking (next_poll_at, escalation_id)',
    ],
  },
  {
    version: 6,
    name: 'create conversations',
    up: (t: DialectTypes) => [
      `CREATE TABLE conversations (
        key ${t.key} PRIMARY KEY,
        service_url TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        tenant_id ${t.key} NOT NULL,
        conversation_type TEXT,
        user_id TEXT,
        aad_object_id TEXT,
        bot_id TEXT NOT NULL,
        bot_name TEXT,
        unreachable_reason TEXT,
        unreachable_at TEXT,
        updated_at TEXT NOT NULL
      )`,
      'CREATE INDEX conversations_tenant ON conversations (tenant_id, key)',
    ],
  },
  {
    version: 7,
    name: 'lower-case tenant ids',
    // Tenant ids compare case-insensitively; rows written from an upper-case setting or activity
    // were missed by lower-case lookups. The record's JSON is edited as text, anchored on its own
    // key: inside a JSON string every quote is escaped, so `"partnerTenantId":"…"` only matches
    // the key itself, and the text (key order, escapes) stays exactly as written otherwise.
    up: (t: DialectTypes) => [
      `UPDATE escalations SET
        data = CAST(replace(replace(CAST(data AS TEXT),
            '"partnerTenantId":"' || partner_tenant_id || '"', '"partnerTenantId":"' || lower(partner_tenant_id) || '"'),
            '"tenantId":"' || customer_tenant_id || '"', '"tenantId":"' || lower(customer_tenant_id) || '"') AS ${t.json}),
        partner_tenant_id = lower(partner_tenant_id),
        customer_tenant_id = lower(customer_tenant_id)
      WHERE partner_tenant_id <> lower(partner_tenant_id) OR customer_tenant_id <> lower(customer_tenant_id)`,
      'UPDATE tracking SET tenant_id = lower(tenant_id) WHERE tenant_id <> lower(tenant_id)',
      'UPDATE conversations SET tenant_id = lower(tenant_id) WHERE tenant_id <> lower(tenant_id)',
    ],
  },
  {
    version: 8,
    name: 'create heartbeat',
    up: (t: DialectTypes) => [
      // One row per probe name, upserted by the readiness check: ready means a write commits.
      `CREATE TABLE heartbeat (
        name ${t.key} PRIMARY KEY,
        beat_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 9,
    name: 'index Microsoft references',
    // "Every escalation linked to incident X" (or to request N) within a partner tenant: the
    // references leave the JSON for columns of their own, each indexed in the list's order.
    // Partial indexes: a write of an escalation without the reference (every draft and
    // triage turn) leaves them alone; `column = ?` implies NOT NULL, so both planners use them.
    up: () => [
      'ALTER TABLE escalations ADD COLUMN service_request_id TEXT',
      'ALTER TABLE escalations ADD COLUMN known_issue_id TEXT',
      `CREATE INDEX escalations_service_request ON escalations (partner_tenant_id, service_request_id, updated_at DESC, id DESC)
        WHERE service_request_id IS NOT NULL`,
      `CREATE INDEX escalations_known_issue ON escalations (partner_tenant_id, known_issue_id, updated_at DESC, id DESC)
        WHERE known_issue_id IS NOT NULL`,
    ],
    backfill: {
      table: 'escalations',
      key: 'id',
      read: ['data'],
      // The new columns start NULL: only the references a record carries are written.
      rewrite: (row) =>
        Object.fromEntries(Object.entries(referenceColumns(fromJsonColumn<Escalation>(row.data))).filter(([, value]) => value !== null)),
    },
  },
  {
    version: 10,
    name: 'create incidents',
    // One Microsoft incident across customer tenants (src/domain/incidents.ts): the record's own
    // fields as JSON, one row per affected customer (a tenant's sweep rewrites only its row), the
    // incident channel, and the per-tenant sweep schedule leased like `tracking`.
    up: (t: DialectTypes) => [
      `CREATE TABLE incidents (
        id ${t.key} PRIMARY KEY,
        version INTEGER NOT NULL,
        resolved INTEGER NOT NULL,
        updated_at ${t.key} NOT NULL,
        card_due_at ${t.key},
        data ${t.json} NOT NULL,
        card ${t.json}
      )`,
      'CREATE INDEX incidents_list ON incidents (resolved, updated_at DESC, id DESC)',
      'CREATE INDEX incidents_updated ON incidents (updated_at DESC, id DESC)',
      'CREATE INDEX incidents_card_due ON incidents (card_due_at, id) WHERE card_due_at IS NOT NULL',
      `CREATE TABLE incident_customers (
        incident_id ${t.key} NOT NULL REFERENCES incidents (id),
        tenant_id ${t.key} NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        gone_since TEXT,
        told_at TEXT,
        told_by ${t.json},
        PRIMARY KEY (incident_id, tenant_id)
      )`,
      'CREATE INDEX incident_customers_tenant ON incident_customers (tenant_id, incident_id)',
      `CREATE TABLE incident_channel (
        name ${t.key} PRIMARY KEY,
        conversation_key TEXT NOT NULL,
        set_by ${t.json} NOT NULL,
        set_at TEXT NOT NULL
      )`,
      `CREATE TABLE incident_sweeps (
        tenant_id ${t.key} PRIMARY KEY,
        name TEXT NOT NULL,
        next_sweep_at ${t.key} NOT NULL,
        lease_owner TEXT,
        lease_expires_at ${t.key},
        last_outcome TEXT,
        last_reason TEXT,
        last_swept_at TEXT,
        last_ok_at TEXT,
        failures INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      'CREATE INDEX incident_sweeps_due ON incident_sweeps (next_sweep_at, tenant_id)',
    ],
  },
  {
    version: 11,
    name: 'index escalations by creation',
    // The response-time report pages through a partner tenant's escalations created in a period.
    up: () => ['CREATE INDEX escalations_partner_created ON escalations (partner_tenant_id, created_at, id)'],
  },
]);

/** Checks the list is usable: versions strictly increasing, names unique. */
export function assertValidMigrations(migrations: readonly Migration[]): void {
  const names = new Set<string>();
  migrations.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1) {
      throw new Error(`Migration "${m.name}" has an invalid version ${m.version}.`);
    }
    if (i > 0 && m.version <= migrations[i - 1].version) {
      throw new Error(`Migration ${m.version} "${m.name}" is out of order: versions must increase.`);
    }
    if (names.has(m.name)) throw new Error(`Migration name "${m.name}" is used twice.`);
    names.add(m.name);
  });
}

