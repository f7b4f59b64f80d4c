/**
 * End to end through the Microsoft 365 Agents Playground in headless Chromium: one Microsoft
 * incident in the incident channel. The real bot (`node dist/src/index.js`, local mode, the sandbox
 * seed's fifteen customers, SQLite in a temp file, WORKERS=on: the sweep, tracker, outbox and
 * reminders run as in production) and the real playground as child processes; the playground's
 * team channel "General" driven like a person would: a post @mentioning the bot says
 * `incidents here`; a shared incident is started, updated and resolved through the sandbox's routes
 * (as README shows); the card appears in the channel, the resolution's reply in its thread with a
 * drafted notice per customer (Korean for the Korean customer), one customer is marked told from
 * that reply, and the channel's card shows it once its coalescing window (10 s here) allows.
 * Screenshots go to test-results/e2e-incident-*.png; nothing leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { PlaygroundChat } from './helpers/playground-chat';
import { RESULTS, usePlayground } from './helpers/playground-harness';

const CONTOSO = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const BLUE_YONDER = 'b1e4c7a2-3d5f-4e81-9a6c-0f2d8b3e5a05';
const NURI = 'f0b3c6d1-2a4c-4b70-8d5f-9c1a7e2b4d14';
const INCIDENT = 'EX300001';
/** How long the sweep, the cache (5 s in the sandbox) and the card's window (10 s here) may take together. */
const CARD_WAIT_MS = 45_000;

describe('Agents Playground in Chromium: one Microsoft incident in the incident channel', function () {
  this.timeout(180_000);

  const pg = usePlayground({
    name: 'the incident end-to-end test',
    tempPrefix: 'ed-e2e-incident-',
    failureShot: 'e2e-incident-failure.png',
    botEnv: () => ({ WORKERS: 'on', INCIDENT_CARD_UPDATE_SECONDS: '10' }),
    context: { viewport: { width: 1280, height: 1400 }, locale: 'en-US' },
  });

  /** Drives the sandbox as README shows (curl); answers the status. */
  async function sandbox(path: string, body: unknown = {}): Promise<number> {
    const res = await fetch(`${pg.botUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  }

  /** The row of a customer on a card: the innermost container showing its name. */
  function row(card: Locator, name: string): Locator {
    return card.locator('.ac-container').filter({ has: pg.page.getByText(name, { exact: true }) }).last();
  }

  /** Waits until a card's text matches `pattern` (the outbox changes it in place). */
  async function until(card: Locator, pattern: RegExp, timeoutMs = CARD_WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = await card.innerText({ timeout: 2_000 }).catch(() => '');
      if (pattern.test(text)) return text;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the card never showed ${String(pattern)}; it shows:\n${text.slice(0, 2_000)}`);
  }

  it('incidents here → a shared incident starts → its card in the channel → resolved → the resolution with drafts → one customer marked told → the card shows it', async () => {
    const { page, proxy, bot } = pg;
    const chat = new PlaygroundChat(page, RESULTS);
    await page.goto(pg.playgroundUrl);
    await chat.openChannel('General');
    await chat.expectCard('Escalation Desk', 20_000);

    // 1. In the team channel, @mention the bot: this channel becomes the incident channel.
    await chat.post('Test Bot', 'incidents here');
    await page.getByText('This channel is now the incident channel', { exact: false }).first().waitFor({ timeout: 15_000 });
    await chat.screenshot('e2e-incident-01-channel-set.png');
    const said = proxy.exchanges.map((e) => e.activity).find((a) => a.type === 'message' && typeof a.text === 'string' && a.text.includes('incidents here'));
    assert.equal((said?.conversation as { conversationType?: string } | undefined)?.conversationType, 'channel');

    // 2. Microsoft starts an incident in three customers' tenants (the sandbox plays it).
    assert.equal(
      await sandbox('/sandbox/incidents', {
        id: INCIDENT,
        service: 'Exchange Online',
        title: 'Mail to external recipients is delayed',
        impactDescription: 'Users may see delays sending mail to external recipients.',
        tenants: [CONTOSO, BLUE_YONDER, NURI],
      }),
      201,
    );
    const card = await chat.expectCard(`Microsoft incident ${INCIDENT} · Exchange Online`, CARD_WAIT_MS);
    const shown = await until(card, /Affected customers: 3 · told 0 of 3/);
    for (const name of ['Contoso', 'Blue Yonder Airlines', '누리물류']) assert.ok(shown.includes(name), name);
    assert.match(shown, /Mail to external recipients is delayed/);
    assert.match(shown, /Investigating/);
    await chat.screenshot('e2e-incident-02-card.png', card);

    // 3. Microsoft posts an update: a reply in the card's thread says what changed.
    assert.equal(await sandbox(`/sandbox/incidents/${INCIDENT}/update`, { post: 'We found the cause and are deploying a fix.', status: 'RestoringService' }), 200);
    const update = await chat.expectCard(`Update on ${INCIDENT} · Exchange Online`, CARD_WAIT_MS);
    const updateText = await update.innerText();
    assert.match(updateText, /Status: Investigating → Restoring service/);
    assert.match(updateText, /We found the cause and are deploying a fix\./);
    await chat.screenshot('e2e-incident-03-update.png', update);

    // 4. Microsoft resolves it: the resolution's reply lists every customer with a notice and a told button.
    assert.equal(await sandbox(`/sandbox/incidents/${INCIDENT}/resolve`), 200);
    const resolution = await chat.expectCard(`Resolved: ${INCIDENT} · Exchange Online`, CARD_WAIT_MS);
    const resolutionText = await resolution.innerText();
    assert.match(resolutionText, /Tell every affected customer: told 0 of 3/);
    for (const name of ['Contoso', 'Blue Yonder Airlines', '누리물류']) assert.ok(resolutionText.includes(name), name);
    await chat.screenshot('e2e-incident-04-resolution.png', resolution);
    await row(resolution, '누리물류').getByRole('button', { name: 'Draft notice', exact: true }).click();
    const korean = await resolution.getByRole('textbox', { name: /^Notice for 누리물류/ }).inputValue();
    assert.match(korean, /^누리물류 담당자님께,\n\nMicrosoft가 Exchange Online 문제 "Mail to external recipients is delayed"\(Microsoft 참조 번호 EX300001\)를 해결했습니다/);
    await row(resolution, 'Contoso').getByRole('button', { name: 'Draft notice', exact: true }).click();
    const english = await resolution.getByRole('textbox', { name: /^Notice for Contoso/ }).inputValue();
    assert.match(english, /^Hello Contoso team,\n\nMicrosoft has resolved the Exchange Online issue "Mail to external recipients is delayed" \(Microsoft reference EX300001\)\./);
    await chat.screenshot('e2e-incident-05-drafts.png', resolution);

    // 5. Contoso was told: marked from the resolution's reply, which answers with the customer told.
    await row(resolution, 'Contoso').getByRole('button', { name: 'Mark told', exact: true }).click();
    const afterTold = await until(resolution, /Contoso is marked as told, by /, 15_000);
    assert.match(afterTold, /told 1 of 3/);
    assert.match(afterTold, /Told by [^\n]+ at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await chat.screenshot('e2e-incident-06-told.png', resolution);

    // 6. The channel's card follows within its window: resolved, Contoso told.
    const final = await until(card, /told 1 of 3[\s\S]*Told by /);
    assert.match(final, /Service restored at/);
    await chat.screenshot('e2e-incident-07-card-told.png', card);

    // What the bot received: the channel post, then the told button as an Action.Execute invoke answered with a card.
    const told = proxy.exchanges.filter((e) => e.activity.type === 'invoke' && (e.activity.value as { action?: { verb?: string } }).action?.verb === 'incidentTold');
    assert.equal(told.length, 1);
    assert.equal((told[0]?.activity.value as { action: { data: { tenantId: string } } }).action.data.tenantId, CONTOSO);
    assert.equal(told[0]?.status, 200);
    assert.equal((JSON.parse(told[0]?.answer ?? '{}') as { type?: string }).type, 'application/vnd.microsoft.card.adaptive');
    const errors = bot.text.split('\n').filter((line) => /"level":(5|6)\d/.test(line));
    assert.deepEqual(errors, [], 'the bot logged errors');
    console.log(`      activities: ${proxy.summary().join(' | ')}`);
  });
});
