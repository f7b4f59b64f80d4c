/**
 * The sandbox's shared incidents while the bot runs (local mode): start one in several tenants,
 * post an update, take it off one tenant, resolve it, each through HTTP, and the bot's own sweep
 * following at once. Plus the seed itself: enough customers, a shared incident, every kind of
 * unreadable tenant.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { SandboxHealthProvider } from '../../src/health/sandbox';
import { loadSandboxData } from '../../src/health/sandbox-data';
import { HealthAccessError, allIssues } from '../../src/health/types';
import { startApp, type RunningApp } from '../helpers/app';
import { BLUE_YONDER, CONTOSO, NORTHWIND, SHARED, VANARSDEL } from './rig';

const WINGTIP = 'e9a2b5c0-1f3b-4a69-9c4e-8b0f6d1a3c13';
const FINCHER = 'd2f5a8b3-4e6a-4f92-8b7d-1a3e9c4f6b06';

describe('sandbox seed for incidents', function () {
  const data = loadSandboxData();

  it('has a dozen customers or more, one incident shared by several, and tenants unreadable for each reason', async function () {
    assert.ok(data.customers.length >= 12);
    const sandbox = new SandboxHealthProvider(data, new ManualClock());
    const shared = sandbox.sharedIssue(SHARED);
    assert.ok(shared && shared.tenantIds.length >= 5);
    for (const tenantId of shared.tenantIds) {
      const issue = allIssues((await sandbox.getOverview(tenantId)).value).find((i) => i.id === SHARED);
      assert.deepEqual(issue, shared.issue, 'the same issue in each tenant');
    }
    await assert.rejects(sandbox.getOverview(NORTHWIND), (e: unknown) => e instanceof HealthAccessError && e.reason === 403);
    await assert.rejects(sandbox.getOverview(VANARSDEL), (e: unknown) => e instanceof HealthAccessError && e.reason === 'token');
    const defaulted = (await sandbox.getOverview(WINGTIP)).value.services.map((s) => s.id);
    assert.ok(defaulted.includes('Exchange') && defaulted.includes('Intune'), 'a customer without its own list gets the default services');
  });
});

describe('sandbox incident routes while the bot runs', function () {
  let app: RunningApp;
  let clock: ManualClock;
  beforeEach(async function () {
    clock = new ManualClock('2025-03-10T10:00:00Z');
    app = await startApp({ HEALTH_SOURCE: 'sandbox', DIRECTORY_SOURCE: 'sandbox' }, { clock });
    // The sweep's first round puts every customer on its schedule (as `app.start()` does at once).
    await app.app.workers.incidentSweep.runOnce();
  });
  afterEach(async function () {
    await app.stop();
  });

  const post = (path: string, body: unknown = {}) => app.post(path, body);

  it('starts, updates, takes off one tenant and resolves a shared incident; the sweep follows each at once', async function () {
    const db = app.app.database;
    // A change is swept once the sandbox's 5-second cache has let go of the old answer.
    const sweep = { runOnce: () => (clock.advance(6_000), app.app.workers.incidentSweep.runOnce()) };
    const started = await post('/sandbox/incidents', { id: 'SP300001', service: 'SharePoint Online', title: 'Users may be unable to open files', tenants: [CONTOSO, BLUE_YONDER, FINCHER] });
    assert.equal(started.status, 201);
    assert.deepEqual((started.body as { tenantIds: string[] }).tenantIds.sort(), [CONTOSO, BLUE_YONDER, FINCHER].sort());
    await sweep.runOnce();
    let incident = (await db.incidents.get('SP300001'))?.incident;
    assert.deepEqual(incident?.customers.map((c) => c.tenantId).sort(), [CONTOSO, BLUE_YONDER, FINCHER].sort());
    assert.equal(incident?.service, 'SharePoint Online');

    const updated = await post('/sandbox/incidents/SP300001/update', { status: 'RestoringService', post: 'A fix is rolling out.' });
    assert.equal(updated.status, 200);
    await sweep.runOnce();
    incident = (await db.incidents.get('SP300001'))?.incident;
    assert.equal(incident?.status, 'restoringService');
    assert.equal(incident?.posts[incident.posts.length - 1]?.content, 'A fix is rolling out.');

    assert.equal((await post(`/sandbox/incidents/SP300001/tenants/${FINCHER}/remove`)).status, 200);
    await sweep.runOnce();
    assert.ok((await db.incidents.get('SP300001'))?.incident.customers.find((c) => c.tenantId === FINCHER)?.goneSince);

    const late = await post('/sandbox/incidents', { id: 'SP300001', tenants: [WINGTIP] });
    assert.equal(late.status, 201);
    await sweep.runOnce();
    assert.equal((await db.incidents.get('SP300001'))?.incident.customers.length, 4, 'a tenant joining late');

    assert.equal((await post('/sandbox/incidents/SP300001/resolve')).status, 200);
    await sweep.runOnce();
    incident = (await db.incidents.get('SP300001'))?.incident;
    assert.deepEqual([incident?.resolved, incident?.status], [true, 'serviceRestored']);
    const shown = await fetch(`${app.url}/sandbox/incidents/SP300001`);
    assert.equal(((await shown.json()) as { issue: { isResolved: boolean } }).issue.isResolved, true);
  });

  it('answers bad requests clearly: 400 for a missing service or an unknown status, 404 for an unknown incident, 403 for a tenant it does not know', async function () {
    assert.equal((await post('/sandbox/incidents', { title: 'no service' })).status, 400);
    assert.equal((await post('/sandbox/incidents', { id: '../etc', service: 'Exchange' })).status, 400);
    assert.equal((await post('/sandbox/incidents', { service: 'Exchange', tenants: [] })).status, 400);
    assert.equal((await post(`/sandbox/incidents/${SHARED}/update`, { status: 'Exploded' })).status, 400);
    assert.equal((await post(`/sandbox/incidents/${SHARED}/update`, {})).status, 400);
    assert.equal((await post('/sandbox/incidents/EX999999/resolve')).status, 404);
    assert.equal((await fetch(`${app.url}/sandbox/incidents/EX999999`)).status, 404);
    assert.equal((await post('/sandbox/incidents', { service: 'Exchange', tenants: ['00000000-0000-4000-8000-00000000dead'] })).status, 403);
  });
});
