/**
 * The incident sweep through the provider the `health` command uses, built for Microsoft Graph
 * (MSAL tokens, the cache, the per-tenant budget) against local Graph and token doubles: what
 * reaches Graph per tenant per sweep, tokens per tenant, a lookup right after a sweep, and a
 * tenant Graph throttles.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import type { Customer, CustomerDirectory } from '../../src/directory/types';
import { createHealthProvider } from '../../src/health';
import { IncidentSweep } from '../../src/incidents';
import { openDatabase, type Database } from '../../src/store';
import { HttpDouble, isTokenRequest, runLogger, tokenReply, type RecordedRequest } from '../http/helpers/http-double';
import { graphIssue, graphService } from '../health/helpers/graph-fixtures';
import { INTERVAL, runFor } from './rig';

const tenant = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const CUSTOMERS: Customer[] = Array.from({ length: 20 }, (_, i) => ({ tenantId: tenant(i), companyName: `Customer ${i}`, domain: `c${i}.example` }));
/** Tenants 0-4 have the incident; tenant 0's overview comes in two pages; tenant 7 is throttled once. */
const AFFECTED = 5;
const THROTTLED = tenant(7);

/** The tenant a Graph request was made for (the token double names it in the token). */
function tenantOf(req: RecordedRequest): string {
  return String(req.headers.authorization ?? '').replace('Bearer token-for-', '');
}

describe('incident sweep through the Graph health provider', function () {
  let db: Database;
  let double: HttpDouble;
  let throttleOnce = true;
  let clock: ManualClock;
  /** Simulated time of each Graph request, per tenant. */
  let times: Map<string, number[]>;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    throttleOnce = true;
    clock = new ManualClock('2025-03-10T10:00:00Z');
    times = new Map();
    double = await HttpDouble.start((req, d) => {
      if (isTokenRequest(req)) return tokenReply(req);
      const t = tenantOf(req);
      times.set(t, [...(times.get(t) ?? []), clock.now().getTime()]);
      if (t === THROTTLED && throttleOnce) {
        throttleOnce = false;
        return { status: 429, headers: { 'retry-after': '90' }, json: { error: { code: 'TooManyRequests' } } };
      }
      const index = CUSTOMERS.findIndex((c) => c.tenantId === t);
      const issues = index < AFFECTED ? [graphIssue({ id: 'EX300001' })] : [];
      if (index === 0 && !req.url.includes('page=2')) {
        return { json: { value: [graphService('microsoftteams', 'Microsoft Teams', 'ServiceOperational')], '@odata.nextLink': `${d.url}/v1.0/admin/serviceAnnouncement/healthOverviews?$expand=issues&page=2` } };
      }
      return { json: { value: [graphService('Exchange', 'Exchange Online', issues.length > 0 ? 'ServiceDegradation' : 'ServiceOperational', issues)] } };
    });
  });
  afterEach(async function () {
    await db.close();
    await double.close();
  });

  it('one Graph call per tenant per sweep plus pages, one token per tenant, a lookup right after a sweep for free, a throttled tenant retried when Graph says', async function () {
    const logger = runLogger();
    const { provider } = createHealthProvider({
      source: 'graph',
      logger,
      clock,
      loginEndpoint: double.url,
      graphEndpoint: double.url,
      credentials: { clientId: '11111111-2222-4333-8444-555555555555', clientSecret: 'graph-test-secret-Wq8' },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const directory: Pick<CustomerDirectory, 'list'> = { list: () => Promise.resolve(CUSTOMERS) };
    const sweep = new IncidentSweep({ directory, health: provider, incidents: db.incidents, sweeps: db.incidentSweeps, outbox: db.outbox, conversations: db.conversations, clock, logger, intervalMs: INTERVAL });
    const graph = () => double.requests.filter((r) => !isTokenRequest(r));

    await runFor(clock, 2 * INTERVAL, () => sweep.runOnce());

    const perTenant = new Map<string, number>();
    for (const r of graph()) perTenant.set(tenantOf(r), (perTenant.get(tenantOf(r)) ?? 0) + 1);
    for (const c of CUSTOMERS) {
      const expected = c.tenantId === tenant(0) ? 4 : c.tenantId === THROTTLED ? 3 : 2;
      assert.equal(perTenant.get(c.tenantId), expected, `${c.companyName}: 2 sweeps × (1 + extra pages), + the throttled try`);
    }
    const tokens = double.requests.filter(isTokenRequest);
    assert.equal(tokens.length, CUSTOMERS.length, 'one token per tenant, reused for its lifetime');

    const incident = await db.incidents.get('EX300001');
    assert.deepEqual(incident?.incident.customers.map((c) => c.name).sort(), ['Customer 0', 'Customer 1', 'Customer 2', 'Customer 3', 'Customer 4']);

    // Throttled once with Retry-After 90 s: recorded with the reason, swept again 90 s later rather than a turn later.
    const [first = 0, second = 0, third = 0] = times.get(THROTTLED) ?? [];
    assert.ok(second - first >= 90_000 && second - first <= 91_000, `retried ${second - first} ms later`);
    assert.equal(third - first, INTERVAL, 'then at its own phase again');
    assert.equal((await db.incidentSweeps.get(THROTTLED))?.lastOutcome, 'ok');

    // The `health` command right after a tenant's sweep: served from the cache, no Graph call.
    const last = graph()[graph().length - 1];
    assert.ok(last);
    const before = graph().length;
    await provider.getOverview(tenantOf(last));
    assert.equal(graph().length, before);
  });
});
