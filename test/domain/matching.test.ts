import { strict as assert } from 'node:assert';
import { rankIssues, tokenize, type MatchReason, type SymptomReport } from '../../src/domain/matching';
import type { HealthIssue } from '../../src/health/types';

function issue(overrides: Partial<HealthIssue>): HealthIssue {
  return {
    id: 'EX1',
    title: 'Users may be unable to send email in Outlook on the web',
    service: 'Exchange Online',
    feature: 'E-Mail and calendar access',
    featureGroup: 'Networking Issues',
    impactDescription: 'Users may be unable to send or receive email messages.',
    classification: 'incident',
    origin: 'microsoft',
    status: 'serviceDegradation',
    isResolved: false,
    startDateTime: '2025-03-10T08:00:00.000Z',
    lastModifiedDateTime: '2025-03-10T09:00:00.000Z',
    details: [],
    posts: [],
    ...overrides,
  };
}

const report = (overrides: Partial<SymptomReport> = {}): SymptomReport => ({
  customerTenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01',
  service: 'Exchange Online',
  symptom: 'Outlook on the web cannot send emails',
  startedAt: '2025-03-10T08:30:00.000Z',
  ...overrides,
});

const codes = (reasons: readonly MatchReason[]) => reasons.map((r) => r.code);

describe('tokenize', () => {
  const cases: [string, string[]][] = [
    ['Users CANNOT send e-mails!', ['send', 'email']],
    ['The mailboxes are slow', ['mailbox', 'slow']],
    ['Teams meetings: policies', ['team', 'meeting', 'policy']],
    ['', []],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected.join(',')}`, () => assert.deepEqual(tokenize(text), expected));
  }
});

describe('rankIssues', () => {
  const cases: {
    name: string;
    report: SymptomReport;
    issues: HealthIssue[];
    expectedIds: string[];
    expectedReasons?: Record<string, string[]>;
  }[] = [
    {
      name: 'an open incident of the same service with matching words and time ranks first, with every reason',
      report: report(),
      issues: [issue({ id: 'EX1' })],
      expectedIds: ['EX1'],
      expectedReasons: { EX1: ['sameService', 'incident', 'wordsInTitle', 'timeOverlap'] },
    },
    {
      name: 'resolved issues are never offered',
      report: report(),
      issues: [issue({ id: 'EX1', isResolved: true, status: 'serviceRestored' }), issue({ id: 'EX2', status: 'falsePositive' })],
      expectedIds: [],
    },
    {
      name: 'an incident comes before an equally matching advisory',
      report: report({ symptom: 'nothing in common' }),
      issues: [issue({ id: 'EX2', classification: 'advisory' }), issue({ id: 'EX1' })],
      expectedIds: ['EX1', 'EX2'],
    },
    {
      name: 'more word overlap ranks higher among incidents',
      report: report({ symptom: 'calendar sharing broken' }),
      issues: [
        issue({ id: 'EX1', title: 'Mail flow delays', impactDescription: 'Delays.' , feature: 'Mail flow', featureGroup: 'Transport' }),
        issue({ id: 'EX2', title: 'Calendar sharing fails', impactDescription: 'Users cannot share calendars.' }),
      ],
      expectedIds: ['EX2', 'EX1'],
    },
    {
      name: 'the service is matched by Graph id or spacing/case variants',
      report: report({ service: 'exchangeonline', symptom: 'x' }),
      issues: [issue({ id: 'EX1' })],
      expectedIds: ['EX1'],
    },
    {
      name: 'another service is offered only with strong word evidence',
      report: report({ service: 'Microsoft Teams', symptom: 'users cannot sign in, authentication token errors' }),
      issues: [
        issue({ id: 'AD1', service: 'Microsoft Entra', title: 'Sign in failures with authentication token errors', feature: 'Sign In', featureGroup: 'Authentication' }),
        issue({ id: 'EX1' }),
      ],
      expectedIds: ['AD1'],
    },
    {
      name: 'an issue that ended before the symptom started gets no time overlap',
      report: report({ startedAt: '2025-03-10T12:00:00.000Z' }),
      issues: [issue({ id: 'EX1', status: 'investigating', endDateTime: '2025-03-10T09:00:00.000Z' })],
      expectedIds: ['EX1'],
      expectedReasons: { EX1: ['sameService', 'incident', 'wordsInTitle'] },
    },
    {
      name: 'an incident 21 months older, still open: not "started around the same time", but ongoing when the problem started',
      report: report({ startedAt: '2026-12-05T08:30:00.000Z' }),
      issues: [issue({ id: 'EX1', startDateTime: '2025-03-10T07:45:00.000Z' })],
      expectedIds: ['EX1'],
      expectedReasons: { EX1: ['sameService', 'incident', 'wordsInTitle', 'ongoing'] },
    },
    {
      name: 'an incident that began the evening before the problem still started around the same time',
      report: report({ startedAt: '2025-03-11T06:00:00.000Z', symptom: 'x' }),
      issues: [issue({ id: 'EX1', startDateTime: '2025-03-10T08:00:00.000Z' })],
      expectedIds: ['EX1'],
      expectedReasons: { EX1: ['sameService', 'incident', 'timeOverlap'] },
    },
    {
      name: 'a symptom noticed up to two hours before Microsoft’s start still overlaps',
      report: report({ startedAt: '2025-03-10T06:30:00.000Z', symptom: 'x' }),
      issues: [issue({ id: 'EX1' })],
      expectedIds: ['EX1'],
      expectedReasons: { EX1: ['sameService', 'incident', 'timeOverlap'] },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const ranked = rankIssues(c.report, c.issues);
      assert.deepEqual(ranked.map((m) => m.issue.id), c.expectedIds);
      for (const [id, expected] of Object.entries(c.expectedReasons ?? {})) {
        const match = ranked.find((m) => m.issue.id === id);
        assert.deepEqual(codes(match?.reasons ?? []), expected);
      }
    });
  }

  it('lists the matched words so a card can show why', () => {
    const [match] = rankIssues(report(), [issue({ id: 'EX1' })]);
    const title = match.reasons.find((r) => r.code === 'wordsInTitle');
    assert.deepEqual(title && 'words' in title ? title.words : [], ['send', 'email', 'outlook', 'web']);
    assert.ok(match.score > 0);
  });

  it('counts a word once even if several fields contain it', () => {
    const [match] = rankIssues(report({ symptom: 'email' }), [issue({ id: 'EX1', title: 'Email down', impactDescription: 'Email down' })]);
    const wordReasons = match.reasons.filter((r) => r.code.startsWith('words'));
    assert.deepEqual(codes(wordReasons), ['wordsInTitle']);
  });
});
