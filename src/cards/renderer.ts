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

/**
 * The templates of a folder, each prepared once: building an `ACData.Template` parses every
 * expression in it, which costs far more than expanding it (about 3 ms against 0.2 ms), and
 * expansion is synchronous, so one prepared template serves every turn.
 */
export class CardRenderer {
  private readonly templates: ReadonlyMap<string, ACData.Template>;

  constructor(cardsDir: string) {
    const entries = readdirSync(cardsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.replace(/\.json$/, ''), new ACData.Template(JSON.parse(readFileSync(join(cardsDir, f), 'utf8')))] as const);
    this.templates = new Map(entries);
  }

  /** Names of all templates, for tests that check every one. */
  names(): readonly string[] {
    return [...this.templates.keys()];
  }

  /** Expands one template for a language with its data. */
  render(name: string, tr: Translator, data: Readonly<Record<string, unknown>>): AdaptiveCardJson {
    const template = this.templates.get(name);
    if (template === undefined) throw new Error(`No card template named ${name}.`);
    const expanded = template.expand({
      $root: {
        ...data,
        // A card may refine its own strings (e.g. fill a name into one); the locale file gives the rest.
        strings: { ...tr.section(`cards.${name}`), ...(data.strings as Readonly<Record<string, unknown>> | undefined) },
        common: tr.section('cards.common'),
        verbs: VERBS,
        language: tr.language,
      },
    }) as AdaptiveCardJson;
    const bytes = Buffer.byteLength(JSON.stringify(expanded), 'utf8');
    if (bytes > MAX_CARD_BYTES) throw new CardTooLargeError(name, bytes);
    return expanded;
  }
}
