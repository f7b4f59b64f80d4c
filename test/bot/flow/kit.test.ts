/** The flow's shared kit on its own: the tenant-checked load, the save against the loaded version, and its outbox rows. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../../src/app';
import type { HandlerContext } from '../../../src/bot/bot';
import { FlowKit, MovedOn, type EscalationFlowOptions } from '../../../src/bot/flow/kit';
import { CardRenderer } from '../../../src/cards';
import { createEscalation, type Escalation } from '../../../src/domain/escalation';
import { Localizer } from '../../../src/i18n';
import { ConcurrencyError, type EscalationStore } from '../../../src/store/types';

const PARTNER = '72f988bf-0000-4000-8000-000000000001';
const card = { type: 'AdaptiveCard', version: '1.5' };

function escalation(partnerTenantId = PARTNER): Escalation {
  return createEscalation(
    { id: 'ED-7K2M9Q4P', partnerTenantId, ownerId: 'u1', customer: { tenantId: 't', name: 'Contoso' }, service: 'Exchange Online', title: 't', description: 'd' },
    { kind: 'user', id: 'u1' },
    new Date('2026-11-25T09:00:00Z'),
  ).escalation;
}

/** A turn of an engineer of the partner tenant, whose replies are recorded. */
function turn(sent: unknown[]): HandlerContext {
  return {
    turn: { activity: { from: { id: '29:e', name: 'Ada' } }, sendActivity: (a: unknown) => Promise.resolve(sent.push(a)) },
    info: { correlationId: '0123456789abcdef', tenantId: PARTNER, userId: 'u1', logger: pino({ level: 'silent' }) },
    tr: new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en'),
    args: '',
    data: {},
  } as unknown as HandlerContext;
}

describe('the flow kit', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  function kitWith(store: Partial<EscalationStore>): FlowKit {
    return new FlowKit({ store, cards: new CardRenderer(join(PROJECT_ROOT, 'cards')), clock: { now: () => new Date('2026-11-25T10:00:00Z') } } as unknown as EscalationFlowOptions);
  }

  it('loads an escalation by the id as typed only for its own tenant; another tenant\u2019s reads as missing, and says so alike', async () => {
    const mine = escalation();
    const foreign = { ...escalation('0badc0de-0000-4000-8000-000000000077'), id: 'ED-00000001' };
    const get = sandbox.stub().callsFake((id: string) => Promise.resolve([mine, foreign].find((e) => e.id === id)));
    const kit = kitWith({ get });
    const sent: unknown[] = [];
    assert.equal((await kit.load(turn(sent), '  ed-7k2m9q4p '))?.id, 'ED-7K2M9Q4P');
    assert.equal(await kit.load(turn(sent), 'ED-00000001'), undefined);
    assert.equal(await kit.load(turn(sent), 'ED-99999999'), undefined);
    assert.equal(await kit.load(turn(sent), { $gt: '' }), undefined);
    assert.deepEqual(sent, [
      "I can't find escalation ED-00000001 in your organization.",
      "I can't find escalation ED-99999999 in your organization.",
      "I can't find escalation ? in your organization.",
    ]);
    assert.deepEqual(get.args.map(([id]) => id as string), ['ED-7K2M9Q4P', 'ED-00000001', 'ED-99999999']);
  });

  it('saves a change against the version loaded; when someone saved first, nothing is saved and MovedOn carries the escalation as it is now', async () => {
    const loaded = escalation();
    const now = { ...loaded, version: 2, state: 'triage' as const };
    const update = sandbox.stub().rejects(new ConcurrencyError(loaded.id, loaded.version));
    const kit = kitWith({ update, get: sandbox.stub().resolves(now) });
    const moved = await kit.apply(loaded, kit.stay({ contact: 'Jo' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(moved instanceof MovedOn);
    assert.deepEqual(moved.current, now);
    assert.equal(update.firstCall.args[1], 1, 'against the version loaded');

    const saved = { ...loaded, version: 2 };
    const kit2 = kitWith({ update: sandbox.stub().resolves(saved) });
    assert.deepEqual(await kit2.apply(loaded, kit2.stay({ contact: 'Jo' })), saved);
  });

  it('notify enqueues what the domain plans for an occasion, at the clock\u2019s time, and nothing when nothing is due', async () => {
    const enqueue = sandbox.stub().resolves(1);
    const now = new Date('2026-11-25T10:00:00Z');
    const kit = new FlowKit({ outbox: { enqueue }, clock: { now: () => now } } as unknown as EscalationFlowOptions);
    const message = { activity: { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] } };
    const remindAt = new Date('2026-11-25T14:00:00Z');
    await kit.notify({ occasion: 'snooze', escalationId: 'ED-1', target: 'tenant:conv', pressedAt: now, remindAt, message });
    await kit.notify({ occasion: 'left_resolved', escalation: escalation(), sent: [], message });
    assert.equal(enqueue.callCount, 1, 'no rows, no write');
    const [rows, at] = enqueue.firstCall.args as [Record<string, unknown>[], Date];
    assert.equal(at, now);
    assert.deepEqual(rows, [
      { escalationId: 'ED-1', kind: 'reminder', target: 'tenant:conv', payload: message, dedupeKey: `reminder:ED-1:snooze:${Math.floor(now.getTime() / 3_600_000)}:tenant:conv`, notBefore: remindAt.toISOString() },
    ]);
  });
});
