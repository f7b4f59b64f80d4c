/**
 * A per-tenant request budget below Microsoft Graph's service-communications limits
 * (240 requests / 60 s and 800 / hour per app per tenant): two sliding windows over the
 * times of the requests actually sent, retries and extra pages included.
 */
import type { Clock } from '../domain/clock';

/** Graph's published limits per app per tenant. */
export const GRAPH_HEALTH_LIMITS = Object.freeze({ perMinute: 240, perHour: 800 });

/** How many requests one bot process may send per tenant. */
export interface BudgetLimits {
  readonly perMinute: number;
  readonly perHour: number;
}

/**
 * Defaults keep a margin below Graph's limits for other tools of the same app (and for
 * clock skew between us and Graph's counter).
 */
export const DEFAULT_BUDGET: BudgetLimits = Object.freeze({ perMinute: 200, perHour: 700 });

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Settings of a budget. */
export interface RequestBudgetOptions {
  readonly clock: Clock;
  readonly limits?: Partial<BudgetLimits>;
  /** Tenants tracked at once; when full of active tenants, a new tenant gets no budget. */
  readonly maxTenants?: number;
}

/** Sliding-window request budget per tenant. */
export class TenantRequestBudget {
  readonly limits: BudgetLimits;
  private readonly clock: Clock;
  private readonly maxTenants: number;
  /** Send times (ms) of the last hour per tenant, oldest first; at most `perHour` each. */
  private readonly sent = new Map<string, number[]>();

  constructor(options: RequestBudgetOptions) {
    this.limits = { ...DEFAULT_BUDGET, ...options.limits };
    if (
      !(this.limits.perMinute >= 1 && this.limits.perMinute < GRAPH_HEALTH_LIMITS.perMinute) ||
      !(this.limits.perHour >= 1 && this.limits.perHour < GRAPH_HEALTH_LIMITS.perHour)
    ) {
      throw new RangeError(
        `Budget must stay below Graph's limits (${GRAPH_HEALTH_LIMITS.perMinute}/60 s, ${GRAPH_HEALTH_LIMITS.perHour}/hour).`,
      );
    }
    this.clock = options.clock;
    this.maxTenants = options.maxTenants ?? 5_000;
  }

  /** Whether one more request for the tenant fits both windows now. */
  canTake(tenantId: string): boolean {
    const now = this.clock.now().getTime();
    const times = this.window(tenantId, now);
    if (!times) return this.sent.size < this.maxTenants || this.sweep(now);
    return this.fits(times, now);
  }

  /** Takes one request from the budget; false (and nothing taken) when it does not fit. */
  tryTake(tenantId: string): boolean {
    const now = this.clock.now().getTime();
    let times = this.window(tenantId, now);
    if (!times) {
      if (this.sent.size >= this.maxTenants && !this.sweep(now)) return false;
      times = [];
      this.sent.set(tenantId, times);
    }
    if (!this.fits(times, now)) return false;
    times.push(now);
    return true;
  }

  /** The earliest time a request for the tenant will fit again. */
  nextAvailableAt(tenantId: string): Date {
    const now = this.clock.now().getTime();
    const times = this.window(tenantId, now) ?? [];
    let at = now;
    if (times.length >= this.limits.perHour) at = Math.max(at, times[times.length - this.limits.perHour] + HOUR);
    const inMinute = countSince(times, now - MINUTE);
    if (inMinute >= this.limits.perMinute) at = Math.max(at, times[times.length - this.limits.perMinute] + MINUTE);
    if (times.length === 0 && this.sent.size >= this.maxTenants) at = now + MINUTE;
    return new Date(at);
  }

  /** Requests sent for the tenant in the last minute and hour. */
  usage(tenantId: string): { readonly lastMinute: number; readonly lastHour: number } {
    const now = this.clock.now().getTime();
    const times = this.window(tenantId, now) ?? [];
    return { lastMinute: countSince(times, now - MINUTE), lastHour: times.length };
  }

  private fits(times: readonly number[], now: number): boolean {
    return times.length < this.limits.perHour && countSince(times, now - MINUTE) < this.limits.perMinute;
  }

  /** The tenant's send times within the last hour (pruned in place), or undefined if untracked. */
  private window(tenantId: string, now: number): number[] | undefined {
    const times = this.sent.get(tenantId);
    if (!times) return undefined;
    const firstKept = firstIndexAfter(times, now - HOUR);
    if (firstKept > 0) times.splice(0, firstKept);
    return times;
  }

  /** Forgets tenants with nothing in the last hour; true if room was made. */
  private sweep(now: number): boolean {
    for (const [tenantId, times] of this.sent) {
      if (firstIndexAfter(times, now - HOUR) === times.length) this.sent.delete(tenantId);
    }
    return this.sent.size < this.maxTenants;
  }
}

/** Index of the first time strictly after `since` (times sorted ascending). */
function firstIndexAfter(times: readonly number[], since: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countSince(times: readonly number[], since: number): number {
  return times.length - firstIndexAfter(times, since);
}
