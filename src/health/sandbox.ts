/**
 * Service health from the sandbox seed (the default source): no Microsoft tenant needed.
 * The seed is copied at start (and again when the file is edited: `reload`); `resolveIssue`
 * changes only this in-memory copy, so a demo can walk an escalation to "resolved" and a
 * restart (or an edit of the file) brings the seed back.
 */
import type { Clock } from '../domain/clock';
import { withSharedIssue, type SandboxData } from './sandbox-data';
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
  readonly access: SandboxData['customers'][number]['healthAccess'];
  services: ServiceHealth[];
}

/** A shared incident to start in the sandbox (or more tenants to add to one). */
export interface SharedIncidentInput {
  /** Microsoft-style id (e.g. EX300001); default: a new one for the service. */
  readonly id?: string;
  /** The service, by id or name in any case (e.g. "Exchange" or "Exchange Online"). */
  readonly service: string;
  readonly title?: string;
  readonly impactDescription?: string;
  /** `incident` (default) or `advisory`. */
  readonly classification?: 'incident' | 'advisory';
  readonly tenantIds: readonly string[];
}

/** A change Microsoft posts on a shared incident. */
export interface SharedIncidentUpdate {
  readonly status?: ServiceHealth['status'];
  /** A new post's text. */
  readonly post?: string;
}

/** A shared incident and the tenants whose health shows it. */
export interface SharedIncident {
  readonly issue: HealthIssue;
  readonly tenantIds: readonly string[];
}

/** Sandbox service health, with a way to resolve an incident on demand. */
export class SandboxHealthProvider implements HealthProvider {
  private readonly tenants = new Map<string, TenantState>();
  /** Shared incidents started through `startIncident` without an id (numbers their ids). */
  private started = 0;

  constructor(
    data: SandboxData,
    private readonly clock: Clock,
    private readonly adminCenterUrl?: string,
  ) {
    this.reload(data);
  }

  /** Replaces every tenant's health with the seed's (the file was edited); what was resolved since start is gone. */
  reload(data: SandboxData): void {
    this.tenants.clear();
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

  /**
   * Starts a shared incident in several tenants at once, as Microsoft would post one: the same
   * issue id in each tenant's service. With the id of an incident already started, adds the
   * tenants to it (a late-joining tenant) with the issue as it stands.
   */
  startIncident(input: SharedIncidentInput, at: Date = this.clock.now()): SharedIncident {
    const tenants = input.tenantIds.map((t) => t.toLowerCase());
    if (tenants.length === 0) throw new RangeError('Name at least one tenant.');
    for (const t of tenants) if (!this.tenants.has(t)) throw new HealthAccessError(t, 403, 'Forbidden');
    const existing = input.id ? this.sharedIssue(input.id) : undefined;
    const when = at.toISOString();
    const issue: HealthIssue = existing?.issue ?? {
      id: input.id ?? `${serviceCode(input.service)}${String(300_000 + this.started++)}`,
      title: input.title ?? `Users may be unable to use ${input.service}`,
      service: this.serviceName(input.service),
      impactDescription: input.impactDescription ?? `Users may be unable to use ${input.service}.`,
      classification: input.classification ?? 'incident',
      origin: 'microsoft',
      status: 'investigating',
      isResolved: false,
      startDateTime: when,
      lastModifiedDateTime: when,
      details: [],
      posts: [{ createdDateTime: when, postType: 'quick', contentType: 'text', content: "Current status: We're investigating reports of impact." }],
    };
    for (const t of tenants) {
      const state = this.tenants.get(t) as TenantState;
      state.services = withSharedIssue(state.services, existing ? this.serviceIdOf(existing.issue.id) ?? input.service : input.service, issue);
    }
    return this.sharedIssue(issue.id) as SharedIncident;
  }

  /** Posts an update on a shared incident in every tenant that shows it: a new post and/or status. */
  updateIncident(issueId: string, update: SharedIncidentUpdate, at: Date = this.clock.now()): SharedIncident {
    const shared = this.sharedIssue(issueId);
    if (!shared) throw new UnknownIssueError('*', issueId);
    const when = at.toISOString();
    const next: HealthIssue = {
      ...shared.issue,
      ...(update.status ? { status: update.status } : {}),
      lastModifiedDateTime: when,
      posts: update.post ? [...shared.issue.posts, { createdDateTime: when, postType: 'regular', contentType: 'text', content: update.post }] : shared.issue.posts,
    };
    this.replaceEverywhere(next);
    return this.sharedIssue(issueId) as SharedIncident;
  }

  /** Resolves a shared incident in every tenant that shows it. */
  resolveIncident(issueId: string, at: Date = this.clock.now()): SharedIncident {
    const shared = this.sharedIssue(issueId);
    if (!shared) throw new UnknownIssueError('*', issueId);
    for (const t of shared.tenantIds) this.resolveIssue(t, issueId, at);
    return this.sharedIssue(issueId) as SharedIncident;
  }

  /** Takes a shared incident off one tenant's list while it goes on elsewhere. */
  removeFromTenant(issueId: string, tenantId: string): SharedIncident {
    const state = this.readable(tenantId);
    const { serviceIndex } = this.find(tenantId, issueId);
    const services = [...state.services];
    const service = services[serviceIndex];
    const issues = service.issues.filter((i) => i.id.toLowerCase() !== issueId.toLowerCase());
    services[serviceIndex] = { ...service, issues, status: issues.some(isOpenIssue) ? service.status : 'serviceOperational' };
    state.services = services;
    return this.sharedIssue(issueId) ?? { issue: this.find(tenantId, issueId).issue, tenantIds: [] };
  }

  /** The issue with this id and the tenants that show it, if any does. */
  sharedIssue(issueId: string): SharedIncident | undefined {
    const wanted = issueId.toLowerCase();
    let issue: HealthIssue | undefined;
    const tenantIds: string[] = [];
    for (const [tenantId, state] of this.tenants) {
      const found = state.services.flatMap((s) => s.issues).find((i) => i.id.toLowerCase() === wanted);
      if (found) {
        tenantIds.push(tenantId);
        if (!issue || Date.parse(found.lastModifiedDateTime) > Date.parse(issue.lastModifiedDateTime)) issue = found;
      }
    }
    return issue ? { issue, tenantIds } : undefined;
  }

  /**
   * The health app's consent granted in a tenant (the sandbox's Partner Center consent): its health
   * becomes readable. False for a tenant the sandbox does not know.
   */
  grantHealthAccess(tenantId: string): boolean {
    const state = this.tenants.get(tenantId.toLowerCase());
    if (!state) return false;
    this.tenants.set(tenantId.toLowerCase(), { ...state, access: 'granted' });
    return true;
  }

  /** Tenants the sandbox can be read for. */
  readableTenants(): string[] {
    return [...this.tenants].filter(([, state]) => state.access === 'granted').map(([tenantId]) => tenantId);
  }

  private replaceEverywhere(issue: HealthIssue): void {
    const wanted = issue.id.toLowerCase();
    for (const state of this.tenants.values()) {
      state.services = state.services.map((s) =>
        s.issues.some((i) => i.id.toLowerCase() === wanted)
          ? { ...s, issues: s.issues.map((i) => (i.id.toLowerCase() === wanted ? issue : i)), status: isOpenIssue(issue) ? issue.status : s.status }
          : s,
      );
    }
  }

  private serviceIdOf(issueId: string): string | undefined {
    const wanted = issueId.toLowerCase();
    for (const state of this.tenants.values()) {
      const service = state.services.find((s) => s.issues.some((i) => i.id.toLowerCase() === wanted));
      if (service) return service.id;
    }
    return undefined;
  }

  /** A service's display name from its id or name, as some tenant lists it. */
  private serviceName(service: string): string {
    const wanted = service.toLowerCase();
    for (const state of this.tenants.values()) {
      const found = state.services.find((s) => s.id.toLowerCase() === wanted || s.service.toLowerCase() === wanted);
      if (found) return found.service;
    }
    return service;
  }

  private snapshot<T>(value: T): Snapshot<T> {
    return { value, fetchedAt: this.clock.now().toISOString(), stale: false };
  }

  private readable(tenantId: string): TenantState {
    const state = this.tenants.get(tenantId.toLowerCase());
    // An unknown tenant looks like one the partner cannot read: the same answer Graph gives.
    if (!state || state.access === 'denied') throw new HealthAccessError(tenantId, 403, 'Forbidden');
    // Entra's answer for an app the tenant's admin never consented to (no service principal there).
    if (state.access === 'unconsented') throw new HealthAccessError(tenantId, 'token', 'invalid_client AADSTS700016');
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

/** The two-letter prefix Microsoft gives a service's issue ids (EX, TM, SP, …). */
function serviceCode(service: string): string {
  const known: Record<string, string> = { exchange: 'EX', 'exchange online': 'EX', microsoftteams: 'TM', 'microsoft teams': 'TM', sharepoint: 'SP', 'sharepoint online': 'SP' };
  return known[service.toLowerCase()] ?? (service.replace(/[^A-Za-z]/g, '').slice(0, 2).toUpperCase() || 'MO');
}
