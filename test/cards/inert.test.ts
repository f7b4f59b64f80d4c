import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { inert } from '../../src/cards/inert';
import { HOSTILE_SNIPPETS } from '../hardening/inert';

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
