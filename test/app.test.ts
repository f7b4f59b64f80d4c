import { strict as assert } from 'node:assert';
import { ConnectorDouble } from './support/connector-double';
import { startApp, type RunningApp } from './support/app';
import { execute, installed, mentionMessage, message, submit } from './support/activities';
import { cardTexts } from './support/cards';

function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> {
  const attachments = activity?.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined;
  assert.ok(attachments && attachments.length === 1, 'one attachment');
  assert.equal(attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
  return attachments[0]?.content ?? {};
}

describe('service over HTTP (local mode)', () => {
  let connector: ConnectorDouble;
  let running: RunningApp;

  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    running = await startApp();
  });
  afterEach(async () => {
    await running.stop();
    await connector.stop();
  });

  it('GET /healthz answers 200 and /readyz answers 200 while the database is reachable', async () => {
    const health = await fetch(`${running.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${running.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it('"help" in personal chat answers the welcome card', async () => {
    const res = await running.post('/api/messages', message('help', { serviceUrl: connector.url }));
    assert.equal(res.status, 200);
    const [reply] = await connector.waitForSent(1);
    const texts = cardTexts(cardOf(reply));
    assert.equal(texts[0], 'Escalation Desk');
    assert.ok(texts.some((t) => t.includes('service health')));
    assert.equal(reply?.replyToId !== undefined, true);
  });

  it('an @mention with "hi" in a channel answers the welcome card in that conversation', async () => {
    const activity = mentionMessage('hi', { serviceUrl: connector.url });
    await running.post('/api/messages', activity);
    const [reply] = await connector.waitForSent(1);
    assert.equal(cardTexts(cardOf(reply))[0], 'Escalation Desk');
    assert.equal(connector.calls[0]?.conversationId, (activity.conversation as { id: string }).id);
  });

  it('installing the bot answers the welcome card; the Korean locale answers in Korean', async () => {
    await running.post('/api/messages', installed({ serviceUrl: connector.url, locale: 'ko-KR' }));
    const [reply] = await connector.waitForSent(1);
    assert.ok(cardTexts(cardOf(reply)).some((t) => t.includes('에스컬레이션')));
  });

  it('unknown text gets help, not silence', async () => {
    await running.post('/api/messages', message('what can you do for me?', { serviceUrl: connector.url }));
    const [reply] = await connector.waitForSent(1);
    assert.equal(cardTexts(cardOf(reply))[0], 'Escalation Desk');
  });

  it('an Action.Execute "help" invoke answers the card in the invoke response', async () => {
    const res = await running.post('/api/messages', execute('help', {}, { serviceUrl: connector.url }));
    assert.equal(res.status, 200);
    const body = res.body as { statusCode: number; type: string; value: Record<string, unknown> };
    assert.equal(body.statusCode, 200);
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.equal(cardTexts(body.value)[0], 'Escalation Desk');
  });

  it('an unknown verb (submit fallback) gets a clear answer and the help card', async () => {
    await running.post('/api/messages', submit({ verb: 'selfDestruct' }, { serviceUrl: connector.url }));
    const sent = await connector.waitForSent(2);
    assert.match(String(sent[0]?.text), /no longer recognised/);
    assert.equal(cardTexts(cardOf(sent[1]))[0], 'Escalation Desk');
  });

  it('malformed JSON and bodies that are not activities get 400, never 5xx', async () => {
    assert.equal((await running.post('/api/messages', '{"type": "message",')).status, 400);
    assert.equal((await running.post('/api/messages', { hello: 'world' })).status, 400);
    const wrongTypes = { ...message('help', { serviceUrl: connector.url }), conversation: { id: 42 } };
    const res = await running.post('/api/messages', wrongTypes);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /conversation\.id/);
    assert.equal((await running.post('/api/messages', { ...message('help', { serviceUrl: 'javascript:alert(1)' }) })).status, 400);
    assert.equal(connector.calls.length, 0);
  });

  it('never logs the message text', async () => {
    await running.post('/api/messages', message('help my secret customer Contoso-Zebra', { serviceUrl: connector.url }));
    await connector.waitForSent(1);
    assert.ok(!JSON.stringify(running.logs).includes('Contoso-Zebra'));
  });
});

describe('service over HTTP (Bot Framework authentication on)', () => {
  let running: RunningApp;
  before(async () => {
    running = await startApp({
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 'not-a-real-secret',
      PUBLIC_HOSTNAME: 'desk.example.com',
      PARTNER_TENANT_ID: '72f988bf-0000-4000-8000-000000000001',
    });
  });
  after(async () => running.stop());

  it('a request without a token gets 401', async () => {
    const res = await running.post('/api/messages', message('help', { serviceUrl: 'http://127.0.0.1:9/' }));
    assert.equal(res.status, 401);
  });

  it('the app password never reaches the log', () => {
    assert.ok(!JSON.stringify(running.logs).includes('not-a-real-secret'));
  });
});

describe('health command over HTTP (sandbox)', () => {
  let connector: ConnectorDouble;
  let running: RunningApp;
  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    running = await startApp();
  });
  afterEach(async () => {
    await running.stop();
    await connector.stop();
  });

  it('"health Contoso" shows a typing indicator, then the Contoso incident', async () => {
    await running.post('/api/messages', message('health Contoso', { serviceUrl: connector.url }));
    const sent = await connector.waitForSent(2);
    assert.equal(sent[0]?.type, 'typing');
    const texts = cardTexts(cardOf(sent[1]));
    assert.equal(texts[0], 'Service health: Contoso');
    assert.ok(texts.some((t) => /^EX\d+ · /.test(t)), 'an Exchange issue is listed');
    assert.ok(texts.some((t) => t.startsWith('Incident · ')));
  });

  it('"health contoso exchange" narrows to one service', async () => {
    await running.post('/api/messages', message('health contoso exchange', { serviceUrl: connector.url }));
    const sent = await connector.waitForSent(2);
    const texts = cardTexts(cardOf(sent[1]));
    assert.equal(texts[0], 'Service health: Contoso, Exchange Online');
    assert.ok(texts.every((t) => !t.includes('Microsoft Teams')));
  });

  it('an unknown customer and an unreadable tenant get clear answers', async () => {
    await running.post('/api/messages', message('health Globex', { serviceUrl: connector.url }));
    const a = await connector.waitForSent(2);
    assert.match(String(a[1]?.text), /no customer matching "Globex".*Contoso/);
    await running.post('/api/messages', message('health Northwind', { serviceUrl: connector.url }));
    const b = await connector.waitForSent(4);
    assert.match(String(b[3]?.text), /can't read Northwind Traders's service health.*ServiceHealth\.Read\.All/);
  });

  it('resolving the incident through the sandbox API shows it resolved', async () => {
    const tenant = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
    const before = await fetch(`${running.url}/sandbox/health/${tenant}`);
    assert.equal(before.status, 200);
    type Overview = { value: { services: { issues: { id: string; isResolved: boolean; classification: string }[] }[] } };
    const overview = (await before.json()) as Overview;
    const open = overview.value.services.flatMap((s) => s.issues).filter((i) => !i.isResolved && i.classification === 'incident');
    assert.ok(open.length > 0);
    for (const issue of open) {
      const r = await running.post(`/sandbox/health/${tenant}/issues/${issue.id}/resolve`, {});
      assert.equal(r.status, 200);
    }
    const after = (await (await fetch(`${running.url}/sandbox/health/${tenant}`)).json()) as Overview;
    assert.equal(after.value.services.flatMap((s) => s.issues).filter((i) => open.some((o) => o.id === i.id) && !i.isResolved).length, 0);
  });
});
