/**
 * Two incident sweeps on one PostgreSQL schema (two pools, as two processes would have, each with
 * its own health cache and budget over the same Microsoft): each tenant is swept once per
 * interval by one of them, the incident they both merge is one record with one card, and an
 * instance stopped mid-sweep hands its tenants over when its leases run out.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as delay } from 'node:timers/promises';
import { ManualClock } from '../../src/domain/clock';
import { firstSweepAt } from '../../src/domain/sweep-schedule';
import { openDatabase, type Database } from '../../src/store';
import { usePostgresSchemas } from '../helpers/postgres';
import { INTERVAL, SHARED, setIncidentChannel, sweepRig, type SweepRig } from './rig';

/** The window of a tenant's k-th turn: [phase + k·interval, phase + (k+1)·interval). */
function turnOf(tenantId: string, at: number, start: number): number {
  return Math.floor((at - firstSweepAt(tenantId, start, INTERVAL)) / INTERVAL);
}

describe('two incident sweeps on one PostgreSQL schema', function () {
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

  it('sweeps each tenant exactly once per interval between them, and merges one incident with one card', async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const start = clock.now().getTime();
    const one = sweepRig(a, clock, { owner: 'one', batchSize: 3 });
    const two = sweepRig(b, clock, { owner: 'two', batchSize: 3 }, { sandbox: one.sandbox, counting: one.counting });
    await setIncidentChannel(a, 'http://127.0.0.1:9/', clock.now());
    const bySweep = new Map<string, string>();
    const round = async (rig: SweepRig, name: string): Promise<void> => {
      const before = rig.counting.overviews.length;
      await rig.sweep.runOnce();
      for (const o of rig.counting.overviews.slice(before)) bySweep.set(`${o.tenantId}@${o.at}`, name);
    };
    for (let t = 0; t < 3 * INTERVAL; t += 1_000) {
      await Promise.all([round(one, 'one'), round(two, 'two')]);
      clock.advance(1_000);
    }
    const turns = new Map<string, number>();
    for (const o of one.counting.overviews) {
      const key = `${o.tenantId}#${turnOf(o.tenantId, o.at, start)}`;
      turns.set(key, (turns.get(key) ?? 0) + 1);
    }
    assert.equal(turns.size, one.data.customers.length * 3, 'every tenant in each of three intervals');
    assert.deepEqual([...new Set(turns.values())], [1], 'never twice in one interval');
    assert.deepEqual(new Set(bySweep.values()), new Set(['one', 'two']), 'both instances did their share');

    const shared = await a.incidents.get(SHARED);
    assert.equal(shared?.incident.customers.length, 7);
    const cards = (await a.outbox.listForEscalation(`incident:${SHARED}`)).filter((n) => n.kind === 'incident_card');
    assert.equal(cards.length, 1, 'one card, whichever instance saw the incident first');
  });

  it('an instance stopped mid-sweep: its leased tenants are swept by the other once their leases run out, none twice', async function () {
    const clock = new ManualClock('2025-03-10T10:00:00Z');
    const start = clock.now().getTime();
    const leaseMs = 30_000;
    const one = sweepRig(a, clock, { owner: 'one', leaseMs, batchSize: 5 });
    const two = sweepRig(b, clock, { owner: 'two', leaseMs, batchSize: 5 }, { sandbox: one.sandbox });
    // Instance two stops answering (its process hung or was killed) in the middle of a round:
    // step time until it has leased tenants and is stuck reading them.
    let release: (reason: Error) => void = () => undefined;
    two.counting.hang = new Promise<never>((_, reject) => {
      release = reject;
    });
    let stuck: Promise<unknown> | undefined;
    while (two.counting.waiting === 0) {
      let done = false;
      stuck = two.sweep.runOnce().then(
        () => (done = true),
        () => (done = true),
      );
      while (!done && two.counting.waiting === 0) await delay(5);
      if (two.counting.waiting === 0) clock.advance(1_000);
    }
    const held = (await b.incidentSweeps.list({ limit: 100 })).items.filter((r) => r.leaseOwner === 'two').map((r) => r.tenantId);
    assert.ok(held.length > 0);
    const stoppedAt = clock.now().getTime();
    for (let t = 0; t < 2 * INTERVAL; t += 1_000) {
      await one.sweep.runOnce();
      clock.advance(1_000);
    }
    const leased = (await b.incidentSweeps.list({ limit: 100 })).items.filter((r) => r.leaseOwner === 'two');
    assert.equal(leased.length, 0, 'no tenant left leased to the dead instance');
    const turns = new Map<string, number[]>();
    for (const o of one.counting.overviews) turns.set(o.tenantId, [...(turns.get(o.tenantId) ?? []), turnOf(o.tenantId, o.at, start)]);
    assert.equal(turns.size, one.data.customers.length, 'every tenant swept by the live instance, the dead one’s too');
    for (const [tenantId, seen] of turns) assert.equal(new Set(seen).size, seen.length, `${tenantId} swept once per interval (${seen.join(', ')})`);
    // The tenants the dead instance held were swept by the live one once its leases ran out.
    for (const tenantId of held) {
      const first = one.counting.overviews.find((o) => o.tenantId === tenantId);
      assert.ok(first && first.at >= stoppedAt + leaseMs && first.at <= stoppedAt + leaseMs + 2_000, `${tenantId} taken over after the lease`);
    }
    release(new Error('stopped'));
    await stuck;
  });
});
