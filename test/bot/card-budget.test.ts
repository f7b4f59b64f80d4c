/**
 * Every card fits Teams' size budget whatever people type: each free-text input at its limit,
 * in English and in Korean (three bytes a character), with control characters mixed in. A card
 * that does not fit must never leave an escalation stuck at a step nobody can render.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, MAX_CARD_BYTES } from '../../src/cards';
import { Localizer } from '../../src/i18n';
import { cleanText } from '../../src/bot/clean-input';
import { useAppPerTest } from '../helpers/app';
import { Engineer, escalationIdOf, flowIdOf, type Card } from '../helpers/engineer';
import { cardProblems, cardTexts } from '../helpers/cards';
import { sampleCards, sampleEscalation } from '../cards/samples';

const CONTROL = '\u0001\u0007\u001b[31m\u0000';
/** Text of exactly `length` characters: words in a language, with control characters mixed in when asked. */
function filler(language: 'en' | 'ko', length: number, controls = false): string {
  const word = language === 'ko' ? '메일흐름장애 ' : 'mailflow ';
  const unit = controls ? `${word}${CONTROL}` : word;
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card), 'utf8');

describe('card size budget', () => {
  describe('every card, with every text at its limit', () => {
    const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
    const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));

    for (const language of ['en', 'ko'] as const) {
      it(`shortens the longest texts with a pointer to the whole text, and every card parses (${language})`, () => {
        const tr = localizer.forLocale(language);
        const e = sampleEscalation();
        const long = (n: number) => filler(language, n, true);
        const big = {
          ...e,
          title: long(200),
          description: long(4000),
          details: {
            ...e.details,
            businessImpact: long(1000),
            contact: long(200),
            notSameReason: long(300),
            troubleshooting: { ...(e.details.troubleshooting as object), notes: long(2000) },
            request: { title: long(255), description: long(12_000), severity: 'critical', product: e.service },
            microsoftNotes: Array.from({ length: 20 }, (_, i) => ({ createdByName: 'Microsoft', createdDate: `2026-11-25T1${i % 10}:00:00Z`, text: long(2000) })),
          },
        };
        // The sample set renders each template from an escalation; give it the oversized one.
        const rendered = sampleCards(cards, tr, big);
        for (const [name, card] of Object.entries(rendered)) {
          assert.ok(bytes(card) <= MAX_CARD_BYTES, `${name}: ${bytes(card)} bytes`);
          assert.deepEqual(cardProblems(card), [], name);
        }
        // The copy-ready request is the longest text: it is the one cut, and says where the rest is.
        assert.ok(JSON.stringify(rendered['escalate-handoff']).includes(`… ${tr.t('cards.common.shortened')}`));
      });
    }
  });

  describe('a Korean engineer at every input limit, over HTTP', () => {
    const fixture = useAppPerTest();

    it('reaches the hand-off card, stores the text without control characters, and every later view answers', async () => {
      const me = new Engineer(fixture.app, fixture.connector, { locale: 'ko-KR' });
      const flowId = flowIdOf(await me.act('escalate', {}));
      const match = await me.describe(flowId, { title: filler('ko', 200, true), description: filler('ko', 4000, true), regions: filler('ko', 200).replace(/[<>]/g, '') });
      const id = escalationIdOf(match);
      await me.act('knownDiffers', { escalationId: id, notSameReason: filler('ko', 300, true) });
      await me.act('troubleshootSkip', { escalationId: id, notes: filler('ko', 2000, true) });
      const handoff: Card = await me.act('triage', {
        escalationId: id,
        category: 'service_unavailable',
        severity: 'critical',
        businessImpact: filler('ko', 1000, true),
        contact: filler('ko', 200, true),
      });
      assert.ok(bytes(handoff) <= MAX_CARD_BYTES, `hand-off card: ${bytes(handoff)} bytes`);
      assert.ok(cardTexts(handoff).length > 0);

      const stored = await fixture.app.app.database.escalations.get(id);
      assert.equal(stored?.state, 'awaiting_handoff');
      assert.equal(stored?.details.businessImpact, cleanText(filler('ko', 1000, true)).trim());
      assert.doesNotMatch(JSON.stringify(stored), /\\u000[0-8]|\\u001b/);

      // Later views of the same step answer with a card, never a server error.
      for (const [verb, data] of [['refresh', { escalationId: id }], ['resume', { escalationId: id }]] as const) {
        const again = await me.act(verb, data);
        assert.ok(bytes(again) <= MAX_CARD_BYTES, `${verb}: ${bytes(again)} bytes`);
      }
      const tab = await fetch(`${fixture.app.url}/api/escalations/${id}/card?locale=ko-KR`);
      assert.equal(tab.status, 200);
    });
  });
});
