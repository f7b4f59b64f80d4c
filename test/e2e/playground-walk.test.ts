/**
 * The engineer's whole path through the Microsoft 365 Agents Playground in headless Chromium,
 * in English and then in Korean (issue 14, "Done when"): help (arguments shown) → escalate
 * with arguments (prefilled) → describe → troubleshoot with one check not applicable → triage
 * leaving the optional contact empty → hand-off → link → exactly one card to act on when
 * Microsoft asks → answer (the card shows it was sent) → exactly one card when Microsoft
 * resolves it → customer notified; `cancel` with nothing in progress; `list`.
 *
 * The real bot (local mode, the sandbox playing Microsoft on a short schedule: it asks 5 s after
 * linking and closes at 40 s) and the real playground run as child processes. The playground
 * always says `en-US`; for the Korean walk the recording proxy between it and the bot speaks for
 * a Korean Teams client (the activity's locale). Every card is screenshot to
 * test-results/walk-<lang>-NN-*.png after the test has read its text; the strings asserted are
 * read from locales/<lang>.json, so the Korean walk checks the Korean the engineer sees.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { PlaygroundChat, recentLocalStart } from './helpers/playground-chat';
import { RESULTS, ROOT, usePlayground } from './helpers/playground-harness';
const ZONE = 'Asia/Seoul';
/** How long the sandbox's Microsoft, the tracker and the outbox may take to bring a card. */
const NOTIFICATION_TIMEOUT_MS = 45_000;

type Json = Record<string, unknown>;

/** A locale file's string at `key`, with `{{vars}}` filled in (as the bot's translator does). */
function stringsOf(lang: 'en' | 'ko'): (key: string, vars?: Record<string, string>) => string {
  const root = JSON.parse(readFileSync(join(ROOT, 'locales', `${lang}.json`), 'utf8')) as Json;
  return (key, vars = {}) => {
    const value = key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Json)[part] : undefined), root);
    assert.equal(typeof value, 'string', `${lang}: ${key}`);
    return (value as string).replace(/\{\{(\w+)\}\}/g, (_, name: string) => vars[name] ?? '');
  };
}


const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Agents Playground in Chromium: the engineer’s whole path, in English and in Korean', function () {
  this.timeout(240_000);

  const pg = usePlayground({
    name: 'the playground walk',
    tempPrefix: 'ed-walk-',
    failureShot: 'walk-failure.png',
    botEnv: () => ({
      SANDBOX_HEALTH_FILE: '',
      // Microsoft asks soon after linking and closes the request once the answer had time to go.
      SANDBOX_ATTENTION_AFTER_SECONDS: '5',
      SANDBOX_CLOSE_AFTER_SECONDS: '40',
      TRACKING_MIN_INTERVAL_SECONDS: '1',
    }),
    playgroundEnv: { TZ: ZONE },
    context: { viewport: { width: 1280, height: 1100 }, timezoneId: ZONE, locale: 'en-US' },
  });

  for (const lang of ['en', 'ko'] as const) {
    it(`${lang}: help → escalate with arguments → … → one card per Microsoft event → customer notified; cancel; list`, async () => {
      const { page, proxy, bot } = pg;
      const t = stringsOf(lang);
      const chat = new PlaygroundChat(page, RESULTS);
      let shot = 0;
      /** Reads a card's text, checks it, then screenshots it (walk-<lang>-NN-<name>.png). */
      const seen = async (name: string, card: Locator, ...expected: (string | RegExp)[]): Promise<string> => {
        // The bot keeps "<customer>" from being read as a tag with a zero-width space after "<".
        const text = (await card.innerText()).replace(/\u200b/g, '');
        for (const e of expected) {
          if (typeof e === 'string') assert.ok(text.includes(e), `${name}: "${e}" in\n${text}`);
          else assert.match(text, e, `${name}: ${e} in\n${text}`);
        }
        shot += 1;
        await chat.screenshot(`walk-${lang}-${String(shot).padStart(2, '0')}-${name}.png`, card);
        return text;
      };
      const cardsHeaded = (heading: string) => page.locator('.ac-adaptiveCard').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

      proxy.locale = lang === 'ko' ? 'ko-KR' : undefined;
      await page.goto(pg.playgroundUrl);
      await chat.expectCard(t('cards.welcome.title'), 20_000);

      // 1. help: the arguments are shown, not eaten as markup.
      await chat.say('help');
      const help = chat.card(t('cards.welcome.title'));
      const commands = (JSON.parse(readFileSync(join(ROOT, 'locales', `${lang}.json`), 'utf8')) as { cards: { welcome: { commands: { name: string }[] } } }).cards.welcome.commands.map((c) => c.name);
      assert.ok(commands.some((c) => /<.+>/.test(c)), 'the help card has commands with arguments');
      await seen('help', help, ...commands);

      // 2. escalate with arguments: the customer, service and title come prefilled.
      const title = lang === 'en' ? 'Mail to external recipients stuck in the outbox' : '외부 수신자에게 보낸 메일이 보낼 편지함에 머묾';
      await chat.say(`escalate Contoso exchange ${title}`);
      const describe = await chat.expectCard(t('cards.escalate-describe.title'));
      const customer = describe.getByRole('combobox', { name: new RegExp(`^${escape(t('cards.escalate-describe.customer'))}`) });
      assert.equal(await chat.shownValue(customer, (shown) => shown !== ''), 'Contoso');
      const service = describe.getByRole('combobox', { name: new RegExp(`^${escape(t('cards.escalate-describe.service'))}`) });
      assert.equal(await chat.shownValue(service, (shown) => shown !== ''), 'Exchange Online');
      const prefilled = await describe.getByRole('textbox', { name: new RegExp(`^${escape(t('cards.escalate-describe.problemTitle'))}`) }).inputValue();
      assert.equal(prefilled, title, 'the title is prefilled without the service word it began with');
      await chat.fill(describe, 'textbox', new RegExp(`^${escape(t('cards.escalate-describe.description'))}`), lang === 'en' ? 'Every user: mail to outside addresses stays in the outbox since this morning' : '모든 사용자: 오늘 아침부터 외부 주소로 보낸 메일이 보낼 편지함에 남아 있음');
      const start = recentLocalStart(new Date(), ZONE);
      await chat.pickDate(describe, new RegExp(`^${escape(t('cards.escalate-describe.sinceDate', { zone: ZONE }))}`), start.date);
      const shownTime = await chat.pickTime(describe, new RegExp(`^${escape(t('cards.escalate-describe.sinceTime', { zone: ZONE }))}`), start.time);
      assert.match(shownTime, /^\d{1,2}:\d{2} (AM|PM)$/, 'the time picker took the time');
      await chat.fill(describe, 'spinbutton', new RegExp(`^${escape(t('cards.escalate-describe.users'))}`), '120');
      await seen('describe', describe, t('cards.escalate-describe.intro'));
      await chat.click(describe, t('cards.escalate-describe.submit'));

      // 3. The known issue offered: not the same problem.
      const match = await chat.expectCard(t('cards.escalate-match.title'));
      await seen('match', match, t('flow.steps.line', { n: '1', total: '5', name: t('flow.steps.health') }), 'EX226792', t('cards.escalate-match.confirm'));
      await chat.fill(match, 'textbox', new RegExp(`^${escape(t('cards.escalate-match.reasonLabel'))}`), lang === 'en' ? 'Only external recipients fail; Outlook on the web works' : '외부 수신자만 실패하고 웹용 Outlook은 정상');
      await chat.click(match, t('cards.escalate-match.differs'));

      // 4. Troubleshooting: every check done but one, not applicable with a reason.
      const troubleshoot = await chat.expectCard(t('cards.escalate-troubleshoot.title'));
      await seen('troubleshoot', troubleshoot, t('flow.steps.line', { n: '2', total: '5', name: t('flow.steps.troubleshoot') }), t('flow.soFar.notSame'));
      const checks = ['licences', 'recent_changes', 'settings', 'client_software', 'mail_flow_rules', 'message_trace'];
      for (const [i, check] of checks.entries()) {
        const choice = check === 'mail_flow_rules' ? t('cards.escalate-troubleshoot.notApplicable') : t('cards.escalate-troubleshoot.checked');
        await chat.pick(troubleshoot, new RegExp(`^${escape(t(`flow.checks.${check}`))}`), choice);
        if (check === 'mail_flow_rules') {
          await troubleshoot.getByRole('textbox', { name: new RegExp(`^${escape(t('cards.escalate-troubleshoot.naReasonLabel'))}`) }).nth(i).fill(lang === 'en' ? 'No mail flow rules or connectors in this tenant' : '이 테넌트에는 메일 흐름 규칙이나 커넥터가 없음');
        }
      }
      await seen('troubleshoot-filled', troubleshoot);
      await chat.click(troubleshoot, t('cards.escalate-troubleshoot.submit'));

      // 5. Triage, leaving the optional contact empty.
      const triage = await chat.expectCard(t('cards.escalate-triage.title'));
      await chat.check(triage, t('flow.categories.bug'));
      await chat.fill(triage, 'textbox', new RegExp(`^${escape(t('cards.escalate-triage.impact'))}`), lang === 'en' ? 'Sales cannot email customers' : '영업팀이 고객에게 메일을 보낼 수 없음');
      await seen('triage', triage, t('flow.steps.line', { n: '3', total: '5', name: t('flow.steps.decide') }), t('flow.soFar.checksWithNa', { done: '5', total: '6', na: '1' }), t('cards.escalate-triage.contact'));
      await chat.click(triage, t('cards.escalate-triage.submit'));

      // 6. Hand-off: link the request number.
      const handoff = await chat.expectCard(t('cards.escalate-handoff.title'));
      const requestNumber = lang === 'en' ? '2612050010001111' : '2612050010002222';
      await chat.fill(handoff, 'textbox', new RegExp(`^${escape(t('cards.escalate-handoff.requestNumber'))}`), requestNumber);
      await seen('handoff', handoff, t('flow.steps.line', { n: '4', total: '5', name: t('flow.steps.handoff') }), t('cards.escalate-handoff.decisionHeading'));
      await chat.click(handoff, t('cards.escalate-handoff.link'));
      const flowCard = await chat.expectCard(prefilled);
      await flowCard.getByText(t('flow.states.escalated'), { exact: true }).first().waitFor({ timeout: 15_000 });
      await seen('escalated', flowCard, requestNumber);

      // 7. Microsoft asks: exactly one card to answer on; the flow's card becomes a status line.
      const attentionHeading = t('cards.notify-attention.title', { customer: 'Contoso' });
      const attention = await chat.expectCard(attentionHeading, NOTIFICATION_TIMEOUT_MS);
      await page.waitForTimeout(1_500); // a second card, if one were sent, would be here by now
      assert.equal(await cardsHeaded(attentionHeading).count(), 1, 'one card to act on when Microsoft asks');
      await seen('attention', attention, t('flow.facts.askedAt'));
      await seen('flow-card-status', flowCard, t('cards.escalation-status.answerBelow'));
      assert.equal(await flowCard.getByRole('button', { name: t('cards.notify-attention.send') }).count(), 0, 'the status has nothing to press');

      // 8. Answer: the card shows what was sent, by whom, when.
      const answer = lang === 'en' ? 'Message trace attached; it started at 08:10.' : '메시지 추적 결과를 첨부했습니다. 08:10에 시작되었습니다.';
      await chat.fill(attention, 'textbox', new RegExp(`^${escape(t('cards.notify-attention.answerLabel'))}`), answer);
      await chat.click(attention, t('cards.notify-attention.send'));
      const answered = chat.card(attentionHeading);
      await answered.getByText(t('cards.notify-attention.youWrote'), { exact: true }).waitFor({ timeout: 15_000 });
      await seen('answered', answered, t('cards.notify-attention.youWrote'), answer);
      assert.equal(await answered.getByRole('button', { name: t('cards.notify-attention.send') }).count(), 0, 'no second form');
      // The flow's card, a status line, says it was answered and waits for Microsoft.
      await flowCard.getByText(new RegExp(escape(t('cards.escalation-status.waiting')))).waitFor({ timeout: 15_000 });
      await seen('flow-card-answered', flowCard, t('cards.escalation-status.waiting'));

      // 9. Microsoft resolves it: exactly one card to close the loop on.
      const resolvedHeading = t('cards.notify-resolved.titleRequest', { id: requestNumber, customer: 'Contoso' });
      const resolved = await chat.expectCard(resolvedHeading, NOTIFICATION_TIMEOUT_MS);
      await page.waitForTimeout(1_500);
      assert.equal(await cardsHeaded(resolvedHeading).count(), 1, 'one card to act on when Microsoft resolves it');
      await seen('resolved', resolved, t('flow.facts.resolvedAt'));

      // 10. Customer notified: only its own inputs; the card says what was done, by whom, when.
      await chat.click(resolved, t('cards.notify-resolved.notified'));
      await chat.fill(resolved, 'textbox', new RegExp(`^${escape(t('cards.notify-resolved.contactLabel'))}`), 'Jo Brown, jo@contoso.example');
      await seen('resolved-telling', resolved, t('cards.notify-resolved.draftLabel'));
      await chat.click(resolved, t('cards.notify-resolved.record'));
      const closed = await chat.expectCard(prefilled);
      await closed.getByText(t('flow.states.closed'), { exact: true }).first().waitFor({ timeout: 15_000 });
      await seen('closed', closed, t('flow.states.customer_notified'));

      // 11. cancel with nothing in progress here; list.
      await chat.say('cancel');
      const nothing = t('flow.messages.nothingToCancel');
      await page.getByText(nothing, { exact: true }).last().waitFor({ timeout: 15_000 });
      shot += 1;
      await chat.screenshot(`walk-${lang}-${String(shot).padStart(2, '0')}-cancel-nothing.png`);
      await chat.say('list');
      const list = await chat.expectCard(t('cards.escalation-list.heading.mineOpen'));
      await seen('list', list);

      const errors = bot.text.split('\n').filter((line) => /"level":(5|6)\d/.test(line));
      assert.deepEqual(errors, [], 'the bot logged errors');
    });
  }
});
