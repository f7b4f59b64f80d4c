/**
 * What "inert" means for user-supplied text that the bot puts into an Adaptive Card or a
 * message, checked on the expanded JSON exactly as Teams receives it.
 *
 * A card (or message) renders hostile user text inert when all of these hold:
 * 1. URL fields (`url` of `Action.OpenUrl` / `selectAction`, `url`, `iconUrl`,
 *    `backgroundImage` anywhere) contain no user-supplied fragment and never start with a
 *    script scheme (`javascript:`, `vbscript:`, `data:`).
 * 2. Rendered text (TextBlock / TextRun `text`, FactSet `title` / `value`, an activity's
 *    `text`, action and choice titles, labels, placeholders) contains no `<script`.
 * 3. Markdown-rendered text (TextBlock / TextRun `text`, FactSet `title` / `value`, an
 *    activity's `text`: Teams renders markdown there) contains no markdown link
 *    `[label](target)` or autolink `<scheme:…>` whose source is user input: a link found in
 *    the text counts when any user fragment contains that same link text, i.e. the link was
 *    copied through unescaped. An escaped `\[x\](y)` does not match.
 * 4. No rendered text contains a `javascript:` link target (`](javascript:`).
 *
 * Submitted `data` and the `value` of inputs are not rendered as markup and are exempt
 * from 2–4 (they are echoed back to the bot, which validates them again).
 */

/** One way a card failed to render user text inert. */
export interface InertProblem {
  /** JSON path of the offending field, e.g. `body[0].text`. */
  readonly path: string;
  /** The rule broken. */
  readonly rule: 'user-text-in-url' | 'script-scheme-url' | 'script-tag' | 'markdown-link' | 'javascript-link';
  /** The offending value (cut to 200 characters). */
  readonly value: string;
}

const URL_KEYS = new Set(['url', 'iconUrl', 'backgroundImage']);
const MARKDOWN_KEYS = new Set(['text', 'title', 'value']);
const SCRIPT_SCHEME = /^\s*(javascript|vbscript|data):/i;
const MARKDOWN_LINK = /\[[^\]\n]*\]\([^)\n]*\)/g;
const AUTOLINK = /<[a-z][a-z0-9+.-]*:[^>\s]*>/gi;

/** Fragments shorter than this are too common to attribute a URL to the user. */
const MIN_FRAGMENT = 6;

type Kind = 'markdown' | 'plain' | 'exempt';

/** The way a string at `key` in `parent` is rendered by Teams. */
function kindOf(parent: Record<string, unknown>, key: string, inData: boolean): Kind {
  if (inData) return 'exempt';
  const type = typeof parent.type === 'string' ? parent.type : '';
  if (type.startsWith('Input.') && (key === 'value' || key === 'id')) return 'exempt';
  if ((type === 'TextBlock' || type === 'TextRun') && key === 'text') return 'markdown';
  // A fact has no `type`: `title` and `value` side by side.
  if (type === '' && (key === 'title' || key === 'value') && 'title' in parent && 'value' in parent) return 'markdown';
  // An activity (a message the bot sent): its `text` is rendered as markdown by Teams.
  if (type === 'message' && key === 'text') return 'markdown';
  if (['title', 'label', 'placeholder', 'altText', 'fallbackText', 'speak'].includes(key)) return 'plain';
  return MARKDOWN_KEYS.has(key) && type === '' ? 'plain' : 'exempt';
}

/** Checks one expanded card or activity against the rules above, given the user-supplied fragments. */
export function inertProblems(root: unknown, userFragments: readonly string[]): InertProblem[] {
  const problems: InertProblem[] = [];
  const fragments = userFragments.filter((f) => f.length >= MIN_FRAGMENT);
  const add = (path: string, rule: InertProblem['rule'], value: string) => problems.push({ path, rule, value: value.slice(0, 200) });
  const fromUser = (link: string) => userFragments.some((f) => f.includes(link));

  const visit = (node: unknown, path: string, inData: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, `${path}[${i}]`, inData));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(o)) {
      const at = path ? `${path}.${key}` : key;
      if (typeof value !== 'string') {
        visit(value, at, inData || key === 'data');
        continue;
      }
      if (URL_KEYS.has(key) && !inData) {
        if (SCRIPT_SCHEME.test(value)) add(at, 'script-scheme-url', value);
        if (fragments.some((f) => value.includes(f) || decodeSafely(value).includes(f))) add(at, 'user-text-in-url', value);
        continue;
      }
      const kind = kindOf(o, key, inData);
      if (kind === 'exempt') continue;
      if (/<script/i.test(value)) add(at, 'script-tag', value);
      if (kind !== 'markdown') continue;
      if (/\]\(\s*javascript:/i.test(value)) add(at, 'javascript-link', value);
      const links = [...value.matchAll(MARKDOWN_LINK), ...value.matchAll(AUTOLINK)].map((m) => m[0]);
      if (links.some(fromUser)) add(at, 'markdown-link', value);
    }
  };
  visit(root, '', false);
  return problems;
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Hostile snippets: script, markdown and URL injection as a user would type them into a card or message. */
export const HOSTILE_SNIPPETS: readonly string[] = [
  '[click here](https://evil.example/phish)',
  '[ok](javascript:alert(1))',
  '<script>alert(1)</script>',
  '<SCRIPT src=https://evil.example/x.js></SCRIPT>',
  '<https://evil.example/auto>',
  '![img](https://evil.example/pixel.png)',
  '**bold** _it_ `code` # heading',
  '<at>Escalation Desk</at> cancel',
  '${strings.title} ${$root} {{DATE(2017-02-14T06:08:39Z, SHORT)}}',
  '"},{"type":"Action.OpenUrl","url":"https://evil.example/json"}',
  '\u202Egnp.exe\u202C \u0000\u0007\u001b[31m \uFEFF\uD83D\uDE00 ­',
  '&lt;b&gt;&amp;&#106;avascript:',
];
