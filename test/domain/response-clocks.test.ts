import { strict as assert } from 'node:assert';
import {
  DEFAULT_SUPPORT_PLAN,
  clockRemindersDue,
  firstMicrosoftResponseAt,
  microsoftClock,
  parseSupportPlan,
  partnerClock,
  partnerTargetHours,
  partnerTargetsOf,
  readClock,
  type ClockReminder,
  type ClockState,
  type PartnerAuthorship,
  type RequestTimeline,
} from '../../src/domain/response-clocks';
import { percentile, responseTimeReport, type ResponseRecord } from '../../src/domain/response-report';
import { SEVERITIES } from '../../src/domain/triage';

const H = 3_600_000;
const PARTNER: PartnerAuthorship = { names: ['Partner Admin'], texts: ['Logs attached: mail trace of 10 March.'] };

describe('domain/response-clocks: the support plan', () => {
  it('defaults agree with the triage card (Sev A 2 h, B 4 h, C 8 h)', () => {
    assert.deepEqual(DEFAULT_SUPPORT_PLAN, { critical: 2, moderate: 4, minimal: 8 });
    for (const severity of ['critical', 'moderate', 'minimal'] as const) assert.equal(DEFAULT_SUPPORT_PLAN[severity], SEVERITIES[severity].responseHours);
  });

  const good: Array<[string, Record<string, number>]> = [
    ['critical=2,moderate=4,minimal=8', { critical: 2, moderate: 4, minimal: 8 }],
    ['critical=1', { critical: 1, moderate: 4, minimal: 8 }],
    [' Critical = 0.5 , MINIMAL=24 ', { critical: 0.5, moderate: 4, minimal: 24 }],
    ['', { critical: 2, moderate: 4, minimal: 8 }],
  ];
  for (const [text, expected] of good) it(`reads "${text}"`, () => assert.deepEqual(parseSupportPlan(text), expected));

  const bad: Array<[string, RegExp]> = [
    ['sevA=2', /severity=hours/],
    ['critical=two', /severity=hours/],
    ['critical=0', /above 0/],
    ['minimal=500', /at most 168/],
    ['unknown=2', /severity=hours/],
  ];
  for (const [text, message] of bad) it(`refuses "${text}"`, () => assert.throws(() => parseSupportPlan(text), message));

  it('finds a customer override in any case, else the default', () => {
    const targets = { defaultHours: 48, perCustomer: { 'AAAA-1': 24 } };
    assert.equal(partnerTargetHours(targets, 'aaaa-1'), 24);
    assert.equal(partnerTargetHours(targets, 'bbbb-2'), 48);
  });
});

describe('domain/response-clocks: reading a clock', () => {
  const start = '2026-12-10T12:00:00Z';
  const table: Array<[string, string | undefined, string, ClockState, number]> = [
    ['just started', undefined, '2026-12-10T12:30:00Z', 'running', 1.5 * H],
    ['79 % used', undefined, '2026-12-10T13:34:48Z', 'running', 1_512_000],
    ['exactly 80 %', undefined, '2026-12-10T13:36:00Z', 'warning', 1_440_000],
    ['due now', undefined, '2026-12-10T14:00:00Z', 'breached', 0],
    ['past due', undefined, '2026-12-10T15:00:00Z', 'breached', -H],
    ['answered in time', '2026-12-10T13:00:00Z', '2026-12-11T00:00:00Z', 'met', H],
    ['answered at the due time', '2026-12-10T14:00:00Z', '2026-12-11T00:00:00Z', 'met', 0],
    ['answered late', '2026-12-10T14:30:00Z', '2026-12-11T00:00:00Z', 'missed', -0.5 * H],
  ];
  for (const [name, stoppedAt, now, state, remaining] of table) {
    it(name, () => {
      const r = readClock(start, 2 * H, stoppedAt, new Date(now));
      assert.equal(r.state, state);
      assert.equal(r.remainingMs, remaining);
      assert.equal(r.dueAt, '2026-12-10T14:00:00.000Z');
      assert.equal(r.warnAt, '2026-12-10T13:36:00.000Z');
    });
  }

  it('refuses a start that is not a time', () => assert.throws(() => readClock('soon', H, undefined, new Date()), /valid start/));

  const reminders: Array<[ClockState, ClockReminder[], ClockReminder[]]> = [
    ['running', [], []],
    ['warning', [], ['warning']],
    ['warning', ['warning'], []],
    ['breached', [], ['breach']],
    ['breached', ['warning'], ['breach']],
    ['breached', ['warning', 'breach'], []],
    ['met', [], []],
    ['missed', [], []],
  ];
  const nowFor: Record<string, [string | undefined, string]> = {
    running: [undefined, '2026-12-10T12:10:00Z'],
    warning: [undefined, '2026-12-10T13:40:00Z'],
    breached: [undefined, '2026-12-10T16:00:00Z'],
    met: ['2026-12-10T13:00:00Z', '2026-12-10T16:00:00Z'],
    missed: ['2026-12-10T15:00:00Z', '2026-12-10T16:00:00Z'],
  };
  for (const [state, sent, due] of reminders) {
    it(`reminds once: ${state} with [${sent.join(', ')}] sent → [${due.join(', ')}]`, () => {
      const [stop, now] = nowFor[state];
      const reading = readClock(start, 2 * H, stop, new Date(now));
      assert.equal(reading.state, state);
      assert.deepEqual(clockRemindersDue(reading, sent), due);
    });
  }
});

describe("domain/response-clocks: Microsoft's first response", () => {
  const created = '2026-12-10T12:00:00Z';
  const base: RequestTimeline = { severity: 'critical', createdDate: created, notes: [] };
  const table: Array<[string, Partial<RequestTimeline>, string | undefined]> = [
    ['nothing yet', {}, undefined],
    ['a note from Microsoft', { notes: [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T13:10:00Z', text: 'Please send logs.' }] }, '2026-12-10T13:10:00.000Z'],
    [
      "the partner's own notes do not count (by author, any case)",
      { notes: [{ createdByName: 'partner admin', createdDate: '2026-12-10T12:05:00Z', text: 'More detail.' }] },
      undefined,
    ],
    [
      'a note the desk sent does not count (by text), the next one does',
      {
        notes: [
          { createdByName: 'Someone', createdDate: '2026-12-10T12:20:00Z', text: ' Logs attached: mail trace of 10 March. ' },
          { createdByName: 'Engineer at Microsoft', createdDate: '2026-12-10T12:50:00Z', text: 'Looking into it.' },
        ],
      },
      '2026-12-10T12:50:00.000Z',
    ],
    [
      'a status change by Microsoft before any note',
      {
        notes: [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T14:00:00Z', text: 'x' }],
        statusChanges: [{ status: 'attention_needed', at: '2026-12-10T13:00:00Z' }],
      },
      '2026-12-10T13:00:00.000Z',
    ],
    ['the partner closing it is not a response', { statusChanges: [{ status: 'closed', at: '2026-12-10T13:00:00Z', byPartner: true }] }, undefined],
    ['a note dated before the request is ignored', { notes: [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T11:00:00Z', text: 'x' }] }, undefined],
    ['a note without a date is ignored', { notes: [{ createdByName: 'Microsoft Support', text: 'x' }] }, undefined],
  ];
  for (const [name, overrides, expected] of table) {
    it(name, () => assert.equal(firstMicrosoftResponseAt({ ...base, ...overrides }, PARTNER), expected));
  }

  it('runs the Sev A clock: due 14:00, 35 min left at 13:25, the 80 % warning from 13:36', () => {
    const clock = microsoftClock(base, DEFAULT_SUPPORT_PLAN, PARTNER, new Date('2026-12-10T13:25:00Z'));
    assert.equal(clock?.label, 'A');
    assert.equal(clock?.targetHours, 2);
    assert.equal(clock?.reading.dueAt, '2026-12-10T14:00:00.000Z');
    assert.equal(clock?.reading.remainingMs, 35 * 60_000);
    assert.equal(clock?.reading.state, 'running');
    assert.equal(microsoftClock(base, DEFAULT_SUPPORT_PLAN, PARTNER, new Date('2026-12-10T13:36:00Z'))?.reading.state, 'warning');
  });

  it("uses the partner's plan", () => {
    const clock = microsoftClock({ ...base, severity: 'Moderate' }, parseSupportPlan('moderate=1'), PARTNER, new Date('2026-12-10T12:30:00Z'));
    assert.equal(clock?.label, 'B');
    assert.equal(clock?.reading.dueAt, '2026-12-10T13:00:00.000Z');
  });

  it('has no clock for an unknown severity or a missing creation time', () => {
    assert.equal(microsoftClock({ ...base, severity: 'unknown' }, DEFAULT_SUPPORT_PLAN, PARTNER, new Date()), undefined);
    assert.equal(microsoftClock({ ...base, createdDate: undefined }, DEFAULT_SUPPORT_PLAN, PARTNER, new Date()), undefined);
  });

  it('gives the same answer after a restart: stored times in, same reading out', () => {
    const timeline: RequestTimeline = { ...base, notes: [{ createdByName: 'Microsoft Support', createdDate: '2026-12-10T14:30:00Z', text: 'Sorry for the wait.' }] };
    const now = new Date('2026-12-10T15:00:00Z');
    const before = microsoftClock(timeline, DEFAULT_SUPPORT_PLAN, PARTNER, now);
    const stored = JSON.parse(JSON.stringify(timeline)) as RequestTimeline;
    const after = microsoftClock(stored, parseSupportPlan('critical=2,moderate=4,minimal=8'), { names: [...PARTNER.names], texts: [...PARTNER.texts] }, new Date(now.getTime()));
    assert.deepEqual(after, before);
    assert.equal(after?.reading.state, 'missed');
    assert.equal(after?.reading.elapsedMs, 2.5 * H);
  });
});

describe("domain/response-clocks: the partner's own clock", () => {
  const targets = { defaultHours: 48, perCustomer: { t2: 24 } };

  it('runs from the report to the customer being told, with the customer override', () => {
    const running = partnerClock({ customerTenantId: 'T2', startedAt: '2026-12-01T00:00:00Z' }, targets, new Date('2026-12-01T20:00:00Z'));
    assert.equal(running.state, 'warning');
    assert.equal(running.dueAt, '2026-12-02T00:00:00.000Z');
    const told = partnerClock({ customerTenantId: 't1', startedAt: '2026-12-01T00:00:00Z', customerNotifiedAt: '2026-12-02T12:00:00Z' }, targets, new Date('2026-12-05T00:00:00Z'));
    assert.equal(told.state, 'met');
    assert.equal(told.elapsedMs, 36 * H);
  });

  it('reads the same across a restart', () => {
    const escalation = { customerTenantId: 't1', startedAt: '2026-12-01T00:00:00Z' };
    const now = new Date('2026-12-04T00:00:00Z');
    assert.deepEqual(partnerClock(JSON.parse(JSON.stringify(escalation)) as typeof escalation, targets, now), partnerClock(escalation, targets, now));
    assert.equal(partnerClock(escalation, targets, now).state, 'breached');
  });
});

describe('domain/response-clocks: the report on a fixed data set', () => {
  const T1 = 't1';
  const T2 = 't2';
  const records: ResponseRecord[] = [
    { escalationId: 'e1', customerTenantId: T1, severity: 'critical', requestCreatedAt: '2026-11-02T10:00:00Z', microsoftFirstResponseAt: '2026-11-02T11:30:00Z', startedAt: '2026-11-02T09:00:00Z', customerNotifiedAt: '2026-11-03T09:00:00Z' },
    { escalationId: 'e2', customerTenantId: T1, severity: 'critical', requestCreatedAt: '2026-11-05T10:00:00Z', microsoftFirstResponseAt: '2026-11-05T13:00:00Z', startedAt: '2026-11-05T09:00:00Z', customerNotifiedAt: '2026-11-08T09:00:00Z' },
    { escalationId: 'e3', customerTenantId: T2, severity: 'critical', requestCreatedAt: '2026-12-01T00:00:00Z', microsoftFirstResponseAt: '2026-12-01T01:00:00Z', startedAt: '2026-12-01T00:00:00Z', customerNotifiedAt: '2026-12-01T20:00:00Z' },
    { escalationId: 'e4', customerTenantId: T2, severity: 'moderate', requestCreatedAt: '2026-11-10T08:00:00Z', microsoftFirstResponseAt: '2026-11-10T10:00:00Z', startedAt: '2026-11-10T07:00:00Z', customerNotifiedAt: '2026-11-11T13:00:00Z' },
    { escalationId: 'e5', customerTenantId: T1, severity: 'moderate', requestCreatedAt: '2026-12-10T08:00:00Z', microsoftFirstResponseAt: '2026-12-10T14:00:00Z', startedAt: '2026-12-10T07:00:00Z' },
    { escalationId: 'e6', customerTenantId: T1, severity: 'moderate', requestCreatedAt: '2026-12-30T22:00:00Z', startedAt: '2026-12-30T21:00:00Z' },
    { escalationId: 'e7', customerTenantId: T1, severity: 'minimal', requestCreatedAt: '2026-10-31T20:00:00Z', startedAt: '2026-10-31T19:00:00Z', customerNotifiedAt: '2026-11-02T19:00:00Z' },
    { escalationId: 'e8', customerTenantId: T1, severity: 'minimal', requestCreatedAt: '2026-12-02T00:00:00Z', microsoftFirstResponseAt: '2026-12-02T04:00:00Z', startedAt: '2026-12-02T00:00:00Z', customerNotifiedAt: '2026-12-03T12:00:00Z' },
    { escalationId: 'e9', customerTenantId: T2, startedAt: '2026-12-20T00:00:00Z', customerNotifiedAt: '2026-12-20T06:00:00Z' },
  ];
  const settings = { plan: DEFAULT_SUPPORT_PLAN, partnerTargets: { defaultHours: 48, perCustomer: { [T2]: 24 } }, now: new Date('2026-12-31T00:00:00Z') };

  it('gives median and p90 to first response per severity, breaches and open requests', () => {
    const report = responseTimeReport(records, settings);
    assert.deepEqual(report.microsoft, [
      { severity: 'critical', label: 'A', targetHours: 2, count: 3, medianMs: 1.5 * H, p90Ms: 162 * 60_000, breaches: 1, open: 0 },
      { severity: 'moderate', label: 'B', targetHours: 4, count: 2, medianMs: 4 * H, p90Ms: 336 * 60_000, breaches: 1, open: 1 },
      { severity: 'minimal', label: 'C', targetHours: 8, count: 1, medianMs: 4 * H, p90Ms: 4 * H, breaches: 1, open: 1 },
    ]);
  });

  it("gives the partner's own times", () => {
    assert.deepEqual(responseTimeReport(records, settings).partner, { count: 7, medianMs: 30 * H, p90Ms: 3456 * 60_000, breaches: 3, open: 2 });
  });

  it('counts breaches in the month their due time passed', () => {
    assert.deepEqual(responseTimeReport(records, settings).breachesByMonth, [
      { month: '2026-11', microsoft: 2, partner: 2 },
      { month: '2026-12', microsoft: 1, partner: 1 },
    ]);
  });

  it('is the same after a restart (stored records read back)', () => {
    const stored = JSON.parse(JSON.stringify(records)) as ResponseRecord[];
    assert.deepEqual(responseTimeReport(stored, { ...settings, now: new Date(settings.now.toISOString()) }), responseTimeReport(records, settings));
  });

  it('has no median for no data', () => {
    const report = responseTimeReport([], settings);
    assert.deepEqual(report.microsoft[0], { severity: 'critical', label: 'A', targetHours: 2, count: 0, breaches: 0, open: 0 });
    assert.deepEqual(report.breachesByMonth, []);
  });

  const percentiles: Array<[number[], number, number | undefined]> = [
    [[], 0.5, undefined],
    [[5], 0.9, 5],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[10, 1, 3], 0.5, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
  ];
  for (const [values, p, expected] of percentiles) {
    it(`percentile ${p} of [${values.join(',')}] = ${String(expected)}`, () => {
      const got = percentile(values, p);
      if (expected === undefined) assert.equal(got, undefined);
      else assert.ok(Math.abs((got as number) - expected) < 1e-9, String(got));
    });
  }
});

describe('domain/response-clocks: the partner\u2019s targets per customer', () => {
  it('takes the directory\u2019s own targets, lets the configured overrides win, and keeps the default for the rest', () => {
    const targets = partnerTargetsOf(48, [{ tenantId: 'AAA', responseTargetHours: 24 }, { tenantId: 'bbb', responseTargetHours: 12 }, { tenantId: 'ccc' }], { BBB: 30, ddd: 6 });
    assert.deepEqual(targets, { defaultHours: 48, perCustomer: { aaa: 24, bbb: 30, ddd: 6 } });
    assert.deepEqual(['aaa', 'Bbb', 'ccc', 'DDD'].map((t) => partnerTargetHours(targets, t)), [24, 30, 48, 6]);
  });
});
