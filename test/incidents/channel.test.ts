/** What became of an incident card's post: its thread once sent (in Teams' thread form), failed once given up. */
import { strict as assert } from 'node:assert';
import type { IncidentCardState } from '../../src/domain/incident-messages';
import { withPostOutcome } from '../../src/incidents/channel';
import { conversationKey, openDatabase, type Database } from '../../src/store';

const NOW = new Date('2025-03-10T10:00:00Z');

describe('incident card post outcome', function () {
  let db: Database;
  beforeEach(async function () {
    db = await openDatabase({ url: 'sqlite::memory:' });
  });
  afterEach(async function () {
    await db.close();
  });

  /** A channel reference whose id came from a post in a thread (`incidents here` said in a reply). */
  async function channel(): Promise<string> {
    const conversationId = '19:abc@thread.tacv2;messageid=1699999999999';
    const key = conversationKey('Partner', conversationId);
    await db.conversations.upsert({ key, serviceUrl: 'https://smba.example/', conversationId, tenantId: 'partner', conversationType: 'channel', botId: '28:desk', updatedAt: NOW.toISOString() });
    return key;
  }

  async function posted(channelKey: string, status: 'sent' | 'dead' | 'pending'): Promise<IncidentCardState> {
    await db.outbox.enqueue([{ id: 'post-1', escalationId: 'incident:EX1', kind: 'incident_card', target: channelKey, payload: { activity: { text: 'card' } }, dedupeKey: 'incident_card:EX1' }], NOW);
    if (status !== 'pending') {
      const [claimed] = await db.outbox.claimDue('w', NOW, 1, 60_000);
      assert.ok(claimed);
      if (status === 'sent') {
        await db.outbox.markSending('post-1', 'w', NOW);
        await db.outbox.markSent('post-1', 'w', '1700000000123', NOW);
      } else {
        await db.outbox.markDead('post-1', 'w', 'unreachable:BotNotInConversationRoster', NOW);
      }
    }
    return { channel: channelKey, postId: 'post-1', postedAt: NOW.toISOString(), lastUpdateAt: NOW.toISOString(), heldReplies: [] };
  }

  it('once sent: the card activity, and a thread reference on the channel root (not the post it was set from)', async function () {
    const key = await channel();
    const card = await withPostOutcome(await posted(key, 'sent'), db.outbox, db.conversations, NOW);
    assert.equal(card.activityId, '1700000000123');
    assert.ok(card.threadKey);
    const thread = await db.conversations.get(card.threadKey);
    assert.deepEqual([thread?.conversationId, thread?.serviceUrl, thread?.tenantId], ['19:abc@thread.tacv2;messageid=1700000000123', 'https://smba.example/', 'partner']);
  });

  it('not sent yet: unchanged; given up: failed with the reason', async function () {
    const key = await channel();
    const pending = await posted(key, 'pending');
    assert.deepEqual(await withPostOutcome(pending, db.outbox, db.conversations, NOW), pending);
    await db.close();
    db = await openDatabase({ url: 'sqlite::memory:' });
    const dead = await withPostOutcome(await posted(await channel(), 'dead'), db.outbox, db.conversations, NOW);
    assert.equal(dead.failed, 'unreachable:BotNotInConversationRoster');
  });
});
