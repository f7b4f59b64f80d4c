/** The Graph access provider against a local double of Graph's GDAP, directory and token endpoints. */
import { strict as assert } from 'node:assert';
import { AccessBudgetError, AccessPermissionError, InvalidIdError, readAccessFacts, UpstreamError } from '../../src/access';
import { GraphAccessProvider } from '../../src/access/graph';
import { accessReadiness } from '../../src/domain/access';
import { systemClock } from '../../src/domain/clock';
import { TenantRequestBudget } from '../../src/health/budget';
import { MsalAppTokenSource } from '../../src/http/app-token';
import { UpstreamClient } from '../../src/http/upstream';
import { recordingSleep, runLogger } from '../http/helpers/http-double';
import {
  CUSTOMER,
  ENGINEER,
  EXCHANGE_ADMIN,
  GraphAccessDouble,
  HELPDESK,
  OTHER_CUSTOMER,
  PARTNER_TENANT,
  SSA,
  graphAssignment,
  graphError,
  graphRelationship,
} from './helpers/graph-access-double';

const RELATIONSHIPS = '/v1.0/tenantRelationships/delegatedAdminRelationships';
const REL_ID = `5d027261-d21f-4aa9-b7db-7fa1f56fb163-${CUSTOMER}`;

interface Rig {
  readonly double: GraphAccessDouble;
  readonly provider: GraphAccessProvider;
  readonly waits: number[];
  readonly budget: TenantRequestBudget;
}

async function rig(budgetLimits?: { perMinute: number; perHour: number }): Promise<Rig> {
  const double = await GraphAccessDouble.start();
  const logger = runLogger();
  const { waits, sleep } = recordingSleep();
  const budget = new TenantRequestBudget({ clock: systemClock, limits: budgetLimits });
  const provider = new GraphAccessProvider({
    graphEndpoint: double.url,
    partnerTenantId: PARTNER_TENANT,
    tokens: new MsalAppTokenSource({ loginEndpoint: double.url, clientId: 'app', clientSecret: 'secret', scope: `${double.url}/.default`, logger }),
    http: new UpstreamClient({ upstream: 'Microsoft Graph', logger, sleep, random: () => 0.5, policy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, attemptTimeoutMs: 2_000, maxRetryAfterMs: 60_000 } }),
    clock: systemClock,
    logger,
    budget,
  });
  return { double, provider, waits, budget };
}

describe('GraphAccessProvider against a local Graph double', function () {
  let current: Rig | undefined;
  afterEach(async function () {
    await current?.double.close();
    current = undefined;
  });

  it("reads the customer's relationships with the filter, their assignments and the group's name, in the partner tenant", async function () {
    current = await rig();
    const snapshot = await current.provider.getCustomerAccess(CUSTOMER.toUpperCase());
    const { relationships, assignments } = snapshot.value;
    assert.deepEqual(relationships, [
      {
        id: REL_ID,
        displayName: 'Contoso support',
        customerTenantId: CUSTOMER,
        status: 'active',
        endDateTime: '2027-03-01T11:26:44.994Z',
        autoExtendDuration: 'P180D',
        roleIds: [SSA, EXCHANGE_ADMIN],
      },
    ]);
    assert.deepEqual(assignments, [
      { id: '84c586df-0943-416e-b95f-7289cb8d3bd5', relationshipId: REL_ID, status: 'active', groupId: HELPDESK, groupName: 'Contoso helpdesk', roleIds: [SSA] },
    ]);
    const urls = current.double.graphRequests().map((r) => decodeURIComponent(r.url));
    assert.deepEqual(urls, [
      `${RELATIONSHIPS}?$filter=customer/tenantId eq '${CUSTOMER}'`,
      `${RELATIONSHIPS}/${REL_ID}/accessAssignments`,
      `/v1.0/groups/${HELPDESK}?$select=id,displayName`,
    ]);
    assert.ok(current.double.graphRequests().every((r) => r.headers.authorization === `Bearer token-for-${PARTNER_TENANT}`));
    assert.ok(current.double.tokenRequests()[0].url.startsWith(`/${PARTNER_TENANT}/oauth2/v2.0/token`), 'app-only token of the partner tenant');
  });

  it('follows @odata.nextLink on relationships and on assignments', async function () {
    current = await rig();
    current.double.pageSize = 2;
    const ids = ['a', 'b', 'c'].map((x) => `0000000${x}-0000-4000-8000-000000000000-${CUSTOMER}`);
    current.double.relationships = ids.map((id, i) => graphRelationship({ id, displayName: `R${i}` }));
    current.double.assignments.set(ids[0], []);
    current.double.assignments.set(ids[1], []);
    current.double.assignments.set(ids[2], [1, 2, 3, 4, 5].map((n) => graphAssignment({ id: `as-${n}` })));
    const { value } = await current.provider.getCustomerAccess(CUSTOMER);
    assert.deepEqual(value.relationships.map((r) => r.displayName), ['R0', 'R1', 'R2']);
    assert.deepEqual(value.assignments.map((a) => a.id), ['as-1', 'as-2', 'as-3', 'as-4', 'as-5']);
    const pages = current.double.graphRequests().filter((r) => decodeURIComponent(r.url).includes('$skiptoken'));
    assert.equal(pages.length, 1 + 2, 'one more relationship page, two more assignment pages');
  });

  it("drops another customer's relationship even if the server ignored the filter", async function () {
    current = await rig();
    current.double.ignoreFilter = true;
    current.double.relationships.push(graphRelationship({ id: `x-${OTHER_CUSTOMER}`, customer: { tenantId: OTHER_CUSTOMER } }));
    const { value } = await current.provider.getCustomerAccess(CUSTOMER);
    assert.deepEqual(value.relationships.map((r) => r.customerTenantId), [CUSTOMER]);
  });

  it('reads assignments of active relationships only, and normalizes statuses in any case', async function () {
    current = await rig();
    current.double.relationships = [
      graphRelationship({ id: `e-${CUSTOMER}`, status: 'Expired', endDateTime: '2025-01-01T00:00:00Z' }),
      graphRelationship({ id: `p-${CUSTOMER}`, status: 'approvalPending', endDateTime: null, activatedDateTime: null }),
      graphRelationship({ id: `n-${CUSTOMER}`, status: 'somethingNew' }),
    ];
    const { value } = await current.provider.getCustomerAccess(CUSTOMER);
    assert.deepEqual(value.relationships.map((r) => r.status), ['expired', 'approvalPending', 'unknownFutureValue']);
    assert.equal(value.relationships[1].endDateTime, undefined);
    assert.deepEqual(value.assignments, []);
    assert.equal(current.double.graphRequests().length, 1, 'no assignment call for a relationship that gives no access');
  });

  it('checks membership 20 groups at a time and keeps only the groups asked', async function () {
    current = await rig();
    const groups = Array.from({ length: 45 }, (_, i) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`);
    current.double.members.set(ENGINEER, new Set([groups[0], groups[21], groups[44], HELPDESK]));
    const { value } = await current.provider.memberGroups(ENGINEER.toUpperCase(), [...groups, groups[0]]);
    assert.deepEqual(value, [groups[0], groups[21], groups[44]]);
    const calls = current.double.graphRequests();
    assert.deepEqual(calls.map((c) => [c.method, c.url]), Array(3).fill(['POST', `/v1.0/users/${ENGINEER}/checkMemberGroups`]));
    assert.deepEqual(calls.map((c) => (JSON.parse(c.body) as { groupIds: string[] }).groupIds.length), [20, 20, 5]);
    assert.equal(calls[0].headers['content-type'], 'application/json');
  });

  it('a user unknown to the partner tenant (404) is in no group', async function () {
    current = await rig();
    const { value } = await current.provider.memberGroups('44444444-4444-4444-8444-444444444444', [HELPDESK]);
    assert.deepEqual(value, []);
  });

  it("honours Graph's 429 Retry-After, then answers", async function () {
    current = await rig();
    current.double.failNext(/delegatedAdminRelationships\?/, { status: 429, headers: { 'Retry-After': '7' }, json: { error: { code: 'TooManyRequests', message: 'Too many requests' } } });
    const { value } = await current.provider.getCustomerAccess(CUSTOMER);
    assert.equal(value.relationships.length, 1);
    assert.ok(current.waits[0] >= 7000 && current.waits[0] < 8000, String(current.waits[0]));
  });

  it('names the missing permission when Graph refuses (403)', async function () {
    current = await rig();
    current.double.failNext(/delegatedAdminRelationships/, graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    await assert.rejects(current.provider.getCustomerAccess(CUSTOMER), (error: unknown) => {
      assert.ok(error instanceof AccessPermissionError);
      assert.equal(error.reason, 403);
      assert.equal(error.code, 'Authorization_RequestDenied');
      assert.match(error.message, /DelegatedAdminRelationship\.Read\.All/);
      return true;
    });
    current.double.failNext(/checkMemberGroups/, graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    await assert.rejects(current.provider.memberGroups(ENGINEER, [HELPDESK]), /User\.Read\.All and GroupMember\.Read\.All/);
  });

  it('keeps the group id when the group name cannot be read', async function () {
    current = await rig();
    current.double.failNext(/\/groups\//, graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    const { value } = await current.provider.getCustomerAccess(CUSTOMER);
    assert.equal(value.assignments[0].groupId, HELPDESK);
    assert.equal(value.assignments[0].groupName, undefined);
  });

  it('gives up on 503s as unavailable, and on a body it cannot read as malformed', async function () {
    current = await rig();
    current.double.failNext(/delegatedAdminRelationships\?/, { status: 503 }, { status: 503 }, { status: 503 });
    await assert.rejects(current.provider.getCustomerAccess(CUSTOMER), (e: unknown) => e instanceof UpstreamError && e.failure === 'unavailable');
    current.double.failNext(/delegatedAdminRelationships\?/, { json: { value: [{ displayName: 'no id' }] } });
    await assert.rejects(current.provider.getCustomerAccess(CUSTOMER), (e: unknown) => e instanceof UpstreamError && e.failure === 'malformed');
  });

  it('charges every attempt to the partner tenant and stops when the budget is spent', async function () {
    current = await rig({ perMinute: 3, perHour: 100 });
    current.double.failNext(/delegatedAdminRelationships\?/, { status: 503 });
    await current.provider.getCustomerAccess(CUSTOMER).catch(() => undefined);
    assert.equal(current.budget.usage(PARTNER_TENANT).lastMinute, 3, 'a retry and two more calls: three attempts');
    await assert.rejects(current.provider.memberGroups(ENGINEER, [HELPDESK]), AccessBudgetError);
  });

  it('refuses ids that are not GUIDs before any call', async function () {
    current = await rig();
    await assert.rejects(current.provider.getCustomerAccess("x' or 1 eq 1"), InvalidIdError);
    await assert.rejects(current.provider.memberGroups('../me', [HELPDESK]), InvalidIdError);
    assert.equal(current.double.graphRequests().length, 0);
  });

  it('feeds the readiness decision: ready through the helpdesk group', async function () {
    current = await rig();
    const read = await readAccessFacts(current.provider, CUSTOMER, ENGINEER, { state: 'readable' });
    const readiness = accessReadiness(read.facts, new Date());
    assert.equal(readiness.ready, true);
    assert.equal(readiness.grant?.groupName, 'Contoso helpdesk');
    assert.equal(readiness.grant?.role.name, 'Service Support Administrator');
    assert.equal(read.stale, false);
  });

  it('lists every relationship of the partner across pages', async function () {
    current = await rig();
    current.double.pageSize = 1;
    current.double.relationships.push(graphRelationship({ id: `y-${OTHER_CUSTOMER}`, customer: { tenantId: OTHER_CUSTOMER } }));
    const { value } = await current.provider.listRelationships();
    assert.deepEqual(value.map((r) => r.customerTenantId), [CUSTOMER, OTHER_CUSTOMER]);
    assert.equal(decodeURIComponent(current.double.graphRequests()[0].url), RELATIONSHIPS);
  });
});
