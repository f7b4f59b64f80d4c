/**
 * Keeps the bot inside Graph's limits whatever the load: a per-tenant cache with a
 * freshness window, one upstream call per tenant and question at a time (concurrent askers
 * share it), and a request budget. When the budget is spent or the upstream is down, the
 * last answer is served marked stale, with its time, rather than failing the triage.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { LoadingCache, type CachedAnswer, type Loaded } from '../http/loading-cache';
import type { TenantRequestBudget } from './budget';
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

/** Default freshness of a cached answer. */
export const DEFAULT_FRESHNESS_MS = 2 * 60_000;

/** Only "could not ask" failures fall back to the cache: access and unknown-issue answers are real answers. */
function couldNotAsk(error: unknown): boolean {
  return error instanceof BudgetExhaustedError || error instanceof UpstreamError;
}

/** A caching, coalescing, budget-keeping HealthProvider. */
export class CachedHealthProvider implements HealthProvider {
  private readonly overviews: LoadingCache<string, Snapshot<HealthOverview>>;
  /** Per tenant, its issues read one by one. */
  private readonly issues: LoadingCache<string, LoadingCache<string, Snapshot<HealthIssue>>>;
  private readonly freshnessMs: number;

  constructor(private readonly options: CachedHealthOptions) {
    this.freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    const maxTenants = options.maxTenants ?? 1000;
    this.overviews = new LoadingCache({ max: maxTenants, freshnessMs: this.freshnessMs, clock: options.clock });
    this.issues = new LoadingCache({ max: maxTenants, freshnessMs: Infinity, clock: options.clock });
  }

  /** The overview: cached while fresh, else one shared upstream call, else stale. */
  async getOverview(tenantId: string): Promise<Snapshot<HealthOverview>> {
    const answer = await this.overviews.get(tenantKey(tenantId), {
      load: () => this.ask(tenantId, () => this.options.inner.getOverview(tenantId)),
      serveStaleOn: couldNotAsk,
    });
    return snapshotOf(answer);
  }

  /** One issue: from a fresh issue or overview entry (no older than `maxAgeMs`), else upstream, else stale. */
  async getIssue(tenantId: string, issueId: string, options: IssueReadOptions = {}): Promise<Snapshot<HealthIssue>> {
    const key = tenantKey(tenantId);
    const overview = this.overviews.peek(key);
    const answer = await (await this.issuesOf(key)).get(issueId, {
      load: () => this.ask(tenantId, () => this.options.inner.getIssue(tenantId, issueId)),
      maxAgeMs: options.maxAgeMs,
      alternative: overview && issueFromOverview(overview, issueId),
      serveStaleOn: couldNotAsk,
    });
    return snapshotOf(answer);
  }

  /** The PIR link, derived from the (cached) issue. */
  async getPostIncidentReport(tenantId: string, issueId: string): Promise<PostIncidentReport | undefined> {
    const issue = await this.getIssue(tenantId, issueId);
    return postIncidentReportFor(issue.value, this.options.adminCenterUrl);
  }

  /** The tenant's issue cache, made on first use. */
  private async issuesOf(key: string): Promise<LoadingCache<string, Snapshot<HealthIssue>>> {
    const made = await this.issues.get(key, {
      load: () =>
        Promise.resolve(new LoadingCache({ max: this.options.maxIssuesPerTenant ?? 50, freshnessMs: this.freshnessMs, clock: this.options.clock })),
    });
    return made.value;
  }

  /** Asks upstream if the budget allows; a spent budget fails as `BudgetExhaustedError` without asking. */
  private async ask<T>(tenantId: string, fetch: () => Promise<Snapshot<T>>): Promise<Snapshot<T>> {
    const { budget, logger } = this.options;
    if (!budget.canTake(tenantId)) {
      logger.debug({ tenantId }, 'health budget spent; serving cache');
      throw new BudgetExhaustedError(tenantId, budget.nextAvailableAt(tenantId));
    }
    try {
      return await fetch();
    } catch (error) {
      if (error instanceof UpstreamError) logger.info({ tenantId, err: error.name }, 'health upstream unusable; serving stale cache');
      throw error;
    }
  }
}

function tenantKey(tenantId: string): string {
  return tenantId.toLowerCase();
}

/** The snapshot a cache answer carries, marked stale when an older one stands in. */
function snapshotOf<T>(answer: CachedAnswer<Snapshot<T>>): Snapshot<T> {
  return answer.stale ? { ...answer.value, stale: true } : answer.value;
}

function issueFromOverview(overview: Loaded<Snapshot<HealthOverview>>, issueId: string): Loaded<Snapshot<HealthIssue>> | undefined {
  const wanted = issueId.toLowerCase();
  for (const service of overview.value.value.services) {
    const issue = service.issues.find((i) => i.id.toLowerCase() === wanted);
    if (issue) {
      const { fetchedAt, stale } = overview.value;
      return { value: { value: issue, fetchedAt, stale }, loadedAt: overview.loadedAt };
    }
  }
  return undefined;
}
