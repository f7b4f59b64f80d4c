/**
 * End to end through the Microsoft 365 Agents Playground in headless Chromium: the real bot
 * (`node dist/src/index.js`, local mode, SQLite in a temp file) and the real playground as child
 * processes, the playground's page driven like a person would (type, pick, click), along the
 * escalated path: escalate → describe → not the known issue → nothing to check → decide →
 * link the request number. Then the bot's own state is checked through the tab API.
 *
 * Real conditions: the partner has 150 customers more than the sandbox seed's (167), and the engineer is
 * in Seoul. The playground sends its own process's time zone with every activity (clientInfo
 * `timezone`, `localTimezone`, `localTimestamp`), so it runs with TZ=Asia/Seoul and the page with
 * the same zone: the start time is picked on a Seoul clock through the browser. The playground has
 * no server-side typeahead (it filters the card's static choices, logs "Typeahead Search is not
 * supported", and shows a customer chosen in a searching field as its tenant id), so the bot in
 * local mode lists the first page plainly, and a customer beyond it is reached the way such a client can:
 * `health Zeta` → "Report a problem for this customer" presets it; and the `application/search`
 * invoke Teams would send is posted through the same proxy, shaped like the playground's own
 * invokes, and its answer checked.
 *
 * Between the playground and the bot sits a pass-through proxy that records the activities, so
 * the test also checks what the bot really received (Action.Execute arrives as invokes).
 * Screenshots go to test-results/e2e-*.png. Nothing leaves 127.0.0.1: the page's requests to
 * other hosts (the playground's CDN fonts) are aborted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { localToUtc } from '../../src/domain/local-time';
import { writeManyCustomersSeed, ZETA } from '../helpers/many-customers';
import { PlaygroundChat, recentLocalStart } from './helpers/playground-chat';
import { RESULTS, usePlayground } from './helpers/playground-harness';

const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const TITLE = 'Users cannot send email to external recipients';
const REQUEST_NUMBER = '2611250010001234';
/** The engineer's zone: the playground's process and the page run in it. */
const ZONE = 'Asia/Seoul';
/** Generated customers beside the sandbox's four: Fabrikam, Northwind and Zeta sort past the first page. */
const GENERATED_CUSTOMERS = 150;

interface EscalationSummary {
  id: string;
  state: string;
  title: string;
  serviceRequestId?: string;
  customer: { tenantId: string; name: string };
}
interface EscalationDetail {
  escalation: { id: string; state: string; since?: string; customer: { tenantId: string }; details: Record<string, unknown> };
  audit: { to: string; reason?: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return (await res.json()) as T;
}

describe('Agents Playground in Chromium: the escalated path end to end', function () {
  this.timeout(60_000);

  let customerCount = 0;
  const pg = usePlayground({
    name: 'the playground end-to-end test',
    tempPrefix: 'ed-e2e-',
    failureShot: 'e2e-failure.png',
    botEnv: (tempDir) => {
      const seed = writeManyCustomersSeed(tempDir, GENERATED_CUSTOMERS);
      customerCount = seed.customers.length;
      return { SANDBOX_HEALTH_FILE: seed.path };
    },
    // The playground reads its zone from its own process (dayjs' guess): the engineer is in Seoul;
    // the page on the same clock, as a person's browser and Teams client are.
    playgroundEnv: { TZ: ZONE },
    context: { viewport: { width: 1280, height: 1000 }, timezoneId: ZONE, locale: 'en-US' },
  });

  it('escalates a problem to Microsoft, typing and clicking in the playground', async () => {
    const { page, proxy, bot } = pg;
    const chat = new PlaygroundChat(page, RESULTS);
    await page.goto(pg.playgroundUrl);
    // The page load sends conversationUpdate + installationUpdate: the bot greets with its card.
    await chat.expectCard('Escalation Desk', 20_000);

    // 1. "escalate" → the describe card.
    await chat.say('escalate');
    const describe = await chat.expectCard("Report a customer's problem");
    const describeText = await describe.innerText();
    assert.match(describeText, new RegExp(`The list shows 50 of your ${customerCount} customers`), 'the card says its list is a first page');
    await chat.choose(describe, /^Customer/, 'Conto', 'Contoso');
    // By name: a typeahead field (Data.Query) would show the tenant id here, as the playground cannot search.
    const customer = describe.getByRole('combobox', { name: /^Customer/ });
    assert.equal(await chat.shownValue(customer, (shown) => shown === 'Contoso'), 'Contoso', 'the chosen customer shows by name');
    await chat.choose(describe, /^Affected service/, 'Exchange', 'Exchange Online');
    await chat.fill(describe, 'textbox', /^What is wrong/, TITLE);
    await chat.fill(describe, 'textbox', /^What the customer sees/, 'Mail to external recipients stays in the outbox for every user since this morning');
    // The start, picked on the engineer's Seoul clock (the card names the zone it reads).
    const start = recentLocalStart(new Date(), ZONE);
    const shownDate = await chat.pickDate(describe, /^Started \(date, Asia\/Seoul\)/, start.date);
    assert.notEqual(shownDate, '', 'the date picker shows the chosen day');
    const shownTime = await chat.pickTime(describe, /^Time \(Asia\/Seoul\)/, start.time);
    assert.match(shownTime, /^\d{1,2}:\d{2} (AM|PM)$/, 'the time picker took the time');
    await chat.fill(describe, 'spinbutton', /^Users affected/, '120');
    await chat.fill(describe, 'textbox', /^Regions/, 'West Europe');
    await chat.screenshot('e2e-01-describe-filled.png', describe);
    await chat.click(describe, 'Check service health');

    // 2. A known issue is offered: say why it is not the same.
    const match = await chat.expectCard('Is this a known Microsoft issue?');
    assert.match(await match.innerText(), /EX226792/);
    await chat.fill(match, 'textbox', /^Not the same\?/, 'Only external recipients fail; Outlook on the web works');
    await chat.screenshot('e2e-02-match.png', match);
    await chat.click(match, 'Not the same problem: continue');

    // 3. Troubleshooting: nothing to check, the service is down.
    const troubleshoot = await chat.expectCard('Troubleshoot with admin privileges');
    await chat.click(troubleshoot, 'Nothing to check: the service is down');

    // 4. Triage: category, severity, impact, contact → Decide.
    const triage = await chat.expectCard('Does this belong to Microsoft?');
    await chat.check(triage, 'The service is unavailable');
    await chat.check(triage, /^Critical \(Sev A\)/);
    await chat.fill(triage, 'textbox', /^Business impact/, 'Sales cannot email customers');
    await chat.fill(triage, 'textbox', /^Customer contact/, 'Jo Brown, jo@contoso.example');
    await chat.screenshot('e2e-03-triage-filled.png', triage);
    await chat.click(triage, 'Decide');

    // 5. Hand-off: the copy-ready request; paste the request number and link it.
    const handoff = await chat.expectCard('Hand it off to Microsoft');
    const handoffText = await handoff.innerText();
    assert.match(handoffText, /Decision: escalate to Microsoft/);
    assert.doesNotMatch(handoffText, /\{customer\}/, 'the filing path names the customer');
    assert.match(handoffText, /Customers → Contoso → Service management/);
    assert.equal(await handoff.getByRole('textbox', { name: /^Title \(copy\)/ }).inputValue(), `Exchange Online: ${TITLE}`);
    await chat.fill(handoff, 'textbox', /^Request number/, REQUEST_NUMBER);
    await chat.screenshot('e2e-04-handoff.png', handoff);
    await chat.click(handoff, 'Link request');

    // 6. The final card: escalated, with the request number.
    const final = await chat.expectCard(TITLE);
    await final.getByText('Escalated to Microsoft', { exact: true }).first().waitFor({ timeout: 15_000 });
    const finalText = await final.innerText();
    assert.match(finalText, /Escalated to Microsoft/);
    assert.match(finalText, new RegExp(REQUEST_NUMBER));
    assert.match(finalText, new RegExp(`${start.date} ${start.time} Asia/Seoul`), 'the start is shown on the reader’s clock, the zone named');
    await chat.screenshot('e2e-final-card.png', final);

    // What the bot received: the text message, then each card button as an Action.Execute invoke.
    const received = proxy.exchanges.map((e) => e.activity);
    const message = received.find((a) => a.type === 'message');
    assert.equal(message?.text, 'escalate');
    const invokes = proxy.exchanges.filter((e) => e.activity.type === 'invoke');
    for (const { activity, status, answer } of invokes) {
      assert.equal(activity.name, 'adaptiveCard/action', JSON.stringify(activity));
      assert.equal((activity.value as { action: { type: string } }).action.type, 'Action.Execute');
      assert.equal(status, 200);
      const body = JSON.parse(answer) as { statusCode: number; type: string };
      assert.equal(body.statusCode, 200, answer.slice(0, 500));
      assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    }
    assert.deepEqual(
      invokes.map((e) => (e.activity.value as { action: { verb: string } }).action.verb),
      ['describe', 'knownDiffers', 'troubleshootSkip', 'triage', 'handoffLink'],
    );
    // The zone came from the playground itself (nothing added it on the way), and the card's answer named it too.
    const describeInvoke = invokes[0]?.activity as { entities?: { type: string; timezone?: string }[]; localTimezone?: string; value: { action: { data: Record<string, unknown> } } };
    assert.equal(describeInvoke.entities?.find((e) => e.type === 'clientInfo')?.timezone, ZONE);
    assert.equal(describeInvoke.localTimezone, ZONE);
    assert.equal(describeInvoke.value.action.data.timeZone, ZONE);
    assert.equal(describeInvoke.value.action.data.sinceTime, start.time);

    // The bot's own state, through the tab API (development identity in local mode).
    const list = await getJson<{ items: EscalationSummary[] }>(`${pg.botUrl}/api/escalations`);
    assert.equal(list.items.length, 1, JSON.stringify(list.items));
    const [summary] = list.items;
    assert.ok(summary);
    assert.equal(summary.state, 'escalated');
    assert.equal(summary.title, TITLE);
    assert.equal(summary.serviceRequestId, REQUEST_NUMBER);
    assert.equal(summary.customer.tenantId, CONTOSO);
    assert.match(finalText, new RegExp(summary.id));

    const detail = await getJson<EscalationDetail>(`${pg.botUrl}/api/escalations/${summary.id}`);
    assert.equal(detail.escalation.state, 'escalated');
    // Stored in UTC: the Seoul reading, nine hours earlier.
    assert.equal(detail.escalation.since, localToUtc(start.date, start.time, ZONE)?.at.toISOString());
    assert.equal(detail.escalation.details.timeZone, ZONE);
    assert.equal(detail.escalation.details.serviceRequestId, REQUEST_NUMBER);
    assert.deepEqual(
      detail.audit.map((e) => e.to),
      ['draft', 'triage', 'awaiting_handoff', 'escalated'],
    );
    assert.equal(detail.audit[1]?.reason, 'Only external recipients fail; Outlook on the web works');
    const request = detail.escalation.details.request as { severity?: string; title?: string; description?: string } | undefined;
    assert.match(request?.description ?? '', new RegExp(`^Started: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC \\((${start.date} )?${start.time} Asia/Seoul, UTC\\+09:00\\)$`, 'm'));
    assert.equal(request?.severity, 'critical');
    assert.equal(request?.title, `Exchange Online: ${TITLE}`);

    // Nothing went wrong on the bot's side (it logs at warn and above here).
    const errors = bot.text.split('\n').filter((line) => /"level":(5|6)\d/.test(line));
    assert.deepEqual(errors, [], 'the bot logged errors');
    console.log(`      activities: ${proxy.summary().join(' | ')}`);
    if (pg.blocked.size > 0) console.log(`      blocked outside requests to: ${[...pg.blocked].join(', ')}`);
  });
  it('a customer beyond the first page: health → report presets it in the playground; the typeahead Teams would send finds it', async () => {
    const { page, proxy } = pg;
    const chat = new PlaygroundChat(page, RESULTS);
    const before = proxy.exchanges.length;

    // 1. health Zeta → the health card → "Report a problem for this customer".
    await chat.say('health Zeta');
    const health = await chat.expectCard('Service health: Zeta Logistics');
    await chat.click(health, 'Report a problem for this customer');

    // 2. The describe card opens with Zeta selected although it is not on the list's first page.
    const describe = await chat.expectCard("Report a customer's problem");
    const customer = describe.getByRole('combobox', { name: /^Customer/ });
    assert.equal(await chat.shownValue(customer, (shown) => shown !== ''), 'Zeta Logistics', 'the preset customer shows selected');
    await chat.screenshot('e2e-05-describe-preset-beyond-first-page.png', describe);
    await chat.choose(describe, /^Affected service/, 'Exchange', 'Exchange Online');
    await chat.fill(describe, 'textbox', /^What is wrong/, 'Shared mailboxes do not open');
    await chat.fill(describe, 'textbox', /^What the customer sees/, 'Outlook shows "cannot expand the folder" for every shared mailbox');
    const start = recentLocalStart(new Date(), ZONE);
    await chat.pickDate(describe, /^Started \(date, Asia\/Seoul\)/, start.date);
    await chat.pickTime(describe, /^Time \(Asia\/Seoul\)/, start.time);
    await chat.fill(describe, 'spinbutton', /^Users affected/, '12');
    await chat.click(describe, 'Check service health');

    // 3. Zeta has no open issue: straight to troubleshooting, for Zeta.
    const troubleshoot = await chat.expectCard('Troubleshoot with admin privileges');
    assert.match(await troubleshoot.innerText(), /Zeta Logistics/);
    await chat.screenshot('e2e-06-troubleshoot-zeta.png', troubleshoot);
    const list = await getJson<{ items: EscalationSummary[] }>(`${pg.botUrl}/api/escalations`);
    const zeta = list.items.find((e) => e.customer.tenantId === ZETA.tenantId);
    assert.ok(zeta, JSON.stringify(list.items.map((e) => e.customer)));
    const detail = await getJson<EscalationDetail>(`${pg.botUrl}/api/escalations/${zeta.id}`);
    assert.equal(detail.escalation.since, localToUtc(start.date, start.time, ZONE)?.at.toISOString());

    // 4. The playground never asked for the customers dataset: it has no typeahead.
    const mine = proxy.exchanges.slice(before);
    assert.ok(!mine.some((e) => e.activity.name === 'application/search'), 'the playground sent no search');
    assert.deepEqual(
      mine.filter((e) => e.activity.type === 'invoke').map((e) => (e.activity.value as { action?: { verb?: string } }).action?.verb),
      ['escalate', 'describe'],
    );

    // 5. What Teams sends while the engineer types in that field, shaped like the playground's own
    //    invokes (same conversation, user, tenant, clientInfo), through the same proxy.
    const shape = mine.find((e) => e.activity.name === 'adaptiveCard/action')?.activity;
    assert.ok(shape);
    const searchFor = async (queryText: string, skip: number, top: number) => {
      const res = await fetch(proxy?.url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...shape, id: randomUUID(), replyToId: undefined, name: 'application/search', value: { queryText, dataset: 'customers', queryOptions: { skip, top } } }),
        signal: AbortSignal.timeout(5_000),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { statusCode: number; type: string; value: { results: { title: string; value: string }[] } };
      assert.equal(body.statusCode, 200, JSON.stringify(body));
      assert.equal(body.type, 'application/vnd.microsoft.search.searchResponse');
      return body.value.results;
    };
    assert.deepEqual(await searchFor('zeta', 0, 15), [{ title: 'Zeta Logistics (zetalogistics.onmicrosoft.com)', value: ZETA.tenantId }]);
    assert.deepEqual((await searchFor('NORTHWIND', 0, 15)).map((r) => r.title), ['Northwind Traders (northwindtraders.onmicrosoft.com)']);
    const first = await searchFor('', 0, 15);
    const second = await searchFor('', 15, 15);
    assert.equal(first.length + second.length, 30);
    assert.equal(new Set([...first, ...second].map((r) => r.value)).size, 30, 'pages do not overlap');
    console.log(`      typeahead (posted like Teams): ${proxy.summary().slice(-4).join(' | ')}`);
  });
});
