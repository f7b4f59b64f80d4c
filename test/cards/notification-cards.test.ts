/** The cards that close the loop, and the messages carrying them, on their own. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import {
  cardActivity,
  notificationRenderer,
  reminderRenderer,
  renderAttention,
  renderReminder,
  renderResolved,
} from '../../src/cards/notification-cards';
import { attentionView, escalationView } from '../../src/bot/flow/card-views';
import type { Escalation } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { cardTexts, cardVerbs } from '../helpers/cards';
import { sampleEscalation } from './samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
const tr = localizer.forLocale('en');
const texts = (card: unknown) => cardTexts(card).join('\n');
const QUESTION_AT = '2026-11-25T11:00:00Z';

function withDetails(state: Escalation['state'], details: Record<string, unknown>): Escalation {
  const e = sampleEscalation();
  return { ...e, state, ownerName: 'Ada', details: { ...e.details, ...details } };
}

const attention = (answers: unknown[] = []) =>
  withDetails('attention_needed', {
    serviceRequestId: '2611250010001234',
    microsoftStatus: { source: 'partnercenter', status: 'attention_needed', at: QUESTION_AT },
    microsoftNotes: [{ createdByName: 'Microsoft Support', createdDate: QUESTION_AT, text: 'Please send a message trace.' }],
    answers,
  });

/** The card a notification message carries. */
const carried = (message: { activity: Readonly<Record<string, unknown>> }) =>
  ((message.activity.attachments as { content: unknown }[] | undefined) ?? [])[0]?.content;

describe('notification cards', () => {
  describe('renderResolved', () => {
    it('names the request, drafts the message to the customer and offers the closing actions', () => {
      const card = renderResolved(cards, tr, escalationView(withDetails('resolved', { serviceRequestId: '2611250010001234', contact: 'Jo', microsoftNotes: [{ text: 'A fix was deployed.' }] })));
      const shown = texts(card);
      assert.match(shown, /Microsoft resolved request 2611250010001234: tell Contoso/);
      assert.match(shown, /A fix was deployed\./);
      assert.match(JSON.stringify(card), /Hello Jo,.*Microsoft's reference: 2611250010001234\..*Kind regards,\\nAda/);
      assert.deepEqual(['customerNotified', 'stillBroken', 'remindLater'].filter((v) => !cardVerbs(card).includes(v)), []);
    });

    it('names the known incident when no request was linked', () => {
      assert.match(texts(renderResolved(cards, tr, escalationView(withDetails('resolved', { knownIssue: { id: 'EX226792', title: 'Mail' } })))), /Microsoft resolved EX226792: tell Contoso/);
    });
  });

  describe('renderAttention', () => {
    it('shows Microsoft\u2019s question and a form to answer it', () => {
      const card = renderAttention(cards, tr, attentionView(escalationView(attention()), 'https://partner.microsoft.com/x'));
      assert.match(texts(card), /Microsoft needs information: Contoso/);
      assert.match(texts(card), /Please send a message trace\./);
      assert.ok(cardVerbs(card).includes('answerMicrosoft'));
    });

    it('once answered, shows what was sent, by whom, and no second form', () => {
      const sent = { question: QUESTION_AT, text: 'Trace attached', by: 'Ada', byId: 'u1', at: '2026-11-25T11:10:00Z', requestId: 'r1', status: 'sent' };
      const card = renderAttention(cards, tr, attentionView(escalationView(attention([sent])), 'https://partner.microsoft.com/x'));
      assert.match(texts(card), /Answered 2026-11-25 11:10 UTC by Ada · waiting for Microsoft/);
      assert.match(texts(card), /Trace attached/);
      assert.equal(cardVerbs(card).includes('answerMicrosoft'), false);
    });
  });

  describe('renderReminder', () => {
    it('says what waits, under the escalation\u2019s header', () => {
      const shown = texts(renderReminder(cards, tr, { escalation: withDetails('resolved', {}), text: 'ED-7K2M9Q4P is resolved, but the customer has not been told yet.' }));
      assert.match(shown, /^Reminder$/m);
      assert.match(shown, /ED-7K2M9Q4P is resolved, but the customer has not been told yet\./);
      assert.match(shown, /ED-7K2M9Q4P · Contoso · Exchange Online · Resolved: tell the customer/);
    });
  });

  describe('cardActivity', () => {
    it('is a message with the card as its one attachment', () => {
      assert.deepEqual(cardActivity({ type: 'AdaptiveCard' }), {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
      });
    });
  });

  describe('notificationRenderer', () => {
    const render = notificationRenderer(cards, localizer, () => 'https://partner.microsoft.com/link');

    it('renders each kind in the owner\u2019s language, with times on the owner\u2019s clock', () => {
      const owner = { locale: 'ko', timeZone: 'Asia/Seoul' };
      const resolved = carried(render('resolved', withDetails('resolved', { ...owner, serviceRequestId: '2611250010001234', microsoftStatus: { source: 's', status: 'closed', at: '2026-12-04T20:00:00.000Z' } })));
      assert.match(texts(resolved), /Microsoft가 요청 2611250010001234을\(를\) 해결했습니다: Contoso에게 알리세요/);
      assert.match(texts(resolved), /2026-12-05 05:00 Asia\/Seoul/);
      const asked = carried(render('attention_needed', attention()));
      assert.match(JSON.stringify(asked), /https:\/\/partner\.microsoft\.com\/link/);
      assert.match(texts(carried(render('escalated', withDetails('escalated', {})))), /^Escalated to Microsoft$/m);
    });
  });

  describe('reminderRenderer', () => {
    it('says what each rule waits for, with the request and how many days', () => {
      const render = reminderRenderer(cards, localizer);
      const quiet = carried(render('quiet', withDetails('escalated', { serviceRequestId: '2611250010001234' }), 3.5 * 86_400_000));
      assert.match(texts(quiet), /Microsoft has not updated request 2611250010001234 of ED-7K2M9Q4P for 3 days\./);
      const handoff = carried(render('handoff', withDetails('awaiting_handoff', { locale: 'ko' }), 0));
      assert.match(texts(handoff), /ED-7K2M9Q4P의 요청이 준비되었지만 아직 파트너 센터에 제출하지 않았습니다\./);
    });
  });
});
