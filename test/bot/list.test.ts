/**
 * Issue 14 item 11: `list` shows each escalation's title, state (as the engineer reads it) and
 * age, hides closed ones; `list all` includes them; in a channel `list` shows that channel's
 * escalations, not the engineer's personal ones.
 */
import { strict as assert } from 'node:assert';
import { createEscalation, type Escalation, type EscalationState } from '../../src/domain/escalation';
import { ENGINEER, PARTNER_TENANT } from '../helpers/activities';
import { Chat, lastCard, shown } from '../helpers/chat';

const CHANNEL = '19:list-channel@thread.tacv2';
const OTHER = { id: '29:colleague', aadObjectId: 'bbbbbbbb-0000-4000-8000-0000000000c2', name: 'Bo Colleague' };

describe('list', () => {
  let chat: Chat;
  before(async () => {
    chat = await Chat.start();
    const now = Date.now();
    const add = async (id: string, title: string, state: EscalationState, conversationId: string, owner = ENGINEER.aadObjectId, hoursAgo = 3): Promise<Escalation> => {
      const { escalation, event } = createEscalation(
        {
          id,
          partnerTenantId: PARTNER_TENANT,
          ownerId: owner,
          customer: { tenantId: '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01', name: 'Contoso' },
          service: 'Microsoft Teams',
          title,
          description: 'd',
          details: { conversationId },
        },
        { kind: 'user', id: owner },
        new Date(now - hoursAgo * 3_600_000),
      );
      const moved = state === 'draft' ? { escalation, events: [event] } : { escalation: { ...escalation, state }, events: [{ ...event, to: state }] };
      return chat.app.database.escalations.create(moved.escalation, moved.events);
    };
    await add('ED-LIST0001', 'Calls drop after 30 seconds', 'triage', 'a:personal-1');
    await add('ED-LIST0002', 'Old mailbox problem', 'closed', 'a:personal-1', ENGINEER.aadObjectId, 72);
    await add('ED-LIST0003', 'Channel: SharePoint sync stuck', 'escalated', `${CHANNEL};messageid=111`, OTHER.aadObjectId);
    await add('ED-LIST0004', 'Channel: cancelled one', 'cancelled', `${CHANNEL};messageid=222`, ENGINEER.aadObjectId);
  });
  after(async () => {
    await chat.stop();
  });

  it('in a personal chat: title, human state and age of my open ones; closed ones hidden', async () => {
    const text = shown(await chat.types('list')).join('\n');
    assert.match(text, /My open escalations/);
    assert.match(text, /Calls drop after 30 seconds/);
    assert.match(text, /ED-LIST0001 · Contoso · Microsoft Teams/);
    assert.match(text, /Triage · 3 h/);
    assert.doesNotMatch(text, /\btriage\b/, 'not the internal state name');
    assert.doesNotMatch(text, /Old mailbox problem/, 'closed hidden');
    assert.doesNotMatch(text, /Channel:/, 'not the channel ones started by someone else');
  });

  it('list all includes the closed ones (and the card offers them)', async () => {
    const card = lastCard(await chat.types('list'));
    const all = shown(await chat.pressesOn(card, 'list')).join('\n');
    assert.match(all, /All my escalations/);
    assert.match(all, /Old mailbox problem/);
    assert.match(all, /Closed · 3 d/);
    assert.match(shown(await chat.types('list all')).join('\n'), /Old mailbox problem/);
  });

  it('in a channel: that channel\u2019s escalations, whoever started them, not my personal ones; list all adds the cancelled one', async () => {
    const where = { conversationType: 'channel' as const, conversationId: `${CHANNEL};messageid=999` };
    const text = shown(await chat.types('list', where)).join('\n');
    assert.match(text, /Open escalations in this channel/);
    assert.match(text, /Channel: SharePoint sync stuck/);
    assert.match(text, /Escalated to Microsoft/);
    assert.doesNotMatch(text, /Calls drop after 30 seconds/);
    assert.doesNotMatch(text, /Channel: cancelled one/);
    assert.match(shown(await chat.types('list all', where)).join('\n'), /Channel: cancelled one/);
  });

  it('Korean headings and states', async () => {
    const text = shown(await chat.types('list', { locale: 'ko-KR' })).join('\n');
    assert.match(text, /내 진행 중인 에스컬레이션/);
    assert.match(text, /분류/);
  });
});
