/**
 * Issue 14 item 14, the small ones: the health card's "Report a problem" sends a new card; the
 * stale-card note says who moved the escalation on ("you" when it was you); the drafted customer
 * message greets the contact by name; the timeline names Microsoft and the desk properly;
 * "Users affected" starts empty; no "Northwind Traders's".
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { escalationView } from '../../src/bot/flow/card-views';
import { renderDescribe } from '../../src/cards/escalation-cards';
import { renderResolved } from '../../src/cards/notification-cards';
import { renderEscalation } from '../../src/cards/summary-cards';
import { transition, type Actor } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { ENGINEER } from '../helpers/activities';
import { cardNodes, cardTexts } from '../helpers/cards';
import { Chat, inputValue, lastCard, shown, type Card } from '../helpers/chat';
import { describeData, flowIdOf } from '../helpers/engineer';
import { sampleEscalation } from '../cards/samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
const COLLEAGUE = { id: '29:colleague', aadObjectId: 'bbbbbbbb-0000-4000-8000-0000000000c2', name: 'Bo Colleague' };

/** Every Input.Number of a card with its properties. */
function numberInputs(card: unknown): Record<string, unknown>[] {
  return cardNodes(card).filter((o) => o.type === 'Input.Number');
}

describe('the small ones (issue 14 item 14)', () => {
  describe('over the bot', () => {
    let chat: Chat;
    before(async () => {
      chat = await Chat.start();
    });
    after(async () => {
      await chat.stop();
    });

    it('"Report a problem for this customer" on the health card sends the form as a new card and leaves the health card alone', async () => {
      const health = lastCard(await chat.types('health Contoso'));
      assert.match(cardTexts(health).join('\n'), /Service health: Contoso/);
      const replies = await chat.pressesOn(health, 'escalate');
      const sentCards = replies.filter((r) => 'card' in r && r.activity.type === 'message');
      assert.equal(sentCards.length, 1, `a new message with the form: ${shown(replies).join(' / ')}`);
      assert.match(shown(sentCards)[0] ?? '', /Report a customer's problem/);
      const answer = replies.find((r) => r.activity.type === 'invokeResponse');
      assert.ok(answer && 'text' in answer, 'the press is not answered with a card that would replace the health card');
    });

    it('a stale card says who moved the escalation on: the colleague by name, "you" when it was you', async () => {
      const form = lastCard(await chat.types('escalate'));
      const match = lastCard(await chat.presses('describe', describeData(flowIdOf(form))));
      const confirm = (from = ENGINEER): Promise<Card> => chat.pressesOn(match, 'knownConfirm', {}, { from }).then(lastCard);
      assert.match(cardTexts(await confirm(COLLEAGUE)).join('\n'), /Known Microsoft issue: watching/);
      assert.match(cardTexts(await confirm(ENGINEER)).join('\n'), /^Bo Colleague already moved this escalation on/m);
      assert.match(cardTexts(await confirm(COLLEAGUE)).join('\n'), /^You already moved this escalation on/m);
      const ko = await chat.pressesOn(match, 'knownConfirm', {}, { from: ENGINEER, locale: 'ko-KR' }).then(lastCard);
      assert.match(cardTexts(ko).join('\n'), /Bo Colleague 님이 이미 이 에스컬레이션을 진행했습니다/);
    });
  });

  describe('cards', () => {
    const en = localizer.forLocale('en');
    const ko = localizer.forLocale('ko');
    const resolved = (contact: string | undefined) => {
      const e = sampleEscalation();
      return { ...e, state: 'resolved' as const, details: { ...e.details, serviceRequestId: '2611250010001234', ...(contact ? { contact } : {}) } };
    };
    const draftOf = (card: unknown): string => String(inputValue(card as Card, 'customerMessage'));

    it('the drafted customer message greets the contact by name when the triage named one, the customer otherwise', () => {
      assert.match(draftOf(renderResolved(cards, en, escalationView(resolved('Megan Bowen, megan@contoso.example, +1 555 0100')))), /^Hello Megan,\n/);
      assert.match(draftOf(renderResolved(cards, ko, escalationView(resolved('Megan Bowen, megan@contoso.example')))), /^Megan Bowen 님, 안녕하세요\./);
      assert.match(draftOf(renderResolved(cards, en, escalationView(resolved('megan@contoso.example')))), /^Hello Contoso,\n/);
      assert.match(draftOf(renderResolved(cards, en, escalationView(resolved(undefined)))), /^Hello Contoso,\n/);
    });

    it('"Users affected" starts empty, not 0; a value given back is kept', () => {
      const empty = numberInputs(renderDescribe(cards, en, { flowId: 'f'.repeat(16), customers: [], services: ['Exchange Online'] }));
      assert.equal(empty.length, 1);
      assert.equal('value' in (empty[0] ?? {}), false, JSON.stringify(empty));
      assert.equal(empty[0]?.isRequired, true);
      const kept = numberInputs(renderDescribe(cards, en, { flowId: 'f'.repeat(16), customers: [], services: [], values: { usersAffected: '120' } }));
      assert.equal(kept.length, 1);
      assert.equal(String(kept[0]?.value), '120');
    });

    it('the timeline names Microsoft and the desk itself properly, in either language', () => {
      const microsoft: Actor = { kind: 'microsoft', id: 'microsoft' };
      const system: Actor = { kind: 'system', id: 'reminders' };
      let e = sampleEscalation();
      const a = transition(e, 'cancelled', { actor: system, at: new Date('2026-11-25T10:00:00Z') });
      e = a.escalation;
      const b = { ...a.event, at: '2026-11-25T11:00:00Z', actor: microsoft };
      for (const tr of [en, ko]) {
        const lines = cardTexts(renderEscalation(cards, tr, { ...escalationView(e), audit: [a.event, b], manual: false })).filter((t) => /^2026-11-25/.test(t));
        assert.ok(lines.some((t) => t.includes(' · Escalation Desk · ')), lines.join('\n'));
        assert.ok(lines.some((t) => t.includes(' · Microsoft · ')), lines.join('\n'));
        assert.equal(lines.some((t) => /\b(system|microsoft)\b/.test(t)), false, lines.join('\n'));
      }
    });

    it('no English string puts a possessive on a name ("Northwind Traders\'s")', () => {
      const text = readFileSync(join(PROJECT_ROOT, 'locales', 'en.json'), 'utf8');
      assert.deepEqual(text.match(/\}\}['’]s\b/g) ?? [], []);
    });
  });
});
