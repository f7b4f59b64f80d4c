import { strict as assert } from 'node:assert';
import { startApp, useAppPerTest, type RunningApp } from './helpers/app';
import { execute, installed, mentionMessage, message, submit } from './helpers/activities';
import { cardTexts } from './helpers/cards';

function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> {
  const attachments = activity?.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined;
  assert.ok(attachments && attachments.length === 1, 'one attachment');
  assert.equal(attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
  return attachments[0]?.content ?? {};
}

describe('service over HTTP (local mode)', () => {
  const f = useAppPerTest();

  it('GET /healthz answers 200 and /readyz answers 200 while the database is reachable', async () => {
    const health = await fetch(`${f.app.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${f.app.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it('"help" in personal chat answers the welcome card', async () => {
    const res = await f.app.post('/api/messages', message('help', { serviceUrl: f.connector.url }));
    assert.equal(res.status, 200);
    const [reply] = await f.connector.waitForSent(1);
    const texts = cardTexts(cardOf(reply));
    assert.equal(texts[0], 'Escalation Desk');
    assert.ok(texts.some((t) => t.includes('service health')));
    assert.equal(reply?.replyToId !== undefined, true);
  });

  it('an @mention with "hi" in a channel answers the welcome card in that conversation', async () => {
    const activity = mentionMessage('hi', { serviceUrl: f.connector.url });
    await f.app.post('/api/messages', activity);
    const [reply] = await f.connector.waitForSent(1);
    assert.equal(cardTexts(cardOf(reply))[0], 'Escalation Desk');
    assert.equal(f.connector.calls[0]?.conversationId, (activity.conversation as { id: string }).id);
  });

  it('installing the bot answers the welcome card; the Korean locale answers in Korean', async () => {
    await f.app.post('/api/messages', installed({ serviceUrl: f.connector.url, locale: 'ko-KR' }));
    const [reply] = await f.connector.waitForSent(1);
    assert.ok(cardTexts(cardOf(reply)).some((t) => t.includes('에스컬레이션')));
  });

  it('unknown text gets a short pointer to escalate and help, not silence (and not the whole help card)', async () => {
    await f.app.post('/api/messages', message('what can you do for me?', { serviceUrl: f.connector.url }));
    const [reply] = await f.connector.waitForSent(1);
    assert.match(String(reply?.text), /I didn't get that — try `escalate` or `help`/);
  });

  it('an Action.Execute "help" invoke answers the card in the invoke response', async () => {
    const res = await f.app.post('/api/messages', execute('help', {}, { serviceUrl: f.connector.url }));
    assert.equal(res.status, 200);
    const body = res.body as { statusCode: number; type: string; value: Record<string, unknown> };
    assert.equal(body.statusCode, 200);
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.equal(cardTexts(body.value)[0], 'Escalation Desk');
  });

  it('an unknown verb (submit fallback) gets a clear answer and the help card', async () => {
    await f.app.post('/api/messages', submit({ verb: 'selfDestruct' }, { serviceUrl: f.connector.url }));
    const sent = await f.connector.waitForSent(2);
    assert.match(String(sent[0]?.text), /no longer recognised/);
    assert.equal(cardTexts(cardOf(sent[1]))[0], 'Escalation Desk');
  });

  it('malformed JSON and bodies that are not activities get 400, never 5xx', async () => {
    assert.equal((await f.app.post('/api/messages', '{"type": "message",')).status, 400);
    assert.equal((await f.app.post('/api/messages', { hello: 'world' })).status, 400);
    const wrongTypes = { ...message('help', { serviceUrl: f.connector.url }), conversation: { id: 42 } };
    const res = await f.app.post('/api/messages', wrongTypes);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /conversation\.id/);
    assert.equal((await f.app.post('/api/messages', { ...message('help', { serviceUrl: 'javascript:alert(1)' }) })).status, 400);
    assert.equal(f.connector.calls.length, 0);
  });

  it('serves the Agents Playground\u2019s activities (non-GUID tenant, msteams) and refuses other channels with 403, storing nothing', async () => {
    // What @microsoft/m365agentsplayground 0.2.x sends for -c msteams (its default channel):
    // its config's tenant, which is not a GUID, in conversation.tenantId and channelData.tenant.id.
    const playgroundTenant = '00000000-0000-0000-0000-0000000000001';
    const playground = message('help', { serviceUrl: f.connector.url, tenantId: playgroundTenant, conversationId: 'playground-chat' });
    assert.equal((await f.app.post('/api/messages', playground)).status, 200);
    const [reply] = await f.connector.waitForSent(1);
    assert.equal(cardTexts(cardOf(reply))[0], 'Escalation Desk');

    for (const channelId of ['webchat', 'directline', 'emulator']) {
      const res = await f.app.post('/api/messages', { ...message('help', { serviceUrl: f.connector.url, conversationId: `other-${channelId}` }), channelId });
      assert.equal(res.status, 403, channelId);
      assert.equal((res.body as { code: string }).code, 'ChannelNotSupported');
      assert.equal((await f.app.app.database.documents.read([`${channelId}/conversations/other-${channelId}`])).size, 0);
    }
    assert.equal(f.connector.calls.length, 1, 'only the Playground was answered');
  });

  it('never logs the message text', async () => {
    await f.app.post('/api/messages', message('help my secret customer Contoso-Zebra', { serviceUrl: f.connector.url }));
    await f.connector.waitForSent(1);
    assert.ok(!JSON.stringify(f.app.logs).includes('Contoso-Zebra'));
  });
});

describe('service over HTTP (Bot Framework authentication on)', () => {
  let running: RunningApp;
  before(async () => {
    running = await startApp({
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppTenantId: '72f988bf-0000-4000-8000-000000000001',
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
  const f = useAppPerTest();

  it('"health Contoso" shows a typing indicator, then the Contoso incident', async () => {
    await f.app.post('/api/messages', message('health Contoso', { serviceUrl: f.connector.url }));
    const sent = await f.connector.waitForSent(2);
    assert.equal(sent[0]?.type, 'typing');
    const texts = cardTexts(cardOf(sent[1]));
    assert.equal(texts[0], 'Service health: Contoso');
    assert.ok(texts.some((t) => /^EX\d+ · /.test(t)), 'an Exchange issue is listed');
    assert.ok(texts.some((t) => t.startsWith('Incident · ')));
  });

  it('"health contoso exchange" narrows to one service', async () => {
    await f.app.post('/api/messages', message('health contoso exchange', { serviceUrl: f.connector.url }));
    const sent = await f.connector.waitForSent(2);
    const texts = cardTexts(cardOf(sent[1]));
    assert.equal(texts[0], 'Service health: Contoso, Exchange Online');
    assert.ok(texts.every((t) => !t.includes('Microsoft Teams')));
  });

  it('an unknown customer and an unreadable tenant get clear answers', async () => {
    await f.app.post('/api/messages', message('health Globex', { serviceUrl: f.connector.url }));
    const a = await f.connector.waitForSent(2);
    assert.match(String(a[1]?.text), /no customer matching "Globex".*Contoso/);
    await f.app.post('/api/messages', message('health Northwind', { serviceUrl: f.connector.url }));
    const b = await f.connector.waitForSent(4);
    assert.match(String(b[3]?.text), /can't read the service health of Northwind Traders.*ServiceHealth\.Read\.All/);
  });

  it('resolving the incident through the sandbox API shows it resolved', async () => {
    const tenant = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
    const before = await fetch(`${f.app.url}/sandbox/health/${tenant}`);
    assert.equal(before.status, 200);
    type Overview = { value: { services: { issues: { id: string; isResolved: boolean; classification: string }[] }[] } };
    const overview = (await before.json()) as Overview;
    const open = overview.value.services.flatMap((s) => s.issues).filter((i) => !i.isResolved && i.classification === 'incident');
    assert.ok(open.length > 0);
    for (const issue of open) {
      const r = await f.app.post(`/sandbox/health/${tenant}/issues/${issue.id}/resolve`, {});
      assert.equal(r.status, 200);
    }
    const after = (await (await fetch(`${f.app.url}/sandbox/health/${tenant}`)).json()) as Overview;
    assert.equal(after.value.services.flatMap((s) => s.issues).filter((i) => open.some((o) => o.id === i.id) && !i.isResolved).length, 0);
  });
});

describe('tenant allow-list (ALLOWED_TENANTS)', () => {
  const f = useAppPerTest({ ALLOWED_TENANTS: '72f988bf-0000-4000-8000-000000000001' });
  const foreign = '0badc0de-0000-4000-8000-000000000099';

  it('a message from another tenant gets a polite refusal and nothing is stored', async () => {
    await f.app.post('/api/messages', message('escalate', { serviceUrl: f.connector.url, tenantId: foreign }));
    const [reply] = await f.connector.waitForSent(1);
    assert.match(String(reply?.text), /not enabled for your organization/);
    assert.equal((await f.app.app.database.documents.read(['msteams/conversations/a:personal-1'])).size, 0);
    assert.equal((await f.app.app.database.escalations.list({})).items.length, 0);
  });

  it('a card action from another tenant is refused with 403 in the invoke response', async () => {
    const res = await f.app.post('/api/messages', execute('escalate', {}, { serviceUrl: f.connector.url, tenantId: foreign }));
    const body = res.body as { statusCode: number; type: string; value: { code: string } };
    assert.equal(body.statusCode, 403);
    assert.equal(body.type, 'application/vnd.microsoft.error');
    assert.equal(body.value.code, 'Forbidden');
  });

  it('the allowed tenant is served', async () => {
    await f.app.post('/api/messages', message('help', { serviceUrl: f.connector.url }));
    const [reply] = await f.connector.waitForSent(1);
    assert.equal(cardTexts(cardOf(reply))[0], 'Escalation Desk');
  });
});
