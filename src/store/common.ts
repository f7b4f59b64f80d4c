/**
 * Rules both database implementations share: how a record maps to columns, how list
 * pages are cut and how eTags are made. Keeping them here is what lets one contract suite
 * hold both implementations to the same behaviour.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, AuditEvent, Escalation, EscalationState } from '../domain/escalation';
import type { EscalationFilter } from './types';

/** Page size when the caller gives none. */
export const DEFAULT_LIST_LIMIT = 50;
/** Largest page a caller may ask for. */
export const MAX_LIST_LIMIT = 500;

/** The page size to use for a requested limit: default when absent or not a number, clamped to 1..500. */
export function effectiveLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
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
 * The column form of a timestamp. Columns hold canonical UTC ISO-8601 text so that text order
 * is time order in both databases, whatever offset or precision the record itself carries.
 */
export function sortableTimestamp(value: string, field: string, id: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new TypeError(`Escalation ${id} has an invalid ${field} timestamp.`);
  }
  return new Date(time).toISOString();
}

/** The columns of the `escalations` table for a record stored at `version`. */
export interface EscalationRow {
  readonly id: string;
  readonly version: number;
  readonly state: EscalationState;
  readonly partnerTenantId: string;
  readonly ownerId: string;
  readonly customerTenantId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The whole record (with `version`) as JSON text. */
  readonly data: string;
}

/**
 * Tenant ids are GUIDs, which Entra compares case-insensitively; one setting or client writing
 * them in upper case must not hide a record from a lower-case lookup. The store keeps them
 * lower-case (migration 7 lower-cased the rows written before) and lower-cases every filter.
 */
export function tenantKey(tenantId: string): string {
  return tenantId.toLowerCase();
}

/** Maps a record to its columns, stamping the version the store assigns (tenant ids lower-cased). */
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
      partnerTenantId: stored.partnerTenantId,
      ownerId: stored.ownerId,
      customerTenantId: stored.customer.tenantId,
      createdAt: sortableTimestamp(stored.createdAt, 'createdAt', stored.id),
      updatedAt: sortableTimestamp(stored.updatedAt, 'updatedAt', stored.id),
      data: JSON.stringify(stored),
    },
  };
}

/** Reads a JSON column: SQLite returns text, pg has already parsed `json` columns. */
export function fromJsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

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

/** An `audit_events` row as both drivers return it. */
export interface AuditRow {
  readonly escalation_id: string;
  readonly at: string;
  readonly actor: unknown;
  readonly from_state: string | null;
  readonly to_state: string;
  readonly reason: string | null;
}

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

/** The SQL conditions of a list query; `param` binds a value and returns its placeholder. */
export function listConditions(
  filter: EscalationFilter,
  after: ListCursor | undefined,
  param: (value: unknown) => string,
): string[] {
  const conditions: string[] = [];
  if (filter.partnerTenantId !== undefined) conditions.push(`partner_tenant_id = ${param(tenantKey(filter.partnerTenantId))}`);
  if (filter.ownerId !== undefined) conditions.push(`owner_id = ${param(filter.ownerId)}`);
  if (filter.customerTenantId !== undefined) conditions.push(`customer_tenant_id = ${param(tenantKey(filter.customerTenantId))}`);
  if (filter.states !== undefined) {
    // "Any of no states" matches nothing; the caller asked for an empty set, not for no filter.
    conditions.push(filter.states.length === 0 ? '1 = 0' : `state IN (${filter.states.map(param).join(', ')})`);
  }
  if (after !== undefined) {
    conditions.push(`(updated_at, id) < (${param(after.updatedAt)}, ${param(after.id)})`);
  }
  return conditions;
}

/** The SELECT of one list page, fetching one row more than the page to learn if another follows. */
export function listSql(conditions: readonly string[], limitPlaceholder: string): string {
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT data, version, updated_at, id FROM escalations ${where} ORDER BY updated_at DESC, id DESC LIMIT ${limitPlaceholder}`;
}

/** Cuts the fetched rows (limit + 1 at most) into a page and the cursor of the next one. */
export function toPage(
  rows: ReadonlyArray<{ data: unknown; version: number; updated_at: string; id: string }>,
  limit: number,
): { items: Escalation[]; nextCursor?: string } {
  const items = rows.slice(0, limit).map((r) => fromEscalationColumns(r.data, Number(r.version)));
  if (rows.length <= limit) return { items };
  const last = rows[limit - 1];
  return { items, nextCursor: encodeCursor({ updatedAt: last.updated_at, id: last.id }) };
}

/** A fresh eTag for every document write. */
export function newETag(): string {
  return randomUUID();
}

/** Whether a write overwrites unconditionally. */
export function isUnconditional(eTag: string | undefined): boolean {
  return eTag === undefined || eTag === '*';
}

/**
 * Writes ordered by key, keeping the caller's order for repeats of one key, so two
 * transactions writing overlapping keys lock them in the same order and cannot deadlock.
 */
export function inKeyOrder<T extends { readonly key: string }>(writes: readonly T[]): T[] {
  return writes
    .map((w, i) => ({ w, i }))
    .sort((a, b) => (a.w.key < b.w.key ? -1 : a.w.key > b.w.key ? 1 : a.i - b.i))
    .map(({ w }) => w);
}
