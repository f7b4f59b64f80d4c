/**
 * Issue 14 item 13: a notification posted in a team channel @mentions the escalation's owner
 * (Teams mention entity with their id and name, `<at>Name</at>` in the text); in a personal chat
 * it mentions no one, and a card updated in place is not changed into a mention.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { ENGINEER } from '../helpers/activities';
import { useAppPerTest } from '../helpers/app';
import { Engineer, has } from '../helpers/engineer';

/** A request number: the sandbox asks its one question on every request. */
function askingRequestNumber(): string {
  return '2611250010001000';
}

const CHANNEL_THREAD = '19:ops-channel@thread.tacv2;messageid=1700000000000';

describe('notifications @mention the owner in a channel', () => {
  const clock = new ManualClock(new Date());
  const f = useAppPerTest({ SANDBOX_ATTENTION_AFTER_SECONDS: '60', SANDBOX_CLOSE_AFTER_SECONDS: '120', TRACKING_MIN_INTERVAL_SECONDS: '30' }, { clock });

  async function attentionSent(me: Engineer): Promise<Record<string, unknown>[]> {
    const { id } = await me.toHandoff();
    assert.ok(has(await me.act('handoffLink', { escalationId: id, requestNumber: askingRequestNumber() }), /Escalated to Microsoft/));
    clock.advance(61_000);
    await f.app.app.workers.tracker.runOnce();
    await f.app.app.workers.outboxWorker.runOnce();
    return f.connector.sent().filter((a) => (a.channelData as Record<string, unknown> | undefined)?.escalationDeskNotificationId);
  }

  it('in a channel: the attention notification carries <at>owner</at> and the mention entity with the owner\u2019s id and name', async () => {
    const me = new Engineer(f.app, f.connector, { conversationType: 'channel', conversationId: CHANNEL_THREAD, replyToId: 'flow-card-7' });
    const sent = await attentionSent(me);
    assert.equal(sent.length, 1);
    const [activity] = sent;
    assert.match(String(activity?.text), new RegExp(`^<at>${ENGINEER.name}</at>`));
    assert.deepEqual(activity?.entities, [{ type: 'mention', text: `<at>${ENGINEER.name}</at>`, mentioned: { id: ENGINEER.aadObjectId, name: ENGINEER.name } }]);
    assert.ok(Array.isArray(activity?.attachments) && activity.attachments.length === 1, 'the card is still there');
    const updates = f.connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/activities/flow-card-7'));
    assert.equal(updates.length, 1);
    assert.equal(updates[0]?.activity?.entities, undefined, 'the card updated in place mentions no one');
  });

  it('in a personal chat: no mention', async () => {
    const me = new Engineer(f.app, f.connector);
    const [activity] = await attentionSent(me);
    assert.ok(activity);
    assert.equal(activity.entities, undefined);
    assert.equal(typeof activity.text === 'string' && activity.text.includes('<at>'), false);
  });
});
