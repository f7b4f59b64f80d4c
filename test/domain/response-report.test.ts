/** The report's months: every month of the period, zero where nothing breached. */
import { strict as assert } from 'node:assert';
import { breachesEveryMonth } from '../../src/domain/response-report';

describe('domain/response-report: breaches every month', () => {
  it('fills the months of the period with zeros, across a year\u2019s end', () => {
    assert.deepEqual(breachesEveryMonth([{ month: '2026-12', microsoft: 1, partner: 2 }], '2026-11', '2027-02'), [
      { month: '2026-11', microsoft: 0, partner: 0 },
      { month: '2026-12', microsoft: 1, partner: 2 },
      { month: '2027-01', microsoft: 0, partner: 0 },
      { month: '2027-02', microsoft: 0, partner: 0 },
    ]);
  });

  it('runs on to the month of a breach due after the period, and leaves out months before it', () => {
    const months = breachesEveryMonth(
      [
        { month: '2026-08', microsoft: 5, partner: 5 },
        { month: '2026-12', microsoft: 0, partner: 1 },
      ],
      '2026-10',
      '2026-11',
    );
    assert.deepEqual(months.map((m) => [m.month, m.partner]), [
      ['2026-10', 0],
      ['2026-11', 0],
      ['2026-12', 1],
    ]);
    assert.throws(() => breachesEveryMonth([], '2026-1', '2026-02'), RangeError);
  });
});
