/** The summary and list cards on their own: a view model in, the texts a reader sees out. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { escalationView } from '../../src/bot/flow/card-views';
import { renderEscalation, renderList } from '../../src/cards/summary-cards';
import { transition, type Actor, type Escalation } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { cardTexts, cardVerbs } from '../helpers/cards';
import { sampleEscalation } from './samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');
const texts = (card: unknown) => cardTexts(card).join('\n');
const ada: Actor = { kind: 'user', id: 'u1', name: 'Ada' };

describe('summary cards', () => {
  describe('renderEscalation', () => {
    it('shows the facts, the timeline it is given and the actions its state allows', () => {
      const draft = sampleEscalation();
      const { escalation, event } = transition(draft, 'triage', { actor: ada, at: new Date('2026-11-25T09:10:00Z'), reason: 'different' });
      const card = renderEscalation(cards, tr, { ...escalationView(escalation), audit: [event], manual: false });
      const shown = texts(card);
      assert.match(shown, /Outbound mail delayed/);
      assert.match(shown, /Customer: Contoso/);
      assert.match(shown, /Category: A bug or other irregularity/);
      assert.match(shown, /Owner: Ada/);
      assert.match(shown, /2026-11-25 09:10 UTC · Ada · Draft → Triage · different/);
      assert.ok(cardVerbs(card).includes('cancel'), 'triage can be cancelled');
      assert.ok(cardVerbs(card).includes('resume'), 'triage can be resumed');
    });

    it('says why notifications cannot reach the chat, offers manual moves, and no cancel once Microsoft has it', () => {
      const e: Escalation = { ...sampleEscalation(), state: 'escalated', details: { ...sampleEscalation().details, serviceRequestId: '2611250010001234' } };
      const card = renderEscalation(cards, tr, { ...escalationView(e), audit: [], manual: true, unreachable: 'ConversationBlockedByUser' });
      const shown = texts(card);
      assert.match(shown, /Microsoft request: 2611250010001234/);
      assert.match(shown, /Teams refused the last notification here \(ConversationBlockedByUser\)/);
      assert.ok(cardVerbs(card).includes('manualResolved'));
      assert.equal(cardVerbs(card).includes('cancel'), false);
    });
  });

  describe('renderList', () => {
    it('lists each escalation with its state, age and request number', () => {
      const e = sampleEscalation();
      const linked: Escalation = { ...e, id: 'ED-00000001', state: 'escalated', details: { ...e.details, serviceRequestId: '2611250010001234' } };
      const shown = texts(renderList(cards, tr, { items: [escalationView(e), escalationView(linked)], now: new Date('2026-11-26T09:00:00Z') }));
      assert.match(shown, /My open escalations/);
      assert.match(shown, /ED-7K2M9Q4P · Contoso · Exchange Online/);
      assert.match(shown, /Draft · 24 h/);
      assert.match(shown, /Escalated to Microsoft · 24 h · 2611250010001234/);
    });

    it('says so when there are none', () => {
      assert.match(texts(renderList(cards, tr, { items: [], now: new Date() })), /You have no open escalations\./);
    });
  });
});
