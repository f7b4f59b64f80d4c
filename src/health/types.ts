/**
 * Service health of a customer tenant and the interface every source of it implements. The
 * issue model itself is the domain's (`domain/health-issue.ts`, re-exported here); Graph's
 * shape is converted at the edge (`graph-shape.ts`).
 */
import type { HealthIssue, ServiceHealthStatus } from '../domain/health-issue';
import { UpstreamError } from '../http/errors';

export { UpstreamError };
export {
  CLOSED_STATUSES,
  ISSUE_CLASSIFICATIONS,
  ISSUE_ORIGINS,
  POST_TYPES,
  SERVICE_HEALTH_STATUSES,
  isOpenIssue,
  type HealthIssue,
  type IssueClassification,
  type IssueOrigin,
  type IssuePost,
  type PostType,
  type ServiceHealthStatus,
} from '../domain/health-issue';

/** One service's health and its issues, as in Graph's healthOverviews. */
export interface ServiceHealth {
  /** Graph's service id, e.g. "Exchange". */
  readonly id: string;
  /** Display name, e.g. "Exchange Online". */
  readonly service: string;
  readonly status: ServiceHealthStatus;
  readonly issues: readonly HealthIssue[];
}

/** The service health overview of one customer tenant. */
export interface HealthOverview {
  readonly tenantId: string;
  readonly services: readonly ServiceHealth[];
}

/** A value and when it was read from the source; `stale` when served past its freshness. */
export interface Snapshot<T> {
  readonly value: T;
  /** ISO time the source produced it: lets a card say "as of 3 minutes ago". */
  readonly fetchedAt: string;
  readonly stale: boolean;
}

/** Where the post-incident review of an issue can be read. */
export interface PostIncidentReport {
  readonly issueId: string;
  /** The issue in the Microsoft 365 admin center, where the PIR document is offered. */
  readonly url: string;
  /** Graph path of the PIR document itself (a file stream), relative to `{graph}/v1.0`. */
  readonly graphPath: string;
}

/** How fresh an issue read must be. */
export interface IssueReadOptions {
  readonly maxAgeMs?: number;
}

/** Reads a customer tenant's service health. */
export interface HealthProvider {
  /** Every service of the tenant with its status and issues. */
  getOverview(tenantId: string): Promise<Snapshot<HealthOverview>>;
  /**
   * One issue; throws `UnknownIssueError` when the tenant has no such issue. `maxAgeMs`: a
   * cached answer older than this is not served (the caller polls it on its own schedule).
   */
  getIssue(tenantId: string, issueId: string, options?: IssueReadOptions): Promise<Snapshot<HealthIssue>>;
  /** The post-incident review link, when Microsoft has published one for the issue. */
  getPostIncidentReport(tenantId: string, issueId: string): Promise<PostIncidentReport | undefined>;
}

/** The partner may not read this customer's service health (HTTP 401/403, or no token). */
export class HealthAccessError extends Error {
  override readonly name = 'HealthAccessError';

  constructor(
    readonly tenantId: string,
    /** 401, 403, or 'token' when Entra refused to issue a token for the tenant. */
    readonly reason: 401 | 403 | 'token',
    /** The upstream's error code, for logs. */
    readonly code?: string,
  ) {
    super(
      (reason === 401
        ? "Microsoft Graph did not accept Escalation Desk's sign-in for this customer's tenant. "
        : reason === 403
          ? "Escalation Desk is not allowed to read this customer's service health. "
          : "Microsoft Entra would not sign Escalation Desk in to this customer's tenant. ") +
        "Missing: the application permission ServiceHealth.Read.All with admin consent in the customer's tenant " +
        '(or, for delegated access, a GDAP role such as Service Support Administrator for your support agents). ' +
        "Meanwhile, check service health in the customer's Microsoft 365 admin center.",
    );
  }
}

/** The tenant has no issue with this id. */
export class UnknownIssueError extends Error {
  override readonly name = 'UnknownIssueError';

  constructor(
    readonly tenantId: string,
    readonly issueId: string,
  ) {
    super(`No service health issue ${issueId.slice(0, 40)} for this customer.`);
  }
}

/** No request budget left for the tenant and nothing cached to serve. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';

  constructor(
    readonly tenantId: string,
    /** When a request may be made again. */
    readonly retryAt: Date,
  ) {
    super(`Service health was checked very often for this customer; try again after ${retryAt.toISOString()}.`);
  }
}

/** Every issue of an overview, across services. */
export function allIssues(overview: HealthOverview): HealthIssue[] {
  return overview.services.flatMap((s) => s.issues);
}

/** Default Microsoft 365 admin center (public cloud). */
export const DEFAULT_ADMIN_CENTER = 'https://admin.microsoft.com';

/**
 * The PIR link of an issue: Graph marks a published PIR with status
 * `postIncidentReviewPublished`, and only then does `issues/{id}/incidentReport` exist.
 */
export function postIncidentReportFor(
  issue: HealthIssue,
  adminCenter: string = DEFAULT_ADMIN_CENTER,
): PostIncidentReport | undefined {
  if (issue.status !== 'postIncidentReviewPublished') return undefined;
  const id = encodeURIComponent(issue.id);
  return {
    issueId: issue.id,
    url: postIncidentReviewUrl(issue.id, adminCenter),
    graphPath: `/admin/serviceAnnouncement/issues/${id}/incidentReport`,
  };
}

/** Where an admin reads an issue's post-incident review: its page in the Microsoft 365 admin center's service health history. */
export function postIncidentReviewUrl(issueId: string, adminCenter: string = DEFAULT_ADMIN_CENTER): string {
  return `${adminCenter.replace(/\/+$/, '')}/Adminportal/Home#/servicehealth/history/:/alerts/${encodeURIComponent(issueId)}`;
}

/** Age of a snapshot in whole seconds at `now`. */
export function snapshotAgeSeconds(snapshot: Snapshot<unknown>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(snapshot.fetchedAt)) / 1000));
}
