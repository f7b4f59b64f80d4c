/**
 * The incident stores on PostgreSQL: a versioned save in one transaction, and sweep claims
 * that lease rows with `FOR UPDATE SKIP LOCKED`, so instances never sweep one tenant at once
 * nor wait on each other.
 */
import type pg from 'pg';
import { tenantKey } from './escalation-sql';
import { effectiveLimit } from './sql';
import {
  CHANNEL_NAME,
  INSERT_INCIDENT,
  SWEEP_DUE_CONDITION,
  UPDATE_INCIDENT,
  cardWorkDueSql,
  completeSweepSql,
  customersOf,
  customersToWrite,
  fromChannelRow,
  fromSweepRow,
  incidentCountsSql,
  incidentValues,
  listIncidentsSql,
  toCountsPage,
  type IncidentCountsRow,
  listSweepsSql,
  nextIncidentCursor,
  forTenantSql,
  tenantCustomersSql,
  setChannelSql,
  sweepSoonSql,
  toStoredIncidents,
  toSweepPage,
  upsertCustomer,
  watchingSql,
  type ChannelRow,
  type CustomerRow,
  type IncidentRow,
  type SweepRow,
} from './incident-sql';
import {
  IncidentConflictError,
  type IncidentChannel,
  type IncidentCounts,
  type IncidentFilterQuery,
  type IncidentSave,
  type IncidentStore,
  type StoredIncident,
  type SweepCompletion,
  type SweptCustomer,
  type TenantSweepState,
  type TenantSweepStore,
} from './incidents';
import { insertNotification } from './outbox-sql';
import { numbered, type Statement } from './sql';

/** Something that runs a query: the pool, or a client inside a transaction. */
type Queryable = Pick<pg.ClientBase, 'query'>;

/** The PostgreSQL session's helpers (`PostgresSession` in postgres.ts). */
export interface PostgresAccess {
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  readonly queryable: Queryable;
}

async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(client: Queryable, statement: Statement): Promise<pg.QueryResult<R>> {
  return client.query<R>(numbered(statement.sql), statement.params);
}

async function withCustomers(client: Queryable, rows: readonly IncidentRow[]): Promise<StoredIncident[]> {
  if (rows.length === 0) return [];
  const customers = await run<CustomerRow>(client, customersOf(rows.map((r) => r.id)));
  return toStoredIncidents(rows, customers.rows);
}

/** Incidents, customers, cards and the incident channel in PostgreSQL. */
export class PostgresIncidentStore implements IncidentStore {
  constructor(private readonly session: PostgresAccess) {}

  async get(id: string): Promise<StoredIncident | undefined> {
    return (await this.getMany([id]))[0];
  }

  async getMany(ids: readonly string[]): Promise<StoredIncident[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.session.queryable.query<IncidentRow>('SELECT id, version, data, card FROM incidents WHERE id = ANY($1::text[]) ORDER BY id', [
      unique,
    ]);
    return withCustomers(this.session.queryable, rows.rows);
  }

  async forTenant(tenantId: string, ids: readonly string[]): Promise<StoredIncident[]> {
    const rows = (await run<IncidentRow>(this.session.queryable, forTenantSql(tenantId, [...new Set(ids)]))).rows;
    if (rows.length === 0) return [];
    const customers = await run<CustomerRow>(this.session.queryable, tenantCustomersSql(tenantId, rows.map((r) => r.id)));
    return toStoredIncidents(rows, customers.rows);
  }

  async list(query: IncidentFilterQuery = {}): Promise<{ items: StoredIncident[]; nextCursor?: string }> {
    const limit = effectiveLimit(query.limit);
    const rows = (await run<IncidentRow & { updated_at: string }>(this.session.queryable, listIncidentsSql(query, limit))).rows;
    const items = await withCustomers(this.session.queryable, rows.slice(0, limit));
    const nextCursor = nextIncidentCursor(rows, limit);
    return nextCursor === undefined ? { items } : { items, nextCursor };
  }

  async listForCustomer(tenantId: string, page: Pick<IncidentFilterQuery, 'limit' | 'cursor'> = {}): Promise<{ items: StoredIncident[]; nextCursor?: string }> {
    const limit = effectiveLimit(page.limit);
    const rows = (await run<IncidentRow & { updated_at: string }>(this.session.queryable, listIncidentsSql({ ...page, tenantId }, limit))).rows;
    const own = rows.slice(0, limit);
    const customers = own.length === 0 ? [] : (await run<CustomerRow>(this.session.queryable, tenantCustomersSql(tenantId, own.map((r) => r.id)))).rows;
    const items = toStoredIncidents(own, customers);
    const nextCursor = nextIncidentCursor(rows, limit);
    return nextCursor === undefined ? { items } : { items, nextCursor };
  }

  async counts(query: IncidentFilterQuery = {}): Promise<{ items: IncidentCounts[]; nextCursor?: string }> {
    const limit = effectiveLimit(query.limit);
    return toCountsPage((await run<IncidentCountsRow>(this.session.queryable, incidentCountsSql(query, limit))).rows, limit);
  }

  async save(change: IncidentSave): Promise<StoredIncident> {
    const { incident, card, expectedVersion } = change;
    const version = expectedVersion + 1;
    const values = incidentValues(incident, card, version);
    return this.session.transaction(async (client) => {
      // A concurrent writer holds the row lock until it commits; this UPDATE then re-checks the
      // version against the committed row and matches nothing, so exactly one save wins.
      const written =
        expectedVersion === 0
          ? await run(client, { sql: INSERT_INCIDENT, params: values })
          : await run(client, { sql: UPDATE_INCIDENT, params: [...values, incident.id, expectedVersion] });
      if (written.rowCount !== 1) throw new IncidentConflictError(incident.id, expectedVersion);
      for (const customer of customersToWrite(incident, expectedVersion === 0 ? undefined : change.changedCustomers)) {
        await run(client, upsertCustomer(incident.id, customer));
      }
      const now = (change.at ?? new Date()).toISOString();
      for (const n of change.outbox ?? []) await run(client, insertNotification(n, now));
      return { incident, version, ...(card ? { card } : {}) };
    });
  }

  async cardWorkDue(now: Date, limit: number): Promise<StoredIncident[]> {
    const rows = await run<IncidentRow>(this.session.queryable, cardWorkDueSql(now, limit));
    return withCustomers(this.session.queryable, rows.rows);
  }

  async watchingEscalations(incidentId: string): Promise<readonly string[]> {
    return (await run<{ escalation_id: string }>(this.session.queryable, watchingSql(incidentId))).rows.map((r) => r.escalation_id);
  }

  async getChannel(): Promise<IncidentChannel | undefined> {
    const result = await this.session.queryable.query<ChannelRow>('SELECT * FROM incident_channel WHERE name = $1', [CHANNEL_NAME]);
    return result.rows[0] === undefined ? undefined : fromChannelRow(result.rows[0]);
  }

  async setChannel(channel: IncidentChannel): Promise<void> {
    await run(this.session.queryable, setChannelSql(channel));
  }

  async clearChannel(): Promise<boolean> {
    return ((await this.session.queryable.query('DELETE FROM incident_channel WHERE name = $1', [CHANNEL_NAME])).rowCount ?? 0) > 0;
  }
}

/** The per-tenant sweep schedule in PostgreSQL, leased with FOR UPDATE SKIP LOCKED. */
export class PostgresTenantSweepStore implements TenantSweepStore {
  constructor(private readonly session: PostgresAccess) {}

  async register(customers: readonly SweptCustomer[], now: Date): Promise<number> {
    if (customers.length === 0) return 0;
    // One statement for the whole list: a thousand customers are one round trip, not two thousand.
    const result = await this.session.queryable.query<{ inserted: boolean }>(
      `INSERT INTO incident_sweeps (tenant_id, name, next_sweep_at, failures, updated_at)
       SELECT t.tenant_id, t.name, t.next_sweep_at, 0, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t (tenant_id, name, next_sweep_at)
       ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name WHERE incident_sweeps.name <> excluded.name
       RETURNING (xmax = 0) AS inserted`,
      [customers.map((c) => tenantKey(c.tenantId)), customers.map((c) => c.name), customers.map((c) => c.firstSweepAt.toISOString()), now.toISOString()],
    );
    return result.rows.filter((r) => r.inserted).length;
  }

  async prune(tenantIds: readonly string[]): Promise<number> {
    const result = await this.session.queryable.query('DELETE FROM incident_sweeps WHERE NOT (tenant_id = ANY($1::text[]))', [tenantIds.map(tenantKey)]);
    return result.rowCount ?? 0;
  }

  async claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TenantSweepState[]> {
    const at = now.toISOString();
    const expires = new Date(now.getTime() + leaseMs).toISOString();
    const result = await run<SweepRow>(this.session.queryable, {
      sql: `WITH due AS (
              SELECT tenant_id FROM incident_sweeps WHERE ${SWEEP_DUE_CONDITION}
              ORDER BY next_sweep_at, tenant_id LIMIT ? FOR UPDATE SKIP LOCKED
            )
            UPDATE incident_sweeps s SET lease_owner = ?, lease_expires_at = ?, updated_at = ?
            FROM due WHERE s.tenant_id = due.tenant_id
            RETURNING s.*`,
      params: [at, at, Math.max(1, Math.floor(limit)), owner, expires, at],
    });
    // RETURNING has no defined order: earliest due first, as claimed.
    return result.rows.map(fromSweepRow).sort((a, b) => a.nextSweepAt.localeCompare(b.nextSweepAt) || a.tenantId.localeCompare(b.tenantId));
  }

  async complete(tenantId: string, owner: string, c: SweepCompletion): Promise<boolean> {
    return (await run(this.session.queryable, completeSweepSql(tenantId, owner, c.outcome, c.reason, c.at, c.nextSweepAt))).rowCount === 1;
  }

  async sweepSoon(tenantIds: readonly string[], at: Date): Promise<number> {
    if (tenantIds.length === 0) return 0;
    return (await run(this.session.queryable, sweepSoonSql(tenantIds, at))).rowCount ?? 0;
  }

  async get(tenantId: string): Promise<TenantSweepState | undefined> {
    const result = await this.session.queryable.query<SweepRow>('SELECT * FROM incident_sweeps WHERE tenant_id = $1', [tenantKey(tenantId)]);
    return result.rows[0] === undefined ? undefined : fromSweepRow(result.rows[0]);
  }

  async list(options: { limit?: number; cursor?: string; failing?: boolean } = {}): Promise<{ items: TenantSweepState[]; nextCursor?: string }> {
    const limit = effectiveLimit(options.limit);
    return toSweepPage((await run<SweepRow>(this.session.queryable, listSweepsSql({ ...options, limit }))).rows, limit);
  }
}
