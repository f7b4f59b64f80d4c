/** Any escalation card from its view model: each variant renders its own card. */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { renderCard, type CardView } from '../../src/cards/card-view';
import { escalationView, triageView } from '../../src/bot/flow/card-views';
import { transition } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { cardTexts } from '../helpers/cards';
import { sampleEscalation } from './samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');

describe('renderCard', () => {
  const e = escalationView(sampleEscalation());
  const triage = escalationView({ ...e.escalation, state: 'triage' });
  const at = (state: 'resolved' | 'attention_needed') => escalationView({ ...e.escalation, state });
  const audit = [transition(e.escalation, 'triage', { actor: { kind: 'user', id: 'u1', name: 'Ada' }, at: new Date('2026-11-25T09:10:00Z') }).event];
  const views: Array<[CardView, RegExp]> = [
    [{ card: 'match', ...e, offered: [], error: 'stale' }, /^Is this a known Microsoft issue\?$/],
    [{ card: 'troubleshoot', ...triage, justChecked: true }, /^Troubleshoot with admin privileges$/],
    [{ card: 'triage', ...triageView(triage, { contact: 'Jo' }) }, /^Does this belong to Microsoft\?$/],
    [{ card: 'handoff', ...triage, reasons: ['category_in_scope'], deepLink: 'https://partner.microsoft.com' }, /^• It falls in one of Microsoft's five categories\.$/],
    [{ card: 'notWarranted', ...triage, reasons: ['category_none'] }, /^This one is yours to fix$/],
    [{ card: 'resolved', ...at('resolved') }, /^Microsoft resolved .*: tell Contoso$/],
    [{ card: 'attention', ...at('attention_needed'), deepLink: 'https://partner.microsoft.com' }, /^Microsoft needs information: Contoso$/],
    [{ card: 'summary', ...triage, audit, manual: false, unreachable: 'BotNotInConversationRoster' }, /^Notifications: Teams refused the last notification here \(BotNotInConversationRoster\)/],
  ];
  for (const [view, text] of views) {
    it(`renders the ${view.card} card`, () => {
      const shown = cardTexts(renderCard(cards, tr, view));
      assert.ok(shown.some((t) => text.test(t)), shown.join('\n'));
    });
  }

  it('shows the error a view carries', () => {
    assert.ok(cardTexts(renderCard(cards, tr, { card: 'triage', ...triageView({ ...triage, error: 'Someone already moved this on.' }) })).includes('Someone already moved this on.'));
  });
});

describe('the card functions are pure', () => {
  it('no module of src/cards imports a store, a tracker, a provider or the Teams edge', () => {
    const dir = join(PROJECT_ROOT, 'src', 'cards');
    const offending = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)]
          .map((m) => m[1] ?? '')
          .filter((path) => /^\.\.\/(store|tracking|health|support|directory|bot|http|tab)(\/|$)/.test(path))
          .map((path) => `${f} → ${path}`),
      );
    assert.deepEqual(offending, []);
  });

  it('no card runs the domain\u2019s decision again: the reasons come in the view model', () => {
    const dir = join(PROJECT_ROOT, 'src', 'cards');
    const deciding = readdirSync(dir).filter((f) => f.endsWith('.ts') && /\bdecide\(|\bdecisionOf\(/.test(readFileSync(join(dir, f), 'utf8')));
    assert.deepEqual(deciding, []);
  });
});
