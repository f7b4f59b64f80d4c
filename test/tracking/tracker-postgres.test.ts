/**
 * Two tracker instances on one PostgreSQL schema (two pools, as two processes would have):
 * each due escalation is polled by exactly one of them at a time, and a dead instance's
 * escalations are taken over when its lease runs out.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../../src/domain/clock';
import { openDatabase, type Database } from '../../src/store';
import type { ServiceRequest, SupportProvider } from '../../src/support/types';
import { Tracker } from '../../src/tracking/tracker';
import { runLogger } from '../http/helpers/http-double';
import { usePostgresSchemas } from '../helpers/postgres';
import { linkedEscalation } from './rig';

/** A support source that records who polls what, and catches two polls of one request at once. */
class WatchingSupport {
  readonly polls: Array<{ id: string; by: string }> = [];
  readonly overlaps: string[] = [];
  private readonly inFlight = new Set<string>();

  /** The provider one tracker instance uses. */
  as(owner: string): SupportProvider {
    return {
      source: 'sandbox',
      getRequest: (id: string) => this.poll(id, owner),
      listCustomerRequests: () => Promise.resolve([]),
      addNote: () => Promise.resolve(undefined),
      setStatus: () => Promise.resolve(undefined),
    };
  }

  private async poll(id: string, by: string): Promise<ServiceRequest> {
    if (this.inFlight.has(id)) this.overlaps.push(id);
    this.inFlight.add(id);
    this.polls.push({ id, by });
    // A slow upstream widens the window in which a second instance could wrongly poll the same request.
    await delay(5 + Math.random() * 10);
    this.inFlight.delete(id);
    return { id, title: '', description: '', severity: 'moderate', status: 'open', supportTopicName: '', productName: '', notes: [] };
  }
}

describe('two trackers on one PostgreSQL schema', function () {
  const schemas = usePostgresSchemas();
  let a: Database;
  let b: Database;

  beforeEach(async function () {
    const schema = await schemas.create();
    a = await openDatabase({ url: schema.url, poolSize: 4 });
    b = await openDatabase({ url: schema.url, poolSize: 4 });
  });
  afterEach(async function () {
    await a.close();
    await b.close();
  });

  it('polls each due escalation exactly once per round, split between the instances', async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const logger = runLogger();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await linkedEscalation(a, String(1000 + i), [], clock.now())).id);
    const support = new WatchingSupport();
    const options = { clock, logger, batchSize: 8, concurrency: 4, minIntervalMs: 60_000, maxIntervalMs: 60_000 };
    const one = new Tracker({ ...options, escalations: a.escalations, tracking: a.tracking, support: support.as('one'), owner: 'one' });
    const two = new Tracker({ ...options, escalations: b.escalations, tracking: b.tracking, support: support.as('two'), owner: 'two' });

    for (let round = 0; round < 3; round++) {
      const before = support.polls.length;
      // Both instances keep claiming until nothing is due, racing each other all the way.
      const drain = async (t: Tracker): Promise<void> => {
        for (let i = 0; i < 20 && (await t.runOnce()).claimed > 0; i++);
      };
      await Promise.all([drain(one), drain(two)]);
      const polled = support.polls.slice(before);
      assert.deepEqual(polled.map((p) => p.id).sort(), ids.map((_, i) => String(1000 + i)).sort(), `round ${round}: every escalation once`);
      assert.ok(polled.some((p) => p.by === 'one') && polled.some((p) => p.by === 'two'), `round ${round}: both instances worked`);
      clock.advance(60_000);
    }
    assert.deepEqual(support.overlaps, [], 'never polled by two instances at once');
  });

  it("takes over a dead instance's escalations once its lease expires, not before", async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const logger = runLogger();
    for (let i = 0; i < 5; i++) await linkedEscalation(a, String(2000 + i), [], clock.now());
    const dead = await a.tracking.claimDue('dead-instance', clock.now(), 3, 120_000);
    assert.equal(dead.length, 3);
    const support = new WatchingSupport();
    const survivor = new Tracker({
      escalations: b.escalations,
      tracking: b.tracking,
      support: support.as('survivor'),
      clock,
      logger,
      owner: 'survivor',
      leaseMs: 120_000,
      minIntervalMs: 300_000,
    });
    assert.equal((await survivor.runOnce()).claimed, 2, 'only the unleased ones');
    clock.advance(120_000);
    assert.equal((await survivor.runOnce()).claimed, 3, 'expired leases taken over');
    assert.deepEqual(
      support.polls.map((p) => p.id).sort(),
      ['2000', '2001', '2002', '2003', '2004'],
    );
  });
});
