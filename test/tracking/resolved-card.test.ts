/**
 * After the loop closes (or the engineer reopens the request), no copy of the "Microsoft
 * resolved it" card keeps buttons that no longer apply: each copy becomes the read-only card.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { useAppPerTest } from '../helpers/app';
import { Engineer, has, type Card } from '../helpers/engineer';

function cardOf(activity: Record<string, unknown> | undefined): Card {
  const attachments = activity?.attachments as { content: Card }[] | undefined;
  assert.ok(attachments?.[0], 'a card');
  return attachments[0].content;
}

describe('the resolved card after the loop closes', () => {
  const clock = new ManualClock(new Date());
  const f = useAppPerTest({ SANDBOX_ATTENTION_AFTER_SECONDS: '600', SANDBOX_CLOSE_AFTER_SECONDS: '60', TRACKING_MIN_INTERVAL_SECONDS: '30' }, { clock });

  /** An escalation Microsoft has resolved, its resolved card sent: the escalation id and the card's message id. */
  async function resolved(me: Engineer): Promise<{ id: string; notificationId: string }> {
    const { id } = await me.toHandoff();
    assert.ok(has(await me.act('handoffLink', { escalationId: id, requestNumber: '2611250010007777' }), /Escalated to Microsoft/));
    const { tracker, outboxWorker } = f.app.app.workers;
    for (let i = 0; i < 10 && (await f.app.app.database.escalations.get(id))?.state !== 'resolved'; i += 1) {
      clock.advance(61_000);
      await tracker.runOnce();
    }
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'resolved');
    await outboxWorker.runOnce();
    const sent = (await f.app.app.database.outbox.listForEscalation(id)).find((n) => n.kind === 'resolved');
    assert.ok(sent?.sentActivityId, 'the resolved card was sent');
    return { id, notificationId: sent.sentActivityId };
  }

  const updatesOf = (activityId: string) => f.connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${activityId}`));

  it('"Customer notified" on the flow card turns the sent resolved card read-only', async () => {
    const me = new Engineer(f.app, f.connector, { replyToId: 'flow-card-3' });
    const { id, notificationId } = await resolved(me);
    const closed = await me.act('customerNotified', { escalationId: id, customerMessage: 'Fixed, please check.', notifiedContact: 'Jo' });
    assert.ok(has(closed, /^Closed$/));
    await f.app.app.workers.outboxWorker.runOnce();
    const update = updatesOf(notificationId).at(-1);
    assert.ok(update, 'the resolved notification was updated');
    const card = cardOf(update.activity);
    assert.ok(has(card, /^Closed$/));
    assert.equal(JSON.stringify(card).includes('"verb":"customerNotified"'), false, 'no button that no longer applies');
  });

  it('"Still broken" on the notification turns the flow card read-only too', async () => {
    const me = new Engineer(f.app, f.connector, { replyToId: 'flow-card-4' });
    const { id, notificationId } = await resolved(me);
    const fromNotification = new Engineer(f.app, f.connector, { replyToId: notificationId });
    const before = updatesOf('flow-card-4').length;
    await fromNotification.act('stillBroken', { escalationId: id, stillBrokenReason: 'Mail is still delayed for two users.' });
    await f.app.app.workers.outboxWorker.runOnce();
    const updates = updatesOf('flow-card-4');
    assert.equal(updates.length, before + 1);
    assert.equal(JSON.stringify(cardOf(updates.at(-1)?.activity)).includes('"verb":"customerNotified"'), false);
    assert.equal(updatesOf(notificationId).length, 0, 'the card pressed is updated by the answer, not again');
  });
});
