/**
 * A local stand-in for Microsoft Graph's GDAP and directory endpoints in the partner tenant, on
 * 127.0.0.1, with the documented shapes: `tenantRelationships/delegatedAdminRelationships`
 * (with `$filter=customer/tenantId eq '…'`, `@odata.nextLink` paging, `@odata.etag`),
 * `…/{id}/accessAssignments`, `groups/{id}`, `users/{id}/checkMemberGroups` (at most 20 ids,
 * 400 beyond, 404 for an unknown user), and the Entra token endpoint. Faults on demand; every
 * request recorded.
 */
import { HttpDouble, isTokenRequest, tokenReply, type RecordedRequest, type Reply } from '../../http/helpers/http-double';

export const PARTNER_TENANT = '22222222-2222-4222-8222-222222222222';
export const CUSTOMER = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
export const OTHER_CUSTOMER = '2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02';
export const ENGINEER = '33333333-3333-4333-8333-333333333333';
export const HELPDESK = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c01';
export const SSA = 'f023fd81-a637-4b56-95fd-791ac0226033';
export const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';

/** A relationship as Graph returns it (delegatedAdminRelationship). */
export function graphRelationship(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.delegatedAdminRelationship',
    '@odata.etag': 'W/"JyIwMzAwZTM0ZS0wMDAwLTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw=="',
    id: `5d027261-d21f-4aa9-b7db-7fa1f56fb163-${CUSTOMER}`,
    displayName: 'Contoso support',
    duration: 'P730D',
    customer: { tenantId: CUSTOMER, displayName: 'Contoso' },
    accessDetails: { unifiedRoles: [{ roleDefinitionId: SSA }, { roleDefinitionId: EXCHANGE_ADMIN }] },
    status: 'active',
    autoExtendDuration: 'P180D',
    createdDateTime: '2025-03-01T11:24:42.3148266Z',
    lastModifiedDateTime: '2025-03-01T11:26:44.9941884Z',
    activatedDateTime: '2025-03-01T11:26:44.9941884Z',
    endDateTime: '2027-03-01T11:26:44.9941884Z',
    ...overrides,
  };
}

/** An access assignment as Graph returns it (delegatedAdminAccessAssignment). */
export function graphAssignment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.delegatedAdminAccessAssignment',
    '@odata.etag': 'W/"JyIwMDAwMDI5OC0wMDAwLTAyMDAtMDAwMC02MjJiZTA0YjAwMDAiJw=="',
    id: '84c586df-0943-416e-b95f-7289cb8d3bd5',
    status: 'active',
    createdDateTime: '2025-03-07T22:55:18.6780449Z',
    lastModifiedDateTime: '2025-03-11T23:50:35.8970153Z',
    accessContainer: { accessContainerId: HELPDESK, accessContainerType: 'securityGroup' },
    accessDetails: { unifiedRoles: [{ roleDefinitionId: SSA }] },
    ...overrides,
  };
}

/** The running double. */
export class GraphAccessDouble {
  /** Relationships served by the list, in order. */
  relationships: Record<string, unknown>[] = [graphRelationship()];
  /** Assignments per relationship id. */
  readonly assignments = new Map<string, Record<string, unknown>[]>([[`5d027261-d21f-4aa9-b7db-7fa1f56fb163-${CUSTOMER}`, [graphAssignment()]]]);
  /** Group display names. */
  readonly groups = new Map<string, string>([[HELPDESK, 'Contoso helpdesk']]);
  /** Transitive memberships per user. */
  readonly members = new Map<string, Set<string>>([[ENGINEER, new Set([HELPDESK])]]);
  /** Items per page of every collection. */
  pageSize = 100;
  /** Answer the list as if `$filter` were not applied (to prove the client filters too). */
  ignoreFilter = false;
  private readonly faults: Array<{ readonly where: RegExp; readonly reply: Reply }> = [];

  private constructor(readonly http: HttpDouble) {}

  /** Starts a double on an ephemeral port. */
  static async start(): Promise<GraphAccessDouble> {
    const holder: { double?: GraphAccessDouble } = {};
    const http = await HttpDouble.start((req) => (holder.double ? holder.double.answer(req) : { status: 503 }));
    holder.double = new GraphAccessDouble(http);
    return holder.double;
  }

  /** Base URL for Graph and the login endpoint. */
  get url(): string {
    return this.http.url;
  }

  /** The next Graph call whose path matches `where` gets `reply` (one each, in order). */
  failNext(where: RegExp, ...replies: Reply[]): void {
    for (const reply of replies) this.faults.push({ where, reply });
  }

  /** Graph calls (not token calls). */
  graphRequests(): RecordedRequest[] {
    return this.http.requests.filter((r) => !isTokenRequest(r));
  }

  /** Token calls. */
  tokenRequests(): RecordedRequest[] {
    return this.http.requests.filter(isTokenRequest);
  }

  /** Stops the double. */
  close(): Promise<void> {
    return this.http.close();
  }

  private answer(req: RecordedRequest): Reply {
    if (isTokenRequest(req)) return tokenReply(req);
    const faultAt = this.faults.findIndex((f) => f.where.test(req.url));
    if (faultAt >= 0) return this.faults.splice(faultAt, 1)[0].reply;
    if (!/^Bearer token-for-/.test(String(req.headers.authorization ?? ''))) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const url = new URL(req.url, this.url);
    const path = decodeURIComponent(url.pathname);

    if (req.method === 'GET' && path === '/v1.0/tenantRelationships/delegatedAdminRelationships') {
      const filter = url.searchParams.get('$filter');
      const wanted = /^customer\/tenantId eq '([0-9a-f-]+)'$/.exec(filter ?? '')?.[1];
      if (filter !== null && !wanted) return graphError(400, 'BadRequest', 'Invalid filter clause');
      const items = this.relationships.filter((r) => this.ignoreFilter || !wanted || (r.customer as { tenantId: string }).tenantId === wanted);
      return this.page(items, url, '$metadata#delegatedAdminRelationships');
    }
    const assignments = /^\/v1\.0\/tenantRelationships\/delegatedAdminRelationships\/([^/]+)\/accessAssignments$/.exec(path);
    if (req.method === 'GET' && assignments) {
      const list = this.assignments.get(assignments[1]);
      if (!list) return graphError(404, 'NotFound', 'The relationship was not found.');
      return this.page(list, url, '$metadata#accessAssignments');
    }
    const group = /^\/v1\.0\/groups\/([0-9a-f-]+)$/.exec(path);
    if (req.method === 'GET' && group) {
      const name = this.groups.get(group[1]);
      if (name === undefined) return graphError(404, 'Request_ResourceNotFound', `Resource '${group[1]}' does not exist.`);
      return { json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)/$entity', id: group[1], displayName: name } };
    }
    const check = /^\/v1\.0\/users\/([0-9a-f-]+)\/checkMemberGroups$/.exec(path);
    if (req.method === 'POST' && check) {
      const member = this.members.get(check[1]);
      if (!member) return graphError(404, 'Request_ResourceNotFound', `Resource '${check[1]}' does not exist.`);
      const body = JSON.parse(req.body) as { groupIds?: unknown };
      if (!Array.isArray(body.groupIds) || body.groupIds.length > 20) return graphError(400, 'Request_BadRequest', 'Up to 20 groupIds may be specified.');
      return { json: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)', value: (body.groupIds as string[]).filter((g) => member.has(g)) } };
    }
    return graphError(404, 'UnknownError', 'No such route in the double.');
  }

  /** One page of `items` at `$skiptoken`, with `@odata.nextLink` when more remain. */
  private page(items: readonly Record<string, unknown>[], url: URL, context: string): Reply {
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const value = items.slice(skip, skip + this.pageSize);
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', String(skip + this.pageSize));
    return {
      json: {
        '@odata.context': `https://graph.microsoft.com/v1.0/tenantRelationships/${context}`,
        value,
        ...(skip + this.pageSize < items.length ? { '@odata.nextLink': next.toString() } : {}),
      },
    };
  }
}

/** The settings of a service that reads GDAP from this double (ACCESS_SOURCE=graph), the Graph app's credentials included. */
export function graphAccessEnv(double: GraphAccessDouble): Record<string, string> {
  return {
    ACCESS_SOURCE: 'graph',
    GRAPH_ENDPOINT: double.url,
    LOGIN_ENDPOINT: double.url,
    PARTNER_TENANT_ID: PARTNER_TENANT,
    GRAPH_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000001',
    GRAPH_CLIENT_SECRET: 'graph-secret-for-tests',
  };
}

/** A Graph error body. */
export function graphError(status: number, code: string, message: string): Reply {
  return { status, json: { error: { code, message, innerError: { date: '2026-12-10T12:00:00', 'request-id': 'f1e2d3c4-0000-4000-8000-000000000000' } } } };
}
