/**
 * The response-time report over HTTP on a fixed data set, every figure computed by hand:
 * Microsoft's first response per severity (median, p90, breaches), the partner's own time to
 * tell the customer (at Fabrikam's own 24 h target), breaches per month, and the CSV.
 */
import { strict as assert } from 'node:assert';
import { parse as parseCsv } from 'csv-parse/sync';
import { ManualClock } from '../../src/domain/clock';
import { CONTOSO, FABRIKAM, addEscalation, startTabServer, type Step, type TabServer } from './fixtures';

const NOW = new Date('2026-12-05T12:00:00Z');
const MIN = 60_000;
const plus = (at: string, minutes: number): string => new Date(Date.parse(at) + minutes * MIN).toISOString();
const CONTOSO_REF = { tenantId: CONTOSO, name: 'Contoso Ltd' };
const FABRIKAM_REF = { tenantId: FABRIKAM, name: 'Fabrikam' };

/**
 * An escalation reported at `createdAt` whose request is filed 30 min later at `severity`,
 * Microsoft first answering `respondedAfter` minutes after that, and the customer told
 * `toldAfter` minutes after the report (never when undefined).
 */
function withRequest(createdAt: string, severity: string | undefined, respondedAfter: number | undefined, toldAfter: number | undefined): Step[] {
  const filed = plus(createdAt, 30);
  const steps: Step[] = [
    { to: 'triage', at: plus(createdAt, 10) },
    { to: 'awaiting_handoff', at: plus(createdAt, 20) },
    {
      to: 'escalated',
      at: filed,
      details: {
        serviceRequestId: String(Date.parse(createdAt)),
        ...(severity ? { requestCreatedAt: filed, requestSeverity: severity } : {}),
        ...(respondedAfter === undefined ? {} : { microsoftFirstResponse: { at: plus(filed, respondedAfter), kind: 'note', by: 'Microsoft' } }),
      },
    },
  ];
  if (toldAfter === undefined) return steps;
  const told = plus(createdAt, toldAfter);
  return [...steps, { to: 'resolved', at: plus(told, -1) }, { to: 'customer_notified', at: told, details: { customerNotified: { by: 'Ada', at: told, contact: 'admin', message: 'Fixed.' } } }];
}

describe('tab API: the response-time report', () => {
  let tab: TabServer;
  before(async () => {
    tab = await startTabServer({ mode: 'development' }, { clock: new ManualClock(NOW) });
    const add = (id: string, createdAt: string, steps: readonly Step[], customer = CONTOSO_REF) => addEscalation(tab.database, { id, customer, createdAt, steps });
    // Sev A (2 h): answered after 30, 60, 90 and 150 min (late), and one never answered (late, running).
    await add('a1', '2026-09-10T10:00:00.000Z', withRequest('2026-09-10T10:00:00.000Z', 'critical', 30, 600));
    await add('a2', '2026-10-05T10:00:00.000Z', withRequest('2026-10-05T10:00:00.000Z', 'critical', 60, 3000));
    await add('a3', '2026-10-20T10:00:00.000Z', withRequest('2026-10-20T10:00:00.000Z', 'critical', 90, 1800), FABRIKAM_REF);
    await add('a4', '2026-11-02T10:00:00.000Z', withRequest('2026-11-02T10:00:00.000Z', 'critical', 150, undefined));
    await add('a5', '2026-11-28T10:00:00.000Z', withRequest('2026-11-28T10:00:00.000Z', 'critical', undefined, undefined));
    // Sev B (4 h): answered after 100 min.
    await add('b1', '2026-11-15T10:00:00.000Z', withRequest('2026-11-15T10:00:00.000Z', 'moderate', 100, 1200));
    // A known Microsoft incident, no request: the customer told after 5 h.
    await add('p1', '2026-09-20T10:00:00.000Z', [
      { to: 'known_issue', at: '2026-09-20T10:05:00.000Z', details: { knownIssue: { id: 'EX1', title: 'x' } } },
      { to: 'resolved', at: '2026-09-20T14:00:00.000Z' },
      { to: 'customer_notified', at: '2026-09-20T15:00:00.000Z', details: { customerNotified: { by: 'Ada', at: '2026-09-20T15:00:00.000Z', contact: 'admin', message: 'Fixed.' } } },
    ]);
    // Left out: cancelled (never to be told), and reported before or after the period.
    await add('x-cancelled', '2026-10-01T10:00:00.000Z', [{ to: 'cancelled', at: '2026-10-01T11:00:00.000Z', reason: 'duplicate' }]);
    await add('x-before', '2026-08-31T23:59:00.000Z', withRequest('2026-08-31T23:59:00.000Z', 'critical', 500, undefined));
    await add('x-after', '2026-12-01T00:00:00.000Z', withRequest('2026-12-01T00:00:00.000Z', 'critical', 500, undefined));
  });
  after(async () => {
    await tab.stop();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${tab.url}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', text: await res.text() };
  };

  it('gives the figures of the period, computed by hand', async () => {
    const res = await get('/api/reports/response-times?from=2026-09-01&to=2026-11-30');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), {
      from: '2026-09-01',
      to: '2026-11-30',
      microsoft: [
        // [30, 60, 90, 150]: median (60 + 90) / 2 = 75; p90 at rank 2.7 = 90 + 0.7 × 60 = 132; a4 late, a5 late and running.
        { severity: 'A', targetHours: 2, requests: 5, responded: 4, medianMinutes: 75, p90Minutes: 132, breaches: 2 },
        { severity: 'B', targetHours: 4, requests: 1, responded: 1, medianMinutes: 100, p90Minutes: 100, breaches: 0 },
        { severity: 'C', targetHours: 8, requests: 0, responded: 0, breaches: 0 },
      ],
      // Told after [300, 600, 1200, 1800, 3000] min: median 1200; p90 at rank 3.6 = 1800 + 0.6 × 1200 = 2520.
      // Late: a2 (50 h of 48), a3 (30 h of Fabrikam's 24), a4 and a5 (not told, past 48 h).
      partner: { defaultTargetHours: 48, escalations: 7, told: 5, medianMinutes: 1200, p90Minutes: 2520, breaches: 4 },
      months: [
        { month: '2026-09', microsoftBreaches: 0, partnerBreaches: 0 },
        // a2 due 10-07, a3 due 10-21.
        { month: '2026-10', microsoftBreaches: 0, partnerBreaches: 2 },
        // Microsoft: a4 due 11-02, a5 due 11-28; partner: a4 due 11-04, a5 due 11-30.
        { month: '2026-11', microsoftBreaches: 2, partnerBreaches: 2 },
      ],
    });
  });

  it('covers the six months up to today by default', async () => {
    const body = JSON.parse((await get('/api/reports/response-times')).text) as { from: string; to: string; months: { month: string }[]; microsoft: { requests: number }[] };
    assert.deepEqual([body.from, body.to], ['2026-06-05', '2026-12-05']);
    assert.deepEqual(body.months.map((m) => m.month), ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    // x-before and x-after are in it now (and the seeded escalations of the last days).
    assert.equal(body.microsoft[0]?.requests, 7);
  });

  it('gives the same figures as CSV with format=csv or Accept: text/csv', async () => {
    for (const [path, headers] of [
      ['/api/reports/response-times?from=2026-09-01&to=2026-11-30&format=csv', {}],
      ['/api/reports/response-times?from=2026-09-01&to=2026-11-30', { accept: 'text/csv' }],
    ] as const) {
      const res = await get(path, headers);
      assert.equal(res.status, 200);
      assert.match(res.type, /^text\/csv/);
      assert.equal(res.disposition, 'attachment; filename="response-times-2026-09-01-2026-11-30.csv"');
      const rows = parseCsv<Record<string, string>>(res.text, { columns: true });
      assert.deepEqual(Object.keys(rows[0] ?? {}), ['section', 'severity', 'month', 'count', 'responded', 'medianMinutes', 'p90Minutes', 'breaches', 'microsoftBreaches', 'partnerBreaches']);
      assert.deepEqual(rows.map((r) => [r.section, r.severity || r.month, r.count, r.medianMinutes, r.p90Minutes, r.breaches || `${r.microsoftBreaches}/${r.partnerBreaches}`]), [
        ['microsoft', 'A', '5', '75', '132', '2'],
        ['microsoft', 'B', '1', '100', '100', '0'],
        ['microsoft', 'C', '0', '', '', '0'],
        ['partner', '', '7', '1200', '2520', '4'],
        ['month', '2026-09', '', '', '', '0/0'],
        ['month', '2026-10', '', '', '', '0/2'],
        ['month', '2026-11', '', '', '', '2/2'],
      ]);
    }
  });

  it('refuses a bad period or format with 400', async () => {
    for (const q of ['from=2026-13-01', 'to=2026-02-30', 'from=yesterday', 'from=2026-11-30&to=2026-09-01', 'from=2020-01-01&to=2026-01-01', 'format=xml']) {
      const res = await get(`/api/reports/response-times?${q}`);
      assert.equal(res.status, 400, q);
    }
  });
});
