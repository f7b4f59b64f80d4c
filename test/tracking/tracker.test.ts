/** The tracker's decisions: watched incidents, unreadable requests, and card updates through the outbox. */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { createEscalation, transition, type Actor } from '../../src/domain/escalation';
import type { HealthIssue, HealthProvider, Snapshot } from '../../src/health/types';
import { openDatabase, type Database } from '../../src/store';
import { UnknownServiceRequestError, type SupportProvider } from '../../src/support/types';
import { OutboxWorker } from '../../src/tracking/outbox-worker';
import { nextState } from '../../src/domain/tracking';
import { Tracker } from '../../src/tracking/tracker';
import { runLogger } from '../http/helpers/http-double';
import { ConnectorDouble } from '../helpers/connector-double';
import { TENANT, linkedEscalation, realSender, storeConversation } from './rig';

const ENGINEER: Actor = { kind: 'user', id: 'e1' };
const noSupport: SupportProvider = {
  source: 'sandbox',
  getRequest: (id) => Promise.reject(new UnknownServiceRequestError(id)),
  listCustomerRequests: () => Promise.resolve([]),
  addNote: () => Promise.resolve(undefined),
  setStatus: () => Promise.resolve(undefined),
};

function health(isResolved: () => boolean): Pick<HealthProvider, 'getIssue'> {
  return {
    getIssue: (_tenant, id): Promise<Snapshot<HealthIssue>> =>
      Promise.resolve({
        stale: false,
        fetchedAt: '2025-03-10T10:00:00Z',
        value: {
          id,
          title: 'Mail delays',
          service: 'Exchange Online',
          impactDescription: '',
          classification: 'incident',
          origin: 'microsoft',
          status: isResolved() ? 'serviceRestored' : 'serviceDegradation',
          isResolved: isResolved(),
          startDateTime: '2025-03-10T08:00:00Z',
          lastModifiedDateTime: '2025-03-10T09:00:00Z',
          details: [],
          posts: [],
        },
      }),
  };
}

describe('Tracker', function () {
  let db: Database;
  let connector: ConnectorDouble;
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    connector = await new ConnectorDouble().start();
  });
  afterEach(async function () {
    await db.close();
    await connector.stop();
  });

  it('resolves a known issue when the watched incident is resolved, and notifies once', async function () {
    const target = await storeConversation(db, connector);
    const { escalation, event } = createEscalation(
      { id: 'ED-KNOWN001', partnerTenantId: 'p', ownerId: 'e1', customer: { tenantId: TENANT, name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
      ENGINEER,
      clock.now(),
    );
    const created = await db.escalations.create(escalation, [event]);
    const watch = transition(created, 'known_issue', { actor: ENGINEER, at: clock.now(), details: { knownIssue: { id: 'EX226792', title: 'Mail delayed' }, notifyTargets: [target] } });
    await db.escalations.update(watch.escalation, created.version, [watch.event]);
    let resolved = false;
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, health: health(() => resolved), clock, logger: runLogger() });
    assert.deepEqual(await tracker.runOnce(), { claimed: 1, changed: 0 });
    resolved = true;
    clock.advance(120_000);
    assert.deepEqual(await tracker.runOnce(), { claimed: 1, changed: 1 });
    assert.equal((await db.escalations.get('ED-KNOWN001'))?.state, 'resolved');
    const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(runLogger()), clock, logger: runLogger() });
    await worker.runOnce();
    assert.equal(connector.sent().length, 1);
    assert.match(String(connector.sent()[0].text), /Service incident EX226792/);
  });

  it('polls a request Partner Center does not know only at the longest interval', async function () {
    const esc = await linkedEscalation(db, '999', [], clock.now());
    const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, clock, logger: runLogger(), maxIntervalMs: 1_800_000 });
    await tracker.runOnce();
    const row = await db.tracking.get(esc.id);
    assert.equal(Date.parse(row?.nextPollAt ?? ''), clock.now().getTime() + 1_800_000);
    assert.equal((await db.escalations.get(esc.id))?.state, 'escalated');
  });

  it('updates an earlier card in place through the outbox (card_update)', async function () {
    const target = await storeConversation(db, connector, 'a:cards');
    await db.outbox.enqueue(
      [{ id: 'u1', escalationId: 'ED-1', kind: 'card_update', target, payload: { activity: { text: 'v2' }, updateActivityId: 'activity-77' }, dedupeKey: 'card_update:ED-1:v2' }],
      clock.now(),
    );
    const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(runLogger()), clock, logger: runLogger() });
    assert.deepEqual(await worker.runOnce(), { claimed: 1, sent: 1, retried: 0, dead: 0 });
    const [call] = connector.calls;
    assert.equal(call.method, 'PUT');
    assert.match(call.path, /\/activities\/activity-77$/);
    assert.equal((await db.outbox.get('u1'))?.sentActivityId, 'activity-77');
  });

  it('maps Microsoft statuses to transitions only where the lifecycle allows them', function () {
    assert.equal(nextState('escalated', 'service_request', 'attention_needed'), 'attention_needed');
    assert.equal(nextState('attention_needed', 'service_request', 'open'), 'escalated');
    assert.equal(nextState('attention_needed', 'service_request', 'closed'), 'resolved');
    assert.equal(nextState('escalated', 'service_request', 'open'), undefined);
    assert.equal(nextState('resolved', 'service_request', 'closed'), undefined);
    assert.equal(nextState('known_issue', 'health_issue', 'resolved'), 'resolved');
    assert.equal(nextState('escalated', 'health_issue', 'resolved'), undefined);
  });
});
