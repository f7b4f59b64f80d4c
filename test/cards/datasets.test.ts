import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer } from '../../src/cards';
import { DATASETS, isDataset } from '../../src/cards/verbs';
import { Localizer } from '../../src/i18n';
import { startApp } from '../helpers/app';
import { cardNodes } from '../helpers/cards';
import { sampleCards } from './samples';

/** Every `choices.data` dataset a card names. */
function datasetsOf(card: unknown): string[] {
  return cardNodes(card).flatMap((o) => {
    const query = o['choices.data'] as { type?: unknown; dataset?: unknown } | undefined;
    return query ? [`${String(query.type)}:${String(query.dataset)}`] : [];
  });
}

describe('cards: typeahead datasets', () => {
  it('every dataset a card searches is in the dataset map and has a search handler in the wired bot', async () => {
    const cards = sampleCards(new CardRenderer(join(PROJECT_ROOT, 'cards')), new Localizer(join(PROJECT_ROOT, 'locales')).forLocale('en'));
    const named = Object.values(cards).flatMap(datasetsOf);
    assert.deepEqual(named, [`Data.Query:${DATASETS.customers}`], 'the describe card searches the customers');
    const app = await startApp();
    try {
      const handled = app.app.edge.bot.handledDatasets();
      for (const entry of named) {
        const dataset = entry.split(':')[1];
        assert.ok(isDataset(dataset), `${dataset} is in DATASETS`);
        assert.ok(handled.includes(dataset), `${dataset} has a search handler`);
      }
    } finally {
      await app.stop();
    }
  });
});
