/**
 * Service health from the sandbox seed (the default source): no Microsoft tenant needed.
 * The seed is copied at start; `resolveIssue` changes only this in-memory copy, so a demo
 * can walk an escalation to "resolved" and a restart brings the seed back.
 */
import type { Clock } from '../domain/clock';
import type { SandboxData } from './sandbox-data';
import {
  HealthAccessError,
  UnknownIssueError,
  isOpenIssue,
  postIncidentReportFor,
  type HealthIssue,
  type HealthOverview,
  type HealthProvider,
  type PostIncidentReport,
  type ServiceHealth,
  type Snapshot,
} from './types';

interface TenantState {
  readonly access: 'granted' | 'denied';
  services: ServiceHealth[];
}

/** Sandbox service health, with a way to resolve an incident on demand. */
export class SandboxHealthProvider implements HealthProvider {
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    data: SandboxData,
    private readonly clock: Clock,
    private readonly adminCenterUrl?: string,
  ) {
    for (const customer of data.customers) {
      this.tenants.set(customer.tenantId.toLowerCase(), { access: customer.healthAccess, services: [...customer.services] });
    }
  }

  /** The tenant's services and issues as seeded (and resolved since). */
  getOverview(tenantId: string): Promise<Snapshot<HealthOverview>> {
    return Promise.resolve().then(() => this.snapshot({ tenantId, services: this.readable(tenantId).services }));
  }

  /** One issue of the tenant. */
  getIssue(tenantId: string, issueId: string): Promise<Snapshot<HealthIssue>> {
    return Promise.resolve().then(() => this.snapshot(this.find(tenantId, issueId).issue));
  }

  /** The PIR link when the seeded issue has status PostIncidentReviewPublished. */
  async getPostIncidentReport(tenantId: string, issueId: string): Promise<PostIncidentReport | undefined> {
    const issue = await this.getIssue(tenantId, issueId);
    return postIncidentReportFor(issue.value, this.adminCenterUrl);
  }

  /**
   * Marks an issue resolved at `at` with a closing post, as Microsoft would, and sets its
   * service operational when nothing else is open there. Returns the resolved issue.
   */
  resolveIssue(tenantId: string, issueId: string, at: Date = this.clock.now()): HealthIssue {
    const state = this.readable(tenantId);
    const { issue, serviceIndex } = this.find(tenantId, issueId);
    if (!isOpenIssue(issue)) return issue;
    const when = at.toISOString();
    const resolved: HealthIssue = {
      ...issue,
      status: 'serviceRestored',
      isResolved: true,
      endDateTime: when,
      lastModifiedDateTime: when,
      posts: [
        ...issue.posts,
        {
          createdDateTime: when,
          postType: 'regular',
          contentType: 'html',
          content: 'Final status: We have confirmed that the issue is resolved and service is restored for affected users.',
        },
      ],
    };
    const service = state.services[serviceIndex];
    const issues = service.issues.map((i) => (i.id === issue.id ? resolved : i));
    const services = [...state.services];
    services[serviceIndex] = {
      ...service,
      issues,
      status: issues.some(isOpenIssue) ? service.status : 'serviceOperational',
    };
    state.services = services;
    return resolved;
  }

  private snapshot<T>(value: T): Snapshot<T> {
    return { value, fetchedAt: this.clock.now().toISOString(), stale: false };
  }

  private readable(tenantId: string): TenantState {
    const state = this.tenants.get(tenantId.toLowerCase());
    // An unknown tenant looks like one the partner cannot read: the same answer Graph gives.
    if (!state || state.access === 'denied') throw new HealthAccessError(tenantId, 403, 'Forbidden');
    return state;
  }

  private find(tenantId: string, issueId: string): { issue: HealthIssue; serviceIndex: number } {
    const services = this.readable(tenantId).services;
    const wanted = issueId.toLowerCase();
    for (let s = 0; s < services.length; s++) {
      const issue = services[s].issues.find((i) => i.id.toLowerCase() === wanted);
      if (issue) return { issue, serviceIndex: s };
    }
    throw new UnknownIssueError(tenantId, issueId);
  }
}
