/**
 * GDAP readiness where the engineer works (the sandbox's picture of each customer): the describe
 * step's cards, `health <customer>` and `access <customer>` show whether they can act for the
 * customer or exactly what is missing and who can fix it; the checklist marks what their roles
 * do not allow; a local client without an Entra object id gets a clear note; the triage card
 * states the configured support plan.
 */
import { strict as assert } from 'node:assert';
import { useAppPerTest } from '../helpers/app';
import { cardTexts, cardVerbs } from '../helpers/cards';
import { ENGINEER } from '../helpers/activities';
import { CONTOSO, Engineer, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';

const FABRIKAM = '2b9e4d17-8c3a-4f6e-a5d2-91c07e4b6f02';
const NORTHWIND = 'c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03';
const TAILSPIN = '9f1e7b64-3a2d-4c5e-b8f1-0d4a6e2c7b04';
const BLUE_YONDER = 'b1e4c7a2-3d5f-4e81-9a6c-0f2d8b3e5a05';

/** Who speaks: Teams sends an Entra object id; a local client may not. */
type Sender = { readonly id: string; readonly aadObjectId?: string; readonly name?: string };

/** A reply: a text, or a card's texts and verbs. */
type Reply = { readonly text: string } | { readonly texts: readonly string[]; readonly verbs: readonly string[] };

describe('GDAP readiness in the chat (sandbox)', () => {
  const f = useAppPerTest();

  /** The engineer says `text`; every reply but the typing indicator. */
  async function say(text: string, from: Sender = ENGINEER): Promise<Reply[]> {
    const before = f.connector.sent().length;
    await new Engineer(f.app, f.connector, { from }).say(text);
    return f.connector
      .sent()
      .slice(before)
      .filter((a) => a.type !== 'typing')
      .map((a) => {
        const card = (a.attachments as { content: Card }[] | undefined)?.[0]?.content;
        return card ? { texts: cardTexts(card), verbs: cardVerbs(card) } : { text: String(a.text) };
      });
  }
  const texts = (r: Reply | undefined): readonly string[] => (r && 'texts' in r ? r.texts : []);

  /** A describe card submitted for `customer` and `service`: the card it leads to. */
  async function described(customer: string, service = 'Exchange Online', from: Sender = ENGINEER): Promise<Card> {
    const me = new Engineer(f.app, f.connector, { from });
    return me.describe(flowIdOf(await me.act('escalate', {})), { customerTenantId: customer, service });
  }

  describe('the describe step', () => {
    it('Contoso: the card after describing says the engineer can act, through which role and group', async () => {
      const card = await described(CONTOSO);
      assert.ok(has(card, /^Is this a known Microsoft issue\?$/));
      assert.ok(has(card, /^You can act for Contoso: Service Support Administrator via 'Contoso helpdesk'\.$/));
      const stored = await f.app.app.database.escalations.get(escalationIdOf(card));
      assert.equal((stored?.details.accessCheck as { ready?: boolean } | undefined)?.ready, true, 'kept with the escalation for its later cards');
    });

    it('Fabrikam: until when, and that the relationship ends in 10 days without extending itself', async () => {
      const card = await described(FABRIKAM, 'Microsoft Teams');
      assert.ok(has(card, /^You can act for Fabrikam, Inc\.: Service Support Administrator via 'Fabrikam helpdesk' until \d{4}-\d{2}-\d{2}\. The GDAP relationship 'Fabrikam support' ends on \d{4}-\d{2}-\d{2} \(10 days left\) and does not extend itself: renew it\.$/));
    });

    it('Northwind: not in the support group, who can fix it, and the health consent missing too; every check needing a role is marked', async () => {
      const card = await described(NORTHWIND);
      assert.ok(has(card, /^Troubleshoot with admin privileges$/));
      assert.ok(
        has(card, /^You cannot act for Northwind Traders yet: you are not in 'Northwind escalation team', which holds Service Support Administrator \(the group's owner or a partner admin can fix it\)\. \(1 more: say access Northwind Traders\)$/),
        cardTexts(card).join('\n'),
      );
      // Each check is a choice labelled with the check (and what its roles allow).
      assert.ok(JSON.stringify(card).includes('"label":"Message trace run for an affected message (your GDAP roles do not allow it: needs Exchange Administrator, Global Reader or Global Administrator)"'));
      assert.ok(JSON.stringify(card).includes('"label":"Client software up to date; problem reproduced on another device or on the web","style":"compact","value":"false"'), 'a check on the user’s device needs no role');
    });

    it('Tailspin: no role that allows filing; the checklist marks only what Global Reader cannot look at', async () => {
      const card = await described(TAILSPIN, 'Microsoft Teams');
      assert.ok(has(card, /^You cannot act for Tailspin Toys yet: the GDAP relationship 'Tailspin read-only' has no role that may read service health and file support requests \(Service Support Administrator\)/));
      assert.ok(JSON.stringify(card).includes('"label":"Network endpoints and ports for Teams reachable (your GDAP roles do not allow it: needs Teams Administrator, Teams Communications Administrator, Teams Communications Support Engineer or Global Administrator)","style":"compact","value":"false"'));
      assert.ok(JSON.stringify(card).includes('"label":"Teams policies for the affected users checked","style":"compact","value":"false"'), 'Global Reader may look at Teams policies');
    });

    it('a customer without any GDAP relationship says so, and who can set one up', async () => {
      const card = await described(BLUE_YONDER);
      assert.ok(has(card, /^You cannot act for Blue Yonder Airlines yet: there is no GDAP relationship with this customer \(a partner admin or the customer's Global Administrator can fix it\)\.$/));
    });

    it('a local client that sends no Entra object id: membership is not checked, and the card says why instead of "not in the group"', async () => {
      const card = await described(CONTOSO, 'Exchange Online', { id: '29:local-user', name: 'Local' });
      assert.ok(has(card, /^Whether you can act for Contoso is not known: your Teams client sent no Entra object id \(local mode\), so your group membership was not checked\.$/), cardTexts(card).join('\n'));
      assert.ok(!has(card, /you are not in 'Contoso helpdesk'/));
    });

    it("the Agents Playground's object id (not a GUID) is accepted by the sandbox: the engineer is in the groups open to everyone", async () => {
      const card = await described(CONTOSO, 'Exchange Online', { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' });
      assert.ok(has(card, /^You can act for Contoso: Service Support Administrator via 'Contoso helpdesk'\.$/));
    });
  });

  describe('health <customer>', () => {
    it('Contoso: the health card carries the readiness line', async () => {
      const [reply] = await say('health Contoso');
      assert.equal(texts(reply)[0], 'Service health: Contoso');
      assert.ok(texts(reply).includes("You can act for Contoso: Service Support Administrator via 'Contoso helpdesk'."));
    });

    it('Fabrikam: ready, with the relationship ending soon', async () => {
      const [reply] = await say('health Fabrikam');
      assert.ok(texts(reply).some((t) => /^You can act for Fabrikam, Inc\.: .* ends on \d{4}-\d{2}-\d{2} \(10 days left\)/.test(t)));
    });

    it('Tailspin: health is readable, but the engineer cannot act', async () => {
      const [reply] = await say('health Tailspin');
      assert.equal(texts(reply)[0], 'Service health: Tailspin Toys');
      assert.ok(texts(reply).some((t) => t.startsWith("You cannot act for Tailspin Toys yet: the GDAP relationship 'Tailspin read-only' has no role")));
    });

    it('Northwind: health cannot be read; the answer is followed by the full picture with the consent button', async () => {
      const [said, card] = await say('health Northwind');
      assert.ok('text' in said && /can't read the service health of Northwind Traders/.test(said.text));
      assert.equal(texts(card)[0], 'GDAP access: Northwind Traders');
      assert.ok(texts(card).includes("• Escalation Desk may not read this customer's service health: the health app's ServiceHealth.Read.All needs admin consent in their tenant (a partner admin or the customer's Global Administrator can fix it)"));
      assert.ok(card && 'verbs' in card && card.verbs.includes('grantHealthConsent'));
    });
  });

  describe('access <customer>', () => {
    it('Contoso: the roles held and the relationship, nothing missing, no consent button', async () => {
      const [card] = await say('access contoso');
      assert.equal(texts(card)[0], 'GDAP access: Contoso');
      assert.ok(texts(card).includes('Your roles there: Service Support Administrator, Exchange Administrator, Teams Administrator, SharePoint Administrator, Global Reader'));
      assert.ok(texts(card).includes('Contoso support'));
      assert.ok(texts(card).some((t) => /^active · until \d{4}-\d{2}-\d{2} · extends itself · roles: Service Support Administrator/.test(t)));
      assert.ok(!texts(card).includes('What is missing'));
      assert.ok(card && 'verbs' in card && !card.verbs.includes('grantHealthConsent'));
    });

    it('Fabrikam: the ending relationship is a warning, not a problem', async () => {
      const [card] = await say('access Fabrikam');
      assert.ok(texts(card).includes('Watch out'));
      assert.ok(texts(card).some((t) => /^• The GDAP relationship 'Fabrikam support' ends on \d{4}-\d{2}-\d{2} \(10 days left\)/.test(t)));
    });

    it('Northwind: every problem, each with who can fix it', async () => {
      const [card] = await say('access Northwind');
      const problems = texts(card).filter((t) => t.startsWith('• '));
      assert.deepEqual(problems.map((p) => /\(([^()]*can fix it)\)$/.exec(p)?.[1]), [
        "the group's owner or a partner admin can fix it",
        "a partner admin or the customer's Global Administrator can fix it",
      ]);
      assert.ok(texts(card).includes('Your roles there: none'));
    });

    it('Tailspin: the read-only roles it holds, and why they do not let it file', async () => {
      const [card] = await say('access Tailspin');
      assert.ok(texts(card).includes('Your roles there: Global Reader, Directory Readers'));
      assert.ok(texts(card).some((t) => t.startsWith("• the GDAP relationship 'Tailspin read-only' has no role that may read service health and file support requests")));
    });

    it('no customer named, an unknown one, an ambiguous one: clear answers', async () => {
      const [usage] = await say('access');
      // `<customer>` is sent with an invisible break after `<` so Teams shows it rather than dropping it as a tag.
      assert.ok('text' in usage && /^Tell me which customer: access <customer>, for example access Contoso\. Your customers: /.test(usage.text.replace(/\u200B/g, '')));
      const [unknown] = await say('access Globex');
      assert.ok('text' in unknown && /I found no customer matching "Globex"/.test(unknown.text));
    });

    it('"Check again" on the card reads the picture again for the customer it names', async () => {
      const card = await new Engineer(f.app, f.connector).act('access', { customerTenantId: FABRIKAM });
      assert.equal(cardTexts(card)[0], 'GDAP access: Fabrikam, Inc.');
    });
  });

  describe('the support plan', () => {
    it('the triage card offers the default response times', async () => {
      const { handoff } = await new Engineer(f.app, f.connector).toHandoff('critical');
      assert.ok(has(handoff, /^Severity: Critical \(Sev A, 2 h\)$/));
    });
  });
});

describe('the triage card states the configured support plan (SUPPORT_PLAN_RESPONSE_HOURS)', () => {
  const f = useAppPerTest({ SUPPORT_PLAN_RESPONSE_HOURS: 'critical=1,moderate=3,minimal=6.5' });

  it('offers 1/3/6.5 hours, and the hand-off and summary say the chosen one', async () => {
    const me = new Engineer(f.app, f.connector);
    const id = escalationIdOf(await me.describe(flowIdOf(await me.act('escalate', {}))));
    await me.act('knownDiffers', { escalationId: id, notSameReason: 'only one tenant' });
    const triage = await me.act('troubleshootSkip', { escalationId: id });
    const choices = JSON.stringify(triage);
    for (const label of ['Critical (Sev A): Microsoft responds within 1 hours', 'Moderate (Sev B): within 3 hours', 'Minimal (Sev C): within 6.5 hours']) {
      assert.ok(choices.includes(label), label);
    }
    assert.ok(!choices.includes('within 2 hours'));
    const handoff = await me.act('triage', { escalationId: id, category: 'service_unavailable', severity: 'moderate', businessImpact: 'no mail', contact: 'Jo' });
    assert.ok(has(handoff, /^Severity: Moderate \(Sev B, 3 h\)$/), cardTexts(handoff).join('\n'));
  });
});
