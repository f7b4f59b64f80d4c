/**
 * The incident stores on SQLite: one writer at a time, so a claim or a versioned save inside one
 * IMMEDIATE transaction is exclusive.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { tenantKey } from './escalation-sql';
import { effectiveLimit } from './sql';
import {
  CHANNEL_NAME,
  INSERT_INCIDENT,
  SWEEP_DUE_CONDITION,
  UPDATE_INCIDENT,
  cardWorkDueSql,
  chunked,
  completeSweepSql,
  customersOf,
  customersToWrite,
  fromChannelRow,
  fromSweepRow,
  incidentCountsSql,
  incidentValues,
  insertSweepSql,
  toCountsPage,
  type IncidentCountsRow,
  listIncidentsSql,
  listSweepsSql,
  marks,
  nextIncidentCursor,
  forTenantSql,
  tenantCustomersSql,
  renameSweepSql,
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
import type { Statement } from './sql';

/** What the statements need of a connection. */
interface Preparer {
  prepare(sql: string): BetterSqlite3.Statement;
}

/** The SQLite session's transaction helpers (`SqliteSession` in sqlite.ts). */
export interface SqliteAccess {
  write<T>(work: (db: Preparer) => T): Promise<T>;
  read<T>(work: (db: Preparer) => T): Promise<T>;
}

function run(db: Preparer, statement: Statement): BetterSqlite3.RunResult {
  return db.prepare(statement.sql).run(...statement.params);
}

function all<R>(db: Preparer, statement: Statement): R[] {
  return db.prepare(statement.sql).all(...statement.params) as R[];
}

/** Loads incidents and their customers. */
function withCustomers(db: Preparer, rows: readonly IncidentRow[]): StoredIncident[] {
  if (rows.length === 0) return [];
  const customers = chunked(rows.map((r) => r.id)).flatMap((ids) => all<CustomerRow>(db, customersOf(ids)));
  return toStoredIncidents(rows, customers);
}

/** Incidents, customers, cards and the incident channel in SQLite. */
export class SqliteIncidentStore implements IncidentStore {
  constructor(private readonly session: SqliteAccess) {}

  async get(id: string): Promise<StoredIncident | undefined> {
    return (await this.getMany([id]))[0];
  }

  getMany(ids: readonly string[]): Promise<StoredIncident[]> {
    return this.session.read((db) => {
      const unique = [...new Set(ids)];
      const rows = chunked(unique).flatMap((chunk) =>
        all<IncidentRow>(db, { sql: `SELECT id, version, data, card FROM incidents WHERE id IN (${marks(chunk.length)}) ORDER BY id`, params: chunk }),
      );
      return withCustomers(db, rows);
    });
  }

  forTenant(tenantId: string, ids: readonly string[]): Promise<StoredIncident[]> {
    return this.session.read((db) => {
      const rows = all<IncidentRow>(db, forTenantSql(tenantId, [...new Set(ids)]));
      return rows.length === 0 ? [] : toStoredIncidents(rows, all<CustomerRow>(db, tenantCustomersSql(tenantId, rows.map((r) => r.id))));
    });
  }

  list(query: IncidentFilterQuery = {}): Promise<{ items: StoredIncident[]; nextCursor?: string }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(query.limit);
      const rows = all<IncidentRow & { updated_at: string }>(db, listIncidentsSql(query, limit));
      const items = withCustomers(db, rows.slice(0, limit));
      const nextCursor = nextIncidentCursor(rows, limit);
      return nextCursor === undefined ? { items } : { items, nextCursor };
    });
  }

  listForCustomer(tenantId: string, page: Pick<IncidentFilterQuery, 'limit' | 'cursor'> = {}): Promise<{ items: StoredIncident[]; nextCursor?: string }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(page.limit);
      const rows = all<IncidentRow & { updated_at: string }>(db, listIncidentsSql({ ...page, tenantId }, limit));
      const own = rows.slice(0, limit);
      const items = own.length === 0 ? [] : toStoredIncidents(own, all<CustomerRow>(db, tenantCustomersSql(tenantId, own.map((r) => r.id))));
      const nextCursor = nextIncidentCursor(rows, limit);
      return nextCursor === undefined ? { items } : { items, nextCursor };
    });
  }

  counts(query: IncidentFilterQuery = {}): Promise<{ items: IncidentCounts[]; nextCursor?: string }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(query.limit);
      return toCountsPage(all<IncidentCountsRow>(db, incidentCountsSql(query, limit)), limit);
    });
  }

  save(change: IncidentSave): Promise<StoredIncident> {
    return this.session.write((db) => {
      const { incident, card, expectedVersion } = change;
      const version = expectedVersion + 1;
      const values = incidentValues(incident, card, version);
      const written =
        expectedVersion === 0
          ? db.prepare(INSERT_INCIDENT).run(...values).changes
          : db.prepare(UPDATE_INCIDENT).run(...values, incident.id, expectedVersion).changes;
      if (written === 0) throw new IncidentConflictError(incident.id, expectedVersion);
      for (const customer of customersToWrite(incident, expectedVersion === 0 ? undefined : change.changedCustomers)) {
        run(db, upsertCustomer(incident.id, customer));
      }
      const now = (change.at ?? new Date()).toISOString();
      for (const n of change.outbox ?? []) run(db, insertNotification(n, now));
      return { incident, version, ...(card ? { card } : {}) };
    });
  }

  cardWorkDue(now: Date, limit: number): Promise<StoredIncident[]> {
    return this.session.read((db) => withCustomers(db, all<IncidentRow>(db, cardWorkDueSql(now, limit))));
  }

  watchingEscalations(incidentId: string): Promise<readonly string[]> {
    return this.session.read((db) => all<{ escalation_id: string }>(db, watchingSql(incidentId)).map((r) => r.escalation_id));
  }

  getChannel(): Promise<IncidentChannel | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM incident_channel WHERE name = ?').get(CHANNEL_NAME) as ChannelRow | undefined;
      return row === undefined ? undefined : fromChannelRow(row);
    });
  }

  setChannel(channel: IncidentChannel): Promise<void> {
    return this.session.write((db) => {
      run(db, setChannelSql(channel));
    });
  }

  clearChannel(): Promise<boolean> {
    return this.session.write((db) => db.prepare('DELETE FROM incident_channel WHERE name = ?').run(CHANNEL_NAME).changes > 0);
  }
}

/** The per-tenant sweep schedule in SQLite. */
export class SqliteTenantSweepStore implements TenantSweepStore {
  constructor(private readonly session: SqliteAccess) {}

  register(customers: readonly SweptCustomer[], now: Date): Promise<number> {
    return this.session.write((db) => {
      let added = 0;
      for (const c of customers) {
        added += run(db, insertSweepSql(c.tenantId, c.name, c.firstSweepAt, now)).changes;
        run(db, renameSweepSql(c.tenantId, c.name));
      }
      return added;
    });
  }

  prune(tenantIds: readonly string[]): Promise<number> {
    return this.session.write((db) => {
      const keep = new Set(tenantIds.map(tenantKey));
      const gone = (db.prepare('SELECT tenant_id FROM incident_sweeps').all() as Array<{ tenant_id: string }>)
        .map((r) => r.tenant_id)
        .filter((id) => !keep.has(id));
      let removed = 0;
      for (const chunk of chunked(gone)) {
        removed += run(db, { sql: `DELETE FROM incident_sweeps WHERE tenant_id IN (${marks(chunk.length)})`, params: chunk }).changes;
      }
      return removed;
    });
  }

  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<TenantSweepState[]> {
    return this.session.write((db) => {
      const at = now.toISOString();
      const due = db
        .prepare(`SELECT tenant_id FROM incident_sweeps WHERE ${SWEEP_DUE_CONDITION} ORDER BY next_sweep_at, tenant_id LIMIT ?`)
        .all(at, at, Math.max(1, Math.floor(limit))) as Array<{ tenant_id: string }>;
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      const lease = db.prepare('UPDATE incident_sweeps SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE tenant_id = ? RETURNING *');
      return due.map((d) => fromSweepRow(lease.get(owner, expires, at, d.tenant_id) as SweepRow));
    });
  }

  complete(tenantId: string, owner: string, c: SweepCompletion): Promise<boolean> {
    return this.session.write((db) => run(db, completeSweepSql(tenantId, owner, c.outcome, c.reason, c.at, c.nextSweepAt)).changes === 1);
  }

  sweepSoon(tenantIds: readonly string[], at: Date): Promise<number> {
    return this.session.write((db) => chunked(tenantIds).reduce((moved, chunk) => moved + run(db, sweepSoonSql(chunk, at)).changes, 0));
  }

  get(tenantId: string): Promise<TenantSweepState | undefined> {
    return this.session.read((db) => {
      const row = db.prepare('SELECT * FROM incident_sweeps WHERE tenant_id = ?').get(tenantKey(tenantId)) as SweepRow | undefined;
      return row === undefined ? undefined : fromSweepRow(row);
    });
  }

  list(options: { limit?: number; cursor?: string; failing?: boolean } = {}): Promise<{ items: TenantSweepState[]; nextCursor?: string }> {
    return this.session.read((db) => {
      const limit = effectiveLimit(options.limit);
      return toSweepPage(all<SweepRow>(db, listSweepsSql({ ...options, limit })), limit);
    });
  }
}
