/**
 * The tab's views on the API contract (TAB-CONTRACT.md) in Chromium: response clocks on the
 * list and the detail (in the reader's time zone), GDAP renewals, the Incidents view, the
 * Reports view with its CSV, a deep link to an incident; English and Korean, 420 px and
 * desktop. Served by a contract double (test/tab/contract-double.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { GdapRelationship } from '../../src/domain/access';
import { CHAT_URL, startContractDouble, type ContractDouble } from './contract-double';
import { CONTOSO, FABRIKAM, addEscalation, incidentRecord, startTabServer, type TabServer } from './fixtures';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(process.cwd(), 'test-results');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ZONE = 'Asia/Seoul';

const fits = async (p: Page, width: number) => {
  const scroll = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `the page is ${scroll} px wide in ${width} px`);
};
const text = async (p: Page, selector: string) => ((await p.locator(selector).first().textContent()) ?? '').trim();

describe('tab views on the API contract in Chromium', function () {
  this.timeout(90_000);
  let browser: Browser | undefined;
  let api: ContractDouble;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}`);
      this.skip();
    }
    mkdirSync(RESULTS, { recursive: true });
    api = await startContractDouble();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await api?.stop();
  });

  /** A page in a locale and width, on the reader's clock in Seoul, at `path`, ready. */
  async function open(locale: string, width: number, path = '/tab/'): Promise<{ context: BrowserContext; page: Page }> {
    assert.ok(browser);
    const context = await browser.newContext({ locale, timezoneId: ZONE, viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.warn('page error:', error.message));
    await page.goto(`${api.url}${path}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
    return { context, page };
  }

  /**
   * The due time as the reader in Seoul reads it: "07:40 AM", "오전 07:40" (built from English
   * parts: Node's ICU may lack Korean, Chromium's has it).
   */
  const dueInSeoul = (iso: string, locale: string) => {
    const parts = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: true, timeZone: ZONE }).formatToParts(new Date(iso));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    const hhmm = `${part('hour')}:${part('minute')}`;
    const am = part('dayPeriod') === 'AM';
    return locale.startsWith('ko') ? `${am ? '오전' : '오후'} ${hhmm}` : `${hhmm} ${am ? 'AM' : 'PM'}`;
  };

  for (const [locale, width] of [['en-US', 1200], ['en-US', 420], ['ko-KR', 1200], ['ko-KR', 420]] as const) {
    const name = `${width === 420 ? '420' : 'desktop'}-${locale.slice(0, 2)}`;
    const ko = locale === 'ko-KR';

    it(`escalations with their response clocks and GDAP ending soon (${name})`, async () => {
      const { context, page } = await open(locale, width);
      try {
        await page.waitForSelector('#list-body tr[data-id="ED-7K2M9Q4P"]');
        await page.waitForSelector('#renewals:not([hidden])');
        const due = dueInSeoul(api.data.escalation.clocks[0].dueAt, locale);
        const clocks = await page.locator('#list-body tr[data-id="ED-7K2M9Q4P"] .clock').allTextContents();
        assert.equal(clocks.length, 2, clocks.join('\n'));
        if (ko) {
          assert.match(clocks[0], new RegExp(`^Microsoft · Sev A · 첫 응답 기한 ${due} · 3[0-5]분 남음$`), clocks[0]);
          assert.match(clocks[1], /^귀사 · 고객 안내 기한 .+ · 1일 2[0-3]시간( \d+분)? 남음$/, clocks[1]);
          assert.match(await text(page, '#renewals-list li'), /^Contoso Ltd · 'Contoso helpdesk' .+ 종료 · 10일 남음$/);
          assert.equal(await text(page, '#renewals-heading'), '곧 끝나는 GDAP');
          assert.equal(await text(page, '#nav-incidents'), '인시던트');
        } else {
          assert.match(clocks[0], new RegExp(`^Microsoft · Sev A · first response due ${due} · 3[0-5] min left$`), clocks[0]);
          assert.match(clocks[1], /^You · customer to be told by .+ · 1 d 2[0-3] h left$/, clocks[1]);
          assert.match(await text(page, '#renewals-list li'), /^Contoso Ltd · 'Contoso helpdesk' ends .+ · 10 days left$/);
        }
        await fits(page, width);
        await page.screenshot({ path: join(RESULTS, `views-escalations-${name}.png`), fullPage: true });
        // The detail shows the same clocks.
        await page.locator('#list-body tr[data-id="ED-7K2M9Q4P"] .open-link').click();
        await page.waitForSelector('#detail-fields .clock');
        assert.equal(await page.locator('#detail-fields .clock').count(), 2);
        assert.match((await page.locator('#detail-fields .clock').first().textContent()) ?? '', new RegExp(`Sev A · .*${due}`));
        await fits(page, width);
        await page.screenshot({ path: join(RESULTS, `views-escalation-detail-${name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });

    it(`incidents: counts, affected customers, who was told, one timeline, the review link (${name})`, async () => {
      const { context, page } = await open(locale, width);
      try {
        await page.click('#nav-incidents');
        await page.waitForSelector('#incident-list-body tr[data-id="EX123456"]');
        const row = page.locator('#incident-list-body tr[data-id="EX123456"]');
        assert.equal(await text(page, '#incident-list-body .affected'), ko ? '3곳 영향' : '3 affected');
        assert.equal(await text(page, '#incident-list-body .told'), ko ? '3곳 중 1곳 알림' : '1 of 3 told');
        assert.equal(await text(page, '#incident-list-body .status'), ko ? '서비스 복원됨' : 'Service restored');
        await fits(page, width);
        await page.screenshot({ path: join(RESULTS, `views-incidents-${name}.png`), fullPage: true });

        await row.locator('.open-link').click();
        await page.waitForSelector('#incident-customers li');
        const customers = await page.locator('#incident-customers li').allTextContents();
        assert.equal(customers.length, 3);
        assert.match(customers[0], ko ? /Contoso Ltd.*Ada Engineer님이 .+에 알림.*ED-7K2M9Q4P/ : /Contoso Ltd.*Told .+ by Ada Engineer.*ED-7K2M9Q4P/);
        assert.match(customers[1], ko ? /Fabrikam Inc.*아직 알리지 않음.*연결된 에스컬레이션 없음/ : /Fabrikam Inc.*Not told yet.*No escalation linked/);
        const timeline = await page.locator('#incident-timeline li .what').allTextContents();
        assert.deepEqual(timeline, ko
          ? ['고객 영향: Contoso Ltd', 'Microsoft 게시', '해결됨: 서비스 복원됨', '고객에게 알림: Contoso Ltd']
          : ['Customer affected: Contoso Ltd', 'Microsoft posted', 'Resolved: Service restored', 'Customer told: Contoso Ltd']);
        assert.equal(await page.locator('#incident-fields a').getAttribute('href'), api.data.incident.postIncidentReviewUrl);
        assert.equal(await page.locator('ol:visible').count(), 1);
        await fits(page, width);
        await page.screenshot({ path: join(RESULTS, `views-incident-detail-${name}.png`), fullPage: true });

        // A linked escalation opens in the escalations view.
        await page.locator('#incident-customers .customer-escalations .open-link').first().click();
        await page.waitForSelector('#view-escalations:not([hidden]) #detail-view:not([hidden])');
        // The title fills in once the escalation has loaded.
        await page.waitForFunction((title) => document.getElementById('detail-title')?.textContent === title, api.data.escalation.title, { timeout: 10_000 });
      } finally {
        await context.close();
      }
    });

    it(`reports: median and p90 per severity, the partner's own times, breaches per month, the CSV (${name})`, async () => {
      const { context, page } = await open(locale, width, '/tab/?view=reports');
      try {
        await page.waitForSelector('#report-microsoft-table tbody tr');
        const severityA = await page.locator('#report-microsoft-table tbody tr').first().locator('td').allTextContents();
        assert.deepEqual(severityA, ko ? ['Sev A', '4', '4', '1시간 10분', '2시간 30분', '1'] : ['Sev A', '4', '4', '1 h 10 min', '2 h 30 min', '1']);
        const sevC = await page.locator('#report-microsoft-table tbody tr').last().locator('td').allTextContents();
        assert.deepEqual(sevC, ['Sev C', '0', '0', '—', '—', '0']);
        const partner = await page.locator('#report-partner-table tbody td').allTextContents();
        assert.deepEqual(partner, ko ? ['6', '5', '1일 1시간', '2일 2시간', '2'] : ['6', '5', '1 d 1 h', '2 d 2 h', '2']);
        const months = await page.locator('#report-months-table tbody tr').first().locator('td').allTextContents();
        assert.deepEqual(months, ko ? ['2026년 11월', '1', '0'] : ['November 2026', '1', '0']);
        assert.equal(await text(page, '#report-csv'), ko ? 'CSV 다운로드' : 'Download CSV');
        await fits(page, width);
        await page.screenshot({ path: join(RESULTS, `views-reports-${name}.png`), fullPage: true });
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
        assert.equal(download.suggestedFilename(), 'response-times-2026-06-05-2026-12-05.csv');
        assert.equal(await readFile(await download.path(), 'utf8'), 'severity,requests,medianMinutes\nA,4,70\n');
        assert.ok(api.requests.some((r) => r.startsWith('/api/reports/response-times?from=2026-06-05&to=2026-12-05&format=csv')), api.requests.join('\n'));
      } finally {
        await context.close();
      }
    });
  }

  it('opens the incident a deep link names (?incident=<id>, as the incident card links it in local mode)', async () => {
    const { context, page } = await open('en-US', 1200, '/tab/index.html?incident=EX123456');
    try {
      await page.waitForSelector('#incident-detail-view:not([hidden]) #incident-customers li');
      assert.equal(await text(page, '#incident-title'), api.data.incident.title);
      assert.equal(await page.locator('#nav-incidents').getAttribute('aria-current'), 'page');
    } finally {
      await context.close();
    }
  });
});

describe('tab views on the real tab API in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let tab: TabServer | undefined;
  // Set when the data is seeded (not when mocha loads the file: the suite may reach this test minutes later).
  let now = Date.now();
  const iso = (minutesFromNow: number) => new Date(now + minutesFromNow * 60_000).toISOString();

  before(async function () {
    now = Date.now();
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}`);
      this.skip();
    }
    const relationship: GdapRelationship = { id: 'r1', displayName: 'Contoso helpdesk', customerTenantId: CONTOSO, status: 'active', roleIds: [], endDateTime: iso(10 * 1440 - 60) };
    tab = await startTabServer(
      { mode: 'development' },
      {
        access: { listRelationships: () => Promise.resolve({ value: [relationship], fetchedAt: iso(0), stale: false }) },
        directory: { get: (tenantId) => Promise.resolve(tenantId === CONTOSO ? { tenantId, companyName: 'Contoso Ltd', domain: 'contoso.example' } : undefined) },
      },
    );
    const incident = incidentRecord({
      id: 'EX300001',
      startDateTime: iso(-120),
      lastModifiedDateTime: iso(-30),
      updatedAt: iso(-30),
      posts: [{ createdDateTime: iso(-100), postType: 'regular', contentType: 'html', content: '<p>We&#39;re investigating.</p>' }],
      customers: [
        { tenantId: CONTOSO, name: 'Contoso Ltd', firstSeenAt: iso(-110), lastSeenAt: iso(-30), told: { by: { id: 'u1', name: 'Ada Engineer' }, at: iso(-20) } },
        { tenantId: FABRIKAM, name: 'Fabrikam Inc', firstSeenAt: iso(-105), lastSeenAt: iso(-30) },
      ],
    });
    await tab.database.incidents.save({ incident, expectedVersion: 0, card: undefined });
    await addEscalation(tab.database, {
      id: 'ED-KN0WN001',
      customer: { tenantId: CONTOSO, name: 'Contoso Ltd' },
      createdAt: iso(-90),
      title: 'Mail delayed',
      steps: [{ to: 'known_issue', at: iso(-89), details: { knownIssue: { id: 'EX300001', title: 'Mail delayed' } } }],
    });
    // A Sev A request filed 85 minutes ago, unanswered: Microsoft's first response is due in 35 minutes.
    await addEscalation(tab.database, {
      id: 'ED-SEVA0001',
      customer: { tenantId: CONTOSO, name: 'Contoso Ltd' },
      createdAt: iso(-100),
      title: 'Teams calls drop',
      steps: [
        { to: 'triage', at: iso(-95) },
        { to: 'awaiting_handoff', at: iso(-90) },
        { to: 'escalated', at: iso(-85), details: { serviceRequestId: '2612050010009999', requestCreatedAt: iso(-85), requestSeverity: 'critical' } },
      ],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await tab?.stop();
  });

  it('shows GDAP ending soon, the incident with its customers and linked escalation, and the report, from the real routes', async () => {
    assert.ok(browser && tab);
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${tab.url}/tab/`);
      await page.waitForSelector('#renewals:not([hidden]) li');
      assert.match(await text(page, '#renewals-list li'), /^Contoso Ltd · 'Contoso helpdesk' ends .+ · 10 days left$/);
      assert.match(await text(page, '#list-body tr[data-id="ED-SEVA0001"] .clock'), /^Microsoft · Sev A · first response due ([A-Z][a-z]{2} \d{1,2}, )?\d\d:\d\d [AP]M · 3[0-5] min left$/, 'the date is named when the due time is on another day (a run near midnight)');
      await page.click('#nav-incidents');
      await page.waitForSelector('#incident-list-body tr[data-id="EX300001"]');
      assert.equal(await text(page, '#incident-list-body .told'), '1 of 2 told');
      assert.equal(await text(page, '#incident-list-body .status'), 'Degraded');
      assert.equal(await text(page, '#incident-list-body .escalations'), '1 open');
      await page.locator('#incident-list-body .open-link').click();
      await page.waitForSelector('#incident-customers li');
      assert.equal(await text(page, '#incident-fields dd:nth-of-type(3)'), 'Incident');
      assert.match((await page.locator('#incident-customers li').first().textContent()) ?? '', /Contoso Ltd.*Told .+ by Ada Engineer.*ED-KN0WN001 · Mail delayed/);
      assert.ok((await page.locator('#incident-timeline li .note-text').allTextContents()).includes('We\u2019re investigating.') ||
        (await page.locator('#incident-timeline li .note-text').allTextContents()).includes("We're investigating."));
      await fits(page, 420);
      await page.screenshot({ path: join(RESULTS, 'views-real-incident-420-en.png'), fullPage: true });
      await page.click('#nav-reports');
      await page.waitForSelector('#report-microsoft-table tbody tr, #report-microsoft p');
      await page.waitForSelector('#report-partner-table tbody tr');
      assert.match(await text(page, '#report-range'), /.+ to .+/);
      await fits(page, 420);
      await page.screenshot({ path: join(RESULTS, 'views-real-reports-420-en.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});

/**
 * A stand-in for the Teams JavaScript SDK inside Teams: the context Teams passes (locale,
 * theme, the sub-page a deep link names), an SSO token, and links opened through Teams.
 */
const TEAMS_STUB = `window.microsoftTeams = {
  app: {
    initialize: () => Promise.resolve(),
    getContext: () => Promise.resolve({ app: { locale: 'ko-KR', theme: 'dark' }, page: { id: 'my-escalations', subPageId: 'incident:EX123456' } }),
    registerOnThemeChangeHandler: () => undefined,
    openLink: (url) => { window.__opened = (window.__opened || []).concat([url]); return Promise.resolve(); },
  },
  authentication: { getAuthToken: () => Promise.resolve('sso-token-from-teams') },
};`;

describe('tab page inside Teams (SDK stand-in) in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let api: ContractDouble;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}`);
      this.skip();
    }
    api = await startContractDouble();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('speaks the language Teams passes (ko, in an English browser), opens the deep-linked incident, sends the SSO token, opens links through Teams', async () => {
    assert.ok(browser);
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    try {
      await page.route('**/tab/vendor/teams-js.js', (route) => route.fulfill({ contentType: 'text/javascript', body: TEAMS_STUB }));
      await page.goto(`${api.url}/tab/index.html?scope=personal`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      await page.waitForSelector('#incident-detail-view:not([hidden]) #incident-customers li');
      assert.equal(await text(page, '#page-title'), '내 에스컬레이션');
      assert.equal(await text(page, '#incident-back'), '인시던트 목록으로 돌아가기');
      assert.equal(await page.locator('#outside-banner').isVisible(), false);
      assert.equal(await page.evaluate(() => document.body.classList.contains('theme-dark')), true);
      assert.ok(api.authorizations.length > 0 && api.authorizations.every((h) => h === 'Bearer sso-token-from-teams'), api.authorizations.join(','));
      await page.screenshot({ path: join(RESULTS, 'views-teams-dark-420-ko.png'), fullPage: true });

      // "Open in chat" goes through Teams (a deep link), not a navigation inside the tab.
      await page.locator('#incident-customers .customer-escalations .open-link').first().click();
      await page.waitForSelector('#chat-link:not([hidden]) a');
      assert.equal(await text(page, '#chat-link a'), '채팅에서 열기');
      await page.click('#chat-link a');
      assert.deepEqual(await page.evaluate(() => (window as unknown as { __opened?: string[] }).__opened), [CHAT_URL]);
      assert.match(page.url(), /\/tab\/index\.html/);
    } finally {
      await context.close();
    }
  });
});
