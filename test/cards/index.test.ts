/** The welcome and health cards on their own. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, renderHealth, renderWelcome } from '../../src/cards';
import { Localizer } from '../../src/i18n';
import { cardTexts, cardVerbs } from '../helpers/cards';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');

describe('welcome and health cards', () => {
  it('renderWelcome: the numbered steps, the commands, and the local-mode note only in local mode', () => {
    const local = cardTexts(renderWelcome(cards, tr, { localMode: true }));
    assert.ok(local.some((t) => /Check the customer tenant's service health/.test(t)));
    assert.ok(local.some((t) => /Local mode: Bot Framework authentication is off/.test(t)));
    assert.ok(!cardTexts(renderWelcome(cards, tr, { localMode: false })).some((t) => /Local mode/.test(t)));
    assert.ok(cardVerbs(renderWelcome(cards, tr, { localMode: false })).includes('escalate'));
  });

  it('renderHealth: services, open issues with their ids shown as given, and a way to report a problem', () => {
    const card = renderHealth(cards, tr, {
      tenantId: 'tenant-1',
      title: 'Service health: Contoso',
      asOf: 'As of 2026-11-25 09:00 UTC',
      stale: false,
      issuesHeading: 'Open issues (1)',
      services: [{ name: 'Exchange Online', status: 'Degraded' }],
      issues: [{ id: 'EX226792', title: 'Mail delayed', kind: 'Incident', status: 'Investigating', service: 'Exchange Online', impact: 'Outbound mail is delayed.', since: 'Since 2026-11-25 08:00 UTC' }],
    });
    const shown = cardTexts(card).join('\n');
    assert.match(shown, /Service health: Contoso/);
    assert.match(shown, /Exchange Online: Degraded/);
    assert.match(shown, /EX226792/);
    assert.doesNotMatch(shown, /Microsoft Graph could not be asked again/, 'a fresh answer is not called stale');
    assert.ok(cardVerbs(card).includes('escalate'));
  });
});
