import { strict as assert } from 'node:assert';
import { ManualClock } from '../../src/domain/clock';
import { createCustomerDirectory } from '../../src/directory';
import { searchCustomers } from '../../src/directory/search';
import type { Customer } from '../../src/directory/types';
import { runLogger } from '../http/helpers/http-double';

describe('sandbox customer directory', () => {
  const directory = createCustomerDirectory({
    source: 'sandbox',
    logger: runLogger(),
    clock: new ManualClock(),
    loginEndpoint: 'https://login.microsoftonline.com',
    partnerCenterEndpoint: 'https://api.partnercenter.microsoft.com',
  });

  it('lists the customers of sandbox/health.json, sorted by name', async () => {
    const names = (await directory.list()).map((c) => c.companyName);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
    assert.ok(names.includes('Contoso') && names.includes('Northwind Traders'));
  });

  it('finds customers by name or domain fragment, any case', async () => {
    assert.deepEqual((await directory.search('NORTHWIND')).map((c) => c.tenantId), ['c5d8a2e3-1f4b-4a7c-8e9d-6b2f3a0c9d03']);
    assert.deepEqual((await directory.search('tailspintoys.onmicrosoft')).map((c) => c.companyName), ['Tailspin Toys']);
  });
});

describe('searchCustomers', () => {
  const many: Customer[] = Array.from({ length: 80 }, (_, i) => ({
    tenantId: `t${i}`,
    companyName: `Customer ${String(i).padStart(2, '0')}`,
    domain: `c${i}.example.com`,
  }));
  const cases: [string, number | undefined, number][] = [
    ['customer', undefined, 10],
    ['customer', 3, 3],
    ['customer', 500, 50],
    ['example.com', 0, 1],
    ['zzz', undefined, 0],
  ];
  for (const [query, limit, expected] of cases) {
    it(`"${query}" limit ${String(limit)} → ${expected} results`, () => {
      assert.equal(searchCustomers(many, query, limit).length, expected);
    });
  }

  it('ranks names that start with the query first', () => {
    const list: Customer[] = [
      { tenantId: '1', companyName: 'Big Contoso Holdings', domain: 'bigc.com' },
      { tenantId: '2', companyName: 'Contoso', domain: 'contoso.com' },
    ];
    assert.deepEqual(searchCustomers(list, 'contoso').map((c) => c.tenantId), ['2', '1']);
  });
});
