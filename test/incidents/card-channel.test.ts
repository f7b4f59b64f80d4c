/**
 * The incident channel and the incident card through the real app over HTTP (local mode, the
 * sandbox playing Microsoft, SQLite in memory, a connector double): `incidents here` in a team
 * channel (and refused in a personal chat), the card posted at the channel's root and updated in
 * its own thread, the thread's replies (the resolution with every customer's notice and "told"
 * button), marking a customer told from the card, `incidents`, `incident <id>`, `incidents off`.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { execute, mentionMessage, message, PARTNER_TENANT } from '../helpers/activities';
import { useAppPerTest } from '../helpers/app';
import { cardTexts } from '../helpers/cards';
import type { Card } from '../helpers/engineer';
import { BLUE_YONDER, CONTOSO, NORTHWIND, SHARED, VANARSDEL } from './rig';

const CHANNEL = '19:incidents@thread.tacv2';
/** `incidents here` said in a reply: the turn's conversation is that post's thread. */
const THREAD_SAID_IN = `${CHANNEL};messageid=1699999999999`;

function cardOf(activity: Record<string, unknown> | undefined): Card {
  const attachments = activity?.attachments as { content: Card }[] | undefined;
  assert.ok(attachments?.[0], `a card: ${JSON.stringify(activity).slice(0, 300)}`);
  return attachments[0].content;
}

const text = (card: Card): string => cardTexts(card).join('\n');
/** One sweep interval and the second its last tenant may fall in. */
const INTERVAL_S = 5 * 60 + 1;

describe('the incident channel and the incident card (app over HTTP)', function () {
  const clock = new ManualClock('2025-03-10T10:00:00Z');
  // Each test from the same instant (registered before the app's own hooks, so it runs first).
  beforeEach(() => clock.set(new Date('2025-03-10T10:00:00Z')));
  const f = useAppPerTest({ HEALTH_SOURCE: 'sandbox', DIRECTORY_SOURCE: 'sandbox', INCIDENT_CARD_UPDATE_SECONDS: '60' }, { clock });

  /** A channel post @mentioning the bot, as Teams forwards it. */
  const inChannel = (words: string, locale = 'en-US') =>
    f.app.post('/api/messages', mentionMessage(words, { serviceUrl: f.connector.url, conversationId: THREAD_SAID_IN, locale, timeZone: 'Asia/Seoul' }));
  const replies = () => f.connector.sent().filter((a) => typeof a.text === 'string' && !(a.channelData as Record<string, unknown> | undefined)?.escalationDeskNotificationId);
  /** Every sweep and outbox round for `seconds` of simulated time, a second at a time. */
  const run = async (seconds: number): Promise<void> => {
    const { incidentSweep, outboxWorker, tracker } = f.app.app.workers;
    for (let s = 0; s < seconds; s++) {
      await incidentSweep.runOnce();
      await tracker.runOnce();
      await outboxWorker.runOnce();
      clock.advance(1_000);
    }
  };
  const channelCalls = () => f.connector.calls.filter((c) => c.conversationId === CHANNEL || c.conversationId.startsWith(`${CHANNEL};messageid=`));

  it('refuses `incidents here` in a personal chat, saying where it works (en, ko)', async function () {
    await f.app.post('/api/messages', message('incidents here', { serviceUrl: f.connector.url }));
    await f.app.post('/api/messages', message('incidents here', { serviceUrl: f.connector.url, locale: 'ko-KR' }));
    const [en, ko] = replies().map((a) => String(a.text));
    assert.match(en ?? '', /works in a team channel/);
    assert.match(ko ?? '', /팀 채널에서만/);
    assert.equal(await f.app.app.database.incidents.getChannel(), undefined);
  });

  it('`incidents here` in a channel thread stores the channel root; the open incidents get one card each there, updated in the card’s own thread', async function () {
    const db = f.app.app.database;
    await run(INTERVAL_S); // every customer swept once: the seed's three open incidents are recorded
    assert.equal((await db.incidents.get(SHARED))?.incident.customers.length, 7);

    await inChannel('incidents here');
    const channel = await db.incidents.getChannel();
    assert.ok(channel);
    const root = await db.conversations.get(channel.conversationKey);
    assert.equal(root?.conversationId, CHANNEL, 'the root, not the thread the command was said in');
    assert.equal(root?.tenantId, PARTNER_TENANT.toLowerCase());
    assert.equal(channel.setBy.locale, 'en-US');
    assert.match(String(replies().at(-1)?.text), /now the incident channel[\s\S]*cards of 3 open incidents/);

    await run(10);
    const posts = channelCalls().filter((c) => c.method === 'POST' && c.conversationId === CHANNEL);
    assert.equal(posts.length, 3, 'one card per open incident, at the channel root');
    const shared = posts.map((p) => cardOf(p.activity)).find((c) => text(c).includes('EX226792'));
    assert.ok(shared);
    const shown = text(shared);
    assert.match(shown, /^Microsoft incident EX226792 · Exchange Online$/m);
    assert.match(shown, /Affected customers: 7 · told 0 of 7 · open escalations 0/);
    assert.match(shown, /Not told yet/);
    // Times on the clock of who set the channel.
    assert.match(shown, /Asia\/Seoul/);
    const toldButtons = JSON.stringify(shared).match(/"title":"Mark told","verb":"incidentTold"/g) ?? [];
    assert.equal(toldButtons.length, 7, 'a told button per customer');
    assert.equal((JSON.stringify(shared).match(/"title":"Draft notice"/g) ?? []).length, 7, 'a drafted notice per customer');

    // A customer marked told: the card in the channel changes in place, in the post's own thread.
    const stored = await db.incidents.get(SHARED);
    const activityId = stored?.card?.activityId;
    assert.ok(activityId);
    const thread = `${CHANNEL};messageid=${activityId}`;
    const pressed = await f.app.post(
      '/api/messages',
      execute('incidentTold', { incidentId: SHARED, tenantId: CONTOSO, mode: 'card', page: 1 }, { serviceUrl: f.connector.url, conversationId: thread, conversationType: 'channel', replyToId: activityId }),
    );
    const answered = (pressed.body as { value: Card }).value;
    assert.match(text(answered), /Contoso is marked as told, by Ada Engineer\./);
    assert.match(text(answered), /Told by Ada Engineer at/);
    assert.equal((await db.incidents.get(SHARED))?.incident.customers.find((c) => c.tenantId === CONTOSO)?.told?.by.name, 'Ada Engineer');
    await run(70);
    const updates = channelCalls().filter((c) => c.method === 'PUT');
    assert.equal(updates.length, 1, 'one update within the window');
    assert.equal(updates[0]?.conversationId, thread, 'updated through the post’s own conversation');
    assert.match(text(cardOf(updates[0]?.activity)), /told 1 of 7/);

    // Pressed again (a colleague, the same second): recorded once, and it says by whom.
    const again = await f.app.post('/api/messages', execute('incidentTold', { incidentId: SHARED, tenantId: CONTOSO }, { serviceUrl: f.connector.url, conversationId: thread, conversationType: 'channel' }));
    assert.match(text((again.body as { value: Card }).value), /Contoso was already marked as told, by Ada Engineer at/);
    const unknown = await f.app.post('/api/messages', execute('incidentTold', { incidentId: SHARED, tenantId: NORTHWIND }, { serviceUrl: f.connector.url, conversationId: thread, conversationType: 'channel' }));
    assert.match(text((unknown.body as { value: Card }).value), /not affected by the incident/);
  });

  it('resolution: one reply in the card’s thread listing every customer with a notice (in the customer’s language when known) and a told button', async function () {
    const db = f.app.app.database;
    await inChannel('incidents here');
    await run(INTERVAL_S);
    const activityId = (await db.incidents.get(SHARED))?.card?.activityId;
    assert.ok(activityId);
    const thread = `${CHANNEL};messageid=${activityId}`;
    assert.equal((await f.app.post(`/sandbox/incidents/${SHARED}/resolve`, {})).status, 200);
    await run(30);
    assert.equal((await db.incidents.get(SHARED))?.incident.resolved, true);
    const inThread = channelCalls().filter((c) => c.method === 'POST' && c.conversationId === thread);
    assert.equal(inThread.length, 1, 'one reply: the resolution');
    const resolution = cardOf(inThread[0]?.activity);
    const shown = text(resolution);
    assert.match(shown, /^Resolved: EX226792 · Exchange Online$/m);
    assert.match(shown, /Tell every affected customer: told 0 of 7/);
    for (const name of ['Contoso', 'Blue Yonder Airlines', '누리물류']) assert.ok(shown.includes(name), name);
    const json = JSON.stringify(resolution);
    assert.match(json, /Hello Contoso team,\\n\\nMicrosoft has resolved the Exchange Online issue/);
    assert.match(json, /누리물류 담당자님께,\\n\\nMicrosoft가 Exchange Online 문제/, 'the Korean customer’s notice in Korean');
    assert.doesNotMatch(json, /<at>/, 'no one is @mentioned: owners hear from the tracker only');

    // "Told" on the resolution answers the resolution again, with the customer told.
    const told = await f.app.post('/api/messages', execute('incidentTold', { incidentId: SHARED, tenantId: BLUE_YONDER, mode: 'resolved', page: 1 }, { serviceUrl: f.connector.url, conversationId: thread, conversationType: 'channel' }));
    const after = (told.body as { value: Card }).value;
    assert.match(text(after), /^Resolved: EX226792/m);
    assert.match(text(after), /told 1 of 7/);

    // Six customers still untold a period (RESOLVED_REMINDER_HOURS) later: one reminder in the thread.
    clock.advance(4 * 3_600_000);
    await f.app.app.workers.reminders.runOnce();
    await f.app.app.workers.reminders.runOnce();
    await run(2);
    const reminders = channelCalls().filter((c) => c.method === 'POST' && c.conversationId === thread).slice(1);
    assert.equal(reminders.length, 1);
    const reminder = text(cardOf(reminders[0]?.activity));
    assert.match(reminder, /^Customers still to tell$/m);
    assert.match(reminder, /Microsoft resolved EX226792 \(Exchange Online: .*\) 4 h ago, and 6 of 7 affected customers have not been told\./);
    assert.ok(!reminder.includes('Blue Yonder Airlines'), 'the told customer is not named');
  });

  it('`incidents` lists the open incidents with their customers and the tenants that could not be read, with why; `incident <id>` shows one', async function () {
    await run(INTERVAL_S);
    await f.app.post('/api/messages', message('incidents', { serviceUrl: f.connector.url }));
    const list = cardOf(f.connector.sent().at(-1));
    const shown = text(list);
    assert.match(shown, /^Open Microsoft incidents$/m);
    assert.match(shown, /No incident channel yet/);
    assert.match(shown, /EX226792 · Exchange Online/);
    assert.match(shown, /7 customers \(7 still affected\) · told 0/);
    assert.match(shown, /Customers whose service health could not be read: 2/);
    assert.match(shown, /Northwind Traders: access refused/);
    assert.match(shown, /VanArsdel Ltd\.: app consent missing/);
    assert.ok(![NORTHWIND, VANARSDEL].some((t) => shown.includes(t)), 'names, not tenant ids');

    await f.app.post('/api/messages', message('incident ex226792', { serviceUrl: f.connector.url, locale: 'ko-KR' }));
    assert.match(text(cardOf(f.connector.sent().at(-1))), /^Microsoft 인시던트 EX226792 · Exchange Online$/m);
    await f.app.post('/api/messages', message('incident EX999999', { serviceUrl: f.connector.url }));
    assert.match(String(f.connector.sent().at(-1)?.text), /no Microsoft incident EX999999/);
    await f.app.post('/api/messages', message('incident', { serviceUrl: f.connector.url }));
    assert.match(String(f.connector.sent().at(-1)?.text).replace(/\u200B/g, ''), /Say incident <id>/);
  });

  it('`incidents off` stops the cards; a new incident then gets none (and the words in Korean)', async function () {
    const db = f.app.app.database;
    await inChannel('incidents 여기', 'ko-KR');
    assert.match(String(replies().at(-1)?.text), /이 채널이 이제 인시던트 채널입니다[\s\S]*아직 알려진 열린 인시던트가 없습니다/);
    assert.equal((await db.incidents.getChannel())?.setBy.locale, 'ko-KR');
    await inChannel('incidents here');
    assert.match(String(replies().at(-1)?.text), /already the incident channel/);
    await inChannel('incidents sideways');
    assert.match(String(replies().at(-1)?.text), /incidents alone lists the open incidents/);
    await inChannel('incidents off');
    assert.match(String(replies().at(-1)?.text), /no longer posted/);
    assert.equal(await db.incidents.getChannel(), undefined);
    await inChannel('incidents off');
    assert.match(String(replies().at(-1)?.text), /No incident channel was set/);
    await run(INTERVAL_S);
    assert.equal(channelCalls().filter((c) => c.method === 'POST' && !c.activity.text).length, 0);
  });
});
