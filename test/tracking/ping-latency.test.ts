/**
 * How long a change at Microsoft takes to be noticed with the default polling settings. The
 * tracker runs as its loop does (a round every 5 s while idle) on a simulated clock, against
 * the Partner Center double (the real provider over HTTP) or the real health cache over a
 * Graph-like source; latencies are in simulated seconds.
 */
import { strict as assert } from 'node:assert';
import type { Logger } from 'pino';
import { ManualClock } from '../../src/domain/clock';
import { createEscalation, transition, type Actor } from '../../src/domain/escalation';
import { TenantRequestBudget } from '../../src/health/budget';
import { CachedHealthProvider } from '../../src/health/cached';
import type { HealthIssue, HealthOverview, HealthProvider, Snapshot } from '../../src/health/types';
import { UpstreamClient } from '../../src/http/upstream';
import { openDatabase, type Database } from '../../src/store';
import { PartnerCenterSupportProvider } from '../../src/support/partner-center';
import { Tracker } from '../../src/tracking/tracker';
import { recordingSleep, runLogger } from '../http/helpers/http-double';
import { PartnerCenterDouble } from '../helpers/partner-center-double';
import { TENANT, linkedEscalation } from './rig';

/** The tracker loop's pause between rounds when nothing was due (its default). */
const LOOP_IDLE_MS = 5_000;
const SR = '2503100010000777';
const ENGINEER: Actor = { kind: 'user', id: 'e1' };

describe('ping latency with the default polling settings (simulated time)', function () {
  let db: Database;
  let clock: ManualClock;
  let logger: Logger;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    clock = new ManualClock('2025-03-10T10:00:00Z');
    logger = runLogger();
  });
  afterEach(async function () {
    await db.close();
  });

  /** Runs tracker rounds every LOOP_IDLE_MS of simulated time for `ms`, or until `done` holds; returns the time it took. */
  async function run(tracker: Tracker, ms: number, done: () => Promise<boolean> = () => Promise.resolve(false)): Promise<number> {
    for (let elapsed = 0; elapsed <= ms; elapsed += LOOP_IDLE_MS) {
      await tracker.runOnce();
      if (await done()) return elapsed;
      clock.advance(LOOP_IDLE_MS);
    }
    return Number.POSITIVE_INFINITY;
  }

  it('a Sev A request changed at Microsoft after an hour of quiet is noticed within the short interval', async function () {
    const pc = await PartnerCenterDouble.start({ now: () => clock.now() });
    try {
      pc.put({ id: SR, status: 'open', severity: 'critical', createdDate: clock.now().toISOString(), lastModifiedDate: clock.now().toISOString() });
      const esc = await linkedEscalation(db, SR, [], clock.now(), { severity: 'critical' });
      const support = new PartnerCenterSupportProvider({
        partnerCenterEndpoint: pc.url,
        tokens: { getToken: () => Promise.resolve('pc-user-token-1') },
        http: new UpstreamClient({ upstream: 'Partner Center', logger, clock, sleep: recordingSleep().sleep }),
        logger,
      });
      const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support, clock, logger });

      await run(tracker, 3_600_000);
      pc.setStatus(SR, 'attention_needed', 'Please send the message trace.');
      const latency = await run(tracker, 3_600_000, async () => (await db.escalations.get(esc.id))?.state === 'attention_needed');
      assert.ok(latency <= tracker.minIntervalMs, `noticed after ${latency / 1000} s (short interval ${tracker.minIntervalMs / 1000} s)`);
      assert.equal(tracker.minIntervalMs, 30_000, 'the default short interval');
    } finally {
      await pc.close();
    }
  });

  it('keeps Partner Center reads within the per-minute budget, and polls every request in turn', async function () {
    const pc = await PartnerCenterDouble.start({ now: () => clock.now() });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const id = String(2503100010001000 + i);
        pc.put({ id, status: 'open', severity: 'critical' });
        ids.push((await linkedEscalation(db, id, [], clock.now(), { severity: 'critical' })).id);
      }
      const support = new PartnerCenterSupportProvider({
        partnerCenterEndpoint: pc.url,
        tokens: { getToken: () => Promise.resolve('pc-user-token-1') },
        http: new UpstreamClient({ upstream: 'Partner Center', logger, clock, sleep: recordingSleep().sleep }),
        logger,
      });
      // Ten Sev A requests want 20 reads a minute; the budget allows 8.
      const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support, clock, logger, requestPollsPerMinute: 8 });
      const perMinute: number[] = [];
      for (let minute = 0; minute < 5; minute++) {
        const before = pc.apiRequests().length;
        await run(tracker, 55_000);
        clock.advance(LOOP_IDLE_MS);
        perMinute.push(pc.apiRequests().length - before);
      }
      assert.deepEqual(perMinute, [8, 8, 8, 8, 8], 'reads per simulated minute');
      const polled = new Set(pc.apiRequests().map((r) => r.url));
      assert.equal(polled.size, 10, `every request was read, none starved: ${[...polled].join(' ')}`);
    } finally {
      await pc.close();
    }
  });

  it('a known incident resolved is noticed within its poll interval, not behind a cache as old again', async function () {
    let resolved = false;
    const graph = fakeGraph(() => resolved, clock);
    const health = new CachedHealthProvider({ inner: graph, clock, logger, budget: new TenantRequestBudget({ clock }), freshnessMs: 120_000 });
    const { escalation, event } = createEscalation(
      { id: 'ED-INCIDENT', partnerTenantId: 'p', ownerId: 'e1', customer: { tenantId: TENANT, name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
      ENGINEER,
      clock.now(),
    );
    const created = await db.escalations.create(escalation, [event]);
    const watch = transition(created, 'known_issue', { actor: ENGINEER, at: clock.now(), details: { knownIssue: { id: 'EX226792', title: 'Mail delayed' } } });
    await db.escalations.update(watch.escalation, created.version, [watch.event]);
    // The app passes the health cache's freshness as the incident interval.
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noRequests, health, incidentIntervalMs: 120_000, clock, logger });

    await run(tracker, 100_000);
    // The engineer runs `health Contoso`: the tenant's overview (with the open incident) is cached now...
    assert.equal((await health.getOverview(TENANT)).value.services[0]?.issues[0]?.isResolved, false);
    // ...and a second later Microsoft resolves the incident.
    clock.advance(1_000);
    resolved = true;
    const latency = await run(tracker, 3_600_000, async () => (await db.escalations.get('ED-INCIDENT'))?.state === 'resolved');
    assert.ok(latency <= 120_000 + 15_000, `noticed after ${latency / 1000} s; the interval is 120 s and the cache 120 s`);
  });
});

/** Partner Center without requests (the incident test needs none). */
const noRequests = {
  source: 'sandbox' as const,
  getRequest: () => Promise.reject(new Error('no requests here')),
  listCustomerRequests: () => Promise.resolve([]),
  addNote: () => Promise.resolve(undefined),
  setStatus: () => Promise.resolve(undefined),
};

/** A Graph-like source with one Exchange incident whose resolution the test controls. */
function fakeGraph(isResolved: () => boolean, clock: ManualClock): HealthProvider {
  const issue = (): HealthIssue => ({
    id: 'EX226792',
    title: 'Mail delays',
    service: 'Exchange Online',
    impactDescription: '',
    classification: 'incident',
    origin: 'microsoft',
    status: isResolved() ? 'serviceRestored' : 'serviceDegradation',
    isResolved: isResolved(),
    startDateTime: '2025-03-10T08:00:00Z',
    lastModifiedDateTime: clock.now().toISOString(),
    details: [],
    posts: [],
  });
  const snapshot = <T>(value: T): Promise<Snapshot<T>> => Promise.resolve({ value, fetchedAt: clock.now().toISOString(), stale: false });
  return {
    getOverview: (tenantId): Promise<Snapshot<HealthOverview>> =>
      snapshot({ tenantId, services: [{ id: 'Exchange', service: 'Exchange Online', status: isResolved() ? 'serviceOperational' : 'serviceDegradation', issues: [issue()] }] }),
    getIssue: () => snapshot(issue()),
    getPostIncidentReport: () => Promise.resolve(undefined),
  };
}
