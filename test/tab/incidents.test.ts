/** The tab's incident routes: the list with its counts, one incident with its customers, escalations and timeline. */
import { strict as assert } from 'node:assert';
import { CONTOSO, FABRIKAM, NORTHWIND, OTHER_PARTNER, addEscalation, incidentRecord, startTabServer, type TabServer } from './fixtures';

const TOLD = { by: { id: 'u1', name: 'Ada Engineer' }, at: '2026-12-05T10:00:00.000Z' };
const SEEN = { firstSeenAt: '2026-12-05T08:10:00.000Z', lastSeenAt: '2026-12-05T09:00:00.000Z' };

describe('tab API: incidents', () => {
  let tab: TabServer;
  before(async () => {
    tab = await startTabServer({ mode: 'development' });
    const open = incidentRecord({
      id: 'EX300001',
      posts: [{ createdDateTime: '2026-12-05T08:30:00.000Z', postType: 'regular', contentType: 'html', content: '<p>We&#39;re investigating.</p>' }],
      updatedAt: '2026-12-05T10:00:00.000Z',
      customers: [
        { tenantId: CONTOSO, name: 'Contoso Ltd', ...SEEN, told: TOLD },
        { tenantId: FABRIKAM, name: 'Fabrikam', ...SEEN, firstSeenAt: '2026-12-05T08:20:00.000Z' },
        { tenantId: NORTHWIND, name: 'Northwind', ...SEEN, goneSince: '2026-12-05T08:50:00.000Z' },
      ],
    });
    const resolved = incidentRecord({
      id: 'EX299999',
      status: 'PostIncidentReviewPublished',
      resolved: true,
      resolvedAt: '2026-12-04T12:00:00.000Z',
      postIncidentReview: true,
      endDateTime: '2026-12-04T11:30:00.000Z',
      updatedAt: '2026-12-04T12:00:00.000Z',
      customers: [{ tenantId: CONTOSO, name: 'Contoso Ltd', ...SEEN }],
    });
    for (const incident of [open, resolved]) await tab.database.incidents.save({ incident, expectedVersion: 0, card: undefined });
    const known = (id: string) => ({ knownIssue: { id, title: 'Mail delayed' } });
    await addEscalation(tab.database, { id: 'esc-known-1', customer: { tenantId: CONTOSO, name: 'Contoso Ltd' }, createdAt: '2026-12-05T08:40:00.000Z', steps: [{ to: 'known_issue', at: '2026-12-05T08:41:00.000Z', details: known('EX300001') }] });
    await addEscalation(tab.database, {
      id: 'esc-known-closed',
      customer: { tenantId: FABRIKAM, name: 'Fabrikam' },
      createdAt: '2026-12-05T08:40:00.000Z',
      steps: [
        { to: 'known_issue', at: '2026-12-05T08:41:00.000Z', details: known('EX300001') },
        { to: 'cancelled', at: '2026-12-05T08:42:00.000Z', reason: 'duplicate' },
      ],
    });
    await addEscalation(tab.database, { id: 'esc-known-other', partner: OTHER_PARTNER, customer: { tenantId: CONTOSO, name: 'Contoso Ltd' }, createdAt: '2026-12-05T08:40:00.000Z', steps: [{ to: 'known_issue', at: '2026-12-05T08:41:00.000Z', details: known('EX300001') }] });
  });
  after(async () => {
    await tab.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${tab.url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('lists the open incidents by default, every incident with state=all, with their counts', async () => {
    const open = await get('/api/incidents');
    assert.equal(open.status, 200);
    assert.deepEqual(open.body.incidents, [
      {
        id: 'EX300001',
        service: 'Exchange Online',
        title: 'Mail delayed for some users',
        classification: 'Incident',
        status: 'ServiceDegradation',
        resolved: false,
        startedAt: '2026-12-05T08:00:00.000Z',
        lastUpdatedAt: '2026-12-05T09:00:00.000Z',
        affectedCount: 3,
        toldCount: 1,
        // The development identity sees every tenant's: the cancelled one does not count.
        openEscalationCount: 2,
      },
    ]);
    const all = await get('/api/incidents?state=all');
    const items = all.body.incidents as Record<string, unknown>[];
    assert.deepEqual(items.map((i) => i.id), ['EX300001', 'EX299999']);
    assert.equal(items[1]?.postIncidentReviewUrl, 'https://admin.microsoft.com/Adminportal/Home#/servicehealth/history/:/alerts/EX299999');
    assert.equal(items[1]?.endedAt, '2026-12-04T11:30:00.000Z');
    assert.equal(items[1]?.resolvedAt, '2026-12-04T12:00:00.000Z');
    const paged = await get('/api/incidents?state=all&limit=1');
    assert.equal((paged.body.incidents as unknown[]).length, 1);
    const next = await get(`/api/incidents?state=all&limit=1&cursor=${encodeURIComponent(String(paged.body.nextCursor))}`);
    assert.deepEqual((next.body.incidents as { id: string }[]).map((i) => i.id), ['EX299999']);
  });

  it('refuses a bad state, limit or cursor with 400', async () => {
    for (const q of ['state=closed', 'limit=0', 'limit=abc', 'cursor=not-a-cursor']) assert.equal((await get(`/api/incidents?${q}`)).status, 400, q);
  });

  it('shows one incident: impact and posts as plain text, each customer with its escalations, the timeline', async () => {
    const res = await get('/api/incidents/EX300001');
    assert.equal(res.status, 200);
    const incident = res.body.incident as Record<string, unknown>;
    assert.equal(incident.impact, 'Users may see delays & bounces.');
    assert.deepEqual(incident.posts, [{ at: '2026-12-05T08:30:00.000Z', text: "We're investigating." }]);
    assert.equal(incident.affectedCount, 3);
    assert.equal(incident.toldCount, 1);
    assert.equal(incident.openEscalationCount, 2);
    const customers = incident.customers as { tenantId: string; told?: unknown; goneSince?: string; escalations: { id: string; state: string }[] }[];
    assert.deepEqual(customers.map((c) => c.tenantId), [CONTOSO, FABRIKAM, NORTHWIND]);
    assert.deepEqual(customers[0]?.told, { at: TOLD.at, by: 'Ada Engineer' });
    assert.deepEqual(customers[0]?.escalations.map((e) => e.id).sort(), ['esc-known-1', 'esc-known-other']);
    assert.deepEqual(customers[1]?.escalations, [{ id: 'esc-known-closed', title: 'Problem esc-known-closed', state: 'cancelled' }]);
    assert.equal(customers[2]?.goneSince, '2026-12-05T08:50:00.000Z');
    assert.deepEqual(
      (incident.timeline as { kind: string; at: string; actor?: string }[]).map((t) => [t.at.slice(11, 16), t.kind, t.actor]),
      [
        ['08:10', 'customer-added', undefined],
        ['08:10', 'customer-added', undefined],
        ['08:20', 'customer-added', undefined],
        ['08:30', 'post', undefined],
        ['09:00', 'status', undefined],
        ['10:00', 'customer-told', 'Ada Engineer'],
      ],
    );
  });

  it('answers 404 for an unknown incident and for an id no incident can have', async () => {
    assert.equal((await get('/api/incidents/EX000000')).status, 404);
    const bad = await get('/api/incidents/%3Cscript%3E');
    assert.equal(bad.status, 404);
    assert.equal(bad.body.code, 'NotFound');
  });
});
