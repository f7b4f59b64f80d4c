/** The caching access provider: freshness, shared calls, stale answers when upstream cannot be asked. */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { AccessBudgetError, AccessPermissionError, CachedAccessProvider, UpstreamError, type CustomerAccess, type Snapshot } from '../../src/access';
import { systemClock } from '../../src/domain/clock';
import { runLogger } from '../http/helpers/http-double';

const CUSTOMER = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const ENGINEER = '33333333-3333-4333-8333-333333333333';
const G1 = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c01';
const G2 = '5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c02';
const MINUTE = 60_000;

function snapshot<T>(value: T): Snapshot<T> {
  return { value, fetchedAt: new Date().toISOString(), stale: false };
}

function access(name: string): CustomerAccess {
  return { customerTenantId: CUSTOMER, relationships: [{ id: 'r', displayName: name, customerTenantId: CUSTOMER, status: 'active', roleIds: [] }], assignments: [] };
}

describe('CachedAccessProvider', function () {
  let clock: sinon.SinonFakeTimers;
  let inner: { getCustomerAccess: sinon.SinonStub; memberGroups: sinon.SinonStub; listRelationships: sinon.SinonStub };
  let cached: CachedAccessProvider;

  beforeEach(function () {
    clock = sinon.useFakeTimers({ now: Date.parse('2026-12-10T12:00:00Z'), toFake: ['Date'] });
    inner = { getCustomerAccess: sinon.stub(), memberGroups: sinon.stub(), listRelationships: sinon.stub() };
    cached = new CachedAccessProvider({ inner, clock: systemClock, logger: runLogger(), freshnessMs: 10 * MINUTE });
  });
  afterEach(function () {
    clock.restore();
    sinon.restore();
  });

  it('answers from the cache while fresh, and asks again after', async function () {
    inner.getCustomerAccess.onFirstCall().callsFake(() => Promise.resolve(snapshot(access('first'))));
    inner.getCustomerAccess.onSecondCall().callsFake(() => Promise.resolve(snapshot(access('second'))));
    assert.equal((await cached.getCustomerAccess(CUSTOMER)).value.relationships[0].displayName, 'first');
    clock.tick(9 * MINUTE);
    assert.equal((await cached.getCustomerAccess(CUSTOMER.toUpperCase())).value.relationships[0].displayName, 'first', 'same customer in any case');
    clock.tick(2 * MINUTE);
    assert.equal((await cached.getCustomerAccess(CUSTOMER)).value.relationships[0].displayName, 'second');
    assert.equal(inner.getCustomerAccess.callCount, 2);
  });

  it('lets concurrent askers share one upstream call', async function () {
    let release: (value: Snapshot<CustomerAccess>) => void = () => undefined;
    inner.getCustomerAccess.returns(new Promise<Snapshot<CustomerAccess>>((resolve) => (release = resolve)));
    const asks = [cached.getCustomerAccess(CUSTOMER), cached.getCustomerAccess(CUSTOMER), cached.getCustomerAccess(CUSTOMER)];
    release(snapshot(access('one')));
    const answers = await Promise.all(asks);
    assert.deepEqual(answers.map((a) => a.value.relationships[0].displayName), ['one', 'one', 'one']);
    assert.equal(inner.getCustomerAccess.callCount, 1);
  });

  it('serves the last answer marked stale when Graph is down or the budget is spent, and asks again next time', async function () {
    inner.getCustomerAccess.onFirstCall().callsFake(() => Promise.resolve(snapshot(access('old'))));
    inner.getCustomerAccess.onSecondCall().rejects(new UpstreamError('Microsoft Graph', 'unavailable', 3, 503));
    inner.getCustomerAccess.onThirdCall().rejects(new AccessBudgetError(new Date()));
    inner.getCustomerAccess.onCall(3).callsFake(() => Promise.resolve(snapshot(access('new'))));
    await cached.getCustomerAccess(CUSTOMER);
    clock.tick(11 * MINUTE);
    const down = await cached.getCustomerAccess(CUSTOMER);
    assert.equal(down.stale, true);
    assert.equal(down.value.relationships[0].displayName, 'old');
    assert.equal(down.fetchedAt, '2026-12-10T12:00:00.000Z');
    assert.equal((await cached.getCustomerAccess(CUSTOMER)).stale, true);
    const back = await cached.getCustomerAccess(CUSTOMER);
    assert.deepEqual([back.stale, back.value.relationships[0].displayName], [false, 'new']);
  });

  it('never hides a refusal behind an old answer', async function () {
    inner.getCustomerAccess.onFirstCall().callsFake(() => Promise.resolve(snapshot(access('old'))));
    inner.getCustomerAccess.onSecondCall().rejects(new AccessPermissionError(403, 'DelegatedAdminRelationship.Read.All'));
    inner.getCustomerAccess.onThirdCall().rejects(new UpstreamError('Microsoft Graph', 'unavailable', 3, 503));
    await cached.getCustomerAccess(CUSTOMER);
    clock.tick(11 * MINUTE);
    await assert.rejects(cached.getCustomerAccess(CUSTOMER), AccessPermissionError);
    // The refused answer evicted the old one: nothing stale is left to serve.
    await assert.rejects(cached.getCustomerAccess(CUSTOMER), UpstreamError);
  });

  it('fails when nothing was ever cached', async function () {
    inner.getCustomerAccess.rejects(new UpstreamError('Microsoft Graph', 'timeout', 3));
    await assert.rejects(cached.getCustomerAccess(CUSTOMER), UpstreamError);
  });

  it('caches membership per engineer and set of groups, whatever their order or case', async function () {
    inner.memberGroups.callsFake((_user: string, groups: readonly string[]) => Promise.resolve(snapshot(groups.filter((g) => g === G1))));
    assert.deepEqual((await cached.memberGroups(ENGINEER, [G2, G1])).value, [G1]);
    assert.deepEqual((await cached.memberGroups(ENGINEER.toUpperCase(), [G1.toUpperCase(), G2, G1])).value, [G1]);
    assert.equal(inner.memberGroups.callCount, 1);
    assert.deepEqual(inner.memberGroups.firstCall.args, [ENGINEER, [G1, G2].sort()]);
    await cached.memberGroups('44444444-4444-4444-8444-444444444444', [G1]);
    assert.equal(inner.memberGroups.callCount, 2, 'another engineer is another question');
  });

  it("caches the partner's whole list", async function () {
    inner.listRelationships.callsFake(() => Promise.resolve(snapshot([])));
    await cached.listRelationships();
    await cached.listRelationships();
    assert.equal(inner.listRelationships.callCount, 1);
  });
});
