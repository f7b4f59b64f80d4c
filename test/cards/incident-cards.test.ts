/**
 * The incident cards as the channel and the chat show them, rendered from views gathered by the
 * real `IncidentViews` (notices from the locale files): what a reader sees, the 28 KB budget with
 * hundreds and a thousand customers, the overview and the reminder.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../src/app';
import { CardRenderer, MAX_CARD_BYTES } from '../../src/cards';
import { renderIncident, renderIncidentList, renderIncidentReminder } from '../../src/cards/incident-cards';
import type { IncidentCardMode } from '../../src/cards/views';
import { CUSTOMERS_PER_PAGE, tallyOf } from '../../src/domain/incident-card';
import type { Escalation } from '../../src/domain/escalation';
import { Localizer, SUPPORTED_LANGUAGES } from '../../src/i18n';
import { IncidentViews } from '../../src/incidents/card-views';
import type { EscalationStore } from '../../src/store/types';
import { cardNodes, cardProblems, cardTexts, cardVerbs } from '../helpers/cards';
import { sampleIncident } from './samples';

const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
const MODES: readonly IncidentCardMode[] = ['card', 'update', 'resolved', 'review'];

/** Views over a store that has no escalations, customers in English except the ones named Korean. */
function views(korean: readonly string[] = [], tabLink = true): IncidentViews {
  const escalations: Pick<EscalationStore, 'listByKnownIssue'> = { listByKnownIssue: sinon.stub().resolves({ items: [] }) };
  return new IncidentViews({
    escalations,
    localizer,
    customers: () => Promise.resolve(korean.map((tenantId) => ({ tenantId, language: 'ko-KR' }))),
    ...(tabLink ? { tabLink: (id?: string) => `https://teams.microsoft.com/l/entity/app/my-escalations?context=${id ?? ''}` } : {}),
  });
}

const texts = (card: Record<string, unknown>): string => cardTexts(card).join('\n');
/** The drafted notices of a card (the inputs' values). */
function notices(card: unknown): string[] {
  return cardNodes(card).flatMap((o) => (o.type === 'Input.Text' && typeof o.value === 'string' ? [o.value] : []));
}

describe('incident cards', function () {
  afterEach(() => sinon.restore());

  it('the channel’s card: Microsoft’s fields, its latest post as text, and each customer with since when, gone, told by whom, escalations and a notice', async function () {
    const incident = sampleIncident(3, { resolved: false, resolvedAt: undefined, endDateTime: undefined, status: 'RestoringService' });
    const stub = sinon.stub().resolves({
      items: [
        { id: 'ED-7K2M9Q4P', state: 'known_issue', customer: { tenantId: incident.customers[2]?.tenantId.toUpperCase(), name: 'x' } },
        { id: 'ED-CLOSED01', state: 'closed', customer: { tenantId: incident.customers[2]?.tenantId, name: 'x' } },
      ] as unknown as Escalation[],
    });
    const v = new IncidentViews({ escalations: { listByKnownIssue: stub }, localizer });
    const tr = localizer.forLocale('en-US', 'Asia/Seoul');
    const card = renderIncident(cards, tr, await v.card(tr, incident, 'partner'));
    assert.deepEqual(stub.firstCall.args.slice(0, 2), ['partner', 'EX226792'], 'the reader’s partner tenant’s escalations of this incident');
    assert.deepEqual(cardProblems(card), []);
    const shown = texts(card);
    assert.match(shown, /^Microsoft incident EX226792 · Exchange Online$/m);
    assert.match(shown, /^Restoring service · since 2026-11-25 16:00 Asia\/Seoul$/m, 'Graph’s PascalCase status in words, times on the reader’s clock');
    assert.match(shown, /Some messages are delayed\./, 'Microsoft’s HTML read as text');
    assert.match(shown, /^We deployed a fix and the service is restored\.$/m, 'the latest post');
    assert.match(shown, /Affected customers: 3 \(2 still affected, 1 no longer\) · told 1 of 3 · open escalations 1/);
    assert.match(shown, /Escalations: ED-7K2M9Q4P \(Known Microsoft issue: watching\)/, 'open escalations only');
    assert.doesNotMatch(shown, /ED-CLOSED01/);
    assert.match(shown, /no longer affected since 2026-11-25 17:00 Asia\/Seoul/);
    assert.match(shown, /Told by Ada at 2026-11-25 18:30 Asia\/Seoul/);
    assert.equal((shown.match(/Not told yet/g) ?? []).length, 2);
    // The not-told first: the told customer (the first seen) is listed last.
    const order = cardTexts(card).filter((t) => t.startsWith('Customer '));
    assert.deepEqual(order, [incident.customers[2]?.name, incident.customers[1]?.name, incident.customers[0]?.name]);
    const drafted = notices(card);
    assert.equal(drafted.length, 2, 'a notice for each customer not told');
    assert.match(drafted[0] ?? '', /^Hello Customer 0002.* team,\n\nMicrosoft is working on an issue with Exchange Online that affects you: Users may be unable to send or receive email \(Microsoft reference EX226792\)\. Microsoft says: Users may be unable/);
    assert.deepEqual(cardVerbs(card).sort(), ['incident', 'incidentTold']);
  });

  it('a notice is drafted in the customer’s language when known, else the reader’s', async function () {
    const incident = sampleIncident(3);
    const korean = incident.customers[2]?.tenantId ?? '';
    const tr = localizer.forLocale('en-US');
    const drafted = notices(renderIncident(cards, tr, await views([korean]).card(tr, incident, 'partner', { mode: 'resolved' })));
    assert.match(drafted[0] ?? '', /담당자님께,\n\nMicrosoft가 Exchange Online 문제/);
    assert.match(drafted[1] ?? '', /^Hello Customer 0001.* team,\n\nMicrosoft has resolved the Exchange Online issue/);
    const ko = localizer.forLocale('ko-KR');
    const inKorean = notices(renderIncident(cards, ko, await views([]).card(ko, incident, 'partner', { mode: 'resolved' })));
    assert.ok(inKorean.every((n) => n.includes('담당자님께')), 'unknown language: the reader’s');
  });

  it('replies say what changed; the resolution and the review list the customers, the update does not', async function () {
    const incident = sampleIncident(3, { postIncidentReview: true, status: 'postIncidentReviewPublished' });
    const tr = localizer.forLocale('en-US');
    const v = views();
    const update = renderIncident(cards, tr, await v.card(tr, incident, 'p', { mode: 'update', changes: [{ kind: 'status', from: 'investigating', to: 'restoringService' }, { kind: 'post', createdDateTime: '2026-11-25T09:10:00Z' }] }));
    assert.match(texts(update), /^Update on EX226792 · Exchange Online$/m);
    assert.match(texts(update), /^Status: Investigating → Restoring service$/m);
    assert.match(texts(update), /Microsoft posted an update \(2026-11-25 09:10 UTC\)\./);
    assert.match(texts(update), /We deployed a fix/);
    assert.deepEqual(notices(update), []);
    assert.ok(!JSON.stringify(update).includes('"title":"Refresh"'), 'an update says what changed then: nothing to refresh');
    assert.match(texts(update), /^Post-incident review published · since 2026-11-25 07:00 UTC$|^Post-incident review published at 2026-11-25 09:10 UTC · began 2026-11-25 07:00 UTC$/m);
    const review = renderIncident(cards, tr, await v.card(tr, incident, 'p', { mode: 'review' }));
    assert.match(texts(review), /^Post-incident review published: EX226792/m);
    assert.match(JSON.stringify(review), /"type":"Action.OpenUrl","title":"Post-incident review","url":"https:\/\/admin.microsoft.com\/Adminportal\/Home#\/servicehealth\/history\/:\/alerts\/EX226792"/);
    assert.match(notices(review)[0] ?? '', /published its post-incident review/);
  });

  for (const language of SUPPORTED_LANGUAGES) {
    it(`300 and 1,000 customers: every card stays under 28 KB with a page of customers and a summary, notices whole (${language})`, async function () {
      const tr = localizer.forLocale(language);
      const longPost = `<p>${'Microsoft의 긴 게시물입니다. We are rerouting traffic to healthy infrastructure. '.repeat(80)}</p>`;
      for (const total of [300, 1_000]) {
        // Long names (Korean, 60 characters), a long impact and post: the worst a card carries.
        const incident = sampleIncident(total, { impactDescription: '영향 설명 Users may be unable to send mail. '.repeat(60), posts: [{ createdDateTime: '2026-11-25T09:10:00Z', postType: 'regular', contentType: 'html', content: longPost }] }, 60);
        const v = views(incident.customers.filter((_, i) => i % 2 === 0).map((c) => c.tenantId));
        for (const mode of MODES) {
          const card = renderIncident(cards, tr, await v.card(tr, incident, 'p', { mode, page: 2 }));
          const bytes = Buffer.byteLength(JSON.stringify(card));
          assert.ok(bytes <= MAX_CARD_BYTES, `${total} ${mode}: ${bytes} bytes`);
          assert.deepEqual(cardProblems(card), [], `${total} ${mode}`);
          if (mode === 'update') continue;
          const shown = texts(card);
          assert.match(shown, new RegExp(`${CUSTOMERS_PER_PAGE + 1}–${2 * CUSTOMERS_PER_PAGE} / ${total}|${CUSTOMERS_PER_PAGE + 1}–${2 * CUSTOMERS_PER_PAGE} of ${total}`), `${total} ${mode}: says which customers it shows`);
          assert.match(shown, new RegExp(`${total - CUSTOMERS_PER_PAGE}`), `${total} ${mode}: says how many more`);
          const drafted = notices(card);
          assert.equal(drafted.length, CUSTOMERS_PER_PAGE, `${total} ${mode}`);
          const shortened = tr.t('cards.common.shortened');
          assert.ok(drafted.every((n) => !n.includes(shortened)), `${total} ${mode}: notices are whole`);
          assert.match(JSON.stringify(card), /"title":"[^"]+","verb":"incident","data":\{"verb":"incident","incidentId":"EX226792","mode":"[a-z]+","page":3\}/, 'a next page');
          assert.match(JSON.stringify(card), /"type":"Action.OpenUrl","title":"[^"]+","url":"https:\/\/teams.microsoft.com\/l\/entity\//, 'the tab');
        }
      }
    });
  }

  it('the overview: open incidents with their customers, the incident channel, and the customers not read with why', function () {
    const incident = sampleIncident(7, { resolved: false });
    const tr = localizer.forLocale('en-US');
    const card = renderIncidentList(cards, tr, {
      incidents: [{ incident, tally: tallyOf(incident) }],
      moreIncidents: false,
      unreadable: [
        { name: 'Northwind Traders', reason: 'access_403', failures: 3, since: '2026-11-25T09:00:00Z' },
        { name: 'VanArsdel Ltd.', reason: 'access_token', failures: 1 },
        { name: 'Tailspin <Toys>', reason: 'something_new', failures: 1 },
      ],
      moreUnreadable: true,
    });
    assert.deepEqual(cardProblems(card), []);
    const shown = texts(card);
    assert.match(shown, /No incident channel yet: say incidents here/);
    assert.match(shown, /^EX226792 · Exchange Online · Service restored$/m);
    assert.match(shown, /^7 customers \(6 still affected\) · told 1 · since 2026-11-25 07:00 UTC$/m);
    assert.match(shown, /Customers whose service health could not be read: 3\+/);
    assert.match(shown, /Northwind Traders: access refused \(consent, or GDAP role Service Support Administrator\) · 3 tries in a row · last 2026-11-25 09:00 UTC/);
    assert.match(shown, /VanArsdel Ltd\.: app consent missing/);
    assert.match(shown, /Tailspin <\u200bToys>: could not be read \(something_new\)/, 'names inert, an unknown reason named');
    const empty = texts(renderIncidentList(cards, localizer.forLocale('ko-KR'), { incidents: [], moreIncidents: false, unreadable: [], moreUnreadable: false, channel: { setBy: 'Ada', setAt: '2026-11-25T09:00:00Z' } }));
    assert.match(empty, /열린 Microsoft 인시던트가 없습니다/);
    assert.match(empty, /인시던트 채널: Ada님이/);
  });

  it('the channel’s reminder names the customers not told and opens them with their notices', function () {
    const incident = sampleIncident(12);
    const card = renderIncidentReminder(cards, localizer.forLocale('en-US'), { incident, tally: tallyOf(incident), waitedMs: 5 * 3_600_000 });
    assert.deepEqual(cardProblems(card), []);
    const shown = texts(card);
    assert.match(shown, /Microsoft resolved EX226792 \(Exchange Online: Users may be unable to send or receive email\) 5 h ago, and 11 of 12 affected customers have not been told\./);
    assert.match(shown, /and 3 more$/m);
    assert.match(JSON.stringify(card), /"data":\{"verb":"incident","incidentId":"EX226792","mode":"resolved"\}/);
  });
});
