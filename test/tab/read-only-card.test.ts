/** The bot's cards as the tab shows them: nothing that looks actionable, the draft in full, one timeline. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { escalationView } from '../../src/bot/flow/card-views';
import { renderResolved } from '../../src/cards/notification-cards';
import { renderEscalation } from '../../src/cards/summary-cards';
import { transition, type Escalation } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { chatLinkOf } from '../../src/tab/chat-link';
import { readOnlyCard } from '../../src/tab/read-only-card';
import { cardNodes, cardTexts } from '../helpers/cards';
import { sampleEscalation } from '../cards/samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');

const types = (card: unknown) => cardNodes(card).map((n) => n.type).filter((t): t is string => typeof t === 'string');

describe('the card in the tab (read-only)', () => {
  const resolved = (): Escalation => {
    const e = sampleEscalation();
    return { ...e, state: 'resolved', ownerName: 'Ada', details: { ...e.details, serviceRequestId: '2611250010001234', contact: 'Jo' } };
  };

  it('has no actions, action sets, select actions, refresh or inputs; the drafted message shows in full as text', () => {
    const card = renderResolved(cards, tr, escalationView(resolved()));
    const draft = cardNodes(card).find((n) => n.id === 'customerMessage')?.value;
    assert.equal(typeof draft, 'string');
    assert.ok(types(card).some((t) => t.startsWith('Action.')), 'the chat card has actions');

    const shown = readOnlyCard(card);
    assert.deepEqual(types(shown).filter((t) => t.startsWith('Action.') || t.startsWith('Input.') || t === 'ActionSet'), []);
    assert.equal(cardNodes(shown).some((n) => 'selectAction' in n || 'refresh' in n || 'actions' in n), false);
    const texts = cardTexts(shown);
    // Its label, then the whole draft (every line of it), as text.
    // Its label without the editing hint ("(edit, copy, send)"): nothing is edited here.
    assert.equal(cardNodes(card).find((n) => n.id === 'customerMessage')?.label, 'Message to the customer (edit, copy, send)');
    const at = texts.indexOf('Message to the customer');
    assert.ok(at >= 0, texts.join('\n'));
    assert.equal(texts[at + 1], draft);
    assert.ok((draft as string).split('\n').length > 3);
    // The contact's name, entered in the chat, shows with its label; an empty input is left out.
    assert.ok(texts.includes('Jo'));
  });

  it('leaves out the card\u2019s own timeline (the tab shows one timeline beside it)', () => {
    const e0 = sampleEscalation();
    const moved = transition(e0, 'triage', { actor: { kind: 'user', id: 'u1', name: 'Ada' }, at: new Date('2026-11-25T09:10:00Z') });
    const card = renderEscalation(cards, tr, { ...escalationView(moved.escalation), audit: [moved.event], manual: false });
    const heading = tr.t('cards.escalation.timeline');
    assert.ok(cardTexts(card).includes(heading), 'the chat card has its timeline');
    const shown = readOnlyCard(card);
    assert.equal(cardTexts(shown).includes(heading), false);
    assert.equal(cardTexts(shown).some((t) => t.includes('→')), false);
    assert.ok(cardTexts(shown).includes(moved.escalation.title));
  });
});

describe('"Open in chat" link', () => {
  const bot = { botAppId: 'b0b0b0b0-0000-4000-8000-000000000001', cloud: 'public' as const };
  const withConversation = (conversationId?: string) => ({ details: conversationId ? { conversationId } : {} });

  it('is absent in local mode (no bot app id)', () => {
    assert.equal(chatLinkOf(undefined, withConversation('a:1abc')), undefined);
  });

  it('opens the chat with the bot for a personal chat, the thread for a channel, the chat for a group chat', () => {
    assert.equal(chatLinkOf(bot, withConversation('a:1abc')), 'https://teams.microsoft.com/l/chat/0/0?users=28%3Ab0b0b0b0-0000-4000-8000-000000000001');
    assert.equal(chatLinkOf(bot, withConversation()), 'https://teams.microsoft.com/l/chat/0/0?users=28%3Ab0b0b0b0-0000-4000-8000-000000000001');
    assert.equal(
      chatLinkOf(bot, withConversation('19:abc@thread.tacv2;messageid=1700000000000')),
      'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1700000000000?parentMessageId=1700000000000',
    );
    assert.equal(chatLinkOf(bot, withConversation('19:xyz@thread.v2')), 'https://teams.microsoft.com/l/chat/19%3Axyz%40thread.v2/conversations');
    assert.match(chatLinkOf({ ...bot, cloud: 'gcchigh' }, withConversation('a:1')) ?? '', /^https:\/\/gov\.teams\.microsoft\.us\/l\/chat\/0\/0\?users=28%3A/);
  });
});
