import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, renderHealth } from '../../src/cards';
import { escalationView } from '../../src/bot/flow/card-views';
import { renderMatch } from '../../src/cards/escalation-cards';
import { inert } from '../../src/cards/inert';
import { Localizer } from '../../src/i18n';
import { HOSTILE_SNIPPETS, inertProblems } from '../hardening/inert';
import { cardTexts } from '../helpers/cards';
import { sampleEscalation } from './samples';

/** A CommonMark renderer stands in for Teams': what it turns into a link or markup, Teams could too. */
const markdown = new MarkdownIt({ html: false, linkify: false });
const ZWSP = /\u200B/g;

/** The HTML a markdown renderer makes of a text, and whether it holds a link, an image or a tag. */
function rendersActive(text: string): boolean {
  const html = markdown.render(text);
  return /<a\s|<img\s|<script/i.test(html);
}

describe('inert text', () => {
  it('breaks links, images, link definitions, autolinks and tags in every hostile snippet', () => {
    for (const snippet of [...HOSTILE_SNIPPETS, 'EX[1](https://evil.example)', '[a]: https://evil.example\n\n[a]']) {
      assert.equal(rendersActive(inert(snippet)), false, snippet);
    }
  });

  it('is idempotent: text made inert twice reads the same', () => {
    for (const snippet of HOSTILE_SNIPPETS) assert.equal(inert(inert(snippet)), inert(snippet));
  });

  it('adds no backslash: Teams mobile shows escapes literally', () => {
    const shown = inert('Outlook fails (correlation id 1234) after [KB5034441] *patch*');
    assert.equal(shown.includes('\\'), false);
    assert.equal(shown, 'Outlook fails (correlation id 1234) after [KB5034441] *patch*');
  });

  it('keeps the text as typed apart from invisible characters, and leaves no link in any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('[', ']', '(', ')', '<', '>', ':', '!', 'a', ' ', '\n', 'h', '/', '*') , maxLength: 40 }), (text) => {
        const shown = inert(text);
        assert.equal(shown.replace(ZWSP, ''), text.replace(ZWSP, ''));
        assert.equal(rendersActive(shown), false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('upstream text on the health and match cards', () => {
  const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
  const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en');
  const hostileId = 'EX[1](https://evil.example/phish)';

  it('shows a hostile Microsoft issue id inert, and keeps the raw id for the action', () => {
    const health = renderHealth(cards, tr, {
      tenantId: 'tenant',
      title: 'Service health',
      asOf: 'now',
      stale: false,
      issuesHeading: 'Open issues (1)',
      services: [{ name: 'Exchange Online', status: 'Degraded' }],
      issues: [{ id: hostileId, title: 'Mail', kind: 'Incident', status: 'Investigating', service: 'Exchange Online', impact: 'x', since: 'since' }],
    });
    const match = renderMatch(cards, tr, {
      ...escalationView(sampleEscalation()),
      offered: [{ id: hostileId, title: 'Mail', classification: 'incident', status: 'investigating', impact: 'x', startDateTime: '2026-11-25T06:00:00Z', reasons: [] }],
    });
    for (const card of [health, match]) {
      assert.deepEqual(inertProblems(card, [hostileId]), []);
      assert.equal(rendersActive(cardTexts(card).join('\n')), false);
    }
    assert.ok(JSON.stringify(match).includes(`"issueId":${JSON.stringify(hostileId)}`), 'the action carries the id as Microsoft gave it');
  });
});
