/**
 * What a new engineer tripped over (issue 14), each as a path through the bot: the answers are
 * the invoke responses and messages the engineer sees, and the stored rows.
 */
import { strict as assert } from 'node:assert';
import { transition } from '../../../src/domain/escalation';
import { cardInput } from '../../helpers/cards';
import { CONTOSO, mailStuck } from '../../helpers/engineer';
import { Conversation, presses, says, shows, trail, types, type Path } from './conversation';

/** Contoso's mail problem: it matches a sandbox incident. */
const MAIL_STUCK = mailStuck();

/** Up to triage: described, not the known issue, nothing to check (the service is down). */
const TO_TRIAGE: Path['steps'] = [
  [types('escalate'), shows(/./)],
  [presses('describe', MAIL_STUCK), shows(/./)],
  [presses('knownDiffers', { notSameReason: 'Only connectors fail' }), shows(/./)],
  [presses('troubleshootSkip'), shows(/./)],
];

/** The required inputs an `Action.Execute` with `verb` validates on the client: its own card's and every enclosing card's. */
function requiredFor(card: unknown, verb: string): string[] {
  const walk = (node: Record<string, unknown>, outer: string[]): string[] | undefined => {
    const own = ((node.body as Record<string, unknown>[] | undefined) ?? []).flatMap(function inputs(el: Record<string, unknown>): string[] {
      const mine = typeof el.type === 'string' && el.type.startsWith('Input.') && el.isRequired === true ? [String(el.id)] : [];
      return [...mine, ...((el.items as Record<string, unknown>[] | undefined) ?? []).flatMap(inputs)];
    });
    const required = [...outer, ...own];
    for (const action of (node.actions as Record<string, unknown>[] | undefined) ?? []) {
      if (action.type === 'Action.Execute' && action.verb === verb) return action.associatedInputs === 'none' ? [] : required;
      if (action.type === 'Action.ShowCard') {
        const found = walk(action.card as Record<string, unknown>, required);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(card as Record<string, unknown>, []) ?? ['(no such action)'];
}

describe('issue 14 clarity, over the bot', () => {
  it('troubleshooting: one check not applicable with a reason; without one it stays open, listed with advice; the request says why', async () => {
    const c = await Conversation.start();
    const others = { check_licences: 'true', check_recent_changes: 'true', check_settings: 'true', check_client_software: 'true', check_message_trace: 'true' };
    try {
      await c.walk({
        steps: [
          [types('escalate'), shows(/./)],
          [presses('describe', MAIL_STUCK), shows(/./)],
          [presses('knownDiffers', { notSameReason: 'Only connectors fail' }), shows(/^Step 2 of 5 · Troubleshoot$/, /^ED-[0-9A-Z]{8} · Contoso · Exchange Online · “Users cannot send mail” · started .* · 120 users · not the known issue$/)],
          [
            presses('troubleshoot', { ...others, check_mail_flow_rules: 'na', na_mail_flow_rules: '' }),
            [says(/^Saved\./), shows(/^Still to do before handing off:$/, /^• Mail flow rules and connectors checked$/, /^Exchange admin center → Mail flow → Rules and Connectors\.$/, /^Marked not applicable: say why in its box\.$/)],
          ],
          [presses('troubleshoot', { ...others, check_mail_flow_rules: 'na', na_mail_flow_rules: 'No rules or connectors in this tenant' }), shows(/^Step 3 of 5 · Decide whether it goes to Microsoft$/, /· 5 of 6 checks done, 1 not applicable$/)],
          [presses('triage', { category: 'bug', severity: 'moderate', businessImpact: 'Orders are not confirmed by mail' }), shows(/^Decision: escalate to Microsoft$/, /^Step 4 of 5 · Hand off to Microsoft$/)],
        ],
        ends: 'awaiting_handoff',
      });
      const stored = await c.app.database.escalations.get(c.currentId ?? '');
      const request = stored?.details.request as { description: string };
      assert.match(request.description, /Mail flow rules and connectors checked: not applicable \(No rules or connectors in this tenant\)/);
    } finally {
      await c.stop();
    }
  });
});

describe('issue 14 traps, over the bot', () => {
  describe('the resolved card: each action validates only its own inputs; a resolved incident still broken starts a new escalation from it', () => {
    it('"Still broken" is not blocked by "Who did you tell?", and a resolved incident offers a prefilled new escalation', async () => {
      const c = await Conversation.start();
      try {
        await c.walk({
          steps: [
            [types('escalate'), shows(/./)],
            [presses('describe', MAIL_STUCK), shows(/^Is this a known Microsoft issue\?$/)],
            [presses('knownConfirm'), [says(/^I'm watching EX226792/), shows(/./)]],
          ],
          ends: 'known_issue',
        });
        // Microsoft resolves the incident (what the tracker records).
        const watched = await c.app.database.escalations.get(c.currentId ?? '');
        assert.ok(watched);
        const moved = transition(watched, 'resolved', { actor: { kind: 'microsoft', id: 'microsoft', name: 'Microsoft' }, at: new Date() });
        await c.app.database.escalations.update(moved.escalation, watched.version, [moved.event]);
        await c.walk({
          steps: [
            [types(`status ${watched.id}`), shows(/^Resolved: tell the customer$/)],
            [presses('resume'), shows(/^Microsoft resolved EX226792: tell Contoso$/)],
          ],
          ends: 'resolved',
        });
        assert.deepEqual(requiredFor(c.card, 'stillBroken'), ['stillBrokenReason']);
        assert.deepEqual(requiredFor(c.card, 'customerNotified'), ['customerMessage', 'notifiedContact']);
        assert.deepEqual(requiredFor(c.card, 'remindLater'), []);

        await c.walk({
          steps: [[presses('stillBroken', { stillBrokenReason: 'Three users still cannot send' }), shows(/^Report a customer's problem$/)]],
          ends: 'resolved',
        });
        assert.equal(cardInput(c.card, 'customerTenantId')?.value, CONTOSO);
        assert.equal(cardInput(c.card, 'service')?.value, 'Exchange Online');
        assert.equal(cardInput(c.card, 'title')?.value, 'Users cannot send mail');
        assert.match(String(cardInput(c.card, 'description')?.value), /^Three users still cannot send\n\nStill broken after Microsoft resolved incident EX226792 \(/);
      } finally {
        await c.stop();
      }
    });
  });

  describe('cancel acts on this conversation\'s escalation in progress only, names it and asks first', () => {
    it('a second cancel leaves an older, unrelated escalation as it was', async () => {
      const c = await Conversation.start();
      try {
        // An older escalation, left at troubleshooting.
        await c.walk({ steps: TO_TRIAGE.slice(0, 3), ends: 'triage' });
        const older = c.currentId ?? '';
        const before = await c.app.database.escalations.get(older);
        // A newer one, cancelled.
        await c.walk({
          steps: [
            [types('escalate'), shows(/^Report a customer's problem$/)],
            [presses('describe', { ...MAIL_STUCK, title: 'Shared mailbox will not open' }), shows(/^Is this a known Microsoft issue\?$/)],
            [types('cancel'), shows(/^Cancel this escalation\?$/, /^Problem: Shared mailbox will not open$/, /^Customer: Contoso$/)],
            [presses('cancelConfirm'), [says(/^Cancelled ED-[0-9A-Z]{8} “Shared mailbox will not open” for Contoso\.$/), shows(/^Cancelled$/)]],
          ],
          ends: 'cancelled',
        });
        const newer = c.currentId ?? '';
        assert.notEqual(newer, older);
        // The second cancel: nothing is in progress here; the older one is untouched.
        await c.walk({ steps: [[types('cancel'), says(/^Nothing is in progress here to cancel\. To cancel another escalation, say cancel followed by its id/)]], ends: 'cancelled' });
        assert.deepEqual(await c.app.database.escalations.get(older), before, 'the older escalation\'s stored row is unchanged');
        // Named explicitly, it is asked about (and only then).
        await c.walk({ steps: [[types(`cancel ${older}`), shows(/^Cancel this escalation\?$/, new RegExp(`^Escalation: ${older}$`))]], ends: 'triage' });
        assert.deepEqual(await c.app.database.escalations.get(older), before);
      } finally {
        await c.stop();
      }
    });

    it('"No, keep it" changes nothing and shows where it stands; a card\'s Cancel button asks too', async () => {
      const c = await Conversation.start();
      try {
        await c.walk({
          steps: [
            ...TO_TRIAGE,
            [presses('cancel'), [shows(/^Cancel this escalation\?$/, /^Problem: Users cannot send mail$/)]],
            [presses('resume'), [shows(/^Does this belong to Microsoft\?$/), trail('draft', 'triage')]],
          ],
          ends: 'triage',
        });
      } finally {
        await c.stop();
      }
    });
  });

  describe('triage names the fields to correct by their labels, and takes an empty optional one', () => {
    it('English: business impact missing is named "Business impact"; an empty contact is fine', async () => {
      const c = await Conversation.start();
      try {
        await c.walk({
          steps: [
            ...TO_TRIAGE,
            [presses('triage', { category: 'service_unavailable', severity: 'critical', businessImpact: '', contact: '' }), shows(/^Please fill in or correct: “Business impact”\.$/)],
            [presses('triage', { category: 'service_unavailable', severity: 'critical', businessImpact: 'Sales cannot email customers', contact: '' }), [shows(/^Decision: escalate to Microsoft$/), trail('draft', 'triage', 'awaiting_handoff')]],
          ],
          ends: 'awaiting_handoff',
        });
        const stored = await c.app.database.escalations.get(c.currentId ?? '');
        const request = stored?.details.request as { description: string };
        assert.doesNotMatch(request.description, /Customer contact/, 'no empty contact line in the request');
      } finally {
        await c.stop();
      }
    });

    it('Korean: the message and the label are Korean, no input id', async () => {
      const c = await Conversation.start('ko-KR');
      try {
        await c.walk({
          steps: [...TO_TRIAGE, [presses('triage', { category: 'bug', severity: '', businessImpact: ' ', contact: '' }), shows(/^다음 항목을 입력하거나 고쳐 주세요: “심각도”, “비즈니스 영향”\.$/)]],
          ends: 'triage',
        });
      } finally {
        await c.stop();
      }
    });

    it('the card marks what is required, with a message, and leaves the contact optional', async () => {
      const c = await Conversation.start();
      try {
        await c.walk({ steps: TO_TRIAGE, ends: 'triage' });
        for (const id of ['category', 'severity', 'businessImpact']) {
          const input = cardInput(c.card, id);
          assert.equal(input?.isRequired, true, id);
          assert.ok(typeof input?.errorMessage === 'string' && input.errorMessage !== '', id);
        }
        assert.equal(cardInput(c.card, 'contact')?.isRequired, undefined);
        assert.equal(cardInput(c.card, 'contact')?.label, 'Customer contact for Microsoft (optional)');
      } finally {
        await c.stop();
      }
    });
  });
});
