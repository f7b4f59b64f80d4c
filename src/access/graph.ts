/**
 * GDAP access from Microsoft Graph in the partner tenant (ACCESS_SOURCE=graph): an app-only
 * token for the partner tenant; `delegatedAdminRelationships` filtered to the customer, each
 * active relationship's `accessAssignments`, the assigned groups' names, and the engineer's
 * membership through `checkMemberGroups` (20 groups per call, transitive). Every page and retry
 * is charged to the partner tenant's request budget.
 *
 * Permissions (application, admin-consented in the partner tenant):
 * DelegatedAdminRelationship.Read.All; User.Read.All and GroupMember.Read.All.
 */
import type { Logger } from 'pino';
import type { GdapAccessAssignment, GdapRelationship } from '../domain/access';
import type { Clock } from '../domain/clock';
import type { TenantRequestBudget } from '../health/budget';
import { AppTokenError, type AppTokenSource } from '../http/app-token';
import { UpstreamStatusError } from '../http/errors';
import { collectPages } from '../http/paging';
import type { UpstreamClient, UpstreamRequest } from '../http/upstream';
import { ASSIGNMENT_PAGE, GROUP, MEMBER_GROUPS, RELATIONSHIP_PAGE, toAssignment, toRelationship } from './graph-shape';
import {
  AccessBudgetError,
  AccessPermissionError,
  UpstreamError,
  checkGuid,
  type AccessPermission,
  type AccessProvider,
  type CustomerAccess,
  type Snapshot,
} from './types';

/** checkMemberGroups takes at most this many group ids per call (Graph's documented limit). */
export const CHECK_MEMBER_GROUPS_MAX = 20;

/** Dependencies of the Graph access provider. */
export interface GraphAccessOptions {
  /** e.g. https://graph.microsoft.com (national clouds: see PRODUCT.md). */
  readonly graphEndpoint: string;
  /** The partner's own tenant: every call is made there. */
  readonly partnerTenantId: string;
  readonly tokens: AppTokenSource;
  readonly http: UpstreamClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Charged once per HTTP attempt, retries and pages included, under the partner tenant. */
  readonly budget?: TenantRequestBudget;
}

const RELATIONSHIPS = 'DelegatedAdminRelationship.Read.All' satisfies AccessPermission;
const MEMBERSHIP = 'User.Read.All and GroupMember.Read.All' satisfies AccessPermission;

/** Reads GDAP access from Microsoft Graph. */
export class GraphAccessProvider implements AccessProvider {
  private readonly base: string;
  private readonly partnerTenantId: string;

  constructor(private readonly options: GraphAccessOptions) {
    this.base = `${options.graphEndpoint.replace(/\/+$/, '')}/v1.0`;
    this.partnerTenantId = checkGuid(options.partnerTenantId, 'The partner tenant id');
  }

  /** The customer's relationships, the active ones' assignments, and the assigned groups' names. */
  async getCustomerAccess(customerTenantId: string): Promise<Snapshot<CustomerAccess>> {
    const tenant = checkGuid(customerTenantId, 'A customer tenant id');
    const filter = encodeURIComponent(`customer/tenantId eq '${tenant}'`);
    const listed = await this.relationships(`${this.base}/tenantRelationships/delegatedAdminRelationships?$filter=${filter}`);
    // The filter is the server's; a relationship of another customer must never be reasoned about.
    const relationships = listed.filter((r) => r.customerTenantId === tenant);
    const assignments: GdapAccessAssignment[] = [];
    for (const relationship of relationships.filter((r) => r.status === 'active')) {
      assignments.push(...(await this.assignments(relationship.id)));
    }
    const names = await this.groupNames([...new Set(assignments.filter((a) => a.status === 'active').map((a) => a.groupId))]);
    const named = assignments.map((a) => (names.has(a.groupId) ? { ...a, groupName: names.get(a.groupId) } : a));
    return this.snapshot({ customerTenantId: tenant, relationships, assignments: named });
  }

  /** The groups among `groupIds` the user is a transitive member of, 20 per call. */
  async memberGroups(userObjectId: string, groupIds: readonly string[]): Promise<Snapshot<readonly string[]>> {
    const user = checkGuid(userObjectId, "An engineer's Entra object id");
    const wanted = [...new Set(groupIds.map((g) => checkGuid(g, 'A group id')))];
    const member: string[] = [];
    for (let i = 0; i < wanted.length; i += CHECK_MEMBER_GROUPS_MAX) {
      const chunk = wanted.slice(i, i + CHECK_MEMBER_GROUPS_MAX);
      let body: unknown;
      try {
        body = await this.call(MEMBERSHIP, (request) =>
          this.options.http.json({ ...request, method: 'POST', url: `${this.base}/users/${user}/checkMemberGroups`, body: { groupIds: chunk } }),
        );
      } catch (error) {
        // A user the partner tenant does not know (a guest of another tenant) is in none of its groups.
        if (error instanceof UpstreamError && error.lastStatus === 404) return this.snapshot([]);
        throw error;
      }
      const parsed = MEMBER_GROUPS.safeParse(body);
      if (!parsed.success) throw this.malformed();
      const asked = new Set(chunk);
      member.push(...parsed.data.value.map((g) => g.toLowerCase()).filter((g) => asked.has(g)));
    }
    return this.snapshot(member);
  }

  /** Every relationship of the partner. */
  async listRelationships(): Promise<Snapshot<readonly GdapRelationship[]>> {
    return this.snapshot(await this.relationships(`${this.base}/tenantRelationships/delegatedAdminRelationships`));
  }

  private relationships(url: string): Promise<GdapRelationship[]> {
    return this.call(RELATIONSHIPS, (request) =>
      collectPages(this.options.http, { ...request, url }, (body) => {
        const page = RELATIONSHIP_PAGE.safeParse(body);
        if (!page.success) throw this.malformed();
        const next = page.data['@odata.nextLink'];
        return { items: page.data.value.map(toRelationship), ...(next ? { next: { url: next } } : {}) };
      }),
    );
  }

  private assignments(relationshipId: string): Promise<GdapAccessAssignment[]> {
    const url = `${this.base}/tenantRelationships/delegatedAdminRelationships/${encodeURIComponent(relationshipId)}/accessAssignments`;
    return this.call(RELATIONSHIPS, (request) =>
      collectPages(this.options.http, { ...request, url }, (body) => {
        const page = ASSIGNMENT_PAGE.safeParse(body);
        if (!page.success) throw this.malformed();
        const next = page.data['@odata.nextLink'];
        const items = page.data.value.map((a) => toAssignment(a, relationshipId)).filter((a): a is GdapAccessAssignment => a !== undefined);
        return { items, ...(next ? { next: { url: next } } : {}) };
      }),
    );
  }

  /** Display names of groups; a group that cannot be read keeps its id only (the name is a courtesy). */
  private async groupNames(groupIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of groupIds) {
      try {
        const body = await this.call(MEMBERSHIP, (request) =>
          this.options.http.json({ ...request, url: `${this.base}/groups/${checkGuid(id, 'A group id')}?$select=id,displayName` }),
        );
        const group = GROUP.safeParse(body);
        if (group.success && group.data.displayName) names.set(id, group.data.displayName);
      } catch (error) {
        if (error instanceof AccessBudgetError) throw error;
        this.options.logger.debug({ err: error instanceof Error ? error.name : 'unknown' }, 'group name not read');
      }
    }
    return names;
  }

  private snapshot<T>(value: T): Snapshot<T> {
    return { value, fetchedAt: this.options.clock.now().toISOString(), stale: false };
  }

  private malformed(): UpstreamError {
    return new UpstreamError(this.options.http.upstreamName, 'malformed', 1);
  }

  /** Runs one Graph call in the partner tenant and maps what can go wrong to our errors. */
  private async call<T>(permission: AccessPermission, run: (request: UpstreamRequest) => Promise<T>): Promise<T> {
    const { budget, tokens } = this.options;
    const tenant = this.partnerTenantId;
    const request: UpstreamRequest = {
      url: this.base,
      bearerToken: () => tokens.getToken(tenant),
      beforeAttempt: budget
        ? () => {
            if (!budget.tryTake(tenant)) throw new AccessBudgetError(budget.nextAvailableAt(tenant));
          }
        : undefined,
    };
    try {
      return await run(request);
    } catch (error) {
      if (error instanceof AppTokenError) {
        if (error.kind === 'denied') throw new AccessPermissionError('token', permission, error.code);
        throw new UpstreamError('Microsoft Entra sign-in', 'unavailable', 1, undefined, undefined, { cause: error });
      }
      if (error instanceof UpstreamStatusError) {
        if (error.status === 401 || error.status === 403) {
          this.options.logger.warn({ status: error.status, code: error.code, permission }, 'GDAP access refused');
          throw new AccessPermissionError(error.status, permission, error.code);
        }
        // 404 is an answer some callers expect (a user the partner tenant does not know).
        if (error.status !== 404) this.options.logger.warn({ status: error.status, code: error.code }, 'unexpected Graph answer');
        throw new UpstreamError(this.options.http.upstreamName, 'unavailable', 1, error.status, undefined, { cause: error });
      }
      throw error;
    }
  }
}
