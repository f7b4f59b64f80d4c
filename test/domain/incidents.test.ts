import { strict as assert } from 'node:assert';
import {
  DEFAULT_INCIDENT_FILTER,
  issuesToLookUp,
  markCustomerTold,
  mergeTenantSweep,
  type Incident,
  type IncidentEvent,
  type IncidentFilter,
  type ObservedIssue,
} from '../../src/domain/incidents';

const A = { tenantId: '00000000-0000-4000-8000-00000000000a', name: 'Adatum' };
const B = { tenantId: '00000000-0000-4000-8000-00000000000b', name: 'Blue Yonder Airlines' };
const C = { tenantId: '00000000-0000-4000-8000-00000000000c', name: '누리물류' };
type Tenant = typeof A;

/** A sighting as real Graph payloads send it after normalization, or with PascalCase left in. */
function issue(over: Partial<ObservedIssue> = {}): ObservedIssue {
  return {
    id: 'EX300001',
    title: 'Users may be unable to send email',
    service: 'Exchange Online',
    impactDescription: 'Users may be unable to send email.',
    classification: 'Incident',
    status: 'ServiceDegradation',
    isResolved: false,
    startDateTime: '2025-03-10T07:45:00.000Z',
    lastModifiedDateTime: '2025-03-10T08:00:00.000Z',
    posts: [{ createdDateTime: '2025-03-10T08:00:00.000Z', postType: 'Quick', contentType: 'Html', content: 'Investigating.' }],
    ...over,
  };
}

/** One tenant's sweep: the issues its overview lists, and the single-issue reads (null = Graph's 404). */
interface Step {
  readonly at: string;
  readonly tenant: Tenant;
  readonly listed: readonly ObservedIssue[];
  readonly lookups?: ReadonlyArray<[string, ObservedIssue | null]>;
}

/** Runs the sweeps in order, as the sweep worker would, and returns the records and every event. */
function run(steps: readonly Step[], filter: IncidentFilter = DEFAULT_INCIDENT_FILTER): { records: Map<string, Incident>; events: IncidentEvent[] } {
  const records = new Map<string, Incident>();
  const events: IncidentEvent[] = [];
  for (const step of steps) {
    const merges = mergeTenantSweep([...records.values()], { ...step.tenant, at: step.at, issues: step.listed, lookups: new Map(step.lookups ?? []) }, filter);
    for (const m of merges) {
      assert.ok(m.incident);
      records.set(m.incident.id, m.incident);
      events.push(...m.events);
    }
  }
  return { records, events };
}

const kinds = (events: readonly IncidentEvent[]): string[] => events.map((e) => (e.kind === 'customers_added' ? `${e.kind}:${e.tenantIds.join(',')}` : 'tenantId' in e ? `${e.kind}:${e.tenantId}` : e.kind));
const T = (minute: number): string => new Date(Date.UTC(2025, 2, 10, 8, minute)).toISOString();

describe('incident correlation: one Microsoft incident across customer tenants', () => {
  // [case, sweeps, expected events, expected customers (tenant, first seen, last seen, gone since), expected status/resolved]
  const table: Array<{
    name: string;
    steps: Step[];
    filter?: IncidentFilter;
    events: string[];
    customers?: Array<[string, string, string, string?]>;
    status?: [string, boolean];
  }> = [
    {
      name: 'one incident seen in three tenants is one record with three customers',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(2), tenant: B, listed: [issue()] },
        { at: T(3), tenant: C, listed: [issue()] },
      ],
      events: ['opened', `customers_added:${B.tenantId}`, `customers_added:${C.tenantId}`],
      customers: [
        [A.tenantId, T(1), T(1)],
        [B.tenantId, T(2), T(2)],
        [C.tenantId, T(3), T(3)],
      ],
      status: ['ServiceDegradation', false],
    },
    {
      name: 'a tenant seen again only moves its last-seen time (no event)',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(6), tenant: A, listed: [issue()] },
      ],
      events: ['opened'],
      customers: [[A.tenantId, T(1), T(6)]],
    },
    {
      name: 'a late-joining tenant is added with its own first-seen time, after the incident was resolved too',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(20), tenant: A, listed: [issue({ status: 'ServiceRestored', isResolved: true, lastModifiedDateTime: T(19) })] },
        { at: T(25), tenant: B, listed: [issue({ status: 'ServiceRestored', isResolved: true, lastModifiedDateTime: T(19) })] },
      ],
      events: ['opened', 'resolved', `customers_added:${B.tenantId}`],
      customers: [
        [A.tenantId, T(1), T(20)],
        [B.tenantId, T(25), T(25)],
      ],
      status: ['ServiceRestored', true],
    },
    {
      name: 'an incident that leaves one tenant while open elsewhere: that customer is gone since, then back',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(2), tenant: B, listed: [issue()] },
        { at: T(6), tenant: B, listed: [], lookups: [['EX300001', null]] },
        { at: T(7), tenant: A, listed: [issue()] },
        { at: T(11), tenant: B, listed: [issue()] },
      ],
      events: ['opened', `customers_added:${B.tenantId}`, `customer_gone:${B.tenantId}`, `customer_returned:${B.tenantId}`],
      customers: [
        [A.tenantId, T(1), T(7)],
        [B.tenantId, T(2), T(11)],
      ],
      status: ['ServiceDegradation', false],
    },
    {
      name: 'a gone customer stays gone (one event) while the incident goes on',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(2), tenant: B, listed: [issue()] },
        { at: T(6), tenant: B, listed: [], lookups: [['EX300001', null]] },
        { at: T(11), tenant: B, listed: [], lookups: [['EX300001', null]] },
      ],
      events: ['opened', `customers_added:${B.tenantId}`, `customer_gone:${B.tenantId}`],
      customers: [
        [A.tenantId, T(1), T(1)],
        [B.tenantId, T(2), T(2), T(6)],
      ],
    },
    {
      name: 'an incident that leaves a tenant because it was resolved: resolved, the customer not gone',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(6), tenant: A, listed: [], lookups: [['EX300001', issue({ status: 'ServiceRestored', isResolved: true, lastModifiedDateTime: T(5) })]] },
      ],
      events: ['opened', 'resolved'],
      customers: [[A.tenantId, T(1), T(1)]],
      status: ['ServiceRestored', true],
    },
    {
      name: 'an issue that could not be read (no lookup) concludes nothing',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(6), tenant: A, listed: [] },
      ],
      events: ['opened'],
      customers: [[A.tenantId, T(1), T(1)]],
    },
    {
      name: 'statuses compare in any case: PascalCase "ServiceRestored" resolves, "SERVICEDEGRADATION" is no change',
      steps: [
        { at: T(1), tenant: A, listed: [issue({ status: 'serviceDegradation' })] },
        { at: T(2), tenant: B, listed: [issue({ status: 'SERVICEDEGRADATION', lastModifiedDateTime: T(1) })] },
        { at: T(3), tenant: A, listed: [issue({ status: 'ServiceRestored', isResolved: false, lastModifiedDateTime: T(2) })] },
      ],
      events: ['opened', `customers_added:${B.tenantId}`, 'resolved'],
      status: ['ServiceRestored', true],
    },
    {
      name: 'a new post and a status change are events; an older sighting changes neither status nor details back',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        {
          at: T(10),
          tenant: A,
          listed: [
            issue({
              status: 'RestoringService',
              lastModifiedDateTime: T(9),
              posts: [...issue().posts, { createdDateTime: T(9), postType: 'Regular', contentType: 'Html', content: 'Fix deploying.' }],
            }),
          ],
        },
        { at: T(11), tenant: B, listed: [issue({ title: 'Old title', lastModifiedDateTime: T(0) })] },
      ],
      events: ['opened', 'post_added', 'status_changed', `customers_added:${B.tenantId}`],
      status: ['RestoringService', false],
    },
    {
      name: 'the post-incident review is its own event (not a status change), after resolution',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(10), tenant: A, listed: [issue({ status: 'ServiceRestored', isResolved: true, lastModifiedDateTime: T(9) })] },
        { at: T(40), tenant: A, listed: [issue({ status: 'PostIncidentReviewPublished', isResolved: true, lastModifiedDateTime: T(39) })] },
      ],
      events: ['opened', 'resolved', 'post_incident_review'],
      status: ['PostIncidentReviewPublished', true],
    },
    {
      name: 'reopened by Microsoft after a resolution',
      steps: [
        { at: T(1), tenant: A, listed: [issue()] },
        { at: T(10), tenant: A, listed: [issue({ status: 'ServiceRestored', isResolved: true, lastModifiedDateTime: T(9) })] },
        { at: T(20), tenant: A, listed: [issue({ status: 'ServiceDegradation', isResolved: false, lastModifiedDateTime: T(19) })] },
      ],
      events: ['opened', 'resolved', 'reopened', 'status_changed'],
      status: ['ServiceDegradation', false],
    },
    {
      name: 'advisories are left out by default',
      steps: [{ at: T(1), tenant: A, listed: [issue({ classification: 'Advisory' })] }],
      events: [],
    },
    {
      name: 'advisories are followed when opted in',
      steps: [{ at: T(1), tenant: A, listed: [issue({ classification: 'Advisory' })] }],
      filter: { classifications: ['incident', 'advisory'], services: [] },
      events: ['opened'],
    },
    {
      name: 'the service filter leaves other services out (any case)',
      steps: [
        { at: T(1), tenant: A, listed: [issue(), issue({ id: 'TM1', service: 'Microsoft Teams' })] },
      ],
      filter: { classifications: ['incident'], services: ['microsoft teams'] },
      events: ['opened'],
    },
    {
      name: 'an issue already resolved when first seen makes no incident',
      steps: [{ at: T(1), tenant: A, listed: [issue({ status: 'PostIncidentReviewPublished', isResolved: true })] }],
      events: [],
    },
  ];

  for (const c of table) {
    it(c.name, () => {
      const { records, events } = run(c.steps, c.filter);
      assert.deepEqual(kinds(events), c.events);
      const record = [...records.values()][0];
      if (c.customers) {
        assert.ok(record);
        assert.deepEqual(
          record.customers.map((x) => [x.tenantId, x.firstSeenAt, x.lastSeenAt, ...(x.goneSince ? [x.goneSince] : [])]),
          c.customers,
        );
      }
      if (c.status) {
        assert.ok(record);
        assert.deepEqual([record.status, record.resolved], c.status);
      }
      if (c.events.length === 0) assert.equal(records.size, 0);
    });
  }

  it('keeps the union of posts from every sighting, oldest first, each once', () => {
    const p = (minute: number, content: string) => ({ createdDateTime: T(minute), postType: 'Regular', contentType: 'Html', content });
    const { records } = run([
      { at: T(1), tenant: A, listed: [issue({ posts: [p(0, 'one'), p(5, 'three')] })] },
      { at: T(2), tenant: B, listed: [issue({ posts: [p(0, 'one'), p(3, 'two')] })] },
    ]);
    assert.deepEqual(records.get('EX300001')?.posts.map((x) => x.content), ['one', 'two', 'three']);
  });

  it('asks for one single-issue read per open incident that left a tenant it affected, and none elsewhere', () => {
    const { records } = run([
      { at: T(1), tenant: A, listed: [issue(), issue({ id: 'EX300002' })] },
      { at: T(2), tenant: B, listed: [issue()] },
    ]);
    const all = [...records.values()];
    assert.deepEqual(issuesToLookUp(all, A.tenantId, [{ id: 'EX300002' }]), ['EX300001']);
    assert.deepEqual(issuesToLookUp(all, B.tenantId.toUpperCase(), []), ['EX300001'], 'tenant ids in any case');
    assert.deepEqual(issuesToLookUp(all, C.tenantId, []), [], 'never a customer');
  });

  it('records who told a customer, once; refuses a tenant the incident does not affect', () => {
    const { records } = run([{ at: T(1), tenant: A, listed: [issue()] }]);
    const incident = records.get('EX300001');
    assert.ok(incident);
    const told = markCustomerTold(incident, A.tenantId, { id: 'user-1', name: 'Ji-woo Park' }, T(30));
    assert.deepEqual(kinds(told.events), [`customer_told:${A.tenantId}`]);
    assert.deepEqual(told.incident?.customers[0]?.told, { by: { id: 'user-1', name: 'Ji-woo Park' }, at: T(30) });
    assert.ok(told.incident);
    assert.equal(markCustomerTold(told.incident, A.tenantId, { id: 'user-2' }, T(31)).changed, false, 'told once');
    assert.throws(() => markCustomerTold(incident, C.tenantId, { id: 'user-1' }, T(30)), RangeError);
  });
});
