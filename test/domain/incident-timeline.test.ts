/** An incident's timeline from its record. */
import { strict as assert } from 'node:assert';
import { incidentTimeline } from '../../src/domain/incident-timeline';
import type { Incident } from '../../src/domain/incidents';

const base: Incident = {
  id: 'EX300001',
  service: 'Exchange Online',
  classification: 'Incident',
  status: 'RestoringService',
  title: 'Mail delayed',
  impactDescription: 'Mail may be delayed.',
  posts: [
    { createdDateTime: '2026-12-05T09:00:00Z', postType: 'regular', contentType: 'html', content: '<p>Investigating.</p>' },
    { createdDateTime: '2026-12-05T10:00:00+01:00', postType: 'regular', contentType: 'html', content: 'Fix deploying.' },
  ],
  startDateTime: '2026-12-05T08:30:00Z',
  lastModifiedDateTime: '2026-12-05T09:30:00Z',
  resolved: false,
  postIncidentReview: false,
  detectedAt: '2026-12-05T09:00:00Z',
  updatedAt: '2026-12-05T11:00:00Z',
  customers: [
    { tenantId: 't1', name: 'Contoso', firstSeenAt: '2026-12-05T09:00:00Z', lastSeenAt: '2026-12-05T11:00:00Z', told: { by: { id: 'u1', name: 'Ada' }, at: '2026-12-05T11:00:00Z' } },
    { tenantId: 't2', name: '누리물류', firstSeenAt: '2026-12-05T09:45:00Z', lastSeenAt: '2026-12-05T11:00:00Z', goneSince: '2026-12-05T10:30:00Z' },
  ],
};

describe('incident timeline', () => {
  it('orders posts, the status, customers reached and customers told by time, Microsoft first within one instant', () => {
    assert.deepEqual(incidentTimeline(base), [
      { at: '2026-12-05T09:00:00.000Z', kind: 'post', text: '<p>Investigating.</p>' },
      { at: '2026-12-05T09:00:00.000Z', kind: 'post', text: 'Fix deploying.' },
      { at: '2026-12-05T09:00:00.000Z', kind: 'customer-added', text: 'Contoso', tenantId: 't1' },
      { at: '2026-12-05T09:30:00.000Z', kind: 'status', text: 'RestoringService' },
      { at: '2026-12-05T09:45:00.000Z', kind: 'customer-added', text: '누리물류', tenantId: 't2' },
      { at: '2026-12-05T11:00:00.000Z', kind: 'customer-told', text: 'Contoso', tenantId: 't1', actor: 'Ada' },
    ]);
  });

  it('a resolved incident ends with its resolution instead of a status, and a bad time is left out', () => {
    const resolved: Incident = { ...base, status: 'ServiceRestored', resolved: true, resolvedAt: '2026-12-05T12:00:00Z', posts: [{ ...base.posts[0], createdDateTime: 'garbage' }] };
    const timeline = incidentTimeline(resolved);
    assert.deepEqual(timeline.at(-1), { at: '2026-12-05T12:00:00.000Z', kind: 'resolved', text: 'ServiceRestored' });
    assert.equal(timeline.filter((e) => e.kind === 'status' || e.kind === 'post').length, 0);
  });
});
