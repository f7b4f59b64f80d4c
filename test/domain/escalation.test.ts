import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  ESCALATION_STATES,
  IllegalTransitionError,
  TRANSITIONS,
  canTransition,
  createEscalation,
  transition,
  type Actor,
  type AuditEvent,
  type Escalation,
  type EscalationState,
} from '../../src/domain/escalation';
import { TERMINAL_STATES } from '../../src/domain/states';

const engineer: Actor = { kind: 'user', id: '00000000-0000-0000-0000-0000000000e1', name: 'Engineer' };
const t0 = new Date('2026-11-25T09:00:00Z');

function draft(): { escalation: Escalation; event: AuditEvent } {
  return createEscalation(
    {
      id: 'ESC-1',
      partnerTenantId: 'partner',
      ownerId: engineer.id,
      customer: { tenantId: 'customer', name: 'Contoso' },
      service: 'Exchange Online',
      title: 'Mail delayed',
      description: 'Outbound mail is queued for hours',
    },
    engineer,
    t0,
  );
}

describe('domain/escalation', () => {
  it('table: PRODUCT.md lifecycle, exactly', () => {
    assert.deepEqual(TRANSITIONS, {
      draft: ['known_issue', 'triage', 'cancelled'],
      known_issue: ['resolved', 'triage', 'cancelled'],
      triage: ['not_warranted', 'awaiting_handoff', 'cancelled'],
      not_warranted: ['closed', 'triage'],
      awaiting_handoff: ['escalated', 'cancelled'],
      escalated: ['attention_needed', 'resolved'],
      attention_needed: ['escalated', 'resolved'],
      resolved: ['customer_notified', 'escalated'],
      customer_notified: ['closed'],
      closed: [],
      cancelled: [],
    });
    assert.deepEqual([...TERMINAL_STATES].sort(), ['cancelled', 'closed']);
  });

  it('creates a draft with a creation event', () => {
    const { escalation, event } = draft();
    assert.equal(escalation.state, 'draft');
    assert.equal(escalation.version, 1);
    assert.deepEqual(event, { escalationId: 'ESC-1', at: t0.toISOString(), actor: engineer, from: null, to: 'draft' });
  });

  it('moves along the table and records who, when, from, to, why', () => {
    const at = new Date('2026-11-25T09:05:00Z');
    const { escalation, event } = transition(draft().escalation, 'triage', { actor: engineer, at, details: { a: 1 } });
    assert.equal(escalation.state, 'triage');
    assert.equal(escalation.updatedAt, at.toISOString());
    assert.deepEqual(escalation.details, { a: 1 });
    assert.deepEqual(event, { escalationId: 'ESC-1', at: at.toISOString(), actor: engineer, from: 'draft', to: 'triage' });
  });

  it('refuses a move outside the table with a typed error', () => {
    assert.throws(
      () => transition(draft().escalation, 'escalated', { actor: engineer, at: t0 }),
      (e: unknown) => e instanceof IllegalTransitionError && e.from === 'draft' && e.to === 'escalated' && e.why === 'not_in_table',
    );
  });

  it('requires a reason to leave a known issue for triage, and to reopen', () => {
    const known = transition(draft().escalation, 'known_issue', { actor: engineer, at: t0 }).escalation;
    assert.throws(
      () => transition(known, 'triage', { actor: engineer, at: t0, reason: '   ' }),
      (e: unknown) => e instanceof IllegalTransitionError && e.why === 'reason_required',
    );
    const { event } = transition(known, 'triage', { actor: engineer, at: t0, reason: ' different symptom ' });
    assert.equal(event.reason, 'different symptom');
  });

  it('property: no sequence of operations leaves the table or loses an audit event', () => {
    const op = fc.record({
      to: fc.constantFrom(...ESCALATION_STATES),
      reason: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const created = draft();
        let escalation = created.escalation;
        const trail: AuditEvent[] = [created.event];
        let accepted = 0;
        for (const [i, o] of ops.entries()) {
          const before: EscalationState = escalation.state;
          try {
            const r = transition(escalation, o.to, { actor: engineer, at: new Date(t0.getTime() + i * 1000), reason: o.reason });
            escalation = r.escalation;
            trail.push(r.event);
            accepted += 1;
            assert.ok(canTransition(before, escalation.state));
          } catch (e) {
            assert.ok(e instanceof IllegalTransitionError);
            assert.equal(escalation.state, before, 'a refused move changes nothing');
          }
          assert.ok(ESCALATION_STATES.includes(escalation.state));
        }
        // One event per accepted move plus creation, chained from -> to without a gap.
        assert.equal(trail.length, accepted + 1);
        for (let i = 1; i < trail.length; i += 1) assert.equal(trail[i]?.from, trail[i - 1]?.to);
        assert.equal(trail.at(-1)?.to, escalation.state);
      }),
      { numRuns: 500 },
    );
  });

  it('property: every state of the table is reachable from draft, and terminals are final', () => {
    const seen = new Set<EscalationState>(['draft']);
    const queue: EscalationState[] = ['draft'];
    while (queue.length > 0) {
      const s = queue.shift() as EscalationState;
      for (const n of TRANSITIONS[s]) if (!seen.has(n)) (seen.add(n), queue.push(n));
    }
    assert.deepEqual([...seen].sort(), [...ESCALATION_STATES].sort());
    for (const t of TERMINAL_STATES) for (const s of ESCALATION_STATES) assert.equal(canTransition(t, s), false);
  });
});
