import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { CustomerIndex, searchForm } from '../../src/directory/search';
import { byCompanyName, type Customer } from '../../src/directory/types';

const c = (tenantId: string, companyName: string, domain: string): Customer => ({ tenantId, companyName, domain });

describe('directory/search: CustomerIndex', () => {
  const list = [
    c('00000000-0000-4000-8000-000000000001', 'Big Contoso Holdings', 'bigc.com'),
    c('00000000-0000-4000-8000-000000000002', 'Contoso', 'contoso.onmicrosoft.com'),
    c('00000000-0000-4000-8000-000000000003', 'Contoso Pharmaceuticals', 'contosopharma.com'),
    c('00000000-0000-4000-8000-000000000004', 'Encontoso Ltd', 'enc.example'),
    c('00000000-0000-4000-8000-000000000005', '(주)한빛소프트', 'hanbit.onmicrosoft.com'),
    c('00000000-0000-4000-8000-000000000006', 'Northwind Traders', 'northwind.contoso-partner.com'),
  ].sort(byCompanyName);
  const index = new CustomerIndex(list);
  const names = (query: string, skip = 0, top = 15) => index.find(query, { skip, top }).customers.map((x) => x.companyName);

  it('ranks exact, then starts-with, then a later word, then any fragment; alphabetical within each', () => {
    assert.deepEqual(names('contoso'), ['Contoso', 'Contoso Pharmaceuticals', 'Big Contoso Holdings', 'Encontoso Ltd', 'Northwind Traders']);
  });

  it('matches the tenant id, whole or in part, in any case', () => {
    assert.deepEqual(names('00000000-0000-4000-8000-000000000006'.toUpperCase()), ['Northwind Traders']);
    assert.deepEqual(names('000000000005'), ['(주)한빛소프트']);
  });

  it('compares in one Unicode form: decomposed Hangul and full-width Latin find their names', () => {
    assert.deepEqual(names('한빛'.normalize('NFD')), ['(주)한빛소프트']);
    assert.deepEqual(names('ＣＯＮＴＯＳＯ　ＰＨＡＲＭＡ'), ['Contoso Pharmaceuticals']);
    assert.equal(searchForm('  A\u00a0 B  '), 'a b');
  });

  it('an empty query lists everyone in order, with the total', () => {
    assert.deepEqual(index.find('', { skip: 0, top: 2 }), { customers: list.slice(0, 2), total: list.length });
  });

  it('pages: any skip/top slices the same ranked list, with no gap or overlap', () => {
    const many = Array.from({ length: 300 }, (_, i) => c(`t-${i}`, `Customer ${i % 7 === 0 ? 'Alpha' : 'Beta'} ${i}`, `c${i}.example.com`)).sort(byCompanyName);
    const big = new CustomerIndex(many);
    fc.assert(
      fc.property(fc.constantFrom('', 'alpha', 'beta', 'customer', 'c1', 'example', 'zzz', '1'), fc.nat(320), fc.integer({ min: 1, max: 50 }), (query, skip, top) => {
        const whole = big.find(query, { skip: 0, top: 10_000 });
        const page = big.find(query, { skip, top });
        assert.equal(page.total, whole.total);
        assert.deepEqual(page.customers, whole.customers.slice(skip, skip + top));
      }),
    );
  });
});
