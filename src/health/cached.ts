/**
 * Keeps the bot inside Graph's limits whatever the load: a per-tenant cache with a
 * freshness window, one upstream call per tenant and question at a time (concurrent askers
 * share it), and a request budget. When the budget is spent or the upstream is down, the
 * last answer is served marked stale, with its time, rather than failing the triage.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import type { TenantRequestBudget } from './budget';
import { LruMap } from './lru';
import {
  BudgetExhaustedError,
  UpstreamError,
  postIncidentReportFor,
  type HealthIssue,
  type HealthOverview,
  type HealthProvider,
  type IssueReadOptions,
  type PostIncidentReport,
  type Snapshot,
} from './types';

/** Settings of the caching decorator. */
export interface CachedHealthOptions {
  readonly inner: HealthProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The same budget the inner provider charges per request: checked here so that, once
   * spent, cached answers are served without even trying upstream.
   */
  readonly budget: TenantRequestBudget;
  /** How long an answer is served without asking again (default 2 minutes). */
  readonly freshnessMs?: number;
  /** Tenants kept in the cache (default 1000). */
  readonly maxTenants?: number;
  /** Issues kept per tenant besides the overview (default 50). */
  readonly maxIssuesPerTenant?: number;
  readonly adminCenterUrl?: string;
}

interface TenantEntry {
  overview?: Snapshot<HealthOverview>;
  readonly issues: LruMap<string, Snapshot<HealthIssue>>;
}

/** Default freshness of a cached answer. */
export const DEFAULT_FRESHNESS_MS = 2 * 60_000;

/** A caching, coalescing, budget-keeping HealthProvider. */
export class CachedHealthProvider implements HealthProvider {
  private readonly cache: LruMap<string, TenantEntry>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly freshnessMs: number;

  constructor(private readonly options: CachedHealthOptions) {
    this.freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    this.cache = new LruMap(options.maxTenants ?? 1000);
  }

  /** The overview: cached while fresh, else one shared upstream call, else stale. */
  getOverview(tenantId: string): Promise<Snapshot<HealthOverview>> {
    const key = tenantKey(tenantId);
    const cached = this.cache.get(key)?.overview;
    if (cached && this.isFresh(cached)) return Promise.resolve(cached);
    return this.coalesce(`overview:${key}`, () =>
      this.fetchOrStale(tenantId, cached, () => this.options.inner.getOverview(tenantId), (fresh) => {
        this.entry(key).overview = fresh;
      }),
    );
  }

  /** One issue: from a fresh issue or overview entry (no older than `maxAgeMs`), else upstream, else stale. */
  getIssue(tenantId: string, issueId: string, options: IssueReadOptions = {}): Promise<Snapshot<HealthIssue>> {
    const key = tenantKey(tenantId);
    const entry = this.cache.get(key);
    const cachedIssue = entry?.issues.get(issueId);
    if (cachedIssue && this.isFresh(cachedIssue, options.maxAgeMs)) return Promise.resolve(cachedIssue);
    const fromOverview = entry?.overview ? issueFromOverview(entry.overview, issueId) : undefined;
    if (fromOverview && this.isFresh(fromOverview, options.maxAgeMs)) return Promise.resolve(fromOverview);
    const fallback = newest(cachedIssue, fromOverview);
    return this.coalesce(`issue:${key}:${issueId}`, () =>
      this.fetchOrStale(tenantId, fallback, () => this.options.inner.getIssue(tenantId, issueId), (fresh) => {
        this.entry(key).issues.set(issueId, fresh);
      }),
    );
  }

  /** The PIR link, derived from the (cached) issue. */
  async getPostIncidentReport(tenantId: string, issueId: string): Promise<PostIncidentReport | undefined> {
    const issue = await this.getIssue(tenantId, issueId);
    return postIncidentReportFor(issue.value, this.options.adminCenterUrl);
  }

  private isFresh(snapshot: Snapshot<unknown>, maxAgeMs = this.freshnessMs): boolean {
    return this.options.clock.now().getTime() - Date.parse(snapshot.fetchedAt) < Math.min(maxAgeMs, this.freshnessMs);
  }

  private entry(key: string): TenantEntry {
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { issues: new LruMap(this.options.maxIssuesPerTenant ?? 50) };
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** Joins a call already under way for the same key, or starts one. */
  private coalesce<T>(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const call = start().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  /** Asks upstream if the budget allows, storing the answer; serves `fallback` as stale otherwise. */
  private async fetchOrStale<T>(
    tenantId: string,
    fallback: Snapshot<T> | undefined,
    fetch: () => Promise<Snapshot<T>>,
    store: (fresh: Snapshot<T>) => void,
  ): Promise<Snapshot<T>> {
    const { budget, logger } = this.options;
    if (!budget.canTake(tenantId)) {
      logger.debug({ tenantId }, 'health budget spent; serving cache');
      if (fallback) return { ...fallback, stale: true };
      throw new BudgetExhaustedError(tenantId, budget.nextAvailableAt(tenantId));
    }
    try {
      const fresh = await fetch();
      store(fresh);
      return fresh;
    } catch (error) {
      // Only "could not ask" failures fall back: access and unknown-issue answers are real answers.
      if (fallback && (error instanceof BudgetExhaustedError || error instanceof UpstreamError)) {
        logger.info({ tenantId, err: error.name }, 'health upstream unusable; serving stale cache');
        return { ...fallback, stale: true };
      }
      throw error;
    }
  }
}

function tenantKey(tenantId: string): string {
  return tenantId.toLowerCase();
}

function issueFromOverview(overview: Snapshot<HealthOverview>, issueId: string): Snapshot<HealthIssue> | undefined {
  const wanted = issueId.toLowerCase();
  for (const service of overview.value.services) {
    const issue = service.issues.find((i) => i.id.toLowerCase() === wanted);
    if (issue) return { value: issue, fetchedAt: overview.fetchedAt, stale: overview.stale };
  }
  return undefined;
}

function newest<T>(a: Snapshot<T> | undefined, b: Snapshot<T> | undefined): Snapshot<T> | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a.fetchedAt) >= Date.parse(b.fetchedAt) ? a : b;
}
