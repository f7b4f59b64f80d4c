import { strict as assert } from 'node:assert';
import restify from 'restify';
import { ManualClock } from '../../src/domain/clock';
import { createHealthProvider } from '../../src/health';
import { SandboxHealthProvider } from '../../src/health/sandbox';
import { loadSandboxData, parseSandboxData, SandboxDataError } from '../../src/health/sandbox-data';
import { registerSandboxHealthRoutes } from '../../src/health/sandbox-routes';
import { HealthAccessError, UnknownIssueError, allIssues, isOpenIssue, type HealthIssue, type HealthOverview } from '../../src/health/types';
import { runLogger } from '../http/helpers/http-double';
import { graphIssue, graphService } from './helpers/graph-fixtures';

const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const NORTHWIND = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';

describe('sandbox health (sandbox/health.json)', () => {
  const data = loadSandboxData();

  it('seeds at least three customers with GUID tenants, one of them unreadable', () => {
    assert.ok(data.customers.length >= 3);
    assert.ok(data.customers.some((c) => c.healthAccess === 'denied'));
  });

  it('gives Contoso an active Exchange incident, an advisory and a resolved issue, enums normalized', async () => {
    const sandbox = new SandboxHealthProvider(data, new ManualClock());
    const issues = allIssues((await sandbox.getOverview(CONTOSO)).value).filter((i) => i.service === 'Exchange Online');
    assert.ok(issues.some((i) => i.classification === 'incident' && isOpenIssue(i)));
    assert.ok(issues.some((i) => i.classification === 'advisory' && isOpenIssue(i)));
    assert.ok(issues.some((i) => i.isResolved && i.status === 'postIncidentReviewPublished'));
    assert.ok((await sandbox.getPostIncidentReport(CONTOSO, 'EX219880'))?.url.endsWith('EX219880'));
  });

  it('refuses the unreadable tenant like Graph would', async () => {
    const sandbox = new SandboxHealthProvider(data, new ManualClock());
    await assert.rejects(sandbox.getOverview(NORTHWIND), HealthAccessError);
    await assert.rejects(sandbox.getIssue(CONTOSO, 'XX1'), UnknownIssueError);
  });

  it('resolves an incident with a closing post, in memory only', async () => {
    const sandbox = new SandboxHealthProvider(data, new ManualClock());
    const resolved = sandbox.resolveIssue(CONTOSO, 'EX226792', new Date('2025-03-10T12:00:00Z'));
    assert.equal(resolved.isResolved, true);
    assert.equal(resolved.status, 'serviceRestored');
    assert.equal(resolved.endDateTime, '2025-03-10T12:00:00.000Z');
    assert.match(resolved.posts[resolved.posts.length - 1].content, /resolved/);
    assert.equal((await sandbox.getIssue(CONTOSO, 'EX226792')).value.isResolved, true);
    const fresh = new SandboxHealthProvider(loadSandboxData(), new ManualClock());
    assert.equal((await fresh.getIssue(CONTOSO, 'EX226792')).value.isResolved, false, 'the seed is untouched');
  });

  it('sets the service operational when its last open issue is resolved', async () => {
    const seed = parseSandboxData({
      customers: [
        {
          tenantId: CONTOSO,
          companyName: 'Contoso',
          domain: 'contoso.com',
          healthOverviews: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue()])],
        },
      ],
    });
    const sandbox = new SandboxHealthProvider(seed, new ManualClock());
    sandbox.resolveIssue(CONTOSO, 'EX226792');
    assert.equal((await sandbox.getOverview(CONTOSO)).value.services[0].status, 'serviceOperational');
  });

  it('reads a customer\u2019s own response target, and refuses one that is not a positive number of hours up to 720', () => {
    const customer = { tenantId: CONTOSO, companyName: 'Contoso', domain: 'contoso.com' };
    assert.equal(parseSandboxData({ customers: [{ ...customer, responseTargetHours: 24 }] }).customers[0]?.responseTargetHours, 24);
    assert.equal('responseTargetHours' in (parseSandboxData({ customers: [customer] }).customers[0] ?? {}), false);
    for (const bad of [0, -1, 721, '24']) {
      assert.throws(() => parseSandboxData({ customers: [{ ...customer, responseTargetHours: bad }] }), (e: unknown) => e instanceof SandboxDataError && /responseTargetHours/.test(e.message));
    }
    const seeded = loadSandboxData().customers.filter((c) => c.responseTargetHours !== undefined).map((c) => [c.companyName, c.responseTargetHours]);
    assert.deepEqual(seeded, [['Wingtip Toys', 24], ['누리물류', 12]]);
  });

  it('explains an invalid data file, naming the field', () => {
    const bad = {
      customers: [
        {
          tenantId: 'not-a-guid',
          companyName: 'X',
          domain: 'x.com',
          healthOverviews: [graphService('Exchange', 'Exchange Online', 'ServiceDegradation', [graphIssue({ classification: 'Incidnet' })])],
        },
      ],
    };
    assert.throws(
      () => parseSandboxData(bad, 'health.json'),
      (e: unknown) =>
        e instanceof SandboxDataError &&
        /tenantId/.test(e.message) &&
        /classification/.test(e.message) &&
        /Incidnet/.test(e.message),
    );
    assert.throws(() => loadSandboxData('/nonexistent/health.json'), SandboxDataError);
  });

  it('is the default source of createHealthProvider', async () => {
    const { provider, sandbox } = createHealthProvider({
      source: 'sandbox',
      logger: runLogger(),
      clock: new ManualClock(),
      loginEndpoint: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
    });
    assert.ok(sandbox);
    assert.ok((await provider.getOverview(CONTOSO)).value.services.length >= 7);
  });

  it('refuses to build the Graph provider without credentials', () => {
    assert.throws(
      () =>
        createHealthProvider({
          source: 'graph',
          logger: runLogger(),
          clock: new ManualClock(),
          loginEndpoint: 'https://login.microsoftonline.com',
          graphEndpoint: 'https://graph.microsoft.com',
        }),
      /credentials/,
    );
  });
});

describe('sandbox health routes', () => {
  let server: restify.Server | undefined;
  afterEach(async () => {
    const s = server;
    if (s) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
      });
    }
    server = undefined;
  });

  async function start(): Promise<string> {
    server = restify.createServer();
    registerSandboxHealthRoutes(server, new SandboxHealthProvider(loadSandboxData(), new ManualClock('2025-03-10T12:00:00Z')));
    const s = server;
    await new Promise<void>((resolve) => {
      s.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${s.address().port}`;
  }

  it('shows a tenant and resolves an issue through HTTP', async () => {
    const base = await start();
    const before = (await (await fetch(`${base}/sandbox/health/${CONTOSO}`)).json()) as { value: HealthOverview };
    assert.ok(allIssues(before.value).some((i) => i.id === 'EX226792' && !i.isResolved));

    const res = await fetch(`${base}/sandbox/health/${CONTOSO}/issues/EX226792/resolve`, { method: 'POST' });
    assert.equal(res.status, 200);
    const issue = (await res.json()) as HealthIssue;
    assert.equal(issue.isResolved, true);
    assert.equal(issue.endDateTime, '2025-03-10T12:00:00.000Z');

    const after = (await (await fetch(`${base}/sandbox/health/${CONTOSO}`)).json()) as { value: HealthOverview };
    assert.ok(allIssues(after.value).some((i) => i.id === 'EX226792' && i.isResolved));
  });

  it('answers 404 for an unknown issue and 403 for the unreadable tenant', async () => {
    const base = await start();
    assert.equal((await fetch(`${base}/sandbox/health/${CONTOSO}/issues/NOPE1/resolve`, { method: 'POST' })).status, 404);
    assert.equal((await fetch(`${base}/sandbox/health/${NORTHWIND}`)).status, 403);
  });
});
