/**
 * Expands the JSON templates of `cards/` with `adaptivecards-templating`: each card gets its
 * localized strings (`cards.<name>` of the locale file), the verb map and its own data.
 */
import * as ACData from 'adaptivecards-templating';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Translator } from '../i18n';
import { VERBS } from './verbs';

/** An expanded Adaptive Card, ready to attach to a message or return from an invoke. */
export type AdaptiveCardJson = Readonly<Record<string, unknown>>;

/** Teams accepts about 100 KB per message; a single card stays well under it. */
export const MAX_CARD_BYTES = 28 * 1024;

/** A card whose expansion was larger than a Teams message allows. */
export class CardTooLargeError extends Error {
  override readonly name = 'CardTooLargeError';
  constructor(readonly card: string, readonly bytes: number) {
    super(`Card ${card} expanded to ${bytes} bytes (limit ${MAX_CARD_BYTES}).`);
  }
}

/** Most UTF-8 bytes one UTF-16 code unit of a JS string can take (a surrogate pair takes 4 for 2). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * A card's size in UTF-8 bytes as far as the budget needs it, never less than the size: a text
 * whose every code unit taking 3 bytes still fits is reported by that bound, without counting.
 * Counting walks the whole text (slowly for any text with a non-Latin-1 character in it), and
 * most cards are a third of the budget or less.
 */
function bytesForBudget(json: string): number {
  const bound = json.length * MAX_UTF8_BYTES_PER_UNIT;
  return bound <= MAX_CARD_BYTES ? bound : Buffer.byteLength(json, 'utf8');
}

/** Texts shorter than this are never shortened: they are labels, names and ids, not free text. */
const MIN_SHORTENED_LENGTH = 160;
/** A card that still does not fit after this many shortenings is a template defect. */
const MAX_SHORTENING_ROUNDS = 24;
/** Keys whose values are identifiers or addresses, never shortened (an action must still work). */
const UNSHORTENABLE_KEY = /(^|[a-z])(Id|Ids|id|ids|Url|url|Link|link|verb|Verb)$|^(strings|common|verbs|language)$/;

/** Where the longest shortenable text of a card's data is, and how long it is. */
interface LongestText {
  readonly path: readonly (string | number)[];
  readonly text: string;
}

function findLongestText(node: unknown, path: (string | number)[], best: LongestText | undefined): LongestText | undefined {
  if (typeof node === 'string') return node.length >= MIN_SHORTENED_LENGTH && node.length > (best?.text.length ?? 0) ? { path: [...path], text: node } : best;
  if (Array.isArray(node)) return (node as unknown[]).reduce<LongestText | undefined>((b, item, i) => findLongestText(item, [...path, i], b), best);
  if (typeof node === 'object' && node !== null) {
    let found = best;
    for (const [key, value] of Object.entries(node)) if (!UNSHORTENABLE_KEY.test(key)) found = findLongestText(value, [...path, key], found);
    return found;
  }
  return best;
}

/** A copy of `node` with the value at `path` replaced. */
function replaceAt(node: unknown, path: readonly (string | number)[], value: string): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(node)) return (node as unknown[]).map((item, i) => (i === head ? replaceAt(item, rest, value) : item));
  const record = node as Record<string, unknown>;
  return { ...record, [head as string]: replaceAt(record[head as string], rest, value) };
}

/**
 * The card's data with its longest free text cut by about `excessBytes` (at least a fifth of
 * it), ending in "…" and the note; undefined when nothing is long enough to shorten.
 */
function shortenLongestText(data: Readonly<Record<string, unknown>>, excessBytes: number, note: string): Readonly<Record<string, unknown>> | undefined {
  const longest = findLongestText(data, [], undefined);
  if (longest === undefined) return undefined;
  const chars = [...longest.text];
  const bytesPerChar = JSON.stringify(longest.text).length > chars.length ? Buffer.byteLength(JSON.stringify(longest.text)) / chars.length : 1;
  const suffix = `… ${note}`;
  const cut = Math.max(Math.ceil(excessBytes / bytesPerChar) + suffix.length, Math.ceil(chars.length / 5));
  const keep = Math.max(MIN_SHORTENED_LENGTH / 2, chars.length - cut);
  return replaceAt(data, longest.path, `${chars.slice(0, keep).join('').trimEnd()}${suffix}`) as Readonly<Record<string, unknown>>;
}

/** A whole string value that is exactly one reference to a string every render of a language shares. */
const SHARED_REFERENCE = /^\$\{(strings|common|verbs)\.([A-Za-z0-9_]+)\}$|^\$\{language\}$/;

/** What every render of one card in one language shares: its strings, the verb map, the language. */
interface Shared {
  readonly strings: Readonly<Record<string, unknown>>;
  readonly common: Readonly<Record<string, unknown>>;
  readonly verbs: Readonly<Record<string, unknown>>;
  readonly language: string;
}

/**
 * Replaces the values of a template that are exactly `${strings.x}`, `${common.x}`,
 * `${verbs.x}` or `${language}` with their text, leaving every other expression (and any
 * value that is not plain text) to the templating library. The result expands to the same
 * card for this language with about half the expression evaluations.
 */
function resolveShared(node: unknown, shared: Shared): unknown {
  if (typeof node === 'string') {
    const match = SHARED_REFERENCE.exec(node);
    if (!match) return node;
    const value = match[1] === undefined ? shared.language : shared[match[1] as 'strings' | 'common' | 'verbs'][match[2] ?? ''];
    return typeof value === 'string' && !value.includes('${') ? value : node;
  }
  if (Array.isArray(node)) return node.map((item) => resolveShared(item, shared));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolveShared(value, shared)]));
  }
  return node;
}

/**
 * The templates of a folder, each prepared once: building an `ACData.Template` parses every
 * expression in it, which costs far more than expanding it (about 3 ms against 0.2 ms), and
 * expansion is synchronous, so one prepared template serves every turn. Each card is also
 * prepared once per language with its shared strings already in place, which halves the
 * expansion (0.17 ms to 0.08 ms for a flow card); a card given its own strings uses the
 * general template. Templates are prepared on first use: preparing every one at start made a
 * peak of garbage the process then kept as resident memory.
 */
export class CardRenderer {
  private readonly sources: ReadonlyMap<string, unknown>;
  private readonly templates = new Map<string, ACData.Template>();
  /** `<language>/<card>` → the card with its language's shared strings resolved. */
  private readonly localized = new Map<string, ACData.Template>();

  constructor(cardsDir: string) {
    this.sources = new Map(
      readdirSync(cardsDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(cardsDir, f), 'utf8')) as unknown] as const),
    );
  }

  /** Names of all templates, for tests that check every one. */
  names(): readonly string[] {
    return [...this.sources.keys()];
  }

  /**
   * Expands one template for a language with its data. A card that would pass the size budget
   * (long free text, Korean, escapes) has its longest texts shortened with "…" and a pointer to
   * the full text, until it fits: a step must never be stuck behind a card Teams would refuse.
   */
  render(name: string, tr: Translator, data: Readonly<Record<string, unknown>>): AdaptiveCardJson {
    const general = this.generalTemplate(name);
    const own = data.strings as Readonly<Record<string, unknown>> | undefined;
    const shared: Shared = {
      // A card may refine its own strings (e.g. fill a name into one); the locale file gives the rest.
      strings: own === undefined ? tr.section(`cards.${name}`) : { ...tr.section(`cards.${name}`), ...own },
      common: tr.section('cards.common'),
      verbs: VERBS,
      language: tr.language,
    };
    const template = own === undefined ? this.localizedTemplate(name, shared) : general;
    let current = data;
    for (let round = 0; ; round += 1) {
      const expanded = template.expand({ $root: { ...current, ...shared } }) as AdaptiveCardJson;
      const bytes = bytesForBudget(JSON.stringify(expanded));
      if (bytes <= MAX_CARD_BYTES) return expanded;
      const shorter = round < MAX_SHORTENING_ROUNDS ? shortenLongestText(current, bytes - MAX_CARD_BYTES, tr.t('cards.common.shortened')) : undefined;
      if (shorter === undefined) throw new CardTooLargeError(name, bytes);
      current = shorter;
    }
  }

  private generalTemplate(name: string): ACData.Template {
    let template = this.templates.get(name);
    if (template === undefined) {
      const source = this.sources.get(name);
      if (source === undefined) throw new Error(`No card template named ${name}.`);
      template = new ACData.Template(source);
      this.templates.set(name, template);
    }
    return template;
  }

  private localizedTemplate(name: string, shared: Shared): ACData.Template {
    const key = `${shared.language}/${name}`;
    let template = this.localized.get(key);
    if (template === undefined) {
      template = new ACData.Template(resolveShared(this.sources.get(name), shared));
      this.localized.set(key, template);
    }
    return template;
  }
}
