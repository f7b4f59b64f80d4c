/**
 * Each Microsoft event (it asks for information, it resolves the request) gives the engineer one
 * card to act on: the notification. The flow's own card, updated in place, becomes a read-only
 * status line ("Microsoft asked for information … · answer it on the new card below"), not a
 * second copy of the form. After "Send to Microsoft" the card shows what was sent, by whom and
 * when, and the flow's card says it was answered and waits for Microsoft.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { PartnerCenterDouble, partnerCenterSettings } from '../helpers/partner-center-double';
import { useAppPerTest } from '../helpers/app';
import { CONTOSO, Engineer, has, type Card } from '../helpers/engineer';
import { cardTexts } from '../helpers/cards';

const PARTNER_TENANT = '0a1b2c3d-0000-4000-8000-00000000aaaa';
const REQUEST = '2611250010007777';
const MEGAN = { id: '29:megan', aadObjectId: '00000000-0000-4000-8000-00000000e001', name: 'Megan Bowen' };

/** The card an outbox row carries. */
function cardOf(payload: Readonly<Record<string, unknown>>): Card {
  const activity = payload.activity as { attachments?: { content: Card }[] } | undefined;
  return activity?.attachments?.[0]?.content ?? {};
}
const actsWith = (card: Card, verb: string) => JSON.stringify(card).includes(`"verb":"${verb}"`);

describe('one card to act on per Microsoft event (Partner Center double)', () => {
  let pc: PartnerCenterDouble;
  const clock = new ManualClock(new Date());
  before(async () => {
    pc = await PartnerCenterDouble.start();
  });
  after(async () => pc.close());

  const f = useAppPerTest(
    () => ({
      ...partnerCenterSettings(pc.url, PARTNER_TENANT),
    }),
    { clock },
  );

  it('attention needed, answered, resolved: one actionable card each; the flow card a status; the answer shown as sent', async () => {
    pc.put({ id: REQUEST, customerTenantId: CONTOSO, status: 'open', notes: [] });
    // Every press is made on the flow's card (Teams names it in replyToId): its id is recorded.
    const megan = new Engineer(f.app, f.connector, { from: MEGAN, replyToId: 'flow-card' });
    const { id } = await megan.toHandoff();
    assert.ok(has(await megan.act('handoffLink', { escalationId: id, requestNumber: REQUEST }), /Escalated to Microsoft/));
    const outbox = f.app.app.database.outbox;

    // 1. Microsoft asks.
    pc.put({ id: REQUEST, customerTenantId: CONTOSO, status: 'attention_needed', notes: [{ createdByName: 'Microsoft Support', createdDate: new Date().toISOString(), text: 'Please send a message trace.' }] });
    await f.app.app.workers.tracker.runOnce();
    const asked = await outbox.listForEscalation(id);
    const askCards = asked.map((n) => cardOf(n.payload));
    assert.equal(askCards.filter((c) => actsWith(c, 'answerMicrosoft')).length, 1, 'one card to answer on');
    const flowUpdate = asked.find((n) => (n.payload as { updateActivityId?: string }).updateActivityId === 'flow-card');
    assert.ok(flowUpdate, 'the flow card is updated in place');
    const status = cardTexts(cardOf(flowUpdate.payload)).join('\n');
    assert.match(status, /^Microsoft asked for information .* · answer it on the new card below$/m);
    assert.ok(!JSON.stringify(cardOf(flowUpdate.payload)).includes('Input.'), 'the status has no form');

    // The question's card is sent (the connector double gives it an id).
    await f.app.app.workers.outboxWorker.runOnce();
    const askCard = (await outbox.listForEscalation(id)).find((n) => n.kind === 'attention_needed')?.sentActivityId;
    assert.ok(askCard, 'the question was sent');

    // 2. Megan answers: the card she pressed shows what was sent, by whom, when.
    const answered = await megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached; it started 08:10 UTC.' });
    const shown = cardTexts(answered);
    assert.ok(shown.some((t) => /^Answered \d{4}-\d\d-\d\d \d\d:\d\d UTC by Megan Bowen · waiting for Microsoft$/.test(t)), shown.join('\n'));
    assert.ok(shown.includes('Trace attached; it started 08:10 UTC.'), shown.join('\n'));
    assert.equal(actsWith(answered, 'answerMicrosoft'), false, 'no second form');
    const afterAnswer = (await outbox.listForEscalation(id)).filter((n) => !asked.some((a) => a.id === n.id));
    const statusNow = afterAnswer.map((n) => cardTexts(cardOf(n.payload)).join('\n'));
    assert.ok(statusNow.some((t) => /answered .* by Megan Bowen · waiting for Microsoft/.test(t)), statusNow.join('\n---\n'));
    assert.equal(afterAnswer.filter((n) => actsWith(cardOf(n.payload), 'answerMicrosoft')).length, 0);

    // 3. Microsoft resolves it.
    pc.put({ id: REQUEST, customerTenantId: CONTOSO, status: 'closed', notes: [{ createdByName: 'Microsoft Support', createdDate: new Date().toISOString(), text: 'A fix was deployed.' }] });
    await f.app.app.workers.tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'resolved');
    const resolved = (await outbox.listForEscalation(id)).filter((n) => ![...asked, ...afterAnswer].some((a) => a.id === n.id));
    assert.equal(resolved.filter((n) => actsWith(cardOf(n.payload), 'customerNotified')).length, 1, 'one card to close the loop on');
    const resolvedStatus = resolved.find((n) => (n.payload as { updateActivityId?: string }).updateActivityId === 'flow-card');
    assert.ok(resolvedStatus);
    assert.match(cardTexts(cardOf(resolvedStatus.payload)).join('\n'), /^Microsoft resolved it .* · tell the customer on the new card below$/m);
    // The question's card, from the earlier event, becomes the status too: nothing left to answer there.
    const retired = resolved.find((n) => (n.payload as { updateActivityId?: string }).updateActivityId === askCard);
    assert.ok(retired, 'the earlier card is updated');
    assert.equal(actsWith(cardOf(retired.payload), 'answerMicrosoft'), false);
  });
});
