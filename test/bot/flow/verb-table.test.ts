/** The verb table: every flow verb once, typed, and dispatched with the load and the state guard in one place. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../../src/app';
import type { HandlerContext } from '../../../src/bot/bot';
import { EscalationFlow } from '../../../src/bot/flow/escalation-flow';
import type { EscalationFlowOptions } from '../../../src/bot/flow/kit';
import { knownConfirm } from '../../../src/bot/flow/steps/known-issue';
import { FLOW_COMMANDS, FLOW_VERBS, type VerbRoute } from '../../../src/bot/flow/verb-table';
import { CardRenderer } from '../../../src/cards';
import { VERBS } from '../../../src/cards/verbs';
import { createEscalation, type Escalation, type EscalationState } from '../../../src/domain/escalation';
import { Localizer } from '../../../src/i18n';
import { cardTexts } from '../../helpers/cards';

const PARTNER = '72f988bf-0000-4000-8000-000000000001';

// @ts-expect-error a verb that is not in VERBS does not compile
const typo: VerbRoute = { verb: 'knownConfrim', from: ['draft'], handle: knownConfirm };

function escalation(state: EscalationState, details: Record<string, unknown> = {}): Escalation {
  const { escalation: e } = createEscalation(
    { id: 'ED-7K2M9Q4P', partnerTenantId: PARTNER, ownerId: 'u1', customer: { tenantId: 't', name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
    { kind: 'user', id: 'u1' },
    new Date('2026-11-25T09:00:00Z'),
  );
  return { ...e, state, details };
}

function turn(data: Record<string, unknown>): HandlerContext {
  return {
    turn: { activity: { from: { id: '29:e' } }, sendActivity: () => Promise.resolve(undefined) },
    info: { correlationId: '0123456789abcdef', tenantId: PARTNER, userId: 'u1', logger: pino({ level: 'silent' }) },
    tr: new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en'),
    args: '',
    data,
  } as unknown as HandlerContext;
}

describe('the verb table', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  it('names every verb once, each one of VERBS; every command runs the verb of its name', () => {
    assert.equal(typo.verb, 'knownConfrim', 'the typo above is refused by the compiler, not at run time');
    const verbs = FLOW_VERBS.map((r) => r.verb);
    assert.equal(new Set(verbs).size, verbs.length);
    for (const verb of verbs) assert.equal(VERBS[verb], verb);
    for (const [command, verb] of Object.entries(FLOW_COMMANDS)) assert.equal(command, verb);
  });

  it('refuses a table that routes one verb twice', () => {
    const twice: VerbRoute[] = [...FLOW_VERBS, { verb: 'close', from: ['not_warranted'], handle: knownConfirm }];
    assert.throws(() => new EscalationFlow({} as EscalationFlowOptions, twice), /close has two routes/);
  });

  it('runs a step only on an escalation in one of its states (and at its step); elsewhere the current card says someone moved it on', async () => {
    const handle = sandbox.stub().resolves({ type: 'AdaptiveCard', ran: true });
    const stored = { current: escalation('triage', { step: 'troubleshoot' }) };
    const store = { get: sandbox.stub().callsFake(() => Promise.resolve(stored.current)), audit: sandbox.stub().resolves([]) };
    const options = { store, cards: new CardRenderer(join(PROJECT_ROOT, 'cards')), conversations: { get: sandbox.stub().resolves(undefined) }, support: { source: 'sandbox' } };
    const flow = new EscalationFlow(options as unknown as EscalationFlowOptions, [{ verb: 'triage', from: ['triage'], step: 'category', handle }]);
    const triage = flow.verbs().triage;
    assert.ok(triage);

    const atChecklist = await triage(turn({ escalationId: 'ED-7K2M9Q4P' }));
    assert.equal(handle.callCount, 0, 'in triage, but at the checklist');
    assert.ok(cardTexts(atChecklist).some((t) => /^Someone already moved this escalation on/.test(t)));
    assert.ok(cardTexts(atChecklist).includes('Troubleshoot with admin privileges'));

    stored.current = escalation('triage', { step: 'category' });
    assert.deepEqual(await triage(turn({ escalationId: 'ED-7K2M9Q4P' })), { type: 'AdaptiveCard', ran: true });
    assert.equal(handle.firstCall.args[2], stored.current, 'the step gets the escalation loaded');
  });
});
