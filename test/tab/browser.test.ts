/**
 * The tab page in a real browser (Debian's Chromium through playwright-core), outside Teams,
 * against a development-mode server with seeded data. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/app';
import { escalationView } from '../../src/bot/flow/card-views';
import { CardRenderer } from '../../src/cards';
import { renderResolved } from '../../src/cards/notification-cards';
import { transition } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import type { TabCardFor } from '../../src/tab/api';
import { ENGINEER, NOTE_FROM_MICROSOFT, startTabServer, testCardFor, type TabServer } from './fixtures';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(process.cwd(), 'test-results');
/** The bot's real resolved card (its drafted message in an input, its buttons) once resolved; the stand-in otherwise. */
const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
const cardFor: TabCardFor = (escalation, locale) =>
  escalation.state === 'resolved' ? renderResolved(cards, localizer.forLocale(locale), escalationView(escalation)) : testCardFor(escalation, locale);

/** Whether the page is wider than the window (a horizontal scroll bar). */
const overflow = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('tab page in Chromium (outside Teams)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let tab: TabServer | undefined;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
      console.warn(`skipping the browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
      this.skip();
    }
    mkdirSync(RESULTS, { recursive: true });
    tab = await startTabServer({ mode: 'development' }, { cardFor });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('pageerror', (error) => console.warn('page error:', error.message));
  });

  after(async () => {
    await browser?.close();
    await tab?.stop();
  });

  const rows = (p: Page) => p.locator('#list-body tr');

  it('lists the escalations, with the development banner, data shown as text', async () => {
    assert.ok(tab);
    await page.goto(`${tab.url}/tab/index.html?scope=personal`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 4, undefined, { timeout: 10_000 });

    assert.equal(await page.locator('#dev-banner').isVisible(), true);
    assert.equal((await page.locator('#dev-banner').textContent())?.trim(), 'Development identity — SSO not configured');
    assert.equal(await page.locator('#outside-banner').isVisible(), true);
    assert.equal((await page.locator('#page-title').textContent())?.trim(), 'My escalations');

    const mail = page.locator('#list-body tr[data-id="esc-contoso-mail"]');
    assert.equal((await mail.locator('.customer').textContent())?.trim(), 'Contoso Ltd');
    assert.equal((await mail.locator('.service').textContent())?.trim(), 'Exchange Online');
    assert.equal((await mail.locator('.id').textContent())?.trim(), 'esc-contoso-mail');
    assert.equal((await mail.locator('.state').textContent())?.trim(), 'Escalated to Microsoft');
    assert.equal((await mail.locator('.request').textContent())?.trim(), '2405010010001234');
    assert.equal((await mail.locator('.age').textContent())?.trim(), '3 d');
    assert.equal((await mail.locator('.owner').textContent())?.trim(), 'Ada Engineer');

    // Markup in data stays text: no element is created from it and no script runs.
    const fabrikam = page.locator('#list-body tr[data-id="esc-fabrikam-teams"]');
    assert.equal((await fabrikam.locator('.customer').textContent())?.trim(), 'Fabrikam <b>Inc</b>');
    assert.equal(await page.locator('#list-body img, #list-body b').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);

    await page.screenshot({ path: join(RESULTS, 'list.png'), fullPage: true });
  });

  it('filters by state and by customer', async () => {
    await page.selectOption('#filter-state', 'escalated');
    await page.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 1);
    assert.equal(await rows(page).first().getAttribute('data-id'), 'esc-contoso-mail');

    await page.selectOption('#filter-state', 'open');
    await page.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 3);

    await page.selectOption('#filter-state', '');
    await page.selectOption('#filter-customer', { label: 'Contoso Ltd' });
    await page.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 2);
    const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id).sort());
    assert.deepEqual(ids, ['esc-contoso-mail', 'esc-contoso-sharepoint']);
    await page.selectOption('#filter-customer', '');
    await page.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 4);
  });

  it('opens an escalation: its timeline and its card rendered by the Adaptive Cards SDK', async () => {
    await page.click('#list-body tr[data-id="esc-contoso-mail"] .open-link');
    await page.waitForSelector('#card .ac-adaptiveCard', { timeout: 10_000 });
    assert.equal((await page.locator('#detail-title').textContent())?.trim(), 'Mail flow stopped for external senders');
    // One timeline, its states named as the chat names them; the card's own timeline is not shown.
    const steps = await page.locator('#timeline li .what').allTextContents();
    assert.deepEqual(steps, ['Created as Draft', 'Draft → Triage', 'Triage → Waiting for the Partner Center request', 'Waiting for the Partner Center request → Escalated to Microsoft']);
    assert.equal(await page.locator('ol:visible, .timeline:visible').count(), 1);
    // Read-only: no button, no input in the card, and it says where to act; no chat link in local mode.
    assert.equal(await page.locator('#card button, #card input, #card textarea, #card select, #card .ac-actionSet').count(), 0);
    assert.equal((await page.locator('#card-note').textContent())?.trim(), 'Read-only here: act on it in the chat with the bot.');
    assert.equal(await page.locator('#chat-link').isVisible(), false);
    assert.equal((await page.locator('#detail-fields dd').first().textContent())?.trim(), 'esc-contoso-mail');
    assert.match((await page.locator('#timeline li').last().textContent()) ?? '', /by Microsoft/);
    assert.match((await page.locator('#card .ac-adaptiveCard').textContent()) ?? '', /Mail flow stopped for external senders/);
    // The card's markdown renders as in Teams; user text made inert shows as typed, without escapes or links.
    const card = page.locator('#card .ac-adaptiveCard');
    assert.equal((await card.locator('strong').allTextContents()).map((t) => t.trim()).includes("Microsoft's note:"), true);
    const shown = ((await card.textContent()) ?? '').replace(/\u200B/g, '');
    assert.ok(shown.includes(NOTE_FROM_MICROSOFT), shown);
    // A bare URL may be linked (Teams does that too), but no link hides its target behind other text.
    const links = await card.locator('a').evaluateAll((as) => as.map((a) => [a.textContent ?? '', a.getAttribute('href') ?? '']));
    assert.ok(links.length > 0);
    for (const [text, href] of links) assert.equal(href.startsWith(text.replace(/\u200B/g, '')), true, `${text} -> ${href}`);
    await page.screenshot({ path: join(RESULTS, 'detail.png'), fullPage: true });
  });

  it('updates the open escalation when its state changes (polling)', async () => {
    assert.ok(tab);
    const current = await tab.database.escalations.get('esc-contoso-mail');
    assert.ok(current);
    const moved = transition(current, 'resolved', { actor: ENGINEER, at: new Date() });
    await tab.database.escalations.update(moved.escalation, current.version, [moved.event]);
    await page.waitForFunction(() => document.querySelectorAll('#timeline li').length === 5, undefined, { timeout: 15_000 });
    assert.equal((await page.locator('#detail-fields .state').textContent())?.trim(), 'Resolved: tell the customer');
  });

  it('shows the resolved card read-only, its drafted message in full (not a box of one and a half lines)', async () => {
    await page.waitForFunction(() => (document.querySelector('#card')?.textContent ?? '').includes('Kind regards'), undefined, { timeout: 15_000 });
    assert.equal(await page.locator('#card button, #card input, #card textarea, #card select, #card .ac-actionSet').count(), 0);
    const draft = page.locator('#card .ac-textBlock', { hasText: 'Kind regards' }).last();
    const box = await draft.evaluate((node) => ({ scroll: node.scrollHeight, client: node.clientHeight, text: node.textContent ?? '' }));
    assert.ok(box.scroll <= box.client + 1, `the draft is cut: ${box.scroll} > ${box.client}`);
    assert.match(box.text, /Hello Contoso Ltd,[\s\S]*Kind regards,/);
    assert.ok(box.client > 100, `the draft shows its lines (${box.client} px)`);
    await page.screenshot({ path: join(RESULTS, 'detail-resolved.png'), fullPage: true });
  });

  it('follows the theme (dark) and goes back to the list', async () => {
    await page.click('#back');
    await page.waitForSelector('#list-view:not([hidden])');
    assert.ok(tab);
    const dark = await browser?.newPage();
    assert.ok(dark);
    await dark.goto(`${tab.url}/tab/index.html?theme=dark`);
    await dark.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    assert.equal(await dark.evaluate(() => document.body.classList.contains('theme-dark')), true);
    await dark.close();
  });

  it('fits Teams\u2019 side panel (420 px): rows stacked, no horizontal scrolling, in the list and the detail', async () => {
    assert.ok(tab && browser);
    const narrow = await browser.newPage({ viewport: { width: 420, height: 800 } });
    try {
      await narrow.goto(`${tab.url}/tab/`);
      await narrow.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      await narrow.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 4, undefined, { timeout: 10_000 });
      assert.ok((await narrow.evaluate(() => document.documentElement.scrollWidth)) <= 420, `overflow ${await overflow(narrow)} px`);
      // Each row is a card naming its fields.
      const mail = narrow.locator('#list-body tr[data-id="esc-contoso-mail"]');
      assert.equal(await narrow.locator('#list thead').isVisible(), false);
      assert.match((await mail.locator('.id').evaluate((td) => getComputedStyle(td, '::before').content)) ?? '', /ID/);
      await narrow.screenshot({ path: join(RESULTS, 'list-420-en.png'), fullPage: true });
      await mail.locator('.open-link').click();
      await narrow.waitForSelector('#card .ac-adaptiveCard', { timeout: 10_000 });
      assert.ok((await narrow.evaluate(() => document.documentElement.scrollWidth)) <= 420, `overflow ${await overflow(narrow)} px`);
      await narrow.screenshot({ path: join(RESULTS, 'detail-420-en.png'), fullPage: true });
    } finally {
      await narrow.close();
    }
  });

  it('speaks Korean to a Korean reader (the browser\u2019s language outside Teams), from locales/', async () => {
    assert.ok(tab && browser);
    for (const [width, name] of [[420, '420'], [1200, 'desktop']] as const) {
      const context = await browser.newContext({ locale: 'ko-KR', viewport: { width, height: 800 } });
      const ko = await context.newPage();
      try {
        await ko.goto(`${tab.url}/tab/`);
        await ko.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
        await ko.waitForFunction(() => document.querySelectorAll('#list-body tr').length === 4, undefined, { timeout: 10_000 });
        assert.equal(await ko.evaluate(() => document.documentElement.lang), 'ko');
        assert.equal((await ko.locator('#page-title').textContent())?.trim(), '내 에스컬레이션');
        assert.equal((await ko.locator('#label-state').textContent())?.trim(), '상태');
        assert.equal((await ko.locator('#dev-banner').textContent())?.trim(), '개발용 ID — 통합 로그인이 구성되지 않음');
        const fabrikam = ko.locator('#list-body tr[data-id="esc-fabrikam-teams"]');
        assert.equal((await fabrikam.locator('.state').textContent())?.trim(), '분류');
        assert.match((await ko.locator('#list-status').textContent()) ?? '', /4건 표시/);
        await ko.screenshot({ path: join(RESULTS, `list-${name}-ko.png`), fullPage: true });
        assert.ok((await ko.evaluate(() => document.documentElement.scrollWidth)) <= width, `overflow ${await overflow(ko)} px`);
        await ko.locator('#list-body tr[data-id="esc-contoso-sharepoint"] .open-link').click();
        await ko.waitForFunction(() => document.querySelectorAll('#timeline li').length === 4, undefined, { timeout: 10_000 });
        const steps = await ko.locator('#timeline li .what').allTextContents();
        assert.deepEqual(steps, ['초안 상태로 생성', '초안 → 분류', '분류 → Microsoft 대상 아님', 'Microsoft 대상 아님 → 종료']);
        assert.equal((await ko.locator('#back').textContent())?.trim(), '목록으로 돌아가기');
        await ko.waitForSelector('#card .ac-adaptiveCard', { timeout: 10_000 });
        await ko.screenshot({ path: join(RESULTS, `detail-${name}-ko.png`), fullPage: true });
        // The team tab's configuration page too.
        await ko.goto(`${tab.url}/tab/config.html`);
        await ko.waitForFunction(() => (document.getElementById('config-status')?.textContent ?? '') !== '', undefined, { timeout: 10_000 });
        assert.equal((await ko.locator('#config-title').textContent())?.trim(), '에스컬레이션');
        assert.equal((await ko.locator('#config-status').textContent())?.trim(), '탭을 추가하려면 Microsoft Teams에서 이 페이지를 여세요.');
      } finally {
        await context.close();
      }
    }
  });
});
