/**
 * Answering Microsoft's question adds exactly one note to the Partner Center request, whoever
 * presses and however often; the card then shows what was sent, by whom and when; a slow
 * Partner Center never makes the bot claim that nothing changed.
 */
import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { PartnerCenterDouble, partnerCenterSettings } from '../helpers/partner-center-double';
import { useAppPerTest } from '../helpers/app';
import { CONTOSO, Engineer, has, type Card } from '../helpers/engineer';
import { cardTexts } from '../helpers/cards';

const PARTNER_TENANT = '0a1b2c3d-0000-4000-8000-00000000aaaa';
const REQUEST = '2611250010004321';
const MEGAN = { id: '29:megan', aadObjectId: '00000000-0000-4000-8000-00000000e001', name: 'Megan Bowen' };
const ALEX = { id: '29:alex', aadObjectId: '00000000-0000-4000-8000-00000000e002', name: 'Alex Wilber' };

/** Inputs and actions of a card, by id and by verb. */
function inputsOf(card: Card): string[] {
  return [...JSON.stringify(card).matchAll(/"type":"Input\.[A-Za-z]+","id":"([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('answering Microsoft (Partner Center double)', () => {
  let pc: PartnerCenterDouble;
  const clock = new ManualClock(new Date());
  before(async () => {
    pc = await PartnerCenterDouble.start();
  });
  after(async () => pc.close());
  let patchesBefore = 0;
  beforeEach(() => {
    pc.patchDelayMs = 0;
    patchesBefore = pc.apiRequests().length;
    pc.put({ id: REQUEST, customerTenantId: CONTOSO, status: 'attention_needed', notes: [{ createdByName: 'Microsoft Support', createdDate: '2026-11-25T09:00:00Z', text: 'Please send a message trace.' }] });
  });

  const f = useAppPerTest(
    () => ({
      ...partnerCenterSettings(pc.url, PARTNER_TENANT),
      TURN_UPSTREAM_BUDGET_MS: '300',
      UPSTREAM_ATTEMPT_TIMEOUT_MS: '3000',
      UPSTREAM_TOTAL_TIMEOUT_MS: '5000',
    }),
    { clock },
  );

  /** An escalation linked to the request, which Microsoft has asked about: its id. */
  async function waitingForAnswer(me: Engineer): Promise<string> {
    const { id } = await me.toHandoff();
    const linked = await me.act('handoffLink', { escalationId: id, requestNumber: REQUEST });
    assert.ok(has(linked, /Escalated to Microsoft/));
    await f.app.app.workers.tracker.runOnce();
    assert.equal((await f.app.app.database.escalations.get(id))?.state, 'attention_needed');
    return id;
  }

  const notePatches = () => pc.apiRequests().slice(patchesBefore).filter((r) => r.method === 'PATCH' && r.body.includes('NewNote'));

  it('two people pressing at once add one note, signed by its writer; both see what was sent', async () => {
    const megan = new Engineer(f.app, f.connector, { from: MEGAN, replyToId: 'attention-card' });
    const alex = new Engineer(f.app, f.connector, { from: ALEX, replyToId: 'attention-card' });
    const id = await waitingForAnswer(megan);

    const [first, second] = await Promise.all([
      megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached; it started 08:10 UTC.' }),
      alex.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached; it started 08:10 UTC.' }),
    ]);
    assert.equal(notePatches().length, 1, 'one note reached Partner Center');
    const note = pc.get(REQUEST)?.notes.at(-1)?.text ?? '';
    assert.match(note, /^Trace attached; it started 08:10 UTC\.\n\n— (Megan Bowen|Alex Wilber) \(Escalation Desk\)$/);

    const stored = await f.app.app.database.escalations.get(id);
    const answers = stored?.details.answers as { status: string; by: string }[];
    assert.deepEqual(answers.map((a) => a.status), ['sent']);
    for (const card of [first, second]) {
      const texts = cardTexts(card).join('\n');
      assert.ok(/Answered .* by (Megan Bowen|Alex Wilber)/.test(texts) || /already answered/.test(texts), texts);
    }

    // A third press later sends nothing either.
    const again = await megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached; it started 08:10 UTC.' });
    assert.equal(notePatches().length, 1);
    assert.ok(cardTexts(again).length > 0);
  });

  it('the answered card shows what was sent, by whom and when, and offers no second form', async () => {
    const megan = new Engineer(f.app, f.connector, { from: MEGAN });
    const id = await waitingForAnswer(megan);
    await megan.act('answerMicrosoft', { escalationId: id, answer: 'Logs uploaded to the workspace.' });
    // The request is still waiting on Microsoft in the double: the card stays the attention card, answered.
    const card = await megan.act('refresh', { escalationId: id });
    const texts = cardTexts(card);
    assert.ok(texts.some((t) => /^Answered \d{4}-\d\d-\d\d \d\d:\d\d UTC by Megan Bowen · waiting for Microsoft$/.test(t)), texts.join('\n'));
    assert.ok(texts.includes('Logs uploaded to the workspace.'));
    assert.equal(inputsOf(card).includes('answer'), false);
    assert.equal(JSON.stringify(card).includes('"verb":"answerMicrosoft"'), false);
  });

  it('a slow Partner Center: "sending" now, never "nothing changed"; the card updates when the note is confirmed', async () => {
    pc.patchDelayMs = 1200;
    const megan = new Engineer(f.app, f.connector, { from: MEGAN, replyToId: 'attention-card-9' });
    const id = await waitingForAnswer(megan);
    const pending = await megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached.' });
    const shown = cardTexts(pending).join('\n');
    assert.match(shown, /Sending to Microsoft/);
    assert.doesNotMatch(shown, /Nothing changed|couldn't reach/i);

    await f.app.app.background.drain();
    await f.app.app.workers.outboxWorker.runOnce();
    assert.equal(notePatches().length, 1);
    // The last update of the card (the tracker put the attention card there first).
    const update = f.connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/activities/attention-card-9')).at(-1);
    assert.ok(update, 'the card was updated in place with the outcome');
    const card = (update.activity.attachments as { content: Card }[])[0]?.content ?? {};
    assert.ok(cardTexts(card).some((t) => /^Answered .* by Megan Bowen/.test(t)) || has(card, /Escalated to Microsoft/), cardTexts(card).join('\n'));
    const answers = (await f.app.app.database.escalations.get(id))?.details.answers as { status: string }[];
    assert.deepEqual(answers.map((a) => a.status), ['sent']);
  });

  it('a refused note keeps the text to try again; the retry is a new send', async () => {
    const megan = new Engineer(f.app, f.connector, { from: MEGAN });
    const id = await waitingForAnswer(megan);
    pc.failNext({ status: 400, json: { code: 400, description: 'Bad request' } });
    const refused = await megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached.' });
    assert.ok(has(refused, /Partner Center did not take the answer/));
    assert.match(JSON.stringify(refused), /"id":"answer"[^}]*"value":"Trace attached\."/);
    await megan.act('answerMicrosoft', { escalationId: id, answer: 'Trace attached.' });
    const sent = notePatches();
    assert.equal(sent.length, 2);
    assert.notEqual(sent[0]?.headers['ms-requestid'], sent[1]?.headers['ms-requestid']);
    assert.equal(pc.get(REQUEST)?.notes.filter((n) => n.text.startsWith('Trace attached.')).length, 1);
  });
});
