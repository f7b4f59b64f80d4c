/** The sandbox's GDAP pictures: every readiness case a newcomer should see, from sandbox/health.json. */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { SandboxAccessProvider, readAccessFacts } from '../../src/access';
import { accessReadiness, relationshipsEndingSoon, type AccessReadiness, type HealthAccessFact } from '../../src/domain/access';
import { checklistPermissions } from '../../src/domain/access-roles';
import { systemClock } from '../../src/domain/clock';
import { loadSandboxData, parseSandboxData, type SandboxCustomer } from '../../src/health/sandbox-data';

const ENGINEER = '33333333-3333-4333-8333-333333333333';

describe('SandboxAccessProvider on the sandbox seed', function () {
  let clock: sinon.SinonFakeTimers;
  let customers: readonly SandboxCustomer[];
  let provider: SandboxAccessProvider;

  beforeEach(function () {
    clock = sinon.useFakeTimers({ now: Date.parse('2026-12-10T12:00:00Z'), toFake: ['Date'] });
    customers = loadSandboxData().customers;
    provider = new SandboxAccessProvider(customers, systemClock);
  });
  afterEach(function () {
    clock.restore();
  });

  async function readiness(companyName: string): Promise<AccessReadiness> {
    const customer = customers.find((c) => c.companyName === companyName);
    assert.ok(customer, companyName);
    const health: HealthAccessFact = customer.healthAccess === 'granted' ? { state: 'readable' } : { state: 'failed', failure: 'access_403' };
    const read = await readAccessFacts(provider, customer.tenantId, ENGINEER, health);
    return accessReadiness(read.facts, new Date());
  }

  it('Contoso is fully ready: Service Support Administrator via Contoso helpdesk', async function () {
    const r = await readiness('Contoso');
    assert.equal(r.ready, true);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.grant?.role.name, 'Service Support Administrator');
    assert.equal(r.grant?.groupName, 'Contoso helpdesk');
    assert.equal(r.grant?.autoExtends, true);
  });

  it("Fabrikam's relationship ends in 10 days without auto-extend", async function () {
    const r = await readiness('Fabrikam, Inc.');
    assert.equal(r.ready, true);
    assert.deepEqual(r.warnings, [{ kind: 'ending_soon', relationship: 'Fabrikam support', endDateTime: '2026-12-20T12:00:00.000Z', daysLeft: 10 }]);
    const ending = relationshipsEndingSoon((await provider.listRelationships()).value, new Date());
    assert.deepEqual(ending.map((e) => e.displayName), ['Fabrikam support']);
  });

  it('Northwind: the engineer is outside the support group, and the health app is not consented', async function () {
    const r = await readiness('Northwind Traders');
    assert.equal(r.ready, false);
    assert.deepEqual(r.problems.map((p) => p.kind), ['not_in_group', 'health_not_consented']);
    const problem = r.problems[0];
    assert.ok(problem.kind === 'not_in_group');
    assert.deepEqual(problem.groups.map((g) => g.name), ['Northwind escalation team']);
  });

  it('Tailspin: the relationship has no role that allows filing; the checklist shows what Global Reader can still look at', async function () {
    const r = await readiness('Tailspin Toys');
    assert.deepEqual(r.problems.map((p) => p.kind), ['no_support_role']);
    const checks = Object.fromEntries(checklistPermissions('Exchange Online', r.heldRoleIds).map((c) => [c.check, c.allowed]));
    assert.deepEqual(checks, { licences: true, recent_changes: true, settings: true, client_software: true, mail_flow_rules: true, message_trace: true });
  });

  it('a customer without a gdap section has no relationship', async function () {
    const bare = new SandboxAccessProvider([{ tenantId: customers[0].tenantId }], systemClock);
    const read = await readAccessFacts(bare, customers[0].tenantId, ENGINEER, { state: 'readable' });
    assert.deepEqual(accessReadiness(read.facts, new Date()).problems.map((p) => p.kind), ['no_relationship']);
  });

  it('lists members by object id', async function () {
    const group = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c09';
    const listed = new SandboxAccessProvider(
      [{ tenantId: customers[0].tenantId, gdap: { relationships: [{ id: 'r', displayName: 'R', status: 'active', autoExtendDuration: 'PT0S', roles: [], accessAssignments: [{ id: 'a', status: 'active', groupId: group, roles: [], members: [ENGINEER] }] }] } }],
      systemClock,
    );
    assert.deepEqual((await listed.memberGroups(ENGINEER.toUpperCase(), [group])).value, [group]);
    assert.deepEqual((await listed.memberGroups('44444444-4444-4444-8444-444444444444', [group])).value, []);
  });

  it('refuses a seed with a bad gdap section, naming the field', function () {
    const seed = (gdap: unknown): unknown => ({ customers: [{ tenantId: customers[0].tenantId, companyName: 'X', domain: 'x.example', gdap }] });
    assert.throws(() => parseSandboxData(seed({ relationships: [{ id: 'r', displayName: 'R', roles: ['not-a-guid'] }] })), /expected a GUID[\s\S]*gdap\.relationships\[0\]\.roles\[0\]/);
    assert.throws(() => parseSandboxData(seed({ relationships: [{ id: 'r', displayName: 'R', roles: [], endsInDays: 3, endDateTime: '2027-01-01T00:00:00Z' }] })), /not both/);
    assert.throws(() => parseSandboxData(seed({ relationships: [{ id: 'r', displayName: 'R', roles: [], status: 'happy' }] })), /status/);
  });
});
