/**
 * Both response clocks on the escalation card, across restarts: the tracker records the linked
 * request's creation and Microsoft's first response, the card reads the clocks from those stored
 * times (the same after a restart), and the owner is reminded once at 80 % and once at breach of
 * each clock, however often the scan runs and whichever process runs it. The sandbox plays
 * Microsoft (a Sev B request it closes after five hours); time is sinon's.
 */
import { strict as assert } from 'node:assert';
import type { RunningApp } from '../helpers/app';
import { cardTexts } from '../helpers/cards';
import { Engineer, type Card } from '../helpers/engineer';
import { useRestarts } from './helpers/restarts';

const MIN = 60_000;
const H = 60 * MIN;
const REQUEST = '2612100010001234';

describe('response clocks across restarts (sandbox Microsoft, SQLite file)', function () {
  const r = useRestarts(
    {
      LOG_LEVEL: 'warn',
      // Microsoft closes the request after 5 hours without asking anything first.
      SANDBOX_ATTENTION_AFTER_SECONDS: '86400',
      SANDBOX_CLOSE_AFTER_SECONDS: String(5 * 3600),
      PARTNER_RESPONSE_TARGET_HOURS: '6',
    },
    '2026-12-10T12:00:00Z',
  );
  const start = () => r.start();

  /** The card of the escalation as it stands, and its clock lines. */
  async function clocksOn(running: RunningApp, id: string): Promise<string[]> {
    const card = await new Engineer(running, r.connector).act('refresh', { escalationId: id });
    return cardTexts(card).filter((t) => /^(Microsoft|You) · /.test(t));
  }

  /** The reminder texts sent so far. */
  const reminders = (): string[] =>
    r.connector
      .sent()
      .flatMap((a) => cardTexts(((a.attachments ?? []) as { content: Card }[])[0]?.content ?? {}))
      .filter((t) => /^ED-[0-9A-Z]{8}: /.test(t));

  it('Microsoft’s first-response clock and the partner’s own: shown, reminded once at 80 % and at breach, stopped by the response and the customer told', async function () {
    let running = await start();
    const me = new Engineer(running, r.connector);
    const { id } = await me.toHandoff('critical');
    await me.act('handoffLink', { escalationId: id, requestNumber: REQUEST });

    // The tracker reads the request: its creation time and Partner Center's severity (Sev B) are recorded.
    await running.app.workers.tracker.runOnce();
    const stored = await running.app.database.escalations.get(id);
    assert.equal(stored?.details.requestCreatedAt, '2026-12-10T12:00:00.000Z');
    assert.equal(stored?.details.requestSeverity, 'moderate');
    assert.deepEqual(await clocksOn(running, id), [
      'Microsoft · Sev B · first response due 2026-12-10 16:00 UTC · 4 h left',
      'You · customer to be told by 2026-12-10 18:00 UTC · 6 h left',
    ]);

    // 81 % of Microsoft's 4 hours: one warning, however often the scan runs.
    r.clock.tick(3 * H + 15 * MIN);
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 1);
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 0);

    // A restart reads the same clock from the stored times and adds no reminder.
    running = await start();
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 0);
    assert.deepEqual(await clocksOn(running, id), [
      'Microsoft · Sev B · first response due 2026-12-10 16:00 UTC · only 45 min left',
      'You · customer to be told by 2026-12-10 18:00 UTC · 2 h 45 min left',
    ]);

    // Past Microsoft's due time: one breach reminder; at 80 % of the partner's 6 hours, one warning.
    r.clock.tick(H);
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 1);
    assert.deepEqual(await clocksOn(running, id), [
      'Microsoft · Sev B · first response was due 2026-12-10 16:00 UTC · late by 15 min',
      'You · customer to be told by 2026-12-10 18:00 UTC · 1 h 45 min left',
    ]);
    r.clock.tick(35 * MIN);
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 1, "the partner's 80 %");
    running = await start();
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 0, 'after a second restart, still nothing new');

    await running.app.workers.outboxWorker.runOnce();
    const sent = reminders();
    assert.equal(sent.length, 3, sent.join('\n'));
    assert.match(sent[0] ?? '', new RegExp(`^${id}: Microsoft has not answered request ${REQUEST} \\(Sev B\\) and its first response is due 2026-12-10 16:00 UTC: 45 min left\\. If the customer cannot wait, call Microsoft support with request number ${REQUEST}, or raise the severity in Partner Center\\.$`));
    assert.match(sent[1] ?? '', new RegExp(`^${id}: Microsoft's first response to request ${REQUEST} \\(Sev B\\) is late by 15 min .* Call Microsoft support now with request number ${REQUEST}`));
    assert.match(sent[2] ?? '', new RegExp(`^${id}: Contoso should be told of the resolution by 2026-12-10 18:00 UTC \\(1 h 10 min left\\)`));

    // Microsoft closes the request at 5 hours with a note: the tracker records it as the first response, with its author.
    r.clock.tick(10 * MIN + 1000);
    await running.app.workers.tracker.runOnce();
    const resolved = await running.app.database.escalations.get(id);
    assert.equal(resolved?.state, 'resolved');
    assert.deepEqual(resolved?.details.microsoftFirstResponse, { at: '2026-12-10T17:00:00.000Z', kind: 'note', by: 'Microsoft Support' });

    // The customer is told at 5 h 30 min: the partner met its own target.
    r.clock.tick(30 * MIN - 1000);
    await new Engineer(running, r.connector).act('customerNotified', { escalationId: id, customerMessage: 'Fixed by Microsoft.', notifiedContact: 'Jo' });
    running = await start();
    assert.deepEqual(await clocksOn(running, id), ['Microsoft · Sev B · answered in 5 h, 1 h late', 'You · customer told in 5 h 30 min']);
    r.clock.tick(24 * H);
    assert.equal(await running.app.workers.reminders.runClocksOnce(), 0, 'stopped clocks remind no more');
    assert.deepEqual(await clocksOn(running, id), ['Microsoft · Sev B · answered in 5 h, 1 h late', 'You · customer told in 5 h 30 min'], 'stopped clocks read the same a day later');
  });
});
