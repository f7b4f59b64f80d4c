/**
 * The `escalations` and `audit_events` tables in both dialects: the column list (written once,
 * here), how a record maps to its row, the statements that write and list them, and how list
 * pages are cut. Keeping them here is what lets one contract suite hold both implementations
 * to the same behaviour.
 */
import type { Actor, AuditEvent, Escalation, EscalationState } from '../domain/escalation';
import { microsoftLinksOf, referenceOf } from '../domain/tracking';
import { effectiveLimit, fromJsonColumn, placeholders, sortableTimestamp, type Statement } from './sql';
import type { CreatedBetweenQuery, EscalationFilter, KnownIssueCountQuery, Page, PageRequest } from './types';

/** The row of an escalation, column by column. */
export interface EscalationRow {
  readonly id: string;
  readonly version: number;
  readonly state: EscalationState;
  readonly partner_tenant_id: string;
  readonly owner_id: string;
  readonly customer_tenant_id: string;
  /** The linked Microsoft service request number, or null. */
  readonly service_request_id: string | null;
  /** The confirmed known issue (incident or advisory) id, or null. */
  readonly known_issue_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** The whole record (with `version`) as JSON text. */
  readonly data: string;
}

/** The columns of `escalations`, in the order every statement binds them. */
export const ESCALATION_COLUMNS = [
  'id',
  'version',
  'state',
  'partner_tenant_id',
  'owner_id',
  'customer_tenant_id',
  'service_request_id',
  'known_issue_id',
  'created_at',
  'updated_at',
  'data',
] as const satisfies ReadonlyArray<keyof EscalationRow>;

/**
 * Tenant ids are GUIDs, which Entra compares case-insensitively; one setting or client writing
 * them in upper case must not hide a record from a lower-case lookup. The store keeps them
 * lower-case (migration 7 lower-cased the rows written before) and lower-cases every filter.
 */
export function tenantKey(tenantId: string): string {
  return tenantId.toLowerCase();
}

/** The reference columns of a record: derived from its details on every write (and by migration 9 for older rows). */
export function referenceColumns(escalation: Escalation): Pick<EscalationRow, 'service_request_id' | 'known_issue_id'> {
  const links = microsoftLinksOf(escalation);
  return { service_request_id: links.serviceRequestId ?? null, known_issue_id: links.knownIssueId ?? null };
}

/** Maps a record to its row, stamping the version the store assigns (tenant ids lower-cased). */
export function toEscalationRow(escalation: Escalation, version: number): { row: EscalationRow; stored: Escalation } {
  const customerTenantId = tenantKey(escalation.customer.tenantId);
  // Overriding existing keys keeps their place, so the JSON text keeps its key order.
  const stored: Escalation = {
    ...escalation,
    version,
    partnerTenantId: tenantKey(escalation.partnerTenantId),
    customer: customerTenantId === escalation.customer.tenantId ? escalation.customer : { ...escalation.customer, tenantId: customerTenantId },
  };
  return {
    stored,
    row: {
      id: stored.id,
      version,
      state: stored.state,
      partner_tenant_id: stored.partnerTenantId,
      owner_id: stored.ownerId,
      customer_tenant_id: stored.customer.tenantId,
      ...referenceColumns(stored),
      created_at: sortableTimestamp(stored.createdAt, 'createdAt', stored.id),
      updated_at: sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id),
      data: JSON.stringify(stored),
    },
  };
}

// The statements' text is made once: a turn writes an escalation at least once.
const INSERT_ESCALATION = `INSERT INTO escalations (${ESCALATION_COLUMNS.join(', ')}) VALUES (${placeholders(ESCALATION_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING`;
const UPDATED_COLUMNS = ESCALATION_COLUMNS.filter((c) => c !== 'id');
const UPDATE_ESCALATION = `UPDATE escalations SET ${UPDATED_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ? AND version = ?`;

/** The INSERT of a new escalation; an existing id is left alone (nothing written). */
export function insertEscalationSql(row: EscalationRow): Statement {
  return { sql: INSERT_ESCALATION, params: ESCALATION_COLUMNS.map((c) => row[c]) };
}

/** The UPDATE of an escalation, only while its stored version is still `expectedVersion`. */
export function updateEscalationSql(row: EscalationRow, expectedVersion: number): Statement {
  return { sql: UPDATE_ESCALATION, params: [...UPDATED_COLUMNS.map((c) => row[c]), row.id, expectedVersion] };
}

/** Reading one escalation. */
export const SELECT_ESCALATION = 'SELECT data, version FROM escalations WHERE id = ?';

/** Rebuilds a record from its `data` column; the version column is authoritative. */
export function fromEscalationColumns(data: unknown, version: number): Escalation {
  return { ...fromJsonColumn<Escalation>(data), version };
}

/**
 * An audit event written under another escalation's id would be attributed to the wrong
 * record for good, so the store refuses it rather than trusting every caller.
 */
export function assertEventsBelongTo(id: string, events: readonly AuditEvent[]): void {
  for (const event of events) {
    if (event.escalationId !== id) {
      throw new RangeError(`Audit event for escalation ${event.escalationId} cannot be stored with escalation ${id}.`);
    }
  }
}

/** An `audit_events` row as both drivers return it (and as it is written). */
export interface AuditRow {
  readonly escalation_id: string;
  readonly at: string;
  readonly actor: unknown;
  readonly from_state: string | null;
  readonly to_state: string;
  readonly reason: string | null;
}

/** The columns of `audit_events` an event is written with, in this order. */
export const AUDIT_COLUMNS = ['escalation_id', 'at', 'actor', 'from_state', 'to_state', 'reason'] as const satisfies ReadonlyArray<keyof AuditRow>;

/** An event's row (`actor` as an object). */
export function toAuditRow(e: AuditEvent): AuditRow {
  return { escalation_id: e.escalationId, at: e.at, actor: e.actor, from_state: e.from, to_state: e.to, reason: e.reason ?? null };
}

const INSERT_AUDIT = `INSERT INTO audit_events (${AUDIT_COLUMNS.join(', ')}) VALUES (${placeholders(AUDIT_COLUMNS.length)})`;

/** The INSERT of one audit event. */
export function insertAuditSql(e: AuditEvent): Statement {
  const row = toAuditRow(e);
  return { sql: INSERT_AUDIT, params: AUDIT_COLUMNS.map((c) => (c === 'actor' ? JSON.stringify(row.actor) : row[c])) };
}

/** An escalation's audit trail, oldest first. */
export const SELECT_AUDIT = `SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit_events WHERE escalation_id = ? ORDER BY id`;

/** Rebuilds an audit event exactly as it was given: no `reason` key when none was stored. */
export function fromAuditRow(row: AuditRow): AuditEvent {
  return {
    escalationId: row.escalation_id,
    at: row.at,
    actor: fromJsonColumn<Actor>(row.actor),
    from: row.from_state as EscalationState | null,
    to: row.to_state as EscalationState,
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
}

/** A list filter with the Microsoft references the store indexes (used by `listBy…`). */
export interface EscalationQuery extends EscalationFilter {
  readonly serviceRequestId?: string;
  readonly knownIssueId?: string;
}

/** The list queries of an escalation store, written once over the one query each dialect runs. */
export abstract class EscalationLists {
  /** One page of escalations matching `query` (see `listEscalationsSql`). */
  protected abstract query(query: EscalationQuery): Promise<Page<Escalation>>;

  /** The rows of one read-only statement. */
  protected abstract select<R>(statement: Statement): Promise<R[]>;

  /** How many escalations confirmed each known issue (see `EscalationStore.countByKnownIssue`). */
  async countByKnownIssue(query: KnownIssueCountQuery): Promise<ReadonlyMap<string, number>> {
    const wanted = new Map<string, string[]>();
    for (const id of query.knownIssueIds) {
      const key = referenceOf(id);
      if (key !== undefined) wanted.set(key, [...(wanted.get(key) ?? []), id]);
    }
    const counts = new Map<string, number>();
    if (wanted.size === 0 || (query.states !== undefined && query.states.length === 0)) return counts;
    if (wanted.size > MAX_COUNTED_ISSUES) throw new RangeError(`countByKnownIssue counts at most ${MAX_COUNTED_ISSUES} ids at once.`);
    const rows = await this.select<{ id: string; n: number | string }>(countByKnownIssueSql(query, [...wanted.keys()]));
    for (const row of rows) for (const id of wanted.get(row.id) ?? []) counts.set(id, Number(row.n));
    return counts;
  }

  /** Escalations created in a period, oldest first (see `EscalationStore.listCreatedBetween`). */
  async listCreatedBetween(query: CreatedBetweenQuery): Promise<Page<Escalation>> {
    const limit = effectiveLimit(query.limit);
    const rows = await this.select<{ data: unknown; version: number | string; created_at: string; id: string }>(createdBetweenSql(query, limit));
    const items = rows.slice(0, limit).map((r) => fromEscalationColumns(r.data, Number(r.version)));
    const last = rows[limit - 1];
    return rows.length > limit && last ? { items, nextCursor: encodeCursor({ updatedAt: last.created_at, id: last.id }) } : { items };
  }

  /** Escalations matching a filter, most recently updated first. */
  list(filter: EscalationFilter): Promise<Page<Escalation>> {
    return this.query(filter);
  }

  /** A partner tenant's escalations linked to a service request, paged like `list`. */
  listByServiceRequest(partnerTenantId: string, serviceRequestId: string, page: PageRequest = {}): Promise<Page<Escalation>> {
    return this.query({ ...page, partnerTenantId, serviceRequestId });
  }

  /** A partner tenant's escalations that confirmed a known issue, paged like `list`. */
  listByKnownIssue(partnerTenantId: string | undefined, knownIssueId: string, page: PageRequest = {}): Promise<Page<Escalation>> {
    return this.query({ ...page, ...(partnerTenantId === undefined ? {} : { partnerTenantId }), knownIssueId });
  }
}

/** Where the previous page ended, in the list's sort order (updated_at desc, id desc). */
export interface ListCursor {
  readonly updatedAt: string;
  readonly id: string;
}

/** The opaque cursor handed to callers: base64url JSON. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify({ u: cursor.updatedAt, i: cursor.id }), 'utf8').toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; anything else is a caller bug, so it throws. */
export function decodeCursor(cursor: string): ListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('Invalid list cursor: not a cursor returned by list().');
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const { u, i } = parsed as { u?: unknown; i?: unknown };
    if (typeof u === 'string' && typeof i === 'string') return { updatedAt: u, id: i };
  }
  throw new RangeError('Invalid list cursor: not a cursor returned by list().');
}

/**
 * The SELECT of one list page, fetching one row more than the page (`limit`) to learn if
 * another follows. A reference matches as the store keeps it (`referenceOf`: trimmed).
 */
export function listEscalationsSql(query: EscalationQuery, limit: number): Statement {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, ...values: unknown[]): void => {
    conditions.push(condition);
    params.push(...values);
  };
  if (query.partnerTenantId !== undefined) where('partner_tenant_id = ?', tenantKey(query.partnerTenantId));
  if (query.ownerId !== undefined) where('owner_id = ?', query.ownerId);
  if (query.customerTenantId !== undefined) where('customer_tenant_id = ?', tenantKey(query.customerTenantId));
  for (const [column, value] of [['service_request_id', query.serviceRequestId], ['known_issue_id', query.knownIssueId]] as const) {
    if (value === undefined) continue;
    const key = referenceOf(value);
    // A reference no record can carry matches nothing, never everything.
    if (key === undefined) where('1 = 0');
    else where(`${column} = ?`, key);
  }
  if (query.states !== undefined) {
    // "Any of no states" matches nothing; the caller asked for an empty set, not for no filter.
    if (query.states.length === 0) where('1 = 0');
    else where(`state IN (${placeholders(query.states.length)})`, ...query.states);
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    where('(updated_at, id) < (?, ?)', after.updatedAt, after.id);
  }
  const filter = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return {
    sql: `SELECT data, version, updated_at, id FROM escalations ${filter} ORDER BY updated_at DESC, id DESC LIMIT ?`,
    params: [...params, limit + 1],
  };
}

/** Cuts the fetched rows (limit + 1 at most) into a page and the cursor of the next one. */
export function toPage(
  rows: ReadonlyArray<{ data: unknown; version: number | string; updated_at: string; id: string }>,
  limit: number,
): { items: Escalation[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map((r) => fromEscalationColumns(r.data, Number(r.version)));
  if (rows.length <= limit) return { items };
  const last = rows[limit - 1];
  return { items, nextCursor: encodeCursor({ updatedAt: last.updated_at, id: last.id }) };
}

/** Most known issue ids one count takes (below SQLite's limit of host parameters). */
export const MAX_COUNTED_ISSUES = 500;

/** Counts per known issue id, grouped in the database. */
function countByKnownIssueSql(query: KnownIssueCountQuery, ids: readonly string[]): Statement {
  const params: unknown[] = [...ids];
  let sql = `SELECT known_issue_id AS id, COUNT(*) AS n FROM escalations WHERE known_issue_id IN (${placeholders(ids.length)})`;
  if (query.partnerTenantId !== undefined) {
    sql += ' AND partner_tenant_id = ?';
    params.push(tenantKey(query.partnerTenantId));
  }
  if (query.states !== undefined) {
    sql += ` AND state IN (${placeholders(query.states.length)})`;
    params.push(...query.states);
  }
  return { sql: `${sql} GROUP BY known_issue_id`, params };
}

/** One page of escalations created in [from, to), oldest first (one row more than the page). */
function createdBetweenSql(query: CreatedBetweenQuery, limit: number): Statement {
  const params: unknown[] = [sortableTimestamp(query.from, 'from', 'query'), sortableTimestamp(query.to, 'to', 'query')];
  let sql = 'SELECT data, version, created_at, id FROM escalations WHERE created_at >= ? AND created_at < ?';
  if (query.partnerTenantId !== undefined) {
    sql += ' AND partner_tenant_id = ?';
    params.push(tenantKey(query.partnerTenantId));
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    sql += ' AND (created_at, id) > (?, ?)';
    params.push(after.updatedAt, after.id);
  }
  params.push(limit + 1);
  return { sql: `${sql} ORDER BY created_at, id LIMIT ?`, params };
}
