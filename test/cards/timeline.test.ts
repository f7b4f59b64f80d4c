import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { escalationView } from '../../src/bot/flow/card-views';
import { renderEscalation } from '../../src/cards/summary-cards';
import { transition, type Actor, type AuditEvent, type Escalation } from '../../src/domain/escalation';
import { Localizer } from '../../src/i18n';
import { cardTexts } from '../helpers/cards';
import { sampleEscalation } from './samples';

const ada: Actor = { kind: 'user', id: 'u1', name: 'Ada' };
const microsoft: Actor = { kind: 'microsoft', id: 'microsoft' };

describe('the escalation timeline', () => {
  const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
  const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');

  it('lists state changes and Microsoft\u2019s notes in the order they happened, Microsoft named as such', () => {
    let e: Escalation = sampleEscalation();
    const audit: AuditEvent[] = [];
    const move = (to: Escalation['state'], by: Actor, at: string) => {
      const r = transition(e, to, { actor: by, at: new Date(at) });
      e = r.escalation;
      audit.push(r.event);
    };
    move('triage', ada, '2026-11-25T09:10:00Z');
    move('awaiting_handoff', ada, '2026-11-25T09:20:00Z');
    move('escalated', ada, '2026-11-25T09:30:00Z');
    move('attention_needed', microsoft, '2026-11-25T11:00:00Z');
    move('escalated', ada, '2026-11-25T12:00:00Z');
    move('resolved', microsoft, '2026-11-25T15:00:00Z');
    const notes = [
      { createdByName: 'Microsoft Support', createdDate: '2026-11-25T10:55:00Z', text: 'Please send a message trace.' },
      { createdByName: 'Ada', createdDate: '2026-11-25T11:40:00Z', text: 'Trace attached.' },
      { createdByName: 'Microsoft Support', createdDate: '2026-11-25T14:58:00Z', text: 'A fix was deployed.' },
    ];
    const card = renderEscalation(cards, tr, { ...escalationView({ ...e, details: { ...e.details, microsoftNotes: notes } }), audit, manual: false });
    const lines = cardTexts(card).filter((t) => /^2026-11-25 \d\d:\d\d/.test(t));
    assert.deepEqual(
      lines.map((t) => t.slice(11, 16)),
      ['09:10', '09:20', '09:30', '10:55', '11:00', '11:40', '12:00', '14:58', '15:00'],
      lines.join('\n'),
    );
    assert.ok(lines.some((t) => t.startsWith('2026-11-25 11:00') && t.includes('Microsoft')));
    assert.equal(lines.some((t) => /\bmicrosoft\b/.test(t)), false, 'the actor is not shown by its internal kind');
  });
});
