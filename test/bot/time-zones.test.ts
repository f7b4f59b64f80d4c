/**
 * Times on the engineer's own clock, over HTTP: the describe card reads the date and time in
 * the zone Teams sends (clientInfo / localTimezone) and says which; the escalation stores UTC;
 * cards show each reader the time in their own zone, named; the request for Microsoft is in
 * UTC with the engineer's reading and offset stated; matching uses the true instant.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { notificationRenderer } from '../../src/cards/notification-cards';
import { Localizer } from '../../src/i18n';
import { startApp, type RunningApp } from '../helpers/app';
import { ENGINEER, message, type ActivityOptions } from '../helpers/activities';
import { ConnectorDouble } from '../helpers/connector-double';
import { CONTOSO, Engineer, describeData, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';
import { cardNodes, cardTexts } from '../helpers/cards';

const SEATTLE_ENGINEER = { id: '29:engineer-2', aadObjectId: 'aaaaaaaa-0000-4000-8000-0000000000e2', name: 'Sam Seattle' };

/** The data of a card's Action.Execute with `verb` (what Teams sends back with the inputs). */
function actionData(card: Card, verb: string): Record<string, unknown> {
  const found = cardNodes(card).find((o) => o.type === 'Action.Execute' && o.verb === verb)?.data as Record<string, unknown> | undefined;
  assert.ok(found, `the card has a ${verb} action`);
  return found;
}

/** An input's label. */
function labelOf(card: Card, id: string): string {
  const found = JSON.stringify(card).match(new RegExp(`"id":"${id}","label":"([^"]*)"`)) ?? JSON.stringify(card).match(new RegExp(`"label":"([^"]*)"[^{}]*"id":"${id}"`));
  return found?.[1] ?? '';
}

describe('time zones: typed on the engineer’s clock, stored in UTC, shown on each reader’s clock', function () {
  this.timeout(30_000);
  let connector: ConnectorDouble;
  let app: RunningApp;
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    app = await startApp();
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await app.stop();
    await connector.stop();
  });

  /** Holds the wall clock at `iso` (Date only: timers and I/O run as usual). */
  function now(iso: string): void {
    clock = sinon.useFakeTimers({ now: Date.parse(iso), toFake: ['Date'] });
  }
  const engineerIn = (timeZone: string | undefined, extra: Partial<ActivityOptions> = {}) =>
    new Engineer(app, connector, { ...(timeZone ? { timeZone } : {}), ...extra });

  /** The describe card for an engineer, then its submission with the card's own action data. */
  async function describeAs(me: Engineer, fields: Record<string, unknown>): Promise<{ describe: Card; next: Card }> {
    const describe = await me.act('escalate', {});
    const next = await me.act('describe', { ...describeData(flowIdOf(describe)), ...actionData(describe, 'describe'), ...fields });
    return { describe, next };
  }

  it('Seoul: 01:05 typed at 02:05 local is accepted and stored as 16:05Z the day before', async () => {
    now('2026-12-04T17:05:00Z'); // 2026-12-05 02:05 in Seoul
    const seoul = engineerIn('Asia/Seoul', { locale: 'ko-KR' });
    const { describe, next } = await describeAs(seoul, { sinceDate: '2026-12-05', sinceTime: '01:05' });
    assert.equal(labelOf(describe, 'sinceDate'), '시작 날짜 (Asia/Seoul)');
    assert.equal(labelOf(describe, 'sinceTime'), '시각 (Asia/Seoul)');
    assert.ok(!has(next, /미래/), `not "in the future": ${cardTexts(next).slice(0, 4).join(' | ')}`);
    const stored = await app.app.database.escalations.get(escalationIdOf(next));
    assert.equal(stored?.since, '2026-12-04T16:05:00.000Z');
    assert.equal(stored?.details.timeZone, 'Asia/Seoul');
  });

  it('a time really in the future on the engineer’s clock is still refused', async () => {
    now('2026-12-04T17:05:00Z'); // 02:05 in Seoul
    const { next } = await describeAs(engineerIn('Asia/Seoul'), { sinceDate: '2026-12-05', sinceTime: '03:30' });
    assert.ok(has(next, /The start time is in the future/));
  });

  it('Pacific: 08:00 goes into the Microsoft request as 16:00 UTC with the engineer’s reading and offset', async () => {
    now('2026-12-05T18:00:00Z'); // 10:00 in Seattle
    const seattle = engineerIn('America/Los_Angeles');
    const { next } = await describeAs(seattle, { sinceDate: '2026-12-05', sinceTime: '08:00' });
    const id = escalationIdOf(next);
    await seattle.act('knownDiffers', { escalationId: id, notSameReason: 'only one tenant' });
    await seattle.act('troubleshootSkip', { escalationId: id });
    await seattle.act('triage', { escalationId: id, category: 'service_unavailable', severity: 'critical', businessImpact: 'no mail', contact: 'Jo' });
    const stored = await app.app.database.escalations.get(id);
    assert.equal(stored?.since, '2026-12-05T16:00:00.000Z');
    const request = stored?.details.request as { description: string };
    assert.match(request.description, /^Started: 2026-12-05 16:00 UTC \(08:00 America\/Los_Angeles, UTC-08:00\)$/m);
    assert.doesNotMatch(request.description, /08:00(:00)?(\.000)?Z/);
  });

  it('cards show times in the reader’s zone, named; a Seattle engineer sees the Seoul engineer’s time in Pacific time', async () => {
    now('2026-12-04T17:05:00Z');
    const seoul = engineerIn('Asia/Seoul');
    const { next } = await describeAs(seoul, { sinceDate: '2026-12-05', sinceTime: '01:05' });
    const id = escalationIdOf(next);

    await app.post('/api/messages', message(`status ${id}`, { serviceUrl: connector.url, timeZone: 'Asia/Seoul' }));
    const [own] = (await connector.waitForSent(1)).slice(-1);
    const ownCard = (own?.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(ownCard, /^Started: 2026-12-05 01:05 Asia\/Seoul$/), cardTexts(ownCard).join(' | '));
    assert.ok(has(ownCard, /^2026-12-05 02:05 Asia\/Seoul · /), 'the timeline is on the reader’s clock too');

    await app.post('/api/messages', message(`status ${id}`, { serviceUrl: connector.url, timeZone: 'America/Los_Angeles', from: SEATTLE_ENGINEER }));
    const [theirs] = (await connector.waitForSent(2)).slice(-1);
    const theirCard = (theirs?.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(theirCard, /^Started: 2026-12-04 08:05 America\/Los_Angeles$/), cardTexts(theirCard).join(' | '));
    assert.ok(has(theirCard, /^2026-12-04 09:05 America\/Los_Angeles · /));
  });

  it('without a zone from the client the card says its times are UTC, reads them so, and shows UTC named', async () => {
    now('2026-12-05T18:00:00Z');
    const nowhere = engineerIn(undefined);
    const { describe, next } = await describeAs(nowhere, { sinceDate: '2026-12-05', sinceTime: '08:00' });
    assert.equal(labelOf(describe, 'sinceTime'), 'Time (UTC)');
    assert.ok(has(describe, /Teams did not send your time zone, so the date and time here are in UTC/));
    assert.equal(actionData(describe, 'describe').timeZone, 'UTC');
    const stored = await app.app.database.escalations.get(escalationIdOf(next));
    assert.equal(stored?.since, '2026-12-05T08:00:00.000Z');
  });

  it('the zone the card named wins over the submitting client’s; a card that named none takes the client’s', async () => {
    now('2026-12-05T18:00:00Z');
    const seattle = engineerIn('America/Los_Angeles');
    // A card that told the engineer "UTC" (their client sent no zone then) is read in UTC.
    const utcCard = await engineerIn(undefined).act('escalate', {});
    const fromUtcCard = await seattle.act('describe', { ...describeData(flowIdOf(utcCard)), ...actionData(utcCard, 'describe'), sinceDate: '2026-12-05', sinceTime: '08:00' });
    assert.equal((await app.app.database.escalations.get(escalationIdOf(fromUtcCard)))?.since, '2026-12-05T08:00:00.000Z');
    // A card from before cards named their zone carries none: the client's zone reads it.
    const oldCard = await seattle.act('escalate', {});
    const fromOldCard = await seattle.act('describe', { ...describeData(flowIdOf(oldCard)), sinceDate: '2026-12-05', sinceTime: '08:00' });
    assert.equal((await app.app.database.escalations.get(escalationIdOf(fromOldCard)))?.since, '2026-12-05T16:00:00.000Z');
  });

  it('matching uses the true instant: an incident that began 15 minutes after 00:30 Pacific "started around the same time"', async () => {
    // Contoso's EX226792 began 2025-03-10T07:45Z; 00:30 PDT that day is 07:30Z.
    now('2025-03-10T09:00:00Z');
    const { next } = await describeAs(engineerIn('America/Los_Angeles'), {
      customerTenantId: CONTOSO,
      sinceDate: '2025-03-10',
      sinceTime: '00:30',
      title: 'Users cannot send email in Outlook on the web',
    });
    assert.ok(has(next, /Is this a known Microsoft issue/));
    const text = JSON.stringify(next);
    assert.match(text, /EX226792/);
    assert.ok(has(next, /started around the same time/), cardTexts(next).join(' | '));
    assert.ok(has(next, / · Started 2025-03-10 00:45 America\/Los_Angeles$/), 'the incident’s start is on the reader’s clock');
  });

  it('notifications sent outside a turn show times in the owner’s zone', async () => {
    now('2026-12-04T17:05:00Z');
    const { next } = await describeAs(engineerIn('Asia/Seoul', { from: ENGINEER }), { sinceDate: '2026-12-05', sinceTime: '01:05' });
    const stored = await app.app.database.escalations.get(escalationIdOf(next));
    assert.ok(stored);
    const render = notificationRenderer(new CardRenderer(join(PROJECT_ROOT, 'cards')), new Localizer(join(PROJECT_ROOT, 'locales')), () => 'https://partner.microsoft.com');
    const card = render('resolved', { ...stored, state: 'resolved', details: { ...stored.details, microsoftStatus: { source: 'sandbox', status: 'closed', at: '2026-12-04T20:00:00.000Z' } } });
    const content = ((card.activity.attachments as { content: Card }[] | undefined) ?? [])[0]?.content ?? {};
    assert.ok(has(content, /2026-12-05 05:00 Asia\/Seoul/), cardTexts(content).join(' | '));
  });
});
