/**
 * Escalations join their incident: a watched incident the sweep follows is observed from its
 * record (no Graph read for the watch), and when Microsoft resolves it each watching escalation's
 * owner is pinged exactly once, with the sweep and the tracker both running; the resolution's
 * reply in the incident channel pings no owner.
 */
import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { ManualClock } from '../../src/domain/clock';
import type { Incident } from '../../src/domain/incidents';
import type { HealthIssue, HealthProvider, Snapshot } from '../../src/health/types';
import { openDatabase, type Database } from '../../src/store';
import { OutboxWorker } from '../../src/tracking/outbox-worker';
import { Tracker } from '../../src/tracking/tracker';
import { runLogger } from '../http/helpers/http-double';
import { ConnectorDouble } from '../helpers/connector-double';
import { noSupport, realSender, storeConversation } from '../tracking/rig';
import { BLUE_YONDER, CONTOSO, INTERVAL, SHARED, runFor, setIncidentChannel, sweepRig, watchingEscalation } from './rig';

/** The seed's tenants that show the shared incident (besides Contoso and Blue Yonder). */
const OTHERS = ['d2f5a8b3-4e6a-4f92-8b7d-1a3e9c4f6b06', 'e3a6b9c4-5f7b-4a03-9c8e-2b4f0d5a7c07'];

function record(over: Partial<Incident> = {}): Incident {
  return {
    id: 'EX300001',
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceDegradation',
    title: 'Mail delayed',
    impactDescription: 'Mail is delayed.',
    posts: [],
    startDateTime: '2025-03-10T08:00:00Z',
    lastModifiedDateTime: '2025-03-10T09:00:00Z',
    resolved: false,
    postIncidentReview: false,
    detectedAt: '2025-03-10T08:05:00Z',
    updatedAt: '2025-03-10T09:00:00Z',
    customers: [{ tenantId: CONTOSO, name: 'Contoso', firstSeenAt: '2025-03-10T08:05:00Z', lastSeenAt: '2025-03-10T09:00:00Z' }],
    ...over,
  };
}

describe('escalations join their incident', function () {
  let db: Database;
  let clock: ManualClock;
  let connector: ConnectorDouble;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    clock = new ManualClock('2025-03-10T10:00:00Z');
    connector = await new ConnectorDouble().start();
  });
  afterEach(async function () {
    sinon.restore();
    await db.close();
    await connector.stop();
  });

  it('the tracker observes a watched incident from the sweep’s record, and reads Graph only for one the sweep does not follow', async function () {
    const getIssue = sinon.stub<Parameters<HealthProvider['getIssue']>, Promise<Snapshot<HealthIssue>>>().rejects(new Error('Graph is not to be asked'));
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, health: { getIssue }, incidents: db.incidents, clock, logger: runLogger() });
    const target = await storeConversation(db, connector, 'a:owner', CONTOSO);
    await watchingEscalation(db, clock.now(), { id: 'ED-WATCH001', tenantId: CONTOSO, customer: 'Contoso', incidentId: 'EX300001', target });
    const saved = await db.incidents.save({ incident: record(), expectedVersion: 0, card: undefined });

    assert.deepEqual(await tracker.runOnce(), { claimed: 1, changed: 0 });
    assert.equal(getIssue.callCount, 0, 'the record says it is open');

    await db.incidents.save({ incident: record({ status: 'serviceRestored', resolved: true, resolvedAt: '2025-03-10T10:01:00Z' }), expectedVersion: saved.version, card: undefined });
    clock.advance(125_000);
    assert.deepEqual(await tracker.runOnce(), { claimed: 1, changed: 1 });
    assert.equal((await db.escalations.get('ED-WATCH001'))?.state, 'resolved');
    assert.equal(getIssue.callCount, 0, 'resolved as the record says, no Graph read');

    // An advisory the sweep does not follow: Graph, as before.
    await watchingEscalation(db, clock.now(), { id: 'ED-WATCH002', tenantId: CONTOSO, customer: 'Contoso', incidentId: 'EX999999', target });
    clock.advance(1_000);
    await tracker.runOnce();
    assert.deepEqual(getIssue.firstCall?.args.slice(0, 2), [CONTOSO, 'EX999999']);
  });

  it('a resolution’s round of a hundred watches leaves the event loop turns (sends, turns) between polls, on SQLite too', async function () {
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, incidents: db.incidents, clock, logger: runLogger(), batchSize: 100 });
    const target = await storeConversation(db, connector, 'a:owner', CONTOSO);
    for (let n = 0; n < 100; n++) {
      await watchingEscalation(db, clock.now(), { id: `ED-${String(n).padStart(8, '0')}`, tenantId: CONTOSO, customer: 'Contoso', incidentId: 'EX300001', target });
    }
    await db.incidents.save({ incident: record({ status: 'serviceRestored', resolved: true, resolvedAt: clock.now().toISOString() }), expectedVersion: 0, card: undefined });
    // What a send's HTTP answer needs: a turn of the event loop while the round goes on.
    let turns = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    assert.deepEqual(await tracker.runOnce(), { claimed: 100, changed: 100 });
    done = true;
    // Eight polls run at once (the tracker's concurrency): a turn after each of theirs, 100 / 8 ≈ 12.
    assert.ok(turns >= 10, `the event loop turned ${turns} times during the round`);
  });

  it('resolved: each owner of a linked escalation is pinged once (sweep and tracker both running), the channel gets one resolution reply and no owner a second ping', async function () {
    const nudge: { tracker?: Tracker } = {};
    const r = sweepRig(db, clock, { pollNow: (id) => nudge.tracker?.pollNow(id) ?? Promise.resolve(false) });
    const trackerReads = sinon.spy((tenantId: string, issueId: string, options?: { maxAgeMs?: number }) => r.health.getIssue(tenantId, issueId, options));
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, health: { getIssue: trackerReads }, incidents: db.incidents, clock, logger: runLogger() });
    nudge.tracker = tracker;
    const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(runLogger()), clock, logger: runLogger() });
    const channel = await setIncidentChannel(db, connector.url, clock.now());
    // Four engineers, each watching the shared incident for a customer; one watches two customers.
    const watchers = [
      { id: 'ED-OWNER001', tenantId: CONTOSO, customer: 'Contoso', owner: 'a:owner-1' },
      { id: 'ED-OWNER002', tenantId: BLUE_YONDER, customer: 'Blue Yonder Airlines', owner: 'a:owner-2' },
      { id: 'ED-OWNER003', tenantId: OTHERS[0] ?? '', customer: 'Fincher Architects', owner: 'a:owner-3' },
      { id: 'ED-OWNER004', tenantId: OTHERS[1] ?? '', customer: 'First Up Consultants', owner: 'a:owner-4' },
      { id: 'ED-OWNER005', tenantId: CONTOSO, customer: 'Contoso', owner: 'a:owner-4' },
    ];
    for (const w of watchers) {
      const target = await storeConversation(db, connector, w.owner, w.tenantId);
      await watchingEscalation(db, clock.now(), { id: w.id, tenantId: w.tenantId, customer: w.customer, incidentId: SHARED, target, ownerId: w.owner });
    }
    const round = async (): Promise<void> => {
      await r.sweep.runOnce();
      await tracker.runOnce();
      await worker.runOnce();
    };
    await runFor(clock, INTERVAL, round);
    assert.equal((await db.incidents.get(SHARED))?.incident.customers.length, 7);
    // Before the sweep had recorded the incident the watch read Graph; from now on it reads the record.
    trackerReads.resetHistory();

    r.sandbox.resolveIncident(SHARED);
    await runFor(clock, 2 * INTERVAL, round);
    for (const w of watchers) assert.equal((await db.escalations.get(w.id))?.state, 'resolved', w.id);
    const toOwner = (conversationId: string) => connector.calls.filter((c) => c.method === 'POST' && c.conversationId === conversationId);
    assert.deepEqual(
      ['a:owner-1', 'a:owner-2', 'a:owner-3', 'a:owner-4'].map((o) => toOwner(o).length),
      [1, 1, 1, 2],
      'one ping per escalation: owner 4 watched two',
    );
    assert.equal(connector.duplicateKeys().length, 0);
    assert.equal(trackerReads.callCount, 0, 'the watch read the sweep’s record, not Graph');
    const thread = connector.calls.filter((c) => c.method === 'POST' && c.conversationId.startsWith(`${channel.conversationId};messageid=`));
    assert.equal(thread.length, 1, 'one reply in the card’s thread: the resolution');

    // Rounds go on: nobody is pinged again.
    await runFor(clock, INTERVAL, round);
    assert.deepEqual(['a:owner-1', 'a:owner-2', 'a:owner-3', 'a:owner-4'].map((o) => toOwner(o).length), [1, 1, 1, 2]);
  });
});
