import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { useAppPerTest } from '../helpers/app';
import { Engineer, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';
import { cardTexts } from '../helpers/cards';

/** A request number: the sandbox asks its one question on every request. */
function askingRequestNumber(): string {
  return '2611250010001000';
}

function cardOf(activity: Record<string, unknown> | undefined): Card {
  const attachments = activity?.attachments as { content: Card }[] | undefined;
  assert.ok(attachments?.[0], 'a card');
  return attachments[0].content;
}

describe('closing the loop (sandbox Microsoft, tracker, outbox, connector double)', () => {
  const clock = new ManualClock(new Date());
  const f = useAppPerTest(
    { SANDBOX_ATTENTION_AFTER_SECONDS: '60', SANDBOX_CLOSE_AFTER_SECONDS: '120', TRACKING_MIN_INTERVAL_SECONDS: '30' },
    { clock },
  );

  async function escalate(me: Engineer, requestNumber: string): Promise<string> {
    const { id } = await me.toHandoff();
    const linked = await me.act('handoffLink', { escalationId: id, requestNumber });
    assert.ok(has(linked, /Escalated to Microsoft/));
    return id;
  }

  it('open → attention_needed → closed sends the expected cards, in order, once each; then the loop closes', async () => {
    const me = new Engineer(f.app, f.connector, { replyToId: 'flow-card-1' });
    const id = await escalate(me, askingRequestNumber());
    const { tracker, outboxWorker } = f.app.app.workers;
    const proactive = () => f.connector.sent().filter((a) => (a.channelData as Record<string, unknown> | undefined)?.escalationDeskNotificationId);

    // Linking alone notifies nobody.
    await outboxWorker.runOnce();
    assert.equal(proactive().length, 0);

    clock.advance(61_000); // 61 s after linking: Microsoft has asked a question.
    await tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'attention_needed');
    await outboxWorker.runOnce();
    await outboxWorker.runOnce(); // a second round must not send it again
    assert.equal(proactive().length, 1);
    const attention = cardOf(proactive()[0]);
    assert.ok(has(attention, /^Microsoft needs information: Contoso/));
    assert.ok(cardTexts(attention).some((t) => t.includes('message trace')), "shows Microsoft's question");

    const answered = await me.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached; started 08:10 UTC' });
    assert.ok(answered);
    clock.advance(1_000); // the answer asked the tracker to look at once
    await tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'escalated', 'answered: Microsoft works it again');

    clock.advance(60_000); // 122 s, past 120 s: Microsoft has closed the request (next poll after a change: 30 s).
    await tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'resolved');
    await outboxWorker.runOnce();
    await outboxWorker.runOnce();
    assert.equal(proactive().length, 2);
    // The flow's card was updated in place, once per change, to a read-only status (asked, answered, resolved): one card to act on per event.
    const updates = f.connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/activities/flow-card-1'));
    assert.equal(updates.length, 3);
    assert.ok(has(cardOf(updates[0]?.activity), /^Microsoft asked for information .* · answer it on the new card below$/));
    assert.ok(has(cardOf(updates[1]?.activity), /· answered .* by Ada Engineer · waiting for Microsoft$/));
    assert.ok(has(cardOf(updates[2]?.activity), /^Microsoft resolved it .* · tell the customer on the new card below$/));
    assert.ok(!updates.some((u) => JSON.stringify(u.activity).includes('"verb":"customerNotified"') || JSON.stringify(u.activity).includes('"verb":"answerMicrosoft"')));
    const resolved = cardOf(proactive()[1]);
    assert.ok(has(resolved, /^Microsoft resolved request \d+: tell Contoso/));
    assert.match(JSON.stringify(resolved), /Microsoft has resolved the problem you reported/, 'a drafted customer message');
    assert.match(JSON.stringify(resolved), /The issue is fixed on our side/, "Microsoft's closing note");

    const refused = await me.act('customerNotified', { escalationId: id, customerMessage: ' ', notifiedContact: '' });
    assert.ok(has(refused, /“Message to the customer \(edit, copy, send\)”, “Who did you tell\?”/));
    const closed = await me.act('customerNotified', { escalationId: id, customerMessage: 'Fixed, please check.', notifiedContact: 'Jo, jo@contoso.example' });
    assert.ok(has(closed, /^Closed$/));
    const stored = await f.app.app.database.escalations.get(id);
    assert.equal(stored?.state, 'closed');
    assert.deepEqual((stored?.details.customerNotified as { contact: string; message: string }) && {
      contact: (stored?.details.customerNotified as { contact: string }).contact,
      message: (stored?.details.customerNotified as { message: string }).message,
    }, { contact: 'Jo, jo@contoso.example', message: 'Fixed, please check.' });
    const trail = (await f.app.app.database.escalations.audit(id)).map((e) => `${e.actor.kind}:${e.to}`);
    assert.deepEqual(trail.slice(-5), ['microsoft:attention_needed', 'microsoft:escalated', 'microsoft:resolved', 'user:customer_notified', 'user:closed']);
    // Pressing "Customer notified" again changes nothing.
    const again = await me.act('customerNotified', { escalationId: id, customerMessage: 'x', notifiedContact: 'y' });
    assert.ok(has(again, /already moved this escalation on/));
    assert.equal((await f.app.app.database.escalations.audit(id)).length, trail.length);
  });

  it('"Still broken" adds a note to the request and reopens it; the old closure does not resolve it again', async () => {
    const me = new Engineer(f.app, f.connector);
    const id = await escalate(me, '2611250010009999');
    clock.advance(125_000);
    await f.app.app.workers.tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'resolved');
    const reopened = await me.act('stillBroken', { escalationId: id, stillBrokenReason: 'Mail still queued for 3 users' });
    assert.ok(has(reopened, /Escalated to Microsoft/));
    const request = await f.app.app.database.documents.read(['support/sandbox/2611250010009999']);
    assert.match(JSON.stringify([...request.values()]), /Mail still queued for 3 users/);
    clock.advance(60_000);
    await f.app.app.workers.tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'escalated');
  });

  it('an unknown request number is refused at linking', async () => {
    const me = new Engineer(f.app, f.connector);
    const { id } = await me.toHandoff('minimal');
    // 17 digits passes no check at all; the regex refuses it before Microsoft is asked.
    const card = await me.act('handoffLink', { escalationId: id, requestNumber: '12345678901234567' });
    assert.ok(has(card, /1 to 16 digits/));
  });
});

describe('reminders and conversation references', () => {
  const clock = new ManualClock(new Date());
  const f = useAppPerTest({ RESOLVED_REMINDER_HOURS: '4', HANDOFF_REMINDER_HOURS: '24', QUIET_REQUEST_DAYS: '3' }, { clock });

  it('records the conversation reference of every turn and forgets it on uninstall', async () => {
    const { installed, message } = await import('../helpers/activities');
    await f.app.post('/api/messages', message('help', { serviceUrl: f.connector.url, conversationId: 'a:chat-42' }));
    const key = '72f988bf-0000-4000-8000-000000000001|a:chat-42';
    const ref = await f.app.app.database.conversations.get(key);
    assert.equal(ref?.serviceUrl, f.connector.url);
    assert.equal(ref?.botId, '28:escalation-desk');
    await f.app.post('/api/messages', { ...installed({ serviceUrl: f.connector.url, conversationId: 'a:chat-42' }), action: 'remove' });
    assert.equal(await f.app.app.database.conversations.get(key), undefined);
  });

  it('an unfiled request is reminded once per period, to the conversation the flow ran in', async () => {
    const me = new Engineer(f.app, f.connector);
    const flowId = flowIdOf(await me.act('escalate', {}));
    const id = escalationIdOf(await me.describe(flowId));
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'x' });
    await me.act('troubleshootSkip', { escalationId: id });
    await me.act('triage', { escalationId: id, category: 'service_unavailable', severity: 'minimal', businessImpact: 'x', contact: 'y' });
    const { reminders, outboxWorker } = f.app.app.workers;
    const reminded = () =>
      f.connector.sent().filter((a) => JSON.stringify(a).includes('is prepared but not filed in Partner Center yet'));

    clock.advance(23 * 3_600_000);
    assert.equal(await reminders.runOnce(), 0, 'not yet');
    clock.advance(2 * 3_600_000);
    assert.equal(await reminders.runOnce(), 1);
    assert.equal(await reminders.runOnce(), 0, 'one reminder per period, however often the scan runs');
    await outboxWorker.runOnce();
    assert.equal(reminded().length, 1);
    assert.equal(f.connector.calls.at(-1)?.conversationId, 'a:personal-1');
    clock.advance(24 * 3_600_000);
    assert.equal(await reminders.runOnce(), 1, 'the next period reminds again');
  });
});
