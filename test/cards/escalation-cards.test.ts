/** The step cards on their own: a view model in, the texts a reader sees out. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import {
  healthCheckLine,
  renderDescribe,
  renderHandoff,
  renderMatch,
  renderNotWarranted,
  renderTriage,
  renderTroubleshoot,
} from '../../src/cards/escalation-cards';
import { escalationView, triageView } from '../../src/bot/flow/card-views';
import type { Escalation } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { cardTexts } from '../helpers/cards';
import { sampleEscalation } from './samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
const tr = localizer.forLocale('en');
const texts = (card: unknown) => cardTexts(card).join('\n');
const json = (card: unknown) => JSON.stringify(card);

/** The sample escalation in triage, with `details` merged in. */
function inTriage(details: Record<string, unknown> = {}): Escalation {
  const e = sampleEscalation();
  return { ...e, state: 'triage', details: { ...e.details, ...details } };
}

describe('step cards', () => {
  describe('renderDescribe', () => {
    it('lists the customers, names the reader\u2019s zone, and echoes what was typed with the error', () => {
      const card = renderDescribe(cards, localizer.forLocale('en', 'Asia/Seoul'), {
        flowId: 'flow-0000001',
        customers: [{ name: 'Contoso', tenantId: 'tenant-1' }],
        services: ['Exchange Online'],
        values: { title: 'Mail delayed' },
        error: 'Please check the highlighted fields: description.',
      });
      const shown = texts(card);
      assert.match(shown, /Report a customer's problem/);
      assert.match(shown, /Please check the highlighted fields: description\./);
      assert.match(json(card), /"title":"Contoso","value":"tenant-1"/);
      assert.match(json(card), /Started \(date, Asia\/Seoul\)/);
      assert.match(json(card), /"value":"Mail delayed"/);
      assert.doesNotMatch(json(card), /"dataset":"customers"/, 'a complete list needs no typeahead');
    });

    it('says the date is UTC when the client sent no zone, and searches the rest when the list is a first page', () => {
      const card = renderDescribe(cards, tr, { flowId: 'flow-0000001', customers: [], services: [], searchable: true, customersNote: 'The list shows 50 of your 4,000 customers.' });
      assert.match(texts(card), /Teams did not send your time zone/);
      assert.match(texts(card), /The list shows 50 of your 4,000 customers\./);
      assert.match(json(card), /"dataset":"customers"/);
    });
  });

  describe('renderMatch', () => {
    it('shows each offered issue with why it matched, and carries its id in the confirm action', () => {
      const card = renderMatch(cards, tr, {
        ...escalationView(sampleEscalation()),
        offered: [
        {
          id: 'EX226792',
          title: 'Users may be unable to send mail',
          classification: 'incident',
          status: 'serviceDegradation',
          impact: 'Outbound mail is delayed.',
          startDateTime: '2026-11-25T06:00:00Z',
          reasons: [{ code: 'sameService', service: 'Exchange Online' }, { code: 'wordsInTitle', words: ['mail'] }],
        },
        ],
      });
      const shown = texts(card);
      assert.match(shown, /Is this a known Microsoft issue\?/);
      assert.match(shown, /EX226792 · Users may be unable to send mail/);
      assert.match(shown, /Why: same service; title mentions mail/);
      // Where the engineer is, by step, not the state's name; and what was described.
      assert.match(shown, /^Step 1 of 5 · Check service health$/m);
      assert.match(shown, /^ED-7K2M9Q4P · Contoso · Exchange Online · “Outbound mail delayed” · started 2026-11-25 07:00 UTC · 120 users$/m);
      assert.doesNotMatch(shown, /· Draft/);
      // Confirming says it is Microsoft's incident (not "our problem"), and needs no reason.
      assert.match(json(card), /"title":"Yes, it's this incident: watch it"/);
      assert.doesNotMatch(json(card), /This is our problem/);
      assert.doesNotMatch(json(card), /"id":"notSameReason"[^}]*"isRequired":true/);
      assert.match(json(card), /"issueId":"EX226792"/);
    });
  });

  describe('renderTroubleshoot', () => {
    it('ticks what was checked, and says "no match" only for a check that ran in this turn and found none', () => {
      const e = inTriage({ healthCheck: { outcome: 'no_match', at: '2026-11-25T09:00:00Z' } });
      const card = renderTroubleshoot(cards, tr, { ...escalationView(e), justChecked: true });
      const now = texts(card);
      assert.match(json(card), /"id":"check_licences","label":"Licences assigned and active for the affected users","style":"compact","value":"true"/);
      assert.match(json(card), /"id":"check_recent_changes","label":"Recent changes reviewed[^"]*","style":"compact","value":"false"/);
      assert.match(now, /^Step 2 of 5 · Troubleshoot$/m);
      assert.doesNotMatch(now, /· Triage$/m, 'no internal state name');
      assert.match(now, /No open Microsoft issue matches this problem\./);
      assert.doesNotMatch(texts(renderTroubleshoot(cards, tr, { ...escalationView(e), justChecked: false })), /No open Microsoft issue matches/);
    });

    it('says a check that could not run could not run, and why', () => {
      const e = inTriage({ healthCheck: { outcome: 'not_checked', at: '2026-11-25T09:00:00Z', failure: 'throttled' } });
      const shown = texts(renderTroubleshoot(cards, tr, { ...escalationView(e), justChecked: true }));
      assert.match(shown, /Service health: could not be checked automatically \(Microsoft Graph is throttling requests for this customer\)/);
      assert.doesNotMatch(shown, /No open Microsoft issue matches/);
    });
  });

  describe('renderTriage', () => {
    it('lists the checks still open with advice, every category, and the answers given', () => {
      const card = renderTriage(cards, tr, triageView(escalationView(inTriage(), 'Please check the highlighted fields: contact.'), { businessImpact: 'Sales stopped' }));
      const shown = texts(card);
      assert.match(shown, /Does this belong to Microsoft\?/);
      assert.match(shown, /Please check the highlighted fields: contact\./);
      assert.match(shown, /Check the audit log for changes made just before the problem started\./);
      assert.match(json(card), /None of these: configuration or how-to/);
      assert.match(json(card), /"value":"Sales stopped"/);
    });

    it('renders a stored row whose checklist is not a list (instead of failing the turn)', () => {
      const card = renderTriage(cards, tr, triageView(escalationView(inTriage({ troubleshooting: { checks: 'licences', done: 'licences' } }))));
      assert.match(texts(card), /Does this belong to Microsoft\?/);
      assert.doesNotMatch(texts(card), /Check the audit log/, 'no open checks are invented');
    });
  });

  describe('renderHandoff', () => {
    it('shows the reasons it was given (never decides again), the copy-ready request, the filing path and recent requests', () => {
      const card = renderHandoff(cards, tr, {
        ...escalationView(inTriage()),
        reasons: ['differs_from_known_issue', 'troubleshooting_not_needed'],
        deepLink: 'https://partner.microsoft.com/dashboard/v2/customers/t/servicemanagement',
        recentRequests: [{ id: '2611250010000001', label: '2611250010000001 · Mail stuck' }],
      });
      const shown = texts(card);
      assert.match(shown, /A known issue was offered, and you said why this one differs\./);
      assert.match(shown, /The customer's admin cannot act on this category/);
      assert.doesNotMatch(shown, /admin-side checks are not done yet/, 'the sample\u2019s own answers would say so: the view decides');
      assert.match(shown, /Title: Exchange Online: Outbound mail delayed/);
      assert.match(shown, /Customers → Contoso → Service management/);
      assert.match(json(card), /"title":"2611250010000001 · Mail stuck","value":"2611250010000001"/);
      assert.match(json(card), /servicemanagement/);
    });
  });

  describe('renderNotWarranted', () => {
    it('shows the reasons it was given and what to do', () => {
      const shown = texts(renderNotWarranted(cards, tr, { ...escalationView(inTriage({ category: 'none' })), reasons: ['no_known_issue', 'category_none'] }));
      assert.match(shown, /This one is yours to fix/);
      assert.match(shown, /No open Microsoft issue matches it\./);
      assert.match(shown, /It is a configuration or how-to question/);
      // Specific to the category and service chosen; nothing refers to checks that are not on the card.
      assert.match(shown, /A configuration or how-to question about Exchange Online is for you to solve with your admin privileges, in the tenant of Contoso\./);
      assert.match(shown, /• Mail flow rules and connectors checked\nExchange admin center → Mail flow → Rules and Connectors\./);
      assert.match(shown, /Exchange Online: Microsoft Learn, "Troubleshoot mail flow in Exchange Online"/);
      assert.doesNotMatch(shown, /checks above/);
      const teams = texts(renderNotWarranted(cards, tr, { ...escalationView({ ...inTriage({ category: 'none' }), service: 'Microsoft Teams' }), reasons: ['category_none'] }));
      assert.match(teams, /• Teams policies for the affected users checked/);
      assert.doesNotMatch(teams, /Mail flow/);
      const ko = texts(renderNotWarranted(cards, localizer.forLocale('ko'), { ...escalationView(inTriage({ category: 'none' })), reasons: ['category_none'] }));
      assert.match(ko, /Exchange Online의 구성이나 사용 방법 문제는 관리자 권한으로 Contoso 테넌트에서 직접 해결합니다/);
    });
  });

  describe('troubleshooting left open, and not applicable', () => {
    it('lists the open checks in normal style with advice under each; a not-applicable check with a reason is settled and counted', () => {
      const e = inTriage({
        troubleshooting: { checks: ['licences', 'recent_changes', 'mail_flow_rules'], done: ['licences'], skipped: false, notApplicable: [{ check: 'mail_flow_rules', reason: 'no rules in this tenant' }] },
      });
      const card = renderTroubleshoot(cards, tr, {
        ...escalationView(e),
        justChecked: false,
        open: [{ label: 'Recent changes reviewed (policies, DNS, apps, admin actions)', advice: 'Check the audit log for changes made just before the problem started.', note: '' }],
      });
      const shown = texts(card);
      assert.match(shown, /Still to do before handing off:\n• Recent changes reviewed \(policies, DNS, apps, admin actions\)\nCheck the audit log/);
      assert.doesNotMatch(json(card), /"color":"Attention"[^}]*Recent changes/, 'not a red error banner');
      assert.match(json(card), /"id":"check_mail_flow_rules","label":"[^"]*","style":"compact","value":"na"/);
      assert.match(json(card), /"id":"na_mail_flow_rules"[^}]*"value":"no rules in this tenant"/);
      const triage = texts(renderTriage(cards, tr, triageView(escalationView(e))));
      assert.match(triage, /^Step 3 of 5 · Decide whether it goes to Microsoft$/m);
      assert.match(triage, /· 1 of 3 checks done, 1 not applicable$/m);
      assert.match(triage, /• Recent changes reviewed/);
      assert.doesNotMatch(triage, /• Mail flow rules/, 'a not-applicable check is not open');
    });
  });

  describe('healthCheckLine', () => {
    it('is the one line the request carries: checked at a UTC time, or not checked and why; nothing when nothing was recorded', () => {
      assert.equal(healthCheckLine(tr, { outcome: 'matched', at: '2026-11-25T09:05:12Z' }), 'Service health: checked 2026-11-25 09:05 UTC: a known Microsoft issue was offered.');
      assert.match(healthCheckLine(tr, { outcome: 'not_checked', at: 'x', failure: 'timeout' }) ?? '', /could not be checked automatically \(Microsoft's service health did not answer in time\)/);
      assert.equal(healthCheckLine(tr, undefined), undefined);
    });
  });
});
