/**
 * The describe card's customer choices and the typeahead behind them, without HTTP: the preset
 * customer is always selectable, the first page is bounded, and a slow or failing directory
 * gets a clear answer within the invoke's time.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import sinon from 'sinon';
import { PROJECT_ROOT } from '../../src/app';
import { STATIC_CUSTOMER_BYTES, STATIC_CUSTOMER_CHOICES, createCustomerSearch, staticCustomerChoices } from '../../src/bot/flow/customer-choices';
import type { HandlerContext } from '../../src/bot/bot';
import { SandboxCustomerDirectory, type CustomerDirectory } from '../../src/directory';
import { Localizer } from '../../src/i18n';
import { generatedCustomers } from '../helpers/many-customers';

const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));

function directoryOf(count: number): SandboxCustomerDirectory {
  return new SandboxCustomerDirectory({ customers: generatedCustomers(count).map((c) => ({ ...c, healthAccess: 'granted', services: [] })) });
}

function ctx(locale = 'en-US'): HandlerContext {
  return {
    tr: localizer.forLocale(locale),
    info: { correlationId: '0123456789abcdef', conversationType: 'personal', logger: pino({ level: 'silent' }) },
    args: '',
    data: {},
  } as unknown as HandlerContext;
}

describe('describe card: customer choices and typeahead', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  it('any preset customer of 5,000 is among the static choices, first; the page stays bounded', async () => {
    const directory = directoryOf(5_000);
    const everyone = await directory.list();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: everyone.length - 1 }), async (i) => {
        const preset = everyone[i];
        assert.ok(preset);
        const { customers, total } = await staticCustomerChoices(directory, [preset]);
        assert.equal(customers[0]?.tenantId, preset.tenantId);
        assert.ok(customers.length <= STATIC_CUSTOMER_CHOICES);
        assert.equal(new Set(customers.map((c) => c.tenantId)).size, customers.length, 'no customer twice');
        assert.equal(total, everyone.length);
      }),
      { numRuns: 200 },
    );
  });

  it('long names are cut and the list stops at its byte budget; required customers stay even past it', async () => {
    const long = Array.from({ length: 200 }, (_, i) => ({
      tenantId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      companyName: `한국어 회사 이름 ${'가'.repeat(300)} ${i}`,
      domain: `k${i}.example`,
      healthAccess: 'granted' as const,
      services: [],
    }));
    const directory = new SandboxCustomerDirectory({ customers: long });
    const all = await directory.list();
    const first = all.slice(150, 153);
    const { customers } = await staticCustomerChoices(directory, first);
    const bytes = customers.slice(first.length).reduce((n, c) => n + Buffer.byteLength(JSON.stringify({ title: c.name, value: c.tenantId })) + 1, 0);
    assert.ok(bytes <= STATIC_CUSTOMER_BYTES, `${bytes} bytes`);
    assert.deepEqual(customers.slice(0, 3).map((c) => c.tenantId), first.map((c) => c.tenantId));
    assert.ok(customers.every((c) => [...c.name].length <= 120));
  });

  it('a first listing slower than the budget answers "still loading" in time, and the next keystroke is served', async () => {
    const directory = directoryOf(10);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = directory.find.bind(directory);
    sandbox.stub(directory, 'find').callsFake(async (q, p) => {
      await gate;
      return real(q, p);
    });
    const search = createCustomerSearch({ directory, timeoutMs: 50 });
    const started = Date.now();
    const slow = await search(ctx(), { text: 'adatum', skip: 0, top: 15 });
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual(slow, { error: { statusCode: 503, code: 'CustomerListLoading', message: 'Your customer list is still loading. Type again in a moment.' } });
    release();
    const served = await search(ctx(), { text: 'adatum', skip: 0, top: 15 });
    assert.ok('results' in served && served.results.length > 0);
  });

  it('a directory that fails answers with the reason and a reference, in the engineer’s language', async () => {
    const failing = { find: () => Promise.reject(new Error('Partner Center 503')) } as unknown as CustomerDirectory;
    const answer = await createCustomerSearch({ directory: failing, timeoutMs: 1_000 })(ctx('ko-KR'), { text: 'x', skip: 0, top: 15 });
    assert.ok('error' in answer);
    assert.equal(answer.error.code, 'CustomerListUnavailable');
    assert.match(answer.error.message, /고객 목록에 연결할 수 없습니다.*01234567/);
  });
});
