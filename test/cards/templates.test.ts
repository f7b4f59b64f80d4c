import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import pino from 'pino';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, MAX_CARD_BYTES } from '../../src/cards';
import { VERBS } from '../../src/cards/verbs';
import { EscalationDeskBot } from '../../src/bot/bot';
import { EscalationFlow } from '../../src/bot/flow/escalation-flow';
import type { CustomerDirectory } from '../../src/directory';
import { systemClock } from '../../src/domain/clock';
import type { HealthProvider } from '../../src/health';
import type { ConversationStore, OutboxStore } from '../../src/store/queues';
import type { EscalationStore } from '../../src/store/types';
import type { SupportProvider } from '../../src/support/types';
import { Localizer, SUPPORTED_LANGUAGES } from '../../src/i18n';
import { cardProblems, cardVerbs } from '../helpers/cards';
import { sampleCards } from './samples';

describe('cards', () => {
  const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
  const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));

  it('every template has sample data', () => {
    const samples = sampleCards(cards, localizer.forLocale('en'));
    assert.deepEqual(Object.keys(samples).sort(), [...cards.names()].sort());
  });

  for (const language of SUPPORTED_LANGUAGES) {
    it(`every template expands, parses with zero errors, is schema 1.5 and small (${language})`, () => {
      for (const [name, card] of Object.entries(sampleCards(cards, localizer.forLocale(language)))) {
        assert.deepEqual(cardProblems(card), [], `${name} has problems`);
        assert.equal(card.version, '1.5', name);
        const json = JSON.stringify(card);
        assert.ok(!json.includes('${'), `${name} has an unexpanded expression`);
        assert.ok(Buffer.byteLength(json) < MAX_CARD_BYTES, `${name} is ${Buffer.byteLength(json)} bytes`);
      }
    });
  }

  for (const language of SUPPORTED_LANGUAGES) {
    it(`a card prepared per language expands exactly as its template does (${language})`, () => {
      const tr = localizer.forLocale(language);
      // Every render the samples make, expanded again from the template file the plain way.
      const renders: Array<[string, Readonly<Record<string, unknown>>, unknown]> = [];
      const recording = new CardRenderer(join(PROJECT_ROOT, 'cards'));
      const render = recording.render.bind(recording);
      recording.render = (name, t, data) => {
        const card = render(name, t, data);
        renders.push([name, data, card]);
        return card;
      };
      sampleCards(recording, tr);
      sampleCards(recording, tr);
      assert.ok(renders.length >= 2 * cards.names().length, `${renders.length} renders`);
      for (const [name, data, card] of renders) {
        const source = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cards', `${name}.json`), 'utf8')) as unknown;
        const strings = { ...tr.section(`cards.${name}`), ...(data.strings as Readonly<Record<string, unknown>> | undefined) };
        const root = { ...data, strings, common: tr.section('cards.common'), verbs: VERBS, language: tr.language };
        assert.deepEqual(card, new ACData.Template(source).expand({ $root: root }), `${language} ${name}`);
      }
    });
  }

  it('every verb used by a card is in the verb map and has a handler', () => {
    // The real handler maps, as the app wires them; the handlers are not run here.
    const flow = new EscalationFlow({
      store: {} as EscalationStore,
      directory: {} as CustomerDirectory,
      health: {} as HealthProvider,
      cards,
      clock: systemClock,
      support: {} as SupportProvider,
      outbox: {} as OutboxStore,
      conversations: {} as ConversationStore,
      snoozeMs: 1,
    });
    const bot = new EscalationDeskBot({
      cards,
      localizer,
      logger: pino({ level: 'silent' }),
      localMode: true,
      states: [],
      verbs: { ...flow.verbs(), health: () => Promise.resolve(undefined) },
    });
    const handled = new Set<string>(bot.handledVerbs());
    const known = new Set<string>(Object.values(VERBS));
    for (const [name, card] of Object.entries(sampleCards(cards, localizer.forLocale('en')))) {
      for (const verb of cardVerbs(card)) {
        assert.ok(known.has(verb), `${name} uses verb ${verb} missing from VERBS`);
        assert.ok(handled.has(verb), `${name} uses verb ${verb} that has no handler`);
      }
    }
  });

  it('the Korean locale has every key of the English one', () => {
    const keys = (o: unknown, prefix = ''): string[] =>
      o !== null && typeof o === 'object' && !Array.isArray(o)
        ? Object.entries(o).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
        : [prefix.slice(0, -1)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const en = keys(require(join(PROJECT_ROOT, 'locales', 'en.json')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ko = new Set(keys(require(join(PROJECT_ROOT, 'locales', 'ko.json'))));
    assert.deepEqual(en.filter((k) => !ko.has(k)), []);
  });
});
