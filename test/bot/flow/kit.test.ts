/** The flow's shared kit on its own: the tenant-checked load, the save against the loaded version, and its outbox rows. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import pino from 'pino';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../../src/app';
import type { HandlerContext } from '../../../src/bot/bot';
import { FlowKit, MovedOn, cardRow, type EscalationFlowOptions } from '../../../src/bot/flow/kit';
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

  describe('cardRow, the one builder of the flow\u2019s outbox rows', () => {
    it('keys each cause so a retry or a second press adds none, and updates the card it replaces', () => {
      const late = cardRow('ED-1', { kind: 'health', version: 3 }, 'tenant:conv', card, { replaces: 'act-1' });
      assert.deepEqual({ ...late, id: 'x' }, {
        id: 'x',
        escalationId: 'ED-1',
        kind: 'card_update',
        target: 'tenant:conv',
        payload: { activity: { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }, updateActivityId: 'act-1' },
        dedupeKey: 'health:ED-1:v3:tenant:conv',
      });
      assert.equal(cardRow('ED-1', { kind: 'answer', requestId: 'r-9' }, 'tenant:conv', card).dedupeKey, 'answer:ED-1:r-9:tenant:conv');
      assert.equal(cardRow('ED-1', { kind: 'retire', version: 5, activityId: 'act-2' }, 'tenant:conv', card).dedupeKey, 'retire:ED-1:v5:act-2');
      assert.equal(cardRow('ED-1', { kind: 'health', version: 3 }, 'tenant:conv', card).payload.updateActivityId, undefined, 'a new message when there is none to replace');
    });

    it('makes "remind me later" a reminder, not before its time, one per hour pressed', () => {
      const at = new Date('2026-11-25T14:00:00Z');
      const row = cardRow('ED-1', { kind: 'snooze', hour: 491_870 }, 'tenant:conv', card, { notBefore: at });
      assert.equal(row.kind, 'reminder');
      assert.equal(row.notBefore, at.toISOString());
      assert.equal(row.dedupeKey, 'reminder:ED-1:snooze:491870:tenant:conv');
      assert.notEqual(row.id, cardRow('ED-1', { kind: 'snooze', hour: 491_870 }, 'tenant:conv', card).id, 'each row its own id: the dedupe key makes it once');
    });
  });
});
