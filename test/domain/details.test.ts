import { strict as assert } from 'node:assert';
import { detailsOf, type FlowDetails } from '../../src/domain/details';

/** Details as the flow, the tracker and the engineer write them over an escalation's life. */
const written: FlowDetails = {
  step: 'done',
  flowId: '0b6f0c1e-0000-4000-8000-000000000001',
  conversationId: 'a:personal-1',
  notifyTargets: ['72f988bf:a:personal-1'],
  cardActivityId: 'activity-1',
  locale: 'ko',
  timeZone: 'Asia/Seoul',
  offered: [
    {
      id: 'EX1',
      title: 'Mail delayed',
      classification: 'incident',
      status: 'serviceDegradation',
      impact: 'Outbound mail is delayed.',
      startDateTime: '2026-11-25T06:00:00Z',
      reasons: [{ code: 'sameService', service: 'Exchange Online' }, { code: 'wordsInTitle', words: ['mail'] }, { code: 'incident' }],
    },
  ],
  healthCheck: { outcome: 'not_checked', at: '2026-11-25T09:00:00.000Z', failure: 'access_403' },
  healthPending: false,
  notSameReason: 'Only one mailbox',
  troubleshooting: { checks: ['licences', 'settings'], done: ['licences'], skipped: false, notes: 'Tried a new profile' },
  category: 'bug',
  severity: 'critical',
  businessImpact: 'Sales cannot email',
  contact: 'Jo',
  request: { title: 'Exchange Online: mail', description: 'Problem: …', severity: 'critical', product: 'Exchange Online' },
  serviceRequestId: '2611250010001234',
  microsoftStatus: { source: 'partnercenter', status: 'attention_needed', at: '2026-11-25T11:00:00Z' },
  microsoftNotes: [{ createdByName: 'Microsoft Support', createdDate: '2026-11-25T10:55:00Z', text: 'Please send a trace.' }],
  answers: [{ question: '2026-11-25T11:00:00Z', text: 'Attached', by: 'Ada', byId: 'u1', at: '2026-11-25T11:10:00Z', requestId: 'r1', status: 'sent' }],
  reopenedAt: '2026-11-26T08:00:00Z',
  customerNotified: { by: 'Ada', at: '2026-11-27T08:00:00Z', contact: 'Jo', message: 'Fixed.' },
};

/** What a row holds after a trip through the database: JSON. */
const stored = (details: unknown) => ({ details: JSON.parse(JSON.stringify(details)) as Record<string, unknown> });

describe('domain/details', () => {
  it('reads back every field the flow and the tracker write, as written', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(detailsOf(stored(written)))), written);
  });

  it('reads a row from before most fields existed: what it has, the rest absent', () => {
    const d = detailsOf(stored({ flowId: 'flow-1', step: 'health', knownIssue: { id: 'EX1', title: 'Mail' } }));
    assert.equal(d.flowId, 'flow-1');
    assert.equal(d.step, 'health');
    assert.deepEqual(d.knownIssue, { id: 'EX1', title: 'Mail' });
    assert.equal(d.troubleshooting, undefined);
    assert.equal(d.healthCheck, undefined);
    assert.equal(d.notifyTargets, undefined);
  });

  it('an offered issue stored without the fields added later still offers itself, with empty ones', () => {
    const d = detailsOf(stored({ offered: [{ id: 'EX1', title: 'Mail' }] }));
    assert.deepEqual(d.offered, [{ id: 'EX1', title: 'Mail', classification: '', status: '', impact: '', startDateTime: '', reasons: [] }]);
  });

  it('a field of the wrong shape reads as absent, never as a value of the wrong type', () => {
    const d = detailsOf(
      stored({
        step: 'somewhere',
        severity: 'urgent',
        category: 'mine',
        troubleshooting: { checks: 'licences', done: [] },
        healthCheck: { outcome: 'not_checked', at: '2026-11-25T09:00:00Z', failure: 'gremlins' },
        request: { title: 'x', description: 'y', severity: 'sev-a', product: 'z' },
        knownIssue: 'EX1',
        healthPending: 'yes',
        customerNotified: { at: '2026-11-27T08:00:00Z' },
      }),
    );
    for (const key of ['step', 'severity', 'category', 'troubleshooting', 'healthCheck', 'request', 'knownIssue', 'healthPending', 'customerNotified'] as const) {
      assert.equal(d[key], undefined, key);
    }
  });

  it('keeps the readable items of a list and leaves the others out', () => {
    const d = detailsOf(
      stored({
        offered: [{ id: 'EX1', title: 'Mail', reasons: [{ code: 'sameService', service: 'Exchange Online' }, { code: 'astrology' }, 'x'] }, { id: 2 }, null],
        microsoftNotes: [{ text: 'Fixed' }, { createdByName: 'Microsoft' }],
        answers: [{ question: 'q', text: 't', by: 'Ada', byId: 'u1', at: 'a', requestId: 'r', status: 'lost' }],
        notifyTargets: ['ok', 7, '', 'also'],
      }),
    );
    assert.deepEqual(d.notifyTargets, ['ok', 'also']);
    assert.deepEqual(d.offered?.map((o) => [o.id, o.reasons.map((r) => r.code)]), [['EX1', ['sameService']]]);
    assert.deepEqual(d.microsoftNotes?.map((n) => n.text), ['Fixed']);
    assert.deepEqual(d.answers, []);
  });
});
