/**
 * Issue 14 item 15: everything a Korean user reads is Korean. Every card (rendered from
 * test/cards/samples.ts in `ko`) and every string of locales/ko.json is searched for English
 * words; what may stay English is named here: product and Microsoft terms, the commands one
 * types, technical identifiers, and the sample data itself (names, titles, notes).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/app';
import { CardRenderer } from '../src/cards';
import { Localizer } from '../src/i18n';
import { sampleCards } from './cards/samples';

/** Product and Microsoft terms, which Korean Microsoft documentation keeps in English too. */
const PRODUCT_TERMS = [
  'Microsoft', 'Teams', 'Exchange', 'Online', 'SharePoint', 'OneDrive', 'for', 'Business', 'Entra', 'Intune', 'Defender', 'XDR', 'Power', 'BI',
  'Dynamics', 'Apps', 'Microsoft 365', 'Graph', 'Partner', 'Center', 'GDAP', 'Sev', 'A', 'B', 'C', 'Escalation', 'Desk', 'Bot', 'Framework',
  'Azure', 'Learn', 'Outlook', 'Office', 'ID', 'id', 'UTC', 'HTTP', 'API', 'URL', 'CSV', 'JSON', 'MFA', 'DNS', 'PIR', 'Premier', 'Unified',
  'Enterprise', 'Standard', 'Professional', 'Direct', 'Playground', 'Agents', 'ServiceHealth', 'Read', 'All', 'Support',
  // Azure Portal, the "Cloud Solution Provider" support plan, Entra's "What If" tool: named as Microsoft names them.
  'Portal', 'Cloud', 'Solution', 'Provider', 'What', 'If',
];
/** Commands and words typed to the bot, shown so they can be typed. */
const COMMANDS = ['escalate', 'report', 'help', 'status', 'list', 'health', 'access', 'cancel', 'resume', 'incidents', 'incident', 'here', 'off', 'all', 'stop', 'quit'];
/** What an example of a command types: a sandbox customer and a service word. */
const TYPED_EXAMPLES = ['Contoso', 'exchange'];

/** Words in the string literals of the samples: the data the cards are rendered with, not their text. */
function sampleWords(): Set<string> {
  const source = readFileSync(join(PROJECT_ROOT, 'test', 'cards', 'samples.ts'), 'utf8');
  const literals = source.match(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g) ?? [];
  return new Set(literals.flatMap((l) => l.match(/[A-Za-z]+/g) ?? []));
}

const ALLOWED = new Set([...PRODUCT_TERMS, ...COMMANDS, ...TYPED_EXAMPLES]);

/** The English words of a text, leaving out identifiers (ED-…, EX…, GUIDs, URLs, SETTING_NAMES, a.b.c permissions) and allowed terms. */
function englishWords(text: string, alsoAllowed: ReadonlySet<string> = new Set()): string[] {
  const cleaned = text
    .replace(/\{\{?[^}]*\}\}?/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:=[a-z0-9]+)?/g, ' ')
    .replace(/\b[A-Za-z]+(?:\.[A-Za-z]+){1,}\b/g, ' ')
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b/gi, ' ')
    .replace(/\b[A-Z]{1,3}-?[0-9][0-9A-Z]*\b/g, ' ');
  return (cleaned.match(/[A-Za-z][A-Za-z'’]*/g) ?? []).map((w) => w.replace(/['’]s?$/, '')).filter((w) => w.length > 1 && !ALLOWED.has(w) && !alsoAllowed.has(w));
}

/** Every text of a card a reader sees: texts, facts, labels, placeholders, error messages, button and choice titles. */
function visibleTexts(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key: string): void => {
    if (typeof node === 'string') {
      if (['text', 'title', 'value', 'label', 'placeholder', 'errorMessage', 'altText'].includes(key)) out.push(node);
      return;
    }
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    // What an input submits, an action's data and a link are not read.
    for (const [k, v] of Object.entries(o)) {
      if (k === 'data' || k === 'url' || k === 'verb' || k === 'id' || k === '$schema') continue;
      if (k === 'value' && (o.type === 'Input.ChoiceSet' || o.type === 'Input.Toggle' || o.type === undefined)) continue;
      walk(v, k);
    }
  };
  walk(card, '');
  return out;
}

/** Every string of a locale file, with where it is. */
function leaves(node: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof node === 'string') out.push([path, node]);
  else if (Array.isArray(node)) node.forEach((n, i) => leaves(n, `${path}[${i}]`, out));
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) leaves(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** Keys whose Korean text names a thing that stays English (command names, the help card's command syntax). */
const KEYS_IN_ENGLISH = [/^cards\.welcome\.commands\[\d+\]\.name$/, /^cards\.welcome\.title$/];

describe('Korean users read Korean', () => {
  it('every string of locales/ko.json is Korean but for product terms, commands and identifiers', () => {
    const ko = JSON.parse(readFileSync(join(PROJECT_ROOT, 'locales', 'ko.json'), 'utf8')) as unknown;
    const found = leaves(ko, '')
      .filter(([path]) => !KEYS_IN_ENGLISH.some((k) => k.test(path)))
      .flatMap(([path, text]) => {
        const words = englishWords(text);
        return words.length > 0 ? [`${path}: ${words.join(', ')}  «${text.slice(0, 120)}»`] : [];
      });
    assert.deepEqual(found, [], `English in ko.json:\n${found.join('\n')}`);
  });

  it('every card, rendered in Korean, shows no English but product terms, commands, identifiers and its data', () => {
    const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
    const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('ko');
    const data = sampleWords();
    const found = Object.entries(sampleCards(cards, tr)).flatMap(([name, card]) =>
      visibleTexts(card).flatMap((text) => {
        const words = englishWords(text, data);
        return words.length > 0 ? [`${name}: ${words.join(', ')}  «${text.slice(0, 120)}»`] : [];
      }),
    );
    assert.deepEqual(found, [], `English on Korean cards:\n${found.join('\n')}`);
  });

  it('Microsoft\u2019s event time is named for what Microsoft did, not with the word for when the problem started', () => {
    const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
    const tr = new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('ko');
    const resolved = sampleCards(cards, tr)['notify-resolved'];
    const facts = JSON.stringify(resolved);
    assert.doesNotMatch(facts, /"title":"시작","value":"2026/, 'not 시작 (started)');
  });

  it('the triage button and the bug category read naturally', () => {
    const ko = JSON.parse(readFileSync(join(PROJECT_ROOT, 'locales', 'ko.json'), 'utf8')) as { cards: Record<string, Record<string, string>>; flow: { categories: Record<string, string> } };
    assert.notEqual(ko.cards['escalate-triage']?.submit, '판단');
    assert.doesNotMatch(ko.flow.categories.bug ?? '', /모양이나 작동/);
  });
});
