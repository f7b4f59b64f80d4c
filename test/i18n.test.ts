import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { Localizer, SUPPORTED_LANGUAGES } from '../src/i18n';
import { PROJECT_ROOT } from '../src/app';

/** Every string leaf of a locale file, by its dotted key. */
function leaves(tree: unknown, prefix = ''): string[] {
  if (typeof tree === 'string') return [prefix];
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('Localizer', () => {
  const dir = join(PROJECT_ROOT, 'locales');
  const localizer = new Localizer(dir);
  const en = JSON.parse(readFileSync(join(dir, 'en.json'), 'utf8')) as Record<string, unknown>;
  const ko = JSON.parse(readFileSync(join(dir, 'ko.json'), 'utf8')) as Record<string, unknown>;
  // The reference: plain i18next with the options the Localizer documents.
  const reference = i18next.createInstance();
  void reference.init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...SUPPORTED_LANGUAGES],
    initAsync: false,
    showSupportNotice: false,
    returnObjects: true,
    interpolation: { escapeValue: false },
  });
  const keys = [...new Set([...leaves(en), ...leaves(ko)]), 'no.such.key', 'flow'];
  const names = [...new Set([...JSON.stringify([en, ko]).matchAll(/\{\{([^{}]*)\}\}/g)].map((m) => (m[1] ?? '').trim()))];
  const varSets: ReadonlyArray<Record<string, string | number> | undefined> = [
    undefined,
    {},
    Object.fromEntries(names.map((n, i) => [n, `<${n}> {{${n}}} $t(flow.header) ${i}`])),
    Object.fromEntries(names.filter((n) => n !== 'count').map((n, i) => [n, i])),
    Object.fromEntries(names.filter((_, i) => i % 2 === 0).map((n) => [n, '**x**'])),
  ];

  for (const language of SUPPORTED_LANGUAGES) {
    it(`fills every key exactly as i18next does (${language})`, () => {
      const tr = localizer.forLocale(language);
      const fixed = reference.getFixedT(language);
      let compared = 0;
      for (const key of keys) {
        for (const vars of varSets) {
          // Twice: the first call resolves and keeps the key's string, the second uses what it kept.
          for (let round = 0; round < 2; round++) {
            assert.equal(tr.t(key, vars), String(fixed(key, { ...vars, returnObjects: false })), `${language} ${key} ${JSON.stringify(vars)}`);
            compared++;
          }
        }
      }
      assert.ok(compared > 500, `compared ${compared}`);
    });
  }

  it('picks the language of the activity locale and falls back to English', () => {
    assert.equal(localizer.forLocale('ko-KR').language, 'ko');
    assert.equal(localizer.forLocale('fr-FR').language, 'en');
    assert.equal(localizer.forLocale(undefined).language, 'en');
  });

  it('prepares each named zone once, for every language, and knows no made-up zone', () => {
    const en = localizer.forLocale('en-US', 'Asia/Seoul');
    const ko = localizer.forLocale('ko-KR');
    const seoul = ko.zone('asia/seoul');
    assert.equal(seoul?.name, 'Asia/Seoul');
    assert.equal(en.zone('asia/seoul'), seoul, 'the same prepared zone, not a second one');
    assert.equal(en.timeZone, en.zone('Asia/Seoul'), "the client's zone is the prepared one");
    assert.equal(ko.zone('Mars/Olympus_Mons'), undefined);
    assert.equal(ko.zone(undefined), undefined);
  });
});
