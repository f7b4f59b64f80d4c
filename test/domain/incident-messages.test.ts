import { strict as assert } from 'node:assert';
import {
  cardFailed,
  cardPosted,
  planIncidentMessages,
  type IncidentCardState,
  type PlannedIncidentMessage,
} from '../../src/domain/incident-messages';
import type { Incident, IncidentEvent } from '../../src/domain/incidents';

const CHANNEL = 'partner|19:incidents@thread.tacv2';
const THREAD = 'partner|19:incidents@thread.tacv2;messageid=1700000000000';
const T0 = Date.parse('2025-03-10T08:00:00Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const TIMING = { windowMs: 60_000, postCheckMs: 5_000 };

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'EX300001',
    service: 'Exchange Online',
    classification: 'incident',
    status: 'serviceDegradation',
    title: 'Users may be unable to send email',
    impactDescription: 'Users may be unable to send email.',
    posts: [{ createdDateTime: at(0), postType: 'quick', contentType: 'html', content: 'Investigating.' }],
    startDateTime: at(0),
    lastModifiedDateTime: at(0),
    resolved: false,
    postIncidentReview: false,
    detectedAt: at(0),
    updatedAt: at(0),
    customers: [{ tenantId: 't-a', name: 'Adatum', firstSeenAt: at(0), lastSeenAt: at(0) }],
    ...over,
  };
}

const ids = (): (() => string) => {
  let n = 0;
  return () => `post-${++n}`;
};

/** A card whose post was sent at `postedAt` seconds. */
function sentCard(postedAt = 0, over: Partial<IncidentCardState> = {}): IncidentCardState {
  const posted = planIncidentMessages({ incident: incident(), events: [{ kind: 'opened', incidentId: 'EX300001' }], channel: CHANNEL, now: at(postedAt), timing: TIMING, newId: ids() });
  assert.ok(posted.card);
  return { ...cardPosted(posted.card, '1700000000000', THREAD), ...over };
}

const summary = (messages: readonly PlannedIncidentMessage[]): string[] =>
  messages.map((m) => (m.kind === 'reply' ? `reply:${m.reply.kind}${m.reply.kind === 'update' ? `:${m.reply.changes.map((c) => c.kind).join('+')}` : ''}` : m.kind));

const added: IncidentEvent = { kind: 'customers_added', incidentId: 'EX300001', tenantIds: ['t-b'] };
const newPost = { createdDateTime: at(30), postType: 'regular', contentType: 'html', content: 'Fix deploying.' };
const post: IncidentEvent = { kind: 'post_added', incidentId: 'EX300001', post: newPost };
const status: IncidentEvent = { kind: 'status_changed', incidentId: 'EX300001', from: 'serviceDegradation', to: 'restoringService' };
const resolved: IncidentEvent = { kind: 'resolved', incidentId: 'EX300001' };

describe('incident channel messages: one card per incident, coalesced updates, replies that matter', () => {
  it('posts nothing while no incident channel is set', () => {
    const plan = planIncidentMessages({ incident: incident(), events: [{ kind: 'opened', incidentId: 'EX300001' }], now: at(0), timing: TIMING, newId: ids() });
    assert.deepEqual(plan, { messages: [] });
  });

  it('posts one card for a new incident, to the channel, and looks for its activity soon', () => {
    const plan = planIncidentMessages({ incident: incident(), events: [{ kind: 'opened', incidentId: 'EX300001' }], channel: CHANNEL, now: at(0), timing: TIMING, newId: ids() });
    assert.deepEqual(plan.messages, [{ kind: 'post_card', incidentId: 'EX300001', id: 'post-1', target: CHANNEL, dedupeKey: `incident_card:EX300001:${CHANNEL}:post-1` }]);
    assert.deepEqual(plan.card, { channel: CHANNEL, postId: 'post-1', postedAt: at(0), lastUpdateAt: at(0), heldReplies: [], dueAt: at(5) });
  });

  it('posts no card for an incident already resolved', () => {
    const plan = planIncidentMessages({ incident: incident({ resolved: true }), events: [], channel: CHANNEL, now: at(0), timing: TIMING, newId: ids() });
    assert.deepEqual(plan, { messages: [] });
  });

  it('holds replies until the card has a thread, then sends them first', () => {
    const posted = planIncidentMessages({ incident: incident(), events: [], channel: CHANNEL, now: at(0), timing: TIMING, newId: ids() }).card;
    assert.ok(posted);
    const held = planIncidentMessages({ incident: incident({ status: 'restoringService' }), events: [status], card: posted, channel: CHANNEL, now: at(2), timing: TIMING, newId: ids() });
    assert.deepEqual(held.messages, [], 'no thread yet');
    assert.equal(held.card?.heldReplies.length, 1);
    assert.equal(held.card?.staleSince, at(2));
    assert.equal(held.card?.dueAt, at(7));
    assert.ok(held.card);
    const sent = planIncidentMessages({ incident: incident({ status: 'restoringService' }), events: [], card: cardPosted(held.card, '170', THREAD), channel: CHANNEL, now: at(70), timing: TIMING, newId: ids() });
    assert.deepEqual(summary(sent.messages), ['reply:update:status', 'update_card']);
    assert.equal(sent.messages[0]?.target, THREAD);
    assert.deepEqual(sent.card?.heldReplies, []);
  });

  it('updates the card at most once per window however many customers join, and the last change is never lost', () => {
    let card = sentCard(0);
    const updates: number[] = [];
    let lastChange = 0;
    // A customer joins every 7 s for 3 minutes; the sweep also flushes cards whose dueAt came.
    for (let s = 1; s <= 300; s++) {
      const changed = s <= 180 && s % 7 === 0;
      const due = card.dueAt !== undefined && Date.parse(card.dueAt) <= T0 + s * 1000;
      if (!changed && !due) continue;
      if (changed) lastChange = s;
      const plan = planIncidentMessages({ incident: incident(), events: changed ? [added] : [], card, channel: CHANNEL, now: at(s), timing: TIMING, newId: ids() });
      assert.ok(plan.card);
      card = plan.card;
      for (const m of plan.messages) {
        assert.equal(m.kind, 'update_card', 'a customer joining is no reply');
        updates.push(s);
      }
    }
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i] - updates[i - 1] >= 60, `updates ${updates.join(', ')} at least a window apart`);
    assert.ok(updates[0] >= 60, 'the post counts as the first update of its window');
    assert.ok(updates[updates.length - 1] >= lastChange, 'the last change reaches the card');
    assert.equal(card.staleSince, undefined);
    assert.equal(card.dueAt, undefined, 'nothing owed once up to date');
  });

  it('replies when Microsoft posts or the status changes: one reply for both, none for a customer joining', () => {
    const plan = planIncidentMessages({
      incident: incident({ status: 'restoringService', posts: [...incident().posts, newPost] }),
      events: [added, post, status],
      card: sentCard(0),
      channel: CHANNEL,
      now: at(90),
      timing: TIMING,
      newId: ids(),
    });
    assert.deepEqual(summary(plan.messages), ['reply:update:post+status', 'update_card']);
    assert.match(plan.messages[0]?.dedupeKey ?? '', /^incident_reply:EX300001:update:restoringservice:2:/);
  });

  it('resolution: one reply standing for its status and final post, with a stable dedupe key', () => {
    const done = incident({ status: 'serviceRestored', resolved: true, lastModifiedDateTime: at(100) });
    const plan = planIncidentMessages({ incident: done, events: [post, resolved], card: sentCard(0), channel: CHANNEL, now: at(101), timing: TIMING, newId: ids() });
    assert.deepEqual(summary(plan.messages), ['reply:resolved', 'update_card']);
    assert.equal(plan.messages[0]?.dedupeKey, `incident_reply:EX300001:resolved:${at(100)}`);
  });

  it('the post-incident review gets its own reply', () => {
    const plan = planIncidentMessages({
      incident: incident({ status: 'postIncidentReviewPublished', resolved: true, postIncidentReview: true }),
      events: [{ kind: 'post_incident_review', incidentId: 'EX300001' }],
      card: sentCard(0, { lastUpdateAt: at(500) }),
      channel: CHANNEL,
      now: at(520),
      timing: TIMING,
      newId: ids(),
    });
    assert.deepEqual(summary(plan.messages), ['reply:post_incident_review']);
    assert.equal(plan.card?.dueAt, at(560), 'the card update waits for its window');
  });

  it('updates the card through the post’s own conversation (its thread), as Teams made it', () => {
    const plan = planIncidentMessages({ incident: incident(), events: [added], card: sentCard(0), channel: CHANNEL, now: at(90), timing: TIMING, newId: ids() });
    const update = plan.messages.find((m) => m.kind === 'update_card');
    assert.ok(update && update.kind === 'update_card');
    assert.deepEqual([update.target, update.activityId], [THREAD, '1700000000000']);
  });

  it('a channel moved: an open incident’s card is posted in the new one (and again in the first if it comes back); a resolved one stays', () => {
    const OTHER = 'partner|19:other@thread.tacv2';
    const moved = planIncidentMessages({ incident: incident(), events: [], card: sentCard(0), channel: OTHER, now: at(90), timing: TIMING, newId: ids() });
    assert.deepEqual(summary(moved.messages), ['post_card']);
    assert.equal(moved.messages[0]?.target, OTHER);
    assert.equal(moved.card?.channel, OTHER);
    assert.ok(moved.card);
    const back = planIncidentMessages({ incident: incident(), events: [], card: moved.card, channel: CHANNEL, now: at(95), timing: TIMING, newId: () => 'post-9' });
    assert.equal(back.messages[0]?.dedupeKey, `incident_card:EX300001:${CHANNEL}:post-9`, 'a new post, not deduplicated against the first');
    const done = planIncidentMessages({ incident: incident({ resolved: true }), events: [], card: sentCard(0), channel: OTHER, now: at(90), timing: TIMING, newId: ids() });
    assert.deepEqual(done.messages, []);
    assert.equal(done.card?.channel, CHANNEL);
  });

  it('sends nothing more for a card whose post was given up, nor while the channel is off', () => {
    const failed = planIncidentMessages({ incident: incident(), events: [status], card: cardFailed(sentCard(0), 'unreachable:BotNotInConversationRoster'), channel: CHANNEL, now: at(100), timing: TIMING, newId: ids() });
    assert.deepEqual(failed.messages, []);
    const off = planIncidentMessages({ incident: incident(), events: [status], card: sentCard(0), now: at(100), timing: TIMING, newId: ids() });
    assert.deepEqual(off.messages, []);
    assert.equal(off.card?.staleSince, at(100), 'the card still owes the change if the channel comes back');
  });
});
