/**
 * A partner with 5,000 customers, over HTTP: the describe card carries a bounded first page
 * and searches the rest through Teams' typeahead (`application/search` on the `customers`
 * dataset); a customer beyond the first hundred can be preset, chosen and escalated.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CARD_BYTES } from '../../src/cards';
import { STATIC_CUSTOMER_CHOICES } from '../../src/bot/flow/customer-choices';
import { byCompanyName, type Customer } from '../../src/directory';
import { loadSandboxData } from '../../src/health/sandbox-data';
import { searchForm } from '../../src/directory/search';
import { startApp, type RunningApp } from '../helpers/app';
import { cardNodes, cardTexts } from '../helpers/cards';
import { message, search, type ActivityOptions } from '../helpers/activities';
import { ConnectorDouble } from '../helpers/connector-double';
import { CONTOSO, Engineer, describeData, escalationIdOf, flowIdOf, has, type Card } from '../helpers/engineer';
import { HANBIT, ZETA, writeManyCustomersSeed } from '../helpers/many-customers';

const GENERATED = 5_000;

interface ChoiceSet {
  id: string;
  value?: string;
  choices: { title: string; value: string }[];
  'choices.data'?: { type: string; dataset: string };
}

/** The describe card's customer field. */
function customerField(card: Card): ChoiceSet {
  const found = cardNodes(card).find((o) => o.type === 'Input.ChoiceSet' && o.id === 'customerTenantId') as ChoiceSet | undefined;
  assert.ok(found, 'the card has a customer field');
  return found;
}

/** The cards the connector received, newest last. */
function sentCards(connector: ConnectorDouble): Card[] {
  return connector.sent().flatMap((a) => ((a.attachments as { content: Card }[] | undefined) ?? []).map((x) => x.content));
}

describe('5,000 customers: the describe card and its typeahead', function () {
  this.timeout(60_000);
  let dir: string;
  let seed: { path: string; customers: Customer[] };
  let connector: ConnectorDouble;
  let app: RunningApp;
  let me: Engineer;
  let options: ActivityOptions;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ed-many-'));
    seed = writeManyCustomersSeed(dir, GENERATED);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    // The suite plays Teams, whose client searches as one types: typeahead on although in local mode.
    app = await startApp({ SANDBOX_HEALTH_FILE: seed.path, HEALTH_SOURCE: 'sandbox', DIRECTORY_SOURCE: 'sandbox', CUSTOMER_TYPEAHEAD: 'on' });
    options = { serviceUrl: connector.url };
    me = new Engineer(app, connector);
  });
  afterEach(async () => {
    await app.stop();
    await connector.stop();
  });

  /** Asks the bot for a page of the customers dataset, as Teams does while the engineer types. */
  async function typeahead(queryText: string, skip = 0, top = 15, dataset = 'customers'): Promise<{ statusCode: number; type: string; value: unknown }> {
    const res = await app.post('/api/messages', search(dataset, queryText, options, { skip, top }));
    assert.equal(res.status, 200);
    return res.body as { statusCode: number; type: string; value: unknown };
  }
  async function results(queryText: string, skip = 0, top = 15): Promise<{ title: string; value: string }[]> {
    const body = await typeahead(queryText, skip, top);
    assert.equal(body.statusCode, 200, JSON.stringify(body));
    assert.equal(body.type, 'application/vnd.microsoft.search.searchResponse');
    return (body.value as { results: { title: string; value: string }[] }).results;
  }

  it('the card carries a bounded first page, not the full list, stays under 28 KB and searches the customers dataset', async () => {
    const card = await me.act('escalate', {});
    const field = customerField(card);
    assert.deepEqual(field['choices.data'], { type: 'Data.Query', dataset: 'customers' });
    assert.ok(field.choices.length > 0 && field.choices.length <= STATIC_CUSTOMER_CHOICES, `${field.choices.length} choices`);
    assert.ok(!field.choices.some((c) => c.value === ZETA.tenantId), 'Zeta is not on the first page');
    const bytes = Buffer.byteLength(JSON.stringify(card));
    assert.ok(bytes < MAX_CARD_BYTES, `${bytes} bytes`);
    const total = seed.customers.length.toLocaleString('en');
    assert.ok(has(card, new RegExp(`shows ${field.choices.length} of your ${total} customers. If typing a name does not find yours, say "escalate" followed by`)), 'the card says the list is partial and how to reach the rest');
    // No angle brackets: Teams and the Playground drop "<customer>" as an HTML tag.
    assert.ok(!cardTexts(card).some((t) => /<[a-z]/i.test(t)), 'no text a client would read as a tag');
  });

  it('in local mode (the Playground: no typeahead) the first page is listed as a plain filtered field, and the note says how to name another', async () => {
    const local = await startApp({ SANDBOX_HEALTH_FILE: seed.path, HEALTH_SOURCE: 'sandbox', DIRECTORY_SOURCE: 'sandbox' });
    try {
      const card = await new Engineer(local, connector).act('escalate', {});
      const field = customerField(card);
      // A typeahead field would show the customer chosen in it as its tenant id there.
      assert.equal(field['choices.data'], undefined);
      assert.equal(field.choices.length, STATIC_CUSTOMER_CHOICES);
      assert.ok(has(card, /If typing a name does not find yours, say "escalate" followed by the customer's name/), 'the note says how to reach the rest');
    } finally {
      await local.stop();
    }
  });

  it('a card sent back for correction in Korean, with a 4,000-character Korean description, stays under 28 KB', async () => {
    const ko = new Engineer(app, connector, { locale: 'ko-KR' });
    const card = await ko.act('escalate', {});
    const back = await ko.describe(flowIdOf(card), { customerTenantId: HANBIT.tenantId, description: '고객이 겪는 현상'.repeat(500).slice(0, 4000), usersAffected: 'x' });
    assert.ok(has(back, /^다음 항목을 입력하거나 고쳐 주세요: “영향받는 사용자 수”\.$/));
    assert.ok(customerField(back).choices.some((c) => c.value === HANBIT.tenantId), 'the submitted customer stays selectable');
    const bytes = Buffer.byteLength(JSON.stringify(back));
    assert.ok(bytes < MAX_CARD_BYTES, `${bytes} bytes`);
  });

  it('the typeahead finds a customer beyond the first page by name, domain or tenant id, in any case', async () => {
    for (const query of ['zeta', 'ZETA LOG', 'zetalogistics.onmicrosoft', ZETA.tenantId.toUpperCase(), '  Zeta  Logistics ']) {
      const found = await results(query);
      assert.equal(found[0]?.value, ZETA.tenantId, `"${query}" → ${JSON.stringify(found.slice(0, 2))}`);
      assert.match(found[0]?.title ?? '', /^Zeta Logistics \(zetalogistics\.onmicrosoft\.com\)$/);
    }
  });

  it('Korean names are found whether typed composed or as decomposed jamo', async () => {
    const composed = await results('한빛소프트');
    assert.equal(composed[0]?.value, HANBIT.tenantId);
    const decomposed = await results('한빛소프트'.normalize('NFD'));
    assert.equal(decomposed[0]?.value, HANBIT.tenantId);
    const word = await results('한빛소');
    assert.equal(word[0]?.value, HANBIT.tenantId, 'a later word of the name (after "(주)") matches');
  });

  it('skip and top page through the matches in the directory’s order, with no gap or overlap', async () => {
    const everyone = seed.customers.filter((c) => searchForm(c.companyName).includes('woodgrove'));
    assert.ok(everyone.length > 200, `${everyone.length} Woodgrove customers`);
    const pages: string[] = [];
    for (let skip = 0; skip < 60; skip += 15) pages.push(...(await results('woodgrove', skip, 15)).map((r) => r.value));
    assert.equal(new Set(pages).size, 60);
    const expected = [...everyone].sort((a, b) => a.companyName.localeCompare(b.companyName, 'en', { sensitivity: 'base' })).slice(0, 60).map((c) => c.tenantId);
    assert.deepEqual(pages, expected);
    // Past the end: an empty page, not an error.
    assert.deepEqual(await results('woodgrove', 10_000, 15), []);
    // Nothing typed yet: the first page of everyone, as on the card.
    const first = await results('', 0, 15);
    assert.equal(first.length, 15);
  });

  it('the page never exceeds what Teams asked for, nor 50', async () => {
    assert.equal((await results('a', 0, 5)).length, 5);
    assert.equal((await results('a', 0, 500)).length, 50);
  });

  it('a typeahead for an unknown dataset, or with a malformed query, gets a clear error', async () => {
    const unknown = await typeahead('zeta', 0, 15, 'games');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.type, 'application/vnd.microsoft.error');
    assert.match((unknown.value as { message: string }).message, /can't search that list/);
    const malformed = await app.post('/api/messages', { ...search('customers', 'x', options), value: { dataset: 'customers', queryText: { $ne: 1 } } });
    assert.equal((malformed.body as { statusCode: number }).statusCode, 400);
  });

  it('health Zeta → Escalate presets a customer beyond the first 100: it is among the choices, selected, and can be escalated', async () => {
    await app.post('/api/messages', message('health Zeta', options));
    await connector.waitForSent(1);
    const health = sentCards(connector).at(-1) ?? {};
    const escalate = JSON.stringify(health).match(/"verb":"escalate","customerTenantId":"([^"]+)"/);
    assert.equal(escalate?.[1], ZETA.tenantId, 'the health card offers Escalate for Zeta');

    const card = await me.act('escalate', { customerTenantId: ZETA.tenantId });
    const field = customerField(card);
    assert.equal(field.value, ZETA.tenantId, 'preset');
    assert.ok(field.choices.some((c) => c.value === ZETA.tenantId && c.title === 'Zeta Logistics'), 'and selectable');
    // A typeahead field shows a preset value as the raw tenant id in SDK-based renderers: a chosen customer is listed, not searched.
    assert.equal(field['choices.data'], undefined);

    const next = await me.describe(flowIdOf(card), { customerTenantId: ZETA.tenantId });
    const stored = await app.app.database.escalations.get(escalationIdOf(next));
    assert.equal(stored?.customer.tenantId, ZETA.tenantId);
    assert.equal(stored?.customer.name, 'Zeta Logistics');
  });

  it('"escalate Zeta" typed in the chat presets the customer it names; an unknown name says so', async () => {
    await app.post('/api/messages', message('escalate Zeta', options));
    await connector.waitForSent(1);
    const field = customerField(sentCards(connector).at(-1) ?? {});
    assert.equal(field.value, ZETA.tenantId);
    assert.equal(field.choices[0]?.value, ZETA.tenantId);

    await app.post('/api/messages', message('escalate Nobody Such', options));
    await connector.waitForSent(2);
    const unknown = sentCards(connector).at(-1) ?? {};
    assert.ok(has(unknown, /No customer matches "Nobody Such"/));
    assert.equal(customerField(unknown).value ?? '', '');
  });

  it('Contoso (on the first page) still escalates as before', async () => {
    const card = await me.act('escalate', {});
    const next = await me.act('describe', describeData(flowIdOf(card)));
    const stored = await app.app.database.escalations.get(escalationIdOf(next));
    assert.equal(stored?.customer.tenantId, CONTOSO);
  });
});

describe('a partner whose customers all fit on the card', () => {
  let connector: ConnectorDouble;
  let app: RunningApp;
  beforeEach(async () => {
    connector = await new ConnectorDouble().start();
    app = await startApp();
  });
  afterEach(async () => {
    await app.stop();
    await connector.stop();
  });

  it('gets every customer listed and no typeahead (it would show a chosen customer as its tenant id where typeahead is missing)', async () => {
    const field = customerField(await new Engineer(app, connector).act('escalate', {}));
    assert.equal(field['choices.data'], undefined);
    // Every customer of the sandbox seed (fifteen since the incident sweep needed more), by name.
    const seeded = loadSandboxData().customers.map((c) => ({ tenantId: c.tenantId, companyName: c.companyName, domain: c.domain }));
    assert.ok(seeded.length <= STATIC_CUSTOMER_CHOICES);
    assert.deepEqual(field.choices.map((c) => c.title), [...seeded].sort(byCompanyName).map((c) => c.companyName));
  });
});
