/** The contract's clock states from the domain's readings. */
import { strict as assert } from 'node:assert';
import { createEscalation } from '../../src/domain/escalation';
import { DEFAULT_SUPPORT_PLAN } from '../../src/domain/response-clocks';
import { tabClocks } from '../../src/tab/clock-view';
import { CONTOSO, ENGINEER, PARTNER } from './fixtures';

const START = Date.parse('2026-12-05T00:00:00Z');
const settings = { plan: DEFAULT_SUPPORT_PLAN, partnerTargets: { defaultHours: 10 } };
const { escalation } = createEscalation(
  { id: 'e1', partnerTenantId: PARTNER, ownerId: ENGINEER.id, customer: { tenantId: CONTOSO, name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
  ENGINEER,
  new Date(START),
);
const at = (hours: number): Date => new Date(START + hours * 3_600_000);

describe('tab clock view', () => {
  it('running before and after the 80 % warning, breached-running once due, whole minutes left rounded down', () => {
    assert.deepEqual(tabClocks(escalation, settings, at(1)).map((c) => [c.state, c.minutesLeft]), [['running', 540]]);
    assert.deepEqual(tabClocks(escalation, settings, at(9.5)).map((c) => [c.state, c.minutesLeft]), [['running', 30]], 'warning is still running');
    assert.deepEqual(tabClocks(escalation, settings, new Date(START + 10 * 3_600_000 - 30_000)).map((c) => c.minutesLeft), [0]);
    assert.deepEqual(tabClocks(escalation, settings, new Date(START + 10 * 3_600_000 + 1)).map((c) => [c.state, c.minutesLeft]), [['breached-running', -1]]);
  });
});
