/**
 * SQL and row mapping of the incident tables, shared by SQLite and PostgreSQL. Statements use
 * `?` placeholders (`numbered` renders them for pg). The record's own fields live in one JSON
 * column; what is queried (resolved, last change, card work due) and each affected customer
 * (one row per incident and tenant, so a sweep rewrites only its own tenant's row) have columns.
 */
import type { IncidentCardState } from '../domain/incident-messages';
import type { AffectedCustomer, Incident, IncidentActor } from '../domain/incidents';
import { decodeCursor, encodeCursor, tenantKey } from './escalation-sql';
import { fromJsonColumn, sortableTimestamp } from './sql';
import type { IncidentChannel, IncidentCounts, IncidentFilterQuery, StoredIncident, TenantSweepState } from './incidents';
import type { Statement } from './sql';

/** The one row of `incident_channel` (a partner has one incident channel). */
export const CHANNEL_NAME = 'incidents';

/** Columns of `incidents` as both drivers return them. */
export interface IncidentRow {
  readonly id: string;
  readonly version: number | string;
  readonly data: unknown;
  readonly card: unknown;
}

/** Columns of `incident_customers`. */
export interface CustomerRow {
  readonly incident_id: string;
  readonly tenant_id: string;
  readonly seq: number | string;
  readonly name: string;
  readonly first_seen_at: string;
  readonly last_seen_at: string;
  readonly gone_since: string | null;
  readonly told_at: string | null;
  readonly told_by: unknown;
}

/** The columns an incident is written with, in this order. */
export const INCIDENT_COLUMNS = 'id, version, resolved, updated_at, card_due_at, data, card';

/** The values of INCIDENT_COLUMNS for a record stored at `version` (JSON as text). */
export function incidentValues(incident: Incident, card: IncidentCardState | undefined, version: number): unknown[] {
  const { customers: _customers, ...fields } = incident;
  return [
    incident.id,
    version,
    incident.resolved ? 1 : 0,
    sortableTimestamp(incident.updatedAt, 'updatedAt', incident.id),
    card?.dueAt === undefined ? null : sortableTimestamp(card.dueAt, 'card.dueAt', incident.id),
    JSON.stringify(fields),
    card === undefined ? null : JSON.stringify(card),
  ];
}

/** The INSERT of a new incident; writes nothing when the id exists. */
export const INSERT_INCIDENT = `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/** The UPDATE of an incident read at a version (parameters: INCIDENT_COLUMNS' values, then the expected version). */
export const UPDATE_INCIDENT = `UPDATE incidents SET id = ?, version = ?, resolved = ?, updated_at = ?, card_due_at = ?, data = ?, card = ?
  WHERE id = ? AND version = ?`;

/**
 * Upserts one affected customer. A new one goes to the end of the list (its place is the store's,
 * so a save that carries only this tenant's entry keeps everyone else's order); an update keeps it.
 */
export function upsertCustomer(incidentId: string, customer: AffectedCustomer): Statement {
  return {
    sql: `INSERT INTO incident_customers (incident_id, tenant_id, seq, name, first_seen_at, last_seen_at, gone_since, told_at, told_by)
          VALUES (?, ?, (SELECT COALESCE(MAX(seq), -1) + 1 FROM incident_customers WHERE incident_id = ?), ?, ?, ?, ?, ?, ?)
          ON CONFLICT (incident_id, tenant_id) DO UPDATE SET name = excluded.name,
            first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at, gone_since = excluded.gone_since,
            told_at = excluded.told_at, told_by = excluded.told_by`,
    params: [
      incidentId,
      tenantKey(customer.tenantId),
      incidentId,
      customer.name,
      customer.firstSeenAt,
      customer.lastSeenAt,
      customer.goneSince ?? null,
      customer.told?.at ?? null,
      customer.told ? JSON.stringify(customer.told.by) : null,
    ],
  };
}

/** The customers to write for a save: those named as changed (all when none are named), in list order. */
export function customersToWrite(incident: Incident, changed: readonly string[] | undefined): AffectedCustomer[] {
  const wanted = changed === undefined ? undefined : new Set(changed.map(tenantKey));
  return incident.customers.filter((customer) => wanted === undefined || wanted.has(tenantKey(customer.tenantId)));
}

/** Rebuilds stored incidents from their rows and their customers' rows (any order). */
export function toStoredIncidents(rows: readonly IncidentRow[], customers: readonly CustomerRow[]): StoredIncident[] {
  const byIncident = new Map<string, CustomerRow[]>();
  for (const c of customers) byIncident.set(c.incident_id, [...(byIncident.get(c.incident_id) ?? []), c]);
  return rows.map((row) => {
    const own = (byIncident.get(row.id) ?? []).sort((a, b) => Number(a.seq) - Number(b.seq) || a.tenant_id.localeCompare(b.tenant_id));
    const fields = fromJsonColumn<Omit<Incident, 'customers'>>(row.data);
    const card = row.card === null || row.card === undefined ? undefined : fromJsonColumn<IncidentCardState>(row.card);
    return { incident: { ...fields, customers: own.map(fromCustomerRow) }, version: Number(row.version), ...(card ? { card } : {}) };
  });
}

function fromCustomerRow(row: CustomerRow): AffectedCustomer {
  return {
    tenantId: row.tenant_id,
    name: row.name,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    ...(row.gone_since === null ? {} : { goneSince: row.gone_since }),
    ...(row.told_at === null ? {} : { told: { by: fromJsonColumn<IncidentActor>(row.told_by), at: row.told_at } }),
  };
}

/** `?, ?, ?` for `count` values. */
export function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** The customers of some incidents. */
export function customersOf(ids: readonly string[]): Statement {
  return { sql: `SELECT * FROM incident_customers WHERE incident_id IN (${marks(ids.length)})`, params: [...ids] };
}

/** The incidents among `ids`, and the unresolved ones the tenant is an active customer of. */
export function forTenantSql(tenantId: string, ids: readonly string[]): Statement {
  const listed = ids.length > 0 ? `id IN (${marks(ids.length)}) OR ` : '';
  return {
    sql: `SELECT id, version, data, card FROM incidents
          WHERE ${listed}(resolved = 0 AND id IN (SELECT incident_id FROM incident_customers WHERE tenant_id = ? AND gone_since IS NULL))
          ORDER BY id`,
    params: [...ids, tenantKey(tenantId)],
  };
}

/** One tenant's customer entries on some incidents. */
export function tenantCustomersSql(tenantId: string, ids: readonly string[]): Statement {
  return { sql: `SELECT * FROM incident_customers WHERE tenant_id = ? AND incident_id IN (${marks(ids.length)})`, params: [tenantKey(tenantId), ...ids] };
}

/** One page of incidents, most recently changed first (one row more than the page). */
export function listIncidentsSql(query: IncidentFilterQuery, limit: number): Statement {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (query.resolved !== undefined) {
    conditions.push('resolved = ?');
    params.push(query.resolved ? 1 : 0);
  }
  if (query.tenantId !== undefined) {
    conditions.push('id IN (SELECT incident_id FROM incident_customers WHERE tenant_id = ?)');
    params.push(tenantKey(query.tenantId));
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    conditions.push('(updated_at, id) < (?, ?)');
    params.push(after.updatedAt, after.id);
  }
  params.push(limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT id, version, data, card, updated_at FROM incidents ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`, params };
}

/** One page of incidents with their customer counts (one row more than the page), in `listIncidentsSql`'s order. */
export function incidentCountsSql(query: IncidentFilterQuery, limit: number): Statement {
  const page = listIncidentsSql(query, limit);
  return {
    sql: `SELECT i.id, i.data, i.updated_at,
            (SELECT COUNT(*) FROM incident_customers c WHERE c.incident_id = i.id) AS affected,
            (SELECT COUNT(*) FROM incident_customers c WHERE c.incident_id = i.id AND c.told_at IS NOT NULL) AS told
          FROM (${page.sql}) i ORDER BY i.updated_at DESC, i.id DESC`,
    params: page.params,
  };
}

/** Columns of `incidentCountsSql`. */
export interface IncidentCountsRow {
  readonly id: string;
  readonly data: unknown;
  readonly updated_at: string;
  readonly affected: number | string;
  readonly told: number | string;
}

/** Cuts counted rows into a page and the next cursor. */
export function toCountsPage(rows: readonly IncidentCountsRow[], limit: number): { items: IncidentCounts[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map((row) => ({
    incident: fromJsonColumn<Omit<Incident, 'customers'>>(row.data),
    affected: Number(row.affected),
    told: Number(row.told),
  }));
  const nextCursor = nextIncidentCursor(rows, limit);
  return nextCursor === undefined ? { items } : { items, nextCursor };
}

/** The cursor after the last row of a page, when more rows followed. */
export function nextIncidentCursor(rows: ReadonlyArray<{ id: string; updated_at: string }>, limit: number): string | undefined {
  if (rows.length <= limit) return undefined;
  const last = rows[limit - 1];
  return last === undefined ? undefined : encodeCursor({ updatedAt: last.updated_at, id: last.id });
}

/** Incidents with card work due. */
export function cardWorkDueSql(now: Date, limit: number): Statement {
  return {
    sql: 'SELECT id, version, data, card FROM incidents WHERE card_due_at IS NOT NULL AND card_due_at <= ? ORDER BY card_due_at, id LIMIT ?',
    params: [now.toISOString(), Math.max(1, Math.floor(limit))],
  };
}

/** Escalations whose tracking row watches an incident (health issue ids compare in any case). */
export function watchingSql(incidentId: string): Statement {
  return {
    sql: "SELECT escalation_id FROM tracking WHERE kind = 'health_issue' AND lower(ref) = lower(?) ORDER BY escalation_id",
    params: [incidentId],
  };
}

/** Columns of `incident_channel`. */
export interface ChannelRow {
  readonly conversation_key: string;
  readonly set_by: unknown;
  readonly set_at: string;
}

/** Sets the incident channel. */
export function setChannelSql(channel: IncidentChannel): Statement {
  return {
    sql: `INSERT INTO incident_channel (name, conversation_key, set_by, set_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (name) DO UPDATE SET conversation_key = excluded.conversation_key, set_by = excluded.set_by, set_at = excluded.set_at`,
    params: [CHANNEL_NAME, channel.conversationKey, JSON.stringify(channel.setBy), channel.setAt],
  };
}

/** Rebuilds the channel setting. */
export function fromChannelRow(row: ChannelRow): IncidentChannel {
  return { conversationKey: row.conversation_key, setBy: fromJsonColumn<IncidentActor>(row.set_by), setAt: row.set_at };
}

/** Columns of `incident_sweeps`. */
export interface SweepRow {
  readonly tenant_id: string;
  readonly name: string;
  readonly next_sweep_at: string;
  readonly lease_owner: string | null;
  readonly lease_expires_at: string | null;
  readonly last_outcome: string | null;
  readonly last_reason: string | null;
  readonly last_swept_at: string | null;
  readonly last_ok_at: string | null;
  readonly failures: number | string;
}

/** Rebuilds a sweep row. */
export function fromSweepRow(row: SweepRow): TenantSweepState {
  return {
    tenantId: row.tenant_id,
    name: row.name,
    nextSweepAt: row.next_sweep_at,
    failures: Number(row.failures),
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    ...(row.last_outcome === null ? {} : { lastOutcome: row.last_outcome as TenantSweepState['lastOutcome'] }),
    ...(row.last_reason === null ? {} : { lastReason: row.last_reason }),
    ...(row.last_swept_at === null ? {} : { lastSweptAt: row.last_swept_at }),
    ...(row.last_ok_at === null ? {} : { lastOkAt: row.last_ok_at }),
  };
}

/** Tenants due for a sweep: their time has come and nobody holds a live lease. */
export const SWEEP_DUE_CONDITION = 'next_sweep_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)';

/** Adds a tenant new to the schedule (nothing when it is known). */
export function insertSweepSql(tenantId: string, name: string, firstSweepAt: Date, now: Date): Statement {
  return {
    sql: `INSERT INTO incident_sweeps (tenant_id, name, next_sweep_at, failures, updated_at) VALUES (?, ?, ?, 0, ?)
          ON CONFLICT (tenant_id) DO NOTHING`,
    params: [tenantKey(tenantId), name, firstSweepAt.toISOString(), now.toISOString()],
  };
}

/** Renames a known tenant when its name changed. */
export function renameSweepSql(tenantId: string, name: string): Statement {
  return { sql: 'UPDATE incident_sweeps SET name = ? WHERE tenant_id = ? AND name <> ?', params: [name, tenantKey(tenantId), name] };
}

/** Records a finished sweep and releases the lease, for its holder only. */
export function completeSweepSql(tenantId: string, owner: string, outcome: 'ok' | 'failed', reason: string | undefined, at: Date, next: Date): Statement {
  const when = at.toISOString();
  return {
    sql: `UPDATE incident_sweeps SET next_sweep_at = ?, lease_owner = NULL, lease_expires_at = NULL,
            last_outcome = ?, last_reason = ?, last_swept_at = ?,
            last_ok_at = CASE WHEN ? = 'ok' THEN CAST(? AS TEXT) ELSE last_ok_at END,
            failures = CASE WHEN ? = 'ok' THEN 0 ELSE failures + 1 END, updated_at = ?
          WHERE tenant_id = ? AND lease_owner = ?`,
    params: [next.toISOString(), outcome, reason?.slice(0, 100) ?? null, when, outcome, when, outcome, when, tenantKey(tenantId), owner],
  };
}

/** Brings some tenants' next sweep forward to `at`. */
export function sweepSoonSql(tenantIds: readonly string[], at: Date): Statement {
  return {
    sql: `UPDATE incident_sweeps SET next_sweep_at = ? WHERE next_sweep_at > ? AND tenant_id IN (${marks(tenantIds.length)})`,
    params: [at.toISOString(), at.toISOString(), ...tenantIds.map(tenantKey)],
  };
}

/** One page of the schedule in tenant order (one row more than the page). */
export function listSweepsSql(options: { limit: number; cursor?: string; failing?: boolean }): Statement {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (options.cursor !== undefined) {
    const after = Buffer.from(options.cursor, 'base64url').toString('utf8');
    if (after === '') throw new RangeError('Invalid list cursor: not a cursor returned by list().');
    conditions.push('tenant_id > ?');
    params.push(after);
  }
  if (options.failing) conditions.push("last_outcome = 'failed'");
  params.push(options.limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT * FROM incident_sweeps ${where} ORDER BY tenant_id LIMIT ?`, params };
}

/** Cuts fetched sweep rows into a page and the next cursor. */
export function toSweepPage(rows: readonly SweepRow[], limit: number): { items: TenantSweepState[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map(fromSweepRow);
  const last = items[items.length - 1];
  if (rows.length <= limit || last === undefined) return { items };
  return { items, nextCursor: Buffer.from(last.tenantId, 'utf8').toString('base64url') };
}

/** Splits values so no statement exceeds SQLite's limit on host parameters. */
export function chunked<T>(values: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
