/**
 * Resolved → every customer told: the incident channel is reminded once per period while a
 * customer is not told, by the reminder scan (its rule beside the escalations' own).
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import type { Incident } from '../../src/domain/incidents';
import { markCustomerTold } from '../../src/domain/incidents';
import { openDatabase, type Database } from '../../src/store';
import { incidentReminders } from '../../src/tracking/incident-reminders';
import { Reminders } from '../../src/tracking/reminders';
import { runLogger } from '../http/helpers/http-double';
import { setIncidentChannel } from '../incidents/rig';

const HOUR = 3_600_000;
const RESOLVED_AT = '2025-03-10T10:00:00.000Z';

function resolved(): Incident {
  return {
    id: 'EX300001',
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceRestored',
    title: 'Mail delayed',
    impactDescription: 'Mail is delayed.',
    posts: [],
    startDateTime: '2025-03-10T08:00:00Z',
    lastModifiedDateTime: '2025-03-10T09:59:00Z',
    resolved: true,
    resolvedAt: RESOLVED_AT,
    postIncidentReview: false,
    detectedAt: '2025-03-10T08:05:00Z',
    updatedAt: RESOLVED_AT,
    customers: [
      { tenantId: 't-1', name: 'Contoso', firstSeenAt: '2025-03-10T08:05:00Z', lastSeenAt: '2025-03-10T09:00:00Z', told: { by: { id: 'u1' }, at: RESOLVED_AT } },
      { tenantId: 't-2', name: 'Fabrikam', firstSeenAt: '2025-03-10T08:06:00Z', lastSeenAt: '2025-03-10T09:00:00Z' },
    ],
  };
}

describe('incident reminders', function () {
  let db: Database;
  let clock: ManualClock;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    clock = new ManualClock(RESOLVED_AT);
  });
  afterEach(async function () {
    await db.close();
  });

  const reminders = () =>
    new Reminders({
      escalations: db.escalations,
      outbox: db.outbox,
      clock,
      logger: runLogger(),
      periods: { resolvedMs: 4 * HOUR, quietRequestMs: 72 * HOUR, handoffMs: 24 * HOUR },
      render: () => ({ activity: { type: 'message', text: 'an escalation' } }),
      scans: [incidentReminders({ incidents: db.incidents, periodMs: 4 * HOUR, render: (incident, due) => ({ activity: { type: 'message', text: `${incident.id}: ${due.untold} not told` } }) })],
    });
  const sent = async () => (await db.outbox.listForEscalation('incident:EX300001')).filter((n) => n.kind === 'reminder');

  it('reminds in the card’s thread once per period while a customer is not told, however many instances look', async function () {
    const { key } = await setIncidentChannel(db, 'http://127.0.0.1:9/', clock.now());
    const thread = `${key};messageid=1700000000000`;
    const card = { channel: key, postId: 'p', postedAt: RESOLVED_AT, lastUpdateAt: RESOLVED_AT, heldReplies: [], activityId: '1700000000000', threadKey: thread };
    const saved = await db.incidents.save({ incident: resolved(), expectedVersion: 0, card });
    const [one, two] = [reminders(), reminders()];

    clock.advance(4 * HOUR - 1_000);
    assert.equal(await one.runOnce(), 0, 'not before the period');
    clock.advance(1_000);
    assert.equal(await one.runOnce(), 1);
    assert.equal(await two.runOnce(), 0, 'a second instance adds none');
    assert.equal(await one.runOnce(), 0, 'nor a second scan');
    assert.deepEqual((await sent()).map((n) => [n.target, (n.payload.activity as { text: string }).text]), [[thread, 'EX300001: 1 not told']]);

    clock.advance(4 * HOUR);
    assert.equal(await two.runOnce(), 1, 'the next period');

    // Everyone told: no more.
    const told = markCustomerTold(saved.incident, 't-2', { id: 'u2' }, clock.now().toISOString());
    assert.ok(told.incident);
    await db.incidents.save({ incident: told.incident, expectedVersion: saved.version, changedCustomers: ['t-2'], card });
    clock.advance(4 * HOUR);
    assert.equal(await one.runOnce(), 0);
    assert.equal((await sent()).length, 2);
  });

  it('reminds nobody while no incident channel is set, and reminds in the channel where the card is not', async function () {
    await db.incidents.save({ incident: resolved(), expectedVersion: 0, card: undefined });
    clock.advance(5 * HOUR);
    assert.equal(await reminders().runOnce(), 0);
    const { key } = await setIncidentChannel(db, 'http://127.0.0.1:9/', clock.now());
    assert.equal(await reminders().runOnce(), 1);
    assert.equal((await sent())[0]?.target, key);
  });
});
