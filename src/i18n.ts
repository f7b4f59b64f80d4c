/**
 * User-facing strings: locale files in `locales/`, one i18next instance per process
 * (never the global one), the activity's locale picks, English fills any gap.
 */
import i18next, { type i18n } from 'i18next';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The languages whose locale files are complete. */
export const SUPPORTED_LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** Translates keys for one language. */
export interface Translator {
  readonly language: Language;
  /** A string by key, with `{{name}}` placeholders filled. */
  t(key: string, vars?: Readonly<Record<string, string | number>>): string;
  /** A subtree of the locale file (objects and arrays), with English filling missing keys. */
  section(key: string): Readonly<Record<string, unknown>>;
}

/** Maps an activity locale such as `ko-KR` or `en-US` to a supported language (English otherwise). */
export function languageOf(locale: string | undefined): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `over` wins; arrays are replaced, not merged. */
function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** The locale files of a folder, loaded and ready to translate. */
export class Localizer {
  private readonly instance: i18n;
  /** One translator per language, built once: every turn asks for one. */
  private readonly translators: ReadonlyMap<Language, Translator>;

  constructor(localesDir: string) {
    const resources: Record<string, { translation: Record<string, unknown> }> = {};
    for (const file of readdirSync(localesDir).filter((f) => f.endsWith('.json'))) {
      const lang = file.replace(/\.json$/, '');
      resources[lang] = { translation: JSON.parse(readFileSync(join(localesDir, file), 'utf8')) as Record<string, unknown> };
    }
    this.instance = i18next.createInstance();
    // initAsync false: resources are in memory, so init completes synchronously and returns a settled promise.
    void this.instance.init({
      resources,
      lng: 'en',
      fallbackLng: 'en',
      supportedLngs: [...SUPPORTED_LANGUAGES],
      initAsync: false,
      showSupportNotice: false,
      returnObjects: true,
      interpolation: { escapeValue: false },
    });
    this.translators = new Map(SUPPORTED_LANGUAGES.map((language) => [language, this.translator(language)]));
  }

  /** A translator for an activity's locale. */
  forLocale(locale: string | undefined): Translator {
    const language = languageOf(locale);
    return this.translators.get(language) ?? this.translator(language);
  }

  private translator(language: Language): Translator {
    const fixed = this.instance.getFixedT(language);
    const instance = this.instance;
    // Sections are merged once per key: the locale files do not change while the process runs.
    const sections = new Map<string, Readonly<Record<string, unknown>>>();
    return {
      language,
      t: (key, vars) => String(fixed(key, { ...vars, returnObjects: false })),
      section: (key) => {
        const known = sections.get(key);
        if (known) return known;
        const merged = merge(instance.getResource('en', 'translation', key), instance.getResource(language, 'translation', key));
        const section = Object.freeze(isPlainObject(merged) ? merged : {});
        sections.set(key, section);
        return section;
      },
    };
  }
}
