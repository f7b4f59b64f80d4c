/**
 * User-facing strings: locale files in `locales/`, one i18next instance per process
 * (never the global one), the activity's locale picks, English fills any gap.
 */
import i18next, { type i18n } from 'i18next';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TimeZones, type TimeZone } from './domain/local-time';

/** The languages whose locale files are complete. */
export const SUPPORTED_LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** Translates keys for one language. */
export interface Translator {
  readonly language: Language;
  /**
   * The reader's time zone, for the times shown to them; undefined when their client did not
   * say (times are then shown in UTC, named).
   */
  readonly timeZone?: TimeZone;
  /** A string by key, with `{{name}}` placeholders filled. */
  t(key: string, vars?: Readonly<Record<string, string | number>>): string;
  /** A number as the reader writes it (at most two decimals; 1.5 stays 1.5, 5000 reads 5,000). */
  number(value: number): string;
  /** A subtree of the locale file (objects and arrays), with English filling missing keys. */
  section(key: string): Readonly<Record<string, unknown>>;
  /**
   * The zone a name (sent by a client, typed on a card, stored with an escalation) names,
   * prepared once per name; undefined when this runtime does not know it.
   */
  zone(name: string | undefined): TimeZone | undefined;
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

type Vars = Readonly<Record<string, string | number>>;
/** A resolved string with its `{{name}}` placeholders, filled per call. */
type Fill = (vars: Vars | undefined) => string;

/** `{{name}}` as this project's locale files write placeholders. */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
/** A plain variable name: anything else (`{{- x}}`, `{{x, format}}`, `{{a.b}}`) stays with i18next. */
const PLAIN_NAME = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/;

/**
 * Splits a resolved string at its placeholders, or returns undefined when it uses anything
 * beyond plain `{{name}}` (nesting, formats, unescaped values), which only i18next fills.
 * Filling matches i18next with `escapeValue: false`: a value is inserted as text, and a
 * placeholder without a value stays as written.
 */
function compile(resolved: string): Fill | undefined {
  if (resolved.includes('$t(')) return undefined;
  const literals: string[] = [];
  const names: string[] = [];
  const written: string[] = [];
  let last = 0;
  // matchAll works on a copy of the expression: the shared one keeps no match state.
  for (const match of resolved.matchAll(PLACEHOLDER)) {
    const inner = match[1] ?? '';
    if (!PLAIN_NAME.test(inner)) return undefined;
    literals.push(resolved.slice(last, match.index));
    names.push(inner.trim());
    written.push(match[0]);
    last = match.index + match[0].length;
  }
  if (names.length === 0) return () => resolved;
  const tail = resolved.slice(last);
  return (vars) => {
    let out = '';
    for (let i = 0; i < names.length; i++) {
      const name = names[i] ?? '';
      const value = vars !== undefined && Object.hasOwn(vars, name) ? vars[name] : undefined;
      out += (literals[i] ?? '') + (value === undefined ? (written[i] ?? '') : String(value));
    }
    return out + tail;
  };
}

/** The locale files of a folder, loaded and ready to translate. */
export class Localizer {
  private readonly instance: i18n;
  /** One translator per language, built once: every turn asks for one. */
  private readonly translators: ReadonlyMap<Language, Translator>;
  /** The readers' time zones, each prepared once. */
  private readonly zones = new TimeZones();

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

  /**
   * A translator for an activity's locale that shows times in the zone `timeZone` names (as
   * the client sent it, or as stored); UTC when it names none this runtime knows.
   */
  forLocale(locale: string | undefined, timeZone?: string): Translator {
    const language = languageOf(locale);
    const translator = this.translators.get(language) ?? this.translator(language);
    const zone = this.zones.get(timeZone);
    return zone === undefined ? translator : { ...translator, timeZone: zone };
  }

  private translator(language: Language): Translator {
    const fixed = this.instance.getFixedT(language);
    const instance = this.instance;
    // Sections are merged once per key: the locale files do not change while the process runs.
    const sections = new Map<string, Readonly<Record<string, unknown>>>();
    // A key's string is resolved (and its placeholders found) once; i18next's per-call
    // resolution cost ~20-30 µs, a dozen times per card.
    const fills = new Map<string, Fill | undefined>();
    const viaI18next = (key: string, vars?: Vars): string => String(fixed(key, { ...vars, returnObjects: false }));
    // Built once: an Intl.NumberFormat costs tens of µs to make, every card shows numbers.
    const numbers = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
    // Zones are prepared once for every language: building one costs more than a card.
    const zones = this.zones;
    return {
      language,
      number: (value) => numbers.format(value),
      zone: (name) => zones.get(name),
      t: (key, vars) => {
        // count and context select plural or context variants of the key: i18next decides.
        if (vars !== undefined && ('count' in vars || 'context' in vars)) return viaI18next(key, vars);
        let fill = fills.get(key);
        if (fill === undefined && !fills.has(key)) {
          const resolved: unknown = fixed(key, { returnObjects: false, skipInterpolation: true });
          fill = typeof resolved === 'string' ? compile(resolved) : undefined;
          fills.set(key, fill);
        }
        return fill === undefined ? viaI18next(key, vars) : fill(vars);
      },
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
