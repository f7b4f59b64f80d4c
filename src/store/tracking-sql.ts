/**
 * The `tracking` table in both dialects: the row that follows an escalation's state (written
 * in the escalation's own transaction), when a row is due, and the lease-fenced schedule.
 */
import type { Escalation } from '../domain/escalation';
import { trackingTargetOf } from '../domain/tracking';
import type { TrackedItem } from './queues';
import { iso, placeholders, sortableTimestamp, type Statement } from './sql';

/** The first polling interval of a newly tracked escalation (the tracker adapts it). */
export const INITIAL_TRACKING_INTERVAL_MS = 60_000;

/**
 * The tracking row that follows an escalation's state: upserted while there is something to
 * poll (a new reference is polled at once), deleted otherwise.
 */
export function syncTracking(escalation: Escalation): Statement {
  const row = trackingRow(escalation);
  if (!row) return { sql: 'DELETE FROM tracking WHERE escalation_id = ?', params: [escalation.id] };
  return {
    sql: `INSERT INTO tracking (${TRACKING_COLUMNS.join(', ')}) VALUES (${placeholders(TRACKING_COLUMNS.length)}) ${TRACKING_UPSERT}`,
    params: TRACKING_COLUMNS.map((c) => row[c]),
  };
}

/** The columns a tracking row is written with, in this order. */
export const TRACKING_COLUMNS = ['escalation_id', 'kind', 'ref', 'tenant_id', 'next_poll_at', 'interval_ms', 'updated_at'] as const;

/** How an upsert of a tracking row treats the existing one: its schedule stays unless the target changed. */
export const TRACKING_UPSERT = `ON CONFLICT (escalation_id) DO UPDATE SET
  next_poll_at = CASE WHEN tracking.ref <> excluded.ref OR tracking.kind <> excluded.kind
    THEN excluded.next_poll_at ELSE tracking.next_poll_at END,
  interval_ms = CASE WHEN tracking.ref <> excluded.ref OR tracking.kind <> excluded.kind
    THEN excluded.interval_ms ELSE tracking.interval_ms END,
  kind = excluded.kind, ref = excluded.ref, tenant_id = excluded.tenant_id, updated_at = excluded.updated_at`;

/** The tracking row an escalation should have (by the names of TRACKING_COLUMNS), or undefined when nothing is to be polled. */
export function trackingRow(escalation: Escalation): { readonly [C in (typeof TRACKING_COLUMNS)[number]]: unknown } | undefined {
  const target = trackingTargetOf(escalation);
  if (!target) return undefined;
  const at = sortableTimestamp(escalation.updatedAt, 'updatedAt', escalation.id);
  return {
    escalation_id: escalation.id,
    kind: target.kind,
    ref: target.ref,
    tenant_id: target.tenantId,
    next_poll_at: at,
    interval_ms: INITIAL_TRACKING_INTERVAL_MS,
    updated_at: at,
  };
}

/** Columns of the tracking table. */
export interface TrackingRow {
  readonly escalation_id: string;
  readonly kind: string;
  readonly ref: string;
  readonly tenant_id: string;
  readonly next_poll_at: string;
  readonly interval_ms: number | string;
  readonly lease_owner: string | null;
  readonly lease_expires_at: string | null;
  readonly last_observed: string | null;
}

/** Rebuilds a tracking row. */
export function fromTrackingRow(row: TrackingRow): TrackedItem {
  return {
    escalationId: row.escalation_id,
    kind: row.kind as TrackedItem['kind'],
    ref: row.ref,
    tenantId: row.tenant_id,
    nextPollAt: row.next_poll_at,
    intervalMs: Number(row.interval_ms),
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    ...(row.last_observed === null ? {} : { lastObserved: row.last_observed }),
  };
}

/** Due tracking rows: time has come and nobody holds a live lease. */
export const TRACKING_DUE_CONDITION = 'next_poll_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)';

/**
 * Sets the next poll and releases the lease. A claim pushes `next_poll_at` to the lease expiry,
 * so an earlier `next_poll_at` now means `pollNow` was called during the poll: that wins.
 */
export function scheduleSql(escalationId: string, owner: string, nextPollAt: Date, intervalMs: number, lastObserved: string | undefined, now: Date): Statement {
  return {
    sql: `UPDATE tracking SET
            interval_ms = CASE WHEN next_poll_at < lease_expires_at THEN interval_ms ELSE CAST(? AS INTEGER) END,
            next_poll_at = CASE WHEN next_poll_at < lease_expires_at THEN next_poll_at ELSE CAST(? AS TEXT) END,
            last_observed = COALESCE(CAST(? AS TEXT), last_observed),
            lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
          WHERE escalation_id = ? AND lease_owner = ?`,
    params: [Math.round(intervalMs), iso(nextPollAt), lastObserved ?? null, iso(now), escalationId, owner],
  };
}

/** Makes a tracked escalation due now with the given interval. */
export function pollNowSql(escalationId: string, now: Date, intervalMs: number): Statement {
  return {
    sql: 'UPDATE tracking SET next_poll_at = ?, interval_ms = ?, updated_at = ? WHERE escalation_id = ?',
    params: [iso(now), Math.round(intervalMs), iso(now), escalationId],
  };
}

