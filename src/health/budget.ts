/**
 * A per-tenant request budget below Microsoft Graph's service-communications limits
 * (240 requests / 60 s and 800 / hour per app per tenant): two sliding windows over the
 * times of the requests actually sent, retries and extra pages included.
 */
import type { Clock } from '../domain/clock';
import { SlidingWindowLimiter } from '../limits/sliding-window';

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
  /** Per tenant: the minute window, then the hour window. */
  private readonly sent: SlidingWindowLimiter;

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
    this.sent = new SlidingWindowLimiter([
      { limit: this.limits.perMinute, windowMs: MINUTE },
      { limit: this.limits.perHour, windowMs: HOUR },
    ]);
  }

  /** Whether one more request for the tenant fits both windows now. */
  canTake(tenantId: string): boolean {
    const now = this.clock.now().getTime();
    return this.hasRoomFor(tenantId, now) && this.sent.available(tenantId, now) > 0;
  }

  /** Takes one request from the budget; false (and nothing taken) when it does not fit. */
  tryTake(tenantId: string): boolean {
    if (!this.canTake(tenantId)) return false;
    this.sent.record(tenantId, this.clock.now().getTime());
    return true;
  }

  /** The earliest time a request for the tenant will fit again. */
  nextAvailableAt(tenantId: string): Date {
    const now = this.clock.now().getTime();
    if (!this.hasRoomFor(tenantId, now)) return new Date(now + MINUTE);
    return new Date(this.sent.earliest(tenantId, now));
  }

  /** Requests sent for the tenant in the last minute and hour. */
  usage(tenantId: string): { readonly lastMinute: number; readonly lastHour: number } {
    const [lastMinute = 0, lastHour = 0] = this.sent.usage(tenantId, this.clock.now().getTime());
    return { lastMinute, lastHour };
  }

  /** Whether the tenant is tracked or there is room to track it (after forgetting idle tenants). */
  private hasRoomFor(tenantId: string, now: number): boolean {
    if (this.sent.tracks(tenantId) || this.sent.size < this.maxTenants) return true;
    this.sent.sweep(now);
    return this.sent.size < this.maxTenants;
  }
}
