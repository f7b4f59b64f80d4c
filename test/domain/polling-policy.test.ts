import { strict as assert } from 'node:assert';
import {
  DEFAULT_POLLING,
  failedPollInterval,
  incidentSnapshotMaxAgeMs,
  latestOf,
  nextPollInterval,
  type PollDecision,
  type PollSubject,
} from '../../src/domain/polling-policy';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('polling policy: which interval for which escalation', () => {
  // [case, subject, previous interval, expected decision]
  const table: Array<[string, PollSubject, number, PollDecision]> = [
    ['a Sev A request quiet for 5 hours', { target: 'service_request', state: 'escalated', severity: 'critical', lastActivityAt: NOW - 5 * H }, 30 * S, { intervalMs: 30 * S, reason: 'critical' }],
    ['a Sev A request after a long backoff (the old schedule) comes straight back', { target: 'service_request', state: 'escalated', severity: 'critical', lastActivityAt: NOW - 5 * H }, 30 * MIN, { intervalMs: 30 * S, reason: 'critical' }],
    ['Microsoft waits for the partner (attention_needed), Sev C, quiet for a day', { target: 'service_request', state: 'attention_needed', severity: 'minimal', lastActivityAt: NOW - 24 * H }, 30 * MIN, { intervalMs: 30 * S, reason: 'attention_needed' }],
    ['a Sev C request the engineer touched an hour ago', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - H }, 4 * MIN, { intervalMs: 30 * S, reason: 'recent' }],
    ['a Sev C request touched 3 h 59 min ago is still recent', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - 4 * H + MIN }, 30 * S, { intervalMs: 30 * S, reason: 'recent' }],
    ['a touch stamped in the future (clock skew) counts as now', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW + H }, 30 * MIN, { intervalMs: 30 * S, reason: 'recent' }],
    ['a quiet Sev C request backs off: 30 s → 1 min', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - 4 * H }, 30 * S, { intervalMs: MIN, reason: 'quiet' }],
    ['a quiet Sev C request backs off: 16 min → 30 min (its cap)', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - 10 * H }, 16 * MIN, { intervalMs: 30 * MIN, reason: 'quiet' }],
    ['a quiet Sev C request stays at its cap', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - 10 * H }, 30 * MIN, { intervalMs: 30 * MIN, reason: 'quiet' }],
    ['a quiet request of unknown severity backs off like Sev C', { target: 'service_request', state: 'escalated', severity: 'unknown' }, 16 * MIN, { intervalMs: 30 * MIN, reason: 'quiet' }],
    ['a quiet Sev B request stops at 10 min', { target: 'service_request', state: 'escalated', severity: 'moderate', lastActivityAt: NOW - 10 * H }, 8 * MIN, { intervalMs: 10 * MIN, reason: 'quiet' }],
    ['a quiet request whose previous interval was tiny starts from the short interval', { target: 'service_request', state: 'escalated', severity: 'minimal', lastActivityAt: NOW - 10 * H }, 1 * S, { intervalMs: 30 * S, reason: 'quiet' }],
    ['a watched incident: the health cache freshness', { target: 'health_issue', state: 'known_issue' }, 30 * MIN, { intervalMs: 2 * MIN, reason: 'incident' }],
  ];
  for (const [name, subject, previous, expected] of table) {
    it(name, () => {
      assert.deepEqual(nextPollInterval(subject, previous, NOW), expected);
    });
  }

  it('never polls an incident faster than the short interval (a 5 s sandbox cache)', () => {
    const settings = { ...DEFAULT_POLLING, incidentIntervalMs: 5 * S };
    assert.deepEqual(nextPollInterval({ target: 'health_issue', state: 'known_issue' }, 0, NOW, settings), { intervalMs: 30 * S, reason: 'incident' });
  });

  it('never backs a Sev B request off below the short interval, even when its cap is shorter', () => {
    const settings = { ...DEFAULT_POLLING, activeIntervalMs: 20 * MIN };
    const subject: PollSubject = { target: 'service_request', state: 'escalated', severity: 'moderate', lastActivityAt: NOW - 10 * H };
    assert.equal(nextPollInterval(subject, 20 * MIN, NOW, settings).intervalMs, 20 * MIN);
  });

  it('backs a failing poll off from the short interval up to the longest, whatever is at stake', () => {
    assert.deepEqual([0, 30 * S, 8 * MIN, 30 * MIN].map((p) => failedPollInterval(p)), [30 * S, MIN, 16 * MIN, 30 * MIN]);
  });

  it('reads a watched incident from a cache a small part of its interval old, at most 15 s', () => {
    assert.deepEqual([2 * MIN, 30 * S, 10 * MIN].map(incidentSnapshotMaxAgeMs), [15 * S, 7_500, 15 * S]);
  });

  it('takes the latest of the touches, skipping missing and unreadable ones', () => {
    assert.equal(latestOf('2025-03-10T09:00:00Z', undefined, 'not a date', Date.parse('2025-03-10T10:00:00Z'), '2025-03-10T08:00:00Z'), Date.parse('2025-03-10T10:00:00Z'));
    assert.equal(latestOf(undefined, 'x'), undefined);
  });
});
