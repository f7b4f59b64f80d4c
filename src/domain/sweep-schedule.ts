/**
 * When each customer tenant's service health is swept: once per interval, at a fixed phase of
 * its own within the interval (derived from its tenant id, so every instance computes the same),
 * which spreads a thousand tenants evenly instead of reading them all at once. A sweep that
 * failed on throttling is retried when the throttle says; any other failure waits for the next
 * turn of its phase (the tenant stays listed with its reason meanwhile). Pure.
 */

/** The default sweep interval: every customer tenant every 5 minutes. */
export const DEFAULT_SWEEP_INTERVAL_MS = 5 * 60_000;

/** A tenant's phase within the interval: FNV-1a of its lower-case id, modulo the interval. */
export function sweepPhaseMs(tenantId: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (const ch of tenantId.toLowerCase()) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, Math.floor(intervalMs));
}

/** When a tenant new to the schedule is first swept: the next time its phase comes round. */
export function firstSweepAt(tenantId: string, nowMs: number, intervalMs: number): number {
  const phase = sweepPhaseMs(tenantId, intervalMs);
  const start = nowMs - (nowMs % intervalMs) + phase;
  return start >= nowMs ? start : start + intervalMs;
}

/**
 * The sweep after one that ran at `nowMs`: the tenant's next turn, the first time of its phase
 * after now. A sweep that ran late (or was retried after a throttle) does not shift its phase,
 * nor run twice to catch up.
 */
export function nextSweepAt(tenantId: string, nowMs: number, intervalMs: number): number {
  return firstSweepAt(tenantId, nowMs + 1, intervalMs);
}

/**
 * The next sweep after a failure: when the throttle lets us ask again (`retryAtMs`, from Graph's
 * Retry-After or our own budget) if that comes before the next turn, else the next turn.
 */
export function retrySweepAt(tenantId: string, nowMs: number, intervalMs: number, retryAtMs?: number): number {
  const next = nextSweepAt(tenantId, nowMs, intervalMs);
  return retryAtMs !== undefined && retryAtMs > nowMs && retryAtMs < next ? retryAtMs : next;
}
