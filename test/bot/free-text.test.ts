/**
 * Issue 14 item 12: text that is no command gets a short answer, not the help card; a problem
 * typed as free text is offered as a new escalation's description; `escalate <customer> <words>`
 * fills in the customer, the service and the title.
 */
import { strict as assert } from 'node:assert';
import { readsLikeProblem, serviceNamedIn, titleFrom, withoutLeadingService } from '../../src/domain/free-text';
import { Chat, inputValue, lastCard, shown } from '../helpers/chat';

const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';

describe('free text and escalate with arguments', () => {
  let chat: Chat;
  before(async () => {
    chat = await Chat.start();
  });
  after(async () => {
    await chat.stop();
  });

  it('an unrecognised word gets a short answer naming escalate and help, not the help card (en, ko)', async () => {
    const en = await chat.types('blah');
    assert.equal(en.length, 1);
    assert.ok('text' in en[0], `a text, not a card: ${shown(en).join(' / ')}`);
    assert.match(shown(en)[0], /I didn't get that — try `escalate` or `help`/);
    const ko = await chat.types('뭐지', { locale: 'ko-KR' });
    assert.ok('text' in ko[0]);
    assert.match(shown(ko)[0], /이해하지 못했습니다.*`escalate`.*`help`/);
  });

  it('help still shows the help card, and a bare @mention in a channel greets with it', async () => {
    assert.match(shown(await chat.types('help'))[0], /How it works/);
    assert.match(shown(await chat.types('', { conversationType: 'channel' }))[0], /How it works/);
  });

  it('a 3,500-character message is offered as an escalation; the button opens the describe card with it as the description', async () => {
    const long = `Users cannot join Teams meetings. ${'The call drops after thirty seconds and the client shows error 500. '.repeat(60)}`.slice(0, 3500);
    const replies = await chat.types(long);
    assert.equal(replies.length, 1);
    const offer = lastCard(replies);
    assert.match(shown(replies)[0], /Start an escalation with this\?/);
    assert.doesNotMatch(shown(replies)[0], /How it works/, 'not the help card');
    const form = lastCard(await chat.pressesOn(offer, 'escalate'));
    assert.equal(inputValue(form, 'description'), long.trim());
    assert.equal(inputValue(form, 'title'), 'Users cannot join Teams meetings.');
    assert.equal(inputValue(form, 'service'), 'Microsoft Teams', 'the one service it names');
  });

  it('a short problem sentence in Korean is offered too, in Korean', async () => {
    const replies = await chat.types('콘토소 사용자들이 오늘 아침부터 Teams 통화에 참여하지 못합니다', { locale: 'ko-KR' });
    assert.match(shown(replies)[0], /이 내용으로 에스컬레이션을 시작할까요\?/);
    const form = lastCard(await chat.pressesOn(lastCard(replies), 'escalate', {}, { locale: 'ko-KR' }));
    assert.equal(inputValue(form, 'description'), '콘토소 사용자들이 오늘 아침부터 Teams 통화에 참여하지 못합니다');
  });

  it('escalate Contoso teams calls drop fills in the customer, the service and the title (en, ko)', async () => {
    for (const locale of ['en-US', 'ko-KR']) {
      const form = lastCard(await chat.types('escalate Contoso teams calls drop', { locale }));
      assert.equal(inputValue(form, 'customerTenantId'), CONTOSO);
      assert.equal(inputValue(form, 'service'), 'Microsoft Teams');
      assert.equal(inputValue(form, 'title'), 'calls drop', 'the request reads "Microsoft Teams: calls drop", not the service twice');
    }
  });

  it('escalate teams calls drop, naming no customer, still fills in the service and the title, and asks for the customer', async () => {
    const replies = await chat.types('escalate teams calls drop');
    const form = lastCard(replies);
    assert.match(shown(replies).join('\n'), /No customer matches "teams calls drop": pick one from the list/);
    assert.equal(inputValue(form, 'customerTenantId') ?? '', '');
    assert.equal(inputValue(form, 'service'), 'Microsoft Teams');
    assert.equal(inputValue(form, 'title'), 'calls drop', 'the request reads "Microsoft Teams: calls drop", not the service twice');
  });

  it('escalate Contoso alone fills in the customer only', async () => {
    const form = lastCard(await chat.types('escalate Contoso'));
    assert.equal(inputValue(form, 'customerTenantId'), CONTOSO);
    assert.equal(inputValue(form, 'service') ?? '', '');
    assert.equal(inputValue(form, 'title') ?? '', '');
  });
});

describe('reading free text (domain)', () => {
  it('a stray word or short phrase is not a problem; a sentence or a long Korean line is', () => {
    assert.equal(readsLikeProblem('blah'), false);
    assert.equal(readsLikeProblem('what can you do'), false);
    assert.equal(readsLikeProblem('what can you do for me?'), false);
    assert.equal(readsLikeProblem('Contoso users cannot join Teams calls since this morning'), true);
    assert.equal(readsLikeProblem('콘토소 사용자들이 오늘 아침부터 Teams 통화에 참여하지 못합니다'), true);
    assert.equal(readsLikeProblem('무엇을 할 수 있나요?'), false);
  });

  it('names a service only when one word names exactly one', () => {
    const services = ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'OneDrive for Business'];
    assert.equal(serviceNamedIn('teams calls drop', services), 'Microsoft Teams');
    assert.equal(serviceNamedIn('exchange mail stuck', services), 'Exchange Online');
    assert.equal(serviceNamedIn('online things broken', services), undefined);
    assert.equal(serviceNamedIn('calls drop', services), undefined);
  });

  it('the title drops the words at its head that name the service it names, and only those', () => {
    assert.equal(withoutLeadingService('exchange 외부 수신자에게 보낸 메일이 머묾', 'Exchange Online'), '외부 수신자에게 보낸 메일이 머묾');
    assert.equal(withoutLeadingService('Exchange Online: mail stuck', 'Exchange Online'), 'mail stuck');
    assert.equal(withoutLeadingService('Microsoft Teams - calls drop', 'Microsoft Teams'), 'calls drop');
    assert.equal(withoutLeadingService('ＴＥＡＭＳ calls drop', 'Microsoft Teams'), 'calls drop');
    // "Microsoft" alone does not tell the service: kept.
    assert.equal(withoutLeadingService('microsoft support says wait', 'Microsoft Teams'), 'microsoft support says wait');
    // A service named later in the text stays where it is.
    assert.equal(withoutLeadingService('mail in exchange is slow', 'Exchange Online'), 'mail in exchange is slow');
    assert.equal(withoutLeadingService('exchange', 'Exchange Online'), '');
    // The lines after stay lines: the title is still the first of them.
    assert.equal(titleFrom(withoutLeadingService('Exchange:\nmail stuck\nsince Monday', 'Exchange Online')), 'mail stuck');
  });

  it('a title is the first sentence, cut to 100 characters', () => {
    assert.equal(titleFrom('Calls drop. Since Monday.'), 'Calls drop.');
    assert.equal([...titleFrom('x'.repeat(300))].length, 100);
  });
});
