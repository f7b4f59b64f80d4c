import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorDouble } from '../helpers/connector-double';
import { startApp, useAppPerTest, type RunningApp } from '../helpers/app';
import { UnknownServiceRequestError, type ServiceRequest, type SupportProvider } from '../../src/support/types';
import { Engineer, describeData, escalationIdOf, flowIdOf, has, offeredIssue, type Card } from '../helpers/engineer';
import { execute } from '../helpers/activities';

describe('escalation flow over HTTP (sandbox, SQLite)', () => {
  let connector: ConnectorDouble;
  let app: RunningApp;
  let dbFile: string;
  let me: Engineer;

  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    dbFile = join(mkdtempSync(join(tmpdir(), 'ed-flow-')), 'desk.db');
    app = await startApp({ DATABASE_URL: `sqlite:${dbFile}` });
    me = new Engineer(app, connector);
  });
  afterEach(async () => {
    await app.stop();
    await connector.stop();
  });

  async function begin(): Promise<{ flowId: string; match: Card; id: string }> {
    const describe = await me.act('escalate', {});
    assert.ok(has(describe, /Report a customer's problem/));
    const flowId = flowIdOf(describe);
    const match = await me.describe(flowId);
    return { flowId, match, id: escalationIdOf(match) };
  }

  it('known issue: the matching incident is offered with reasons, confirming stores known_issue', async () => {
    const { match, id } = await begin();
    assert.ok(has(match, /Is this a known Microsoft issue/));
    assert.ok(has(match, /^Why: same service/), 'the card says why it matched');
    const summary = await me.act('knownConfirm', { escalationId: id, step: 'health', issueId: offeredIssue(match) });
    assert.ok(has(summary, /Known Microsoft issue: watching/));
    const stored = await app.app.database.escalations.get(id);
    assert.equal(stored?.state, 'known_issue');
    assert.equal((stored?.details.knownIssue as { id: string }).id, offeredIssue(match));
    assert.deepEqual((await app.app.database.escalations.audit(id)).map((e) => e.to), ['draft', 'known_issue']);
  });

  it('not the same issue: the reason is required and recorded, then troubleshooting', async () => {
    const { id } = await begin();
    const refused = await me.act('knownDiffers', { escalationId: id, step: 'health', notSameReason: '   ' });
    assert.ok(has(refused, /^Please fill in or correct: “Not the same\? Say why/));
    const checklist = await me.act('knownDiffers', { escalationId: id, step: 'health', notSameReason: 'Only one mailbox is affected' });
    assert.ok(has(checklist, /Troubleshoot with admin privileges/));
    const audit = await app.app.database.escalations.audit(id);
    assert.equal(audit.at(-1)?.to, 'triage');
    assert.equal(audit.at(-1)?.reason, 'Only one mailbox is affected');
  });

  it('troubleshooting not done: the draft is saved, resume brings the checklist back, then category', async () => {
    const { id } = await begin();
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'different' });
    const partial = await me.act('troubleshoot', { escalationId: id, step: 'troubleshoot', check_licences: 'true' });
    assert.ok(has(partial, /Troubleshoot with admin privileges/));
    assert.ok(has(partial, /Message trace/), 'says what to try');
    const sent = await connector.waitForSent(1);
    assert.match(String(sent.at(-1)?.text), /say resume to continue ED-/);

    await me.say('resume');
    const resumed = await connector.waitForSent(2);
    const card = (resumed.at(-1)?.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(card, /Troubleshoot with admin privileges/));

    const all = Object.fromEntries(
      ['licences', 'recent_changes', 'settings', 'client_software', 'mail_flow_rules', 'message_trace'].map((k) => [`check_${k}`, 'true']),
    );
    const triage = await me.act('troubleshoot', { escalationId: id, step: 'troubleshoot', ...all });
    assert.ok(has(triage, /Does this belong to Microsoft/));
  });

  it('not warranted: "none of these" gives guidance, and close closes it', async () => {
    const { id } = await begin();
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'different' });
    await me.act('troubleshootSkip', { escalationId: id });
    const nw = await me.act('triage', { escalationId: id, category: 'none' });
    assert.ok(has(nw, /This one is yours to fix/));
    assert.ok(has(nw, /configuration or how-to/));
    assert.equal((await app.app.database.escalations.get(id))?.state, 'not_warranted');
    const closed = await me.act('close', { escalationId: id, step: 'decision' });
    assert.ok(has(closed, /^Closed$/));
    assert.equal((await app.app.database.escalations.get(id))?.state, 'closed');
  });

  it('escalated: decision, copy-ready request, validated request number, linked and escalated', async () => {
    const { id } = await begin();
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'only connectors fail' });
    await me.act('troubleshootSkip', { escalationId: id });
    const incomplete = await me.act('triage', { escalationId: id, category: 'bug' });
    assert.ok(has(incomplete, /^Please fill in or correct: “Severity”, “Business impact”\.$/));
    // Skipping troubleshooting is only enough for categories the admin cannot act on.
    const back = await me.act('triage', {
      escalationId: id,
      category: 'bug',
      severity: 'critical',
      businessImpact: 'Sales cannot email customers',
      contact: 'Jo, jo@contoso.example',
    });
    assert.ok(has(back, /admin-side checks are not done yet/));
    await me.act('troubleshootSkip', { escalationId: id });
    const handoff = await me.act('triage', {
      escalationId: id,
      category: 'service_unavailable',
      severity: 'critical',
      businessImpact: 'Sales cannot email customers',
      contact: 'Jo, jo@contoso.example',
    });
    assert.ok(has(handoff, /Decision: escalate to Microsoft/));
    assert.ok(has(handoff, /Customers → Contoso → Service management/), 'the filing path names the customer');
    const stored = await app.app.database.escalations.get(id);
    assert.equal(stored?.state, 'awaiting_handoff');
    const request = stored?.details.request as { title: string; description: string; severity: string };
    assert.ok(request.title.length <= 255);
    assert.equal(request.title, 'Exchange Online: Users cannot send mail');
    assert.match(request.description, /Differs from known issue: .*only connectors fail/);
    assert.equal(request.severity, 'critical');

    const bad = await me.act('handoffLink', { escalationId: id, step: 'handoff', requestNumber: '12ab' });
    assert.ok(has(bad, /1 to 16 digits/));
    const linked = await me.act('handoffLink', { escalationId: id, step: 'handoff', requestNumber: ' 2611250010001234 ' });
    assert.ok(has(linked, /Escalated to Microsoft/));
    const escalated = await app.app.database.escalations.get(id);
    assert.equal(escalated?.state, 'escalated');
    assert.equal(escalated?.details.serviceRequestId, '2611250010001234');
  });

  it('cancel mid-way: the command names the draft in progress and asks; confirmed, it is cancelled', async () => {
    const { id } = await begin();
    await me.say('cancel');
    await connector.waitForSent(1);
    assert.equal((await app.app.database.escalations.get(id))?.state, 'draft', 'asked first: nothing cancelled yet');
    await me.act('cancelConfirm', { escalationId: id });
    assert.equal((await app.app.database.escalations.get(id))?.state, 'cancelled');
  });

  it('restart mid-way: a new process on the same database resumes at the same step', async () => {
    const { id } = await begin();
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'different' });
    await app.stop();
    app = await startApp({ DATABASE_URL: `sqlite:${dbFile}` });
    me = new Engineer(app, connector);
    const card = await me.act('refresh', { escalationId: id });
    assert.ok(has(card, /Troubleshoot with admin privileges/));
  });

  it('a card submitted twice creates one escalation and moves it once', async () => {
    const describe = await me.act('escalate', {});
    const flowId = flowIdOf(describe);
    const [a, b] = await Promise.all([me.describe(flowId), me.describe(flowId)]);
    assert.equal(escalationIdOf(a), escalationIdOf(b));
    const all = await app.app.database.escalations.list({});
    assert.equal(all.items.length, 1);
    const id = escalationIdOf(a);
    const issue = offeredIssue(a);
    await Promise.all([
      me.act('knownConfirm', { escalationId: id, issueId: issue }),
      me.act('knownConfirm', { escalationId: id, issueId: issue }),
    ]);
    const again = await me.act('knownConfirm', { escalationId: id, issueId: issue });
    assert.ok(has(again, /already moved this escalation on/));
    assert.deepEqual((await app.app.database.escalations.audit(id)).map((e) => e.to), ['draft', 'known_issue']);
  });

  it('missing and oversized fields are refused server-side and nothing is stored', async () => {
    const flowId = flowIdOf(await me.act('escalate', {}));
    const missing = await me.describe(flowId, { title: '', usersAffected: 'many' });
    assert.ok(has(missing, /^Please fill in or correct: “What is wrong \(one line\)”, “Users affected”\.$/));
    const huge = await me.describe(flowId, { description: 'x'.repeat(100_000), customerTenantId: { $gt: '' } });
    assert.ok(has(huge, /“Customer”, “What the customer sees”/));
    const unknown = await me.describe(flowId, { customerTenantId: '00000000-0000-0000-0000-000000000000' });
    assert.ok(has(unknown, /not in your customer list/));
    assert.equal((await app.app.database.escalations.list({})).items.length, 0);
  });

  it('the Korean locale answers the flow in Korean', async () => {
    const ko = new Engineer(app, connector, { locale: 'ko-KR' });
    const describe = await ko.act('escalate', {});
    assert.ok(has(describe, /고객 문제 보고/));
  });

  it('another tenant replaying a known flowId or escalation id gets no card of it, and the answer an unknown id gets (en, ko)', async () => {
    const { flowId, id } = await begin();
    const stored = await app.app.database.escalations.get(id);
    const foreign = '0badc0de-0000-4000-8000-000000000077';
    const post = async (verb: string, data: Record<string, unknown>, locale = 'en-US') => {
      const res = await app.post('/api/messages', execute(verb, data, { serviceUrl: connector.url, tenantId: foreign, conversationId: 'a:foreign-probe', locale }));
      assert.equal(res.status, 200);
      return res.body as { statusCode: number; type: string; value: unknown };
    };
    const texts = async (start: number, count: number) => (await connector.waitForSent(start + count)).slice(start).map((a) => String(a.text));
    const noCardOf = (body: { type: string; value: unknown }, what: string) => {
      const shown = JSON.stringify(body.value);
      assert.ok(!shown.includes(id) && !shown.includes('Users cannot send mail') && !shown.includes('Outbound mail is delayed'), `${what}: ${shown.slice(0, 200)}`);
    };

    let sent = connector.sent().length;
    const replayed = await post('describe', describeData(flowId));
    noCardOf(replayed, 'describe');
    assert.deepEqual(await texts(sent, 1), [`I can't find escalation ${id} in your organization.`]);

    noCardOf(await post('refresh', { escalationId: id }), 'refresh by id');
    const refreshed = await post('refresh', { flowId });
    noCardOf(refreshed, 'refresh by flowId');
    assert.match(JSON.stringify(refreshed.value), /Report a customer's problem/, 'a blank form, as for a flow never seen');

    sent = connector.sent().length;
    noCardOf(await post('status', { escalationId: id }), 'status');
    noCardOf(await post('knownDiffers', { escalationId: id, notSameReason: 'probing' }), 'knownDiffers');
    await post('status', { escalationId: 'ED-00000000' });
    await post('status', { escalationId: id }, 'ko-KR');
    assert.deepEqual(await texts(sent, 4), [
      `I can't find escalation ${id} in your organization.`,
      `I can't find escalation ${id} in your organization.`,
      "I can't find escalation ED-00000000 in your organization.",
      `조직에서 에스컬레이션 ${id}을(를) 찾을 수 없습니다.`,
    ]);

    assert.deepEqual(await app.app.database.escalations.get(id), stored, 'nothing changed');
    assert.equal((await app.app.database.escalations.list({ partnerTenantId: foreign })).items.length, 0);
  });

  it('list and status show the escalation and its timeline', async () => {
    const { id } = await begin();
    const list = await me.act('list', {});
    assert.ok(has(list, new RegExp(`^${id} · Contoso · Exchange Online`)));
    const status = await me.act('status', { escalationId: id });
    assert.ok(has(status, /Draft$/));
  });
});

describe('escalation flow in a team channel', () => {
  const f = useAppPerTest();

  it('"@Escalation Desk escalate" posts the form into the thread; another member can work it', async () => {
    const channel = { conversationType: 'channel' as const, conversationId: '19:desk@thread.tacv2;messageid=1700000000000' };
    const { mentionMessage } = await import('../helpers/activities');
    await f.app.post('/api/messages', mentionMessage('escalate', { serviceUrl: f.connector.url, ...channel }));
    const [posted] = await f.connector.waitForSent(1);
    assert.equal(f.connector.calls[0]?.conversationId, channel.conversationId, 'into the thread it was asked in');
    const form = (posted?.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(has(form, /Report a customer's problem/));
    assert.ok((form.refresh as { action: { verb: string } }).action.verb === 'refresh', 'every viewer refreshes to the current step');

    const colleague = new Engineer(f.app, f.connector, { ...channel, from: { id: '29:colleague', aadObjectId: 'bbbbbbbb-0000-4000-8000-0000000000c2', name: 'Lin' } });
    const match = await colleague.describe(flowIdOf(form));
    const id = escalationIdOf(match);
    const stored = await f.app.app.database.escalations.get(id);
    assert.equal(stored?.ownerId, 'bbbbbbbb-0000-4000-8000-0000000000c2');
    assert.equal(stored?.details.conversationId, channel.conversationId);
    // A viewer whose card is stale refreshes to where the escalation stands.
    const refreshed = await new Engineer(f.app, f.connector, channel).act('refresh', { flowId: flowIdOf(form) });
    assert.ok(has(refreshed, /Is this a known Microsoft issue/));
  });
});

describe('hand-off with Partner Center tracking', () => {
  const requests: ServiceRequest[] = [
    { id: '2611250010000001', title: 'Mail stuck', status: 'open', severity: 'critical', createdDate: '2026-11-25T08:00:00Z', notes: [], description: 'd', supportTopicName: 't', productName: 'Exchange Online' },
    { id: '2611250010000002', title: 'Old one', status: 'closed', severity: 'minimal', createdDate: '2026-11-20T08:00:00Z', notes: [], description: 'd', supportTopicName: 't', productName: 'Exchange Online' },
  ];
  /** Partner Center as the tracker and the flow see it: this customer's requests. */
  const partnerCenter: SupportProvider = {
    source: 'partnercenter',
    getRequest: (id) => {
      const found = requests.find((r) => r.id === id);
      return found ? Promise.resolve(found) : Promise.reject(new UnknownServiceRequestError(id));
    },
    listCustomerRequests: () => Promise.resolve(requests),
    addNote: () => Promise.resolve(undefined),
    setStatus: () => Promise.resolve(undefined),
  };
  const f = useAppPerTest({}, { support: partnerCenter });

  it('offers the customer\u2019s open requests to pick, links the picked one, and refuses an unknown number', async () => {
    const me = new Engineer(f.app, f.connector);
    const { id, handoff } = await me.toHandoff();
    const choices = JSON.stringify(handoff);
    assert.match(choices, /"title":"2611250010000001 · Mail stuck","value":"2611250010000001"/);
    assert.doesNotMatch(choices, /2611250010000002/, 'closed requests are not offered');
    const unknown = await me.act('handoffLink', { escalationId: id, requestNumber: '2611250010009999' });
    assert.ok(has(unknown, /no request 2611250010009999/));
    const linked = await me.act('handoffLink', { escalationId: id, pickedRequest: '2611250010000001' });
    assert.ok(has(linked, /Escalated to Microsoft/));
    assert.equal((await f.app.app.database.escalations.get(id))?.details.serviceRequestId, '2611250010000001');
  });
});
