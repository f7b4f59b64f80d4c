/**
 * The incident sweep against the sandbox behind the real cache and budget, on SQLite: every tenant
 * once per interval, unreadable tenants listed with the reason, one incident across tenants with
 * one card in the channel (through the real outbox, sender and a connector double), a customer
 * the incident left, throttling, and the resolution reaching each watching owner once.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { createEscalation, transition, type Actor } from '../../src/domain/escalation';
import { openDatabase, type Database } from '../../src/store';
import { UnknownServiceRequestError, type SupportProvider } from '../../src/support/types';
import { OutboxWorker } from '../../src/tracking/outbox-worker';
import { Tracker } from '../../src/tracking/tracker';
import { runLogger } from '../http/helpers/http-double';
import { ConnectorDouble } from '../helpers/connector-double';
import { realSender, storeConversation } from '../tracking/rig';
import { BLUE_YONDER, CONTOSO, INTERVAL, NORTHWIND, SHARED, VANARSDEL, runFor, setIncidentChannel, sweepRig } from './rig';

const ENGINEER: Actor = { kind: 'user', id: 'e1' };
const noSupport: SupportProvider = {
  source: 'sandbox',
  getRequest: (id) => Promise.reject(new UnknownServiceRequestError(id)),
  listCustomerRequests: () => Promise.resolve([]),
  addNote: () => Promise.resolve(undefined),
  setStatus: () => Promise.resolve(undefined),
};

describe('incident sweep', function () {
  let db: Database;
  let clock: ManualClock;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
    clock = new ManualClock('2025-03-10T10:00:00Z');
  });
  afterEach(async function () {
    await db.close();
  });

  it('sweeps every customer tenant once per interval, spread over it, and lists the unreadable ones with the reason', async function () {
    const r = sweepRig(db, clock);
    const start = clock.now().getTime();
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    const perTenant = r.counting.perTenant();
    assert.equal(perTenant.size, r.data.customers.length, 'every customer of the directory');
    assert.deepEqual([...new Set(perTenant.values())], [1], 'each once');
    const times = r.counting.overviews.map((o) => o.at - start);
    assert.ok(times.every((t) => t >= 0 && t < INTERVAL));
    assert.ok(new Set(times.map((t) => Math.floor(t / 10_000))).size >= 10, 'spread over the interval, not all at once');

    const failing = (await db.incidentSweeps.list({ failing: true })).items.map((row) => [row.tenantId, row.name, row.lastReason, row.failures]);
    assert.deepEqual(failing.sort(), [
      [NORTHWIND, 'Northwind Traders', 'access_403', 1],
      [VANARSDEL, 'VanArsdel Ltd.', 'access_token', 1],
    ]);
    assert.equal((await db.incidentSweeps.get(CONTOSO))?.lastOutcome, 'ok');

    // Never silently skipped: the next interval tries them again.
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    assert.deepEqual([...new Set(r.counting.perTenant().values())], [2]);
    assert.equal((await db.incidentSweeps.get(NORTHWIND))?.failures, 2);
  });

  it('one incident from seven tenants: one card in the channel, updated in place, replies in its thread, the resolution to each watching owner once', async function () {
    const connector = await new ConnectorDouble().start();
    try {
      // The sweep nudges the tracker, which is built on the sweep's health provider.
      const nudge: { tracker?: Tracker } = {};
      const r = sweepRig(db, clock, { pollNow: (id) => nudge.tracker?.pollNow(id) ?? Promise.resolve(false) });
      const tracker = new Tracker({ escalations: db.escalations, tracking: db.tracking, support: noSupport, health: r.health, clock, logger: runLogger() });
      nudge.tracker = tracker;
      const worker = new OutboxWorker({ outbox: db.outbox, conversations: db.conversations, sender: realSender(runLogger()), clock, logger: runLogger() });
      const channel = await setIncidentChannel(db, connector.url, clock.now());
      const owner = await storeConversation(db, connector, 'a:owner');
      // An engineer confirmed Contoso's problem as the known incident: its escalation watches it.
      const { escalation, event } = createEscalation(
        { id: 'ED-WATCH01', partnerTenantId: 'partner', ownerId: 'e1', customer: { tenantId: CONTOSO, name: 'Contoso' }, service: 'Exchange Online', title: 'Mail', description: 'd' },
        ENGINEER,
        clock.now(),
      );
      const created = await db.escalations.create(escalation, [event]);
      const watch = transition(created, 'known_issue', { actor: ENGINEER, at: clock.now(), details: { knownIssue: { id: SHARED, title: 'Mail' }, notifyTargets: [owner] } });
      await db.escalations.update(watch.escalation, created.version, [watch.event]);
      const round = async (): Promise<void> => {
        await r.sweep.runOnce();
        await tracker.runOnce();
        await worker.runOnce();
      };

      await runFor(clock, INTERVAL, round);
      const stored = await db.incidents.get(SHARED);
      assert.equal(stored?.incident.customers.length, 7);
      assert.equal((await db.incidents.get('TM240117'))?.incident.customers.length, 3);
      const toChannel = connector.calls.filter((c) => c.conversationId === channel.conversationId);
      // Three open incidents in the seed: EX226792 (7 customers), TM240117 (3), TM231145 (Fabrikam alone).
      assert.equal(toChannel.filter((c) => c.method === 'POST').length, 3, 'one card per incident, not per customer');
      const cardActivity = stored?.card?.activityId;
      assert.ok(cardActivity);
      const thread = `${channel.conversationId};messageid=${cardActivity}`;
      // Customers joined one by one; the card changed in place at most once per minute.
      const updates = (await db.outbox.listForEscalation(`incident:${SHARED}`)).filter((n) => n.kind === 'card_update');
      assert.ok(updates.length >= 1);
      for (let i = 1; i < updates.length; i++) assert.ok(Date.parse(updates[i].createdAt) - Date.parse(updates[i - 1].createdAt) >= 60_000);
      const sentUpdates = (await db.outbox.listForEscalation(`incident:${SHARED}`)).filter((n) => n.kind === 'card_update' && n.status === 'sent');
      // In place, through the post's own conversation (`<channel>;messageid=<post>`), as Teams made it.
      const inPlace = connector.calls.filter((c) => c.method === 'PUT' && c.conversationId === thread && c.path.endsWith(`/activities/${cardActivity}`));
      assert.equal(inPlace.length, sentUpdates.length, 'updated in place');

      // Microsoft posts an update: one reply in the card's thread, however many tenants show it.
      r.sandbox.updateIncident(SHARED, { post: 'We deployed a fix and are monitoring.', status: 'restoringService' });
      await runFor(clock, INTERVAL, round);
      const replies = () => connector.calls.filter((c) => c.method === 'POST' && c.conversationId === thread);
      assert.equal(replies().length, 1);
      assert.match(String(replies()[0]?.activity.text), /Update: .*EX226792[\s\S]*Microsoft: We deployed a fix/);

      // Microsoft resolves it: one reply listing every affected customer, and the owner pinged once.
      r.sandbox.resolveIncident(SHARED);
      while ((await db.incidents.get(SHARED))?.incident.resolved !== true) {
        await r.sweep.runOnce();
        clock.advance(1_000);
      }
      // The sweep that saw it resolved made the watching escalation due at once (the tracker's
      // pollNow: the short interval, now), rather than at the incident's 2-minute pace.
      const watched = await db.tracking.get('ED-WATCH01');
      assert.deepEqual([watched?.intervalMs, Date.parse(watched?.nextPollAt ?? '') <= clock.now().getTime()], [tracker.minIntervalMs, true]);
      await runFor(clock, INTERVAL, round);
      await runFor(clock, INTERVAL, round);
      assert.equal(replies().length, 2);
      const resolution = String(replies()[1]?.activity.text);
      for (const name of ['Contoso', 'Blue Yonder Airlines', '누리물류']) assert.ok(resolution.includes(name), name);
      assert.equal((await db.escalations.get('ED-WATCH01'))?.state, 'resolved');
      const toOwner = connector.calls.filter((c) => c.conversationId === 'a:owner');
      assert.equal(toOwner.length, 1, 'the owner hears of the resolution once');
      assert.equal(connector.duplicateKeys().length, 0);
      assert.equal((await db.incidents.get(SHARED))?.incident.resolved, true);
    } finally {
      await connector.stop();
    }
  });

  it('an incident that leaves one tenant: one single-issue read there, that customer gone since, the incident still open', async function () {
    const r = sweepRig(db, clock);
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    r.sandbox.removeFromTenant(SHARED, BLUE_YONDER);
    const left = clock.now().toISOString();
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    const stored = await db.incidents.get(SHARED);
    const blue = stored?.incident.customers.find((c) => c.tenantId === BLUE_YONDER);
    assert.ok(blue?.goneSince && blue.goneSince > left);
    assert.equal(stored?.incident.resolved, false);
    assert.equal(stored?.incident.customers.filter((c) => c.goneSince === undefined).length, 6);
    assert.deepEqual(r.counting.issues, [{ tenantId: BLUE_YONDER, issueId: SHARED }], 'one read, once: a gone customer is not asked again');
  });

  it('a tenant joining late is added with its own first-seen time', async function () {
    const r = sweepRig(db, clock);
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    r.sandbox.startIncident({ id: SHARED, service: 'Exchange', tenantIds: [NORTHWIND, 'e9a2b5c0-1f3b-4a69-9c4e-8b0f6d1a3c13'] });
    const joined = clock.now().toISOString();
    await runFor(clock, INTERVAL, () => r.sweep.runOnce());
    const customers = (await db.incidents.get(SHARED))?.incident.customers ?? [];
    assert.equal(customers.length, 8, 'Wingtip joined; Northwind cannot be read, so it is not known to be affected');
    assert.ok((customers[7]?.firstSeenAt ?? '') > joined);
    assert.equal(customers[7]?.name, 'Wingtip Toys');
  });

  it('shares the budget with the health lookups: a tenant whose budget is spent is retried when it frees, with the reason', async function () {
    const r = sweepRig(db, clock);
    await r.sweep.runOnce();
    const due = Date.parse((await db.incidentSweeps.get(CONTOSO))?.nextSweepAt ?? '');
    clock.set(new Date(due - 5_000));
    // Engineers' `health` lookups spent this minute's budget for Contoso just before its turn.
    while (r.budget.tryTake(CONTOSO));
    const freeAt = r.budget.nextAvailableAt(CONTOSO).getTime();
    await runFor(clock, 10_000, () => r.sweep.runOnce());
    const row = await db.incidentSweeps.get(CONTOSO);
    assert.deepEqual([row?.lastOutcome, row?.lastReason, row?.nextSweepAt], ['failed', 'budget', new Date(freeAt).toISOString()], 'retried when the budget frees, not a turn later');
    assert.equal(r.counting.perTenant().get(CONTOSO) ?? 0, 0, 'nothing beyond the budget reached Graph');
    clock.set(new Date(freeAt));
    await r.sweep.runOnce();
    assert.equal((await db.incidentSweeps.get(CONTOSO))?.lastOutcome, 'ok');
    assert.equal(r.counting.perTenant().get(CONTOSO), 1);
  });

  it('a lookup right after a tenant is swept is served from the cache the sweep filled', async function () {
    const r = sweepRig(db, clock);
    for (let s = 0; s < INTERVAL / 1000 && !r.counting.perTenant().has(CONTOSO); s++) {
      await r.sweep.runOnce();
      clock.advance(1_000);
    }
    const before = r.counting.overviews.length;
    const overview = await r.health.getOverview(CONTOSO);
    assert.equal(r.counting.overviews.length, before, 'no second read');
    assert.equal(overview.stale, false);
  });
});
