import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { TenantRequestBudget } from '../../src/health/budget';
import { CachedHealthProvider } from '../../src/health/cached';
import { GraphHealthProvider } from '../../src/health/graph';
import { BudgetExhaustedError, HealthAccessError, snapshotAgeSeconds } from '../../src/health/types';
import type { AppTokenSource } from '../../src/http/app-token';
import { UpstreamClient } from '../../src/http/upstream';
import { HttpDouble, recordingSleep, runLogger, type Handler } from '../http/helpers/http-double';
import { OTHER_TENANT, TENANT, graphIssue, graphService } from './helpers/graph-fixtures';

const fixedTokens: AppTokenSource = { getToken: (tenantId) => Promise.resolve(`t-${tenantId}`) };

function overviewPage(status = 'ServiceDegradation') {
  return { value: [graphService('Exchange', 'Exchange Online', status, [graphIssue()])] };
}

interface Rig {
  readonly double: HttpDouble;
  readonly clock: ManualClock;
  readonly budget: TenantRequestBudget;
  readonly provider: CachedHealthProvider;
}

async function rig(handler: Handler, options: { perMinute?: number; perHour?: number; freshnessMs?: number; delayMs?: number } = {}): Promise<Rig> {
  const double = await HttpDouble.start(handler);
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  const logger = runLogger();
  const budget = new TenantRequestBudget({ clock, limits: { perMinute: options.perMinute ?? 200, perHour: options.perHour ?? 700 } });
  const graph = new GraphHealthProvider({
    graphEndpoint: double.url,
    tokens: fixedTokens,
    http: new UpstreamClient({
      upstream: 'Microsoft Graph',
      logger,
      clock,
      sleep: recordingSleep().sleep,
      policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    }),
    clock,
    logger,
    budget,
  });
  const provider = new CachedHealthProvider({ inner: graph, budget, clock, logger, freshnessMs: options.freshnessMs });
  return { double, clock, budget, provider };
}

describe('CachedHealthProvider', () => {
  let current: Rig | undefined;
  afterEach(async () => {
    await current?.double.close();
    current = undefined;
  });

  it('coalesces 100 concurrent requests for one tenant into exactly one upstream call', async () => {
    current = await rig(() => ({ delayMs: 30, json: overviewPage() }));
    const provider = current.provider;
    const results = await Promise.all(Array.from({ length: 100 }, () => provider.getOverview(TENANT)));
    assert.equal(current.double.requests.length, 1);
    assert.ok(results.every((r) => r.value.services[0].issues[0].id === 'EX226792' && !r.stale));
  });

  it('serves from cache while fresh (default 2 minutes), then asks again', async () => {
    current = await rig(() => ({ json: overviewPage() }));
    await current.provider.getOverview(TENANT);
    current.clock.advance(119_000);
    const cached = await current.provider.getOverview(TENANT);
    assert.equal(current.double.requests.length, 1);
    assert.equal(cached.fetchedAt, '2025-03-10T10:00:00.000Z');
    current.clock.advance(1_000);
    const refreshed = await current.provider.getOverview(TENANT);
    assert.equal(current.double.requests.length, 2);
    assert.equal(refreshed.fetchedAt, '2025-03-10T10:02:00.000Z');
  });

  it('keeps tenants apart', async () => {
    current = await rig(() => ({ json: overviewPage() }));
    await current.provider.getOverview(TENANT);
    await current.provider.getOverview(OTHER_TENANT);
    await current.provider.getOverview(TENANT.toUpperCase());
    assert.equal(current.double.requests.length, 2);
  });

  it('a burst beyond the budget makes no more upstream calls than allowed and serves the cache with its age', async () => {
    // Freshness 0: every lookup wants upstream; only the budget holds it back.
    current = await rig(() => ({ json: overviewPage() }), { perMinute: 5, perHour: 12, freshnessMs: 0 });
    const answers = [];
    for (let i = 0; i < 300; i++) {
      answers.push(await current.provider.getOverview(TENANT));
      current.clock.advance(1_000); // 300 lookups over 5 minutes
    }
    assert.equal(current.double.requests.length, 12, 'the hourly budget is the ceiling');
    const perMinute = new Map<number, number>();
    answers.forEach((a) => {
      if (a.stale) return;
      const minute = Math.floor((Date.parse(a.fetchedAt) - Date.parse('2025-03-10T10:00:00Z')) / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    });
    assert.ok([...perMinute.values()].every((n) => n <= 5));

    const sixth = answers[5];
    assert.equal(sixth.stale, true);
    assert.equal(sixth.fetchedAt, '2025-03-10T10:00:04.000Z');
    const last = answers[299];
    assert.equal(last.stale, true);
    assert.equal(snapshotAgeSeconds(last, current.clock.now()) > 0, true);
  });

  it('with nothing cached and no budget, fails with BudgetExhaustedError and a retry time', async () => {
    current = await rig(() => ({ json: overviewPage() }), { perMinute: 1, perHour: 5, freshnessMs: 0 });
    await current.provider.getOverview(TENANT);
    const error = await current.provider.getIssue(TENANT, 'EX000001').catch((e: unknown) => e);
    assert.ok(error instanceof BudgetExhaustedError);
    assert.equal(error.retryAt.toISOString(), '2025-03-10T10:01:00.000Z');
    assert.equal(current.double.requests.length, 1);
  });

  it('charges retries to the budget: a 503 and its retry cost two', async () => {
    let n = 0;
    current = await rig(() => (n++ === 0 ? { status: 503 } : { json: overviewPage() }), { freshnessMs: 0 });
    await current.provider.getOverview(TENANT);
    assert.deepEqual(current.budget.usage(TENANT), { lastMinute: 2, lastHour: 2 });
  });

  it('serves the stale answer when the upstream is down', async () => {
    let down = false;
    current = await rig(() => (down ? { status: 503 } : { json: overviewPage() }), { freshnessMs: 60_000 });
    await current.provider.getOverview(TENANT);
    down = true;
    current.clock.advance(180_000);
    const answer = await current.provider.getOverview(TENANT);
    assert.equal(answer.stale, true);
    assert.equal(snapshotAgeSeconds(answer, current.clock.now()), 180);
  });

  it('does not hide an access refusal behind the cache', async () => {
    let refuse = false;
    current = await rig(() => (refuse ? { status: 403 } : { json: overviewPage() }), { freshnessMs: 0 });
    await current.provider.getOverview(TENANT);
    refuse = true;
    await assert.rejects(current.provider.getOverview(TENANT), HealthAccessError);
  });

  it('answers an issue from a fresh overview without another upstream call', async () => {
    current = await rig(() => ({ json: overviewPage() }));
    await current.provider.getOverview(TENANT);
    const issue = await current.provider.getIssue(TENANT, 'ex226792');
    assert.equal(issue.value.id, 'EX226792');
    assert.equal(current.double.requests.length, 1);
  });
});
