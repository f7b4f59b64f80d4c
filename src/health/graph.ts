/**
 * Service health from Microsoft Graph (HEALTH_SOURCE=graph): app-only token per customer
 * tenant, healthOverviews with expanded issues, single issues, errors mapped to ours.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { AppTokenError, type AppTokenSource } from '../http/app-token';
import { UpstreamStatusError } from '../http/errors';
import { collectPages } from '../http/paging';
import type { UpstreamClient, UpstreamRequest } from '../http/upstream';
import type { TenantRequestBudget } from './budget';
import { GRAPH_ISSUE, GRAPH_OVERVIEW_PAGE } from './graph-shape';
import {
  BudgetExhaustedError,
  HealthAccessError,
  UnknownIssueError,
  UpstreamError,
  postIncidentReportFor,
  type HealthIssue,
  type HealthOverview,
  type HealthProvider,
  type PostIncidentReport,
  type ServiceHealth,
  type Snapshot,
} from './types';

/** Dependencies of the Graph provider. */
export interface GraphHealthOptions {
  /** e.g. https://graph.microsoft.com (national clouds: see PRODUCT.md). */
  readonly graphEndpoint: string;
  readonly tokens: AppTokenSource;
  readonly http: UpstreamClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Charged once per HTTP attempt, retries and pages included. */
  readonly budget?: TenantRequestBudget;
  readonly adminCenterUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph issue ids are short codes like EX226792; anything else cannot exist and must not reach a URL. */
const ISSUE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Reads service health from Microsoft Graph. */
export class GraphHealthProvider implements HealthProvider {
  private readonly base: string;

  constructor(private readonly options: GraphHealthOptions) {
    this.base = `${options.graphEndpoint.replace(/\/+$/, '')}/v1.0/admin/serviceAnnouncement`;
  }

  /** The tenant's healthOverviews with their issues, every page. */
  async getOverview(tenantId: string): Promise<Snapshot<HealthOverview>> {
    this.checkTenant(tenantId);
    const services = await this.call(tenantId, (request) =>
      collectPages<ServiceHealth>(
        this.options.http,
        { ...request, url: `${this.base}/healthOverviews?$expand=issues` },
        (body) => {
          const page = GRAPH_OVERVIEW_PAGE.safeParse(body);
          if (!page.success) throw this.malformed();
          const next = page.data['@odata.nextLink'];
          return { items: page.data.value, ...(next ? { next: { url: next } } : {}) };
        },
      ),
    );
    return this.snapshot({ tenantId, services });
  }

  /** One issue by id. */
  async getIssue(tenantId: string, issueId: string): Promise<Snapshot<HealthIssue>> {
    this.checkTenant(tenantId);
    if (!ISSUE_ID.test(issueId)) throw new UnknownIssueError(tenantId, issueId);
    const body = await this.call(
      tenantId,
      (request) => this.options.http.json({ ...request, url: `${this.base}/issues/${encodeURIComponent(issueId)}` }),
      issueId,
    );
    const issue = GRAPH_ISSUE.safeParse(body);
    if (!issue.success) throw this.malformed();
    return this.snapshot(issue.data);
  }

  /** The PIR link when the issue's status says one is published. */
  async getPostIncidentReport(tenantId: string, issueId: string): Promise<PostIncidentReport | undefined> {
    const issue = await this.getIssue(tenantId, issueId);
    return postIncidentReportFor(issue.value, this.options.adminCenterUrl);
  }

  private snapshot<T>(value: T): Snapshot<T> {
    return { value, fetchedAt: this.options.clock.now().toISOString(), stale: false };
  }

  private checkTenant(tenantId: string): void {
    // Only a GUID names a tenant here; a domain or free text would be a caller bug.
    if (!GUID.test(tenantId)) throw new HealthAccessError(tenantId, 'token', 'invalid_tenant');
  }

  private malformed(): UpstreamError {
    return new UpstreamError(this.options.http.upstreamName, 'malformed', 1);
  }

  /** Runs one Graph call for a tenant and maps what can go wrong to our errors. */
  private async call<T>(tenantId: string, run: (request: UpstreamRequest) => Promise<T>, issueId?: string): Promise<T> {
    const { budget, tokens } = this.options;
    const request: UpstreamRequest = {
      url: this.base,
      bearerToken: () => tokens.getToken(tenantId),
      beforeAttempt: budget
        ? () => {
            if (!budget.tryTake(tenantId)) throw new BudgetExhaustedError(tenantId, budget.nextAvailableAt(tenantId));
          }
        : undefined,
    };
    try {
      return await run(request);
    } catch (error) {
      if (error instanceof AppTokenError) {
        if (error.kind === 'denied') throw new HealthAccessError(tenantId, 'token', error.code);
        throw new UpstreamError('Microsoft Entra sign-in', 'unavailable', 1, undefined, undefined, { cause: error });
      }
      if (error instanceof UpstreamStatusError) {
        if (error.status === 401 || error.status === 403) {
          this.options.logger.warn({ tenantId, status: error.status, code: error.code }, 'service health access refused');
          throw new HealthAccessError(tenantId, error.status, error.code);
        }
        if (error.status === 404 && issueId !== undefined) throw new UnknownIssueError(tenantId, issueId);
        this.options.logger.warn({ tenantId, status: error.status, code: error.code }, 'unexpected Graph answer');
        throw new UpstreamError(this.options.http.upstreamName, 'unavailable', 1, error.status, undefined, { cause: error });
      }
      throw error;
    }
  }
}
