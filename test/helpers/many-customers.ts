/**
 * A partner with thousands of customers, as a sandbox seed file (SANDBOX_HEALTH_FILE): the
 * customers of sandbox/health.json plus generated ones, Korean names among them, so that
 * Fabrikam, Northwind and "Zeta Logistics" sort far beyond the first hundred.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/app';
import type { Customer } from '../../src/directory';

const PREFIXES = [
  'Adatum',
  'Alpine Ski House',
  'Bellows College',
  'Best For You Organics',
  'Coho Winery',
  'Consolidated Messenger',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lamna Healthcare',
  'Litware',
  'Lucerne Publishing',
  'Margie Travel',
  'Munson Pickles',
  'Proseware',
  'Relecloud',
  'Southridge Video',
  'Trey Research',
  'Wide World Importers',
  'Woodgrove Bank',
  '한빛전자',
  '새벽물산',
  '가람건설',
];

/** The generated customer that sorts near the end of the Latin names: beyond any first page. */
export const ZETA: Customer = { tenantId: 'e7a1c0de-0000-4000-8000-00000000fe7a', companyName: 'Zeta Logistics', domain: 'zetalogistics.onmicrosoft.com' };
/** A Korean-named customer, written in composed Hangul. */
export const HANBIT: Customer = { tenantId: 'e7a1c0de-0000-4000-8000-0000000a11b1', companyName: '(주)한빛소프트', domain: 'hanbitsoft.onmicrosoft.com' };

const hex12 = (n: number): string => n.toString(16).padStart(12, '0');

/** `count` generated customers (deterministic), plus ZETA and HANBIT. */
export function generatedCustomers(count: number): Customer[] {
  const out: Customer[] = [ZETA, HANBIT];
  for (let i = 0; out.length < count + 2; i += 1) {
    const prefix = PREFIXES[i % PREFIXES.length] ?? 'Customer';
    const n = String(Math.floor(i / PREFIXES.length) + 1).padStart(4, '0');
    out.push({ tenantId: `00000000-0000-4000-8000-${hex12(i + 1)}`, companyName: `${prefix} ${n}`, domain: `c${i + 1}.onmicrosoft.com` });
  }
  return out;
}

/**
 * Writes a sandbox seed with the real sandbox customers and `count` generated ones (each with
 * Exchange Online and Microsoft Teams operational) to `dir`; returns its path and every customer.
 */
export function writeManyCustomersSeed(dir: string, count: number): { path: string; customers: Customer[] } {
  const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'sandbox', 'health.json'), 'utf8')) as { customers: Customer[]; [other: string]: unknown };
  const operational = (id: string, service: string) => ({ id, service, status: 'ServiceOperational', issues: [] });
  const generated = generatedCustomers(count).map((c) => ({
    ...c,
    healthOverviews: [operational('Exchange', 'Exchange Online'), operational('microsoftteams', 'Microsoft Teams')],
  }));
  const path = join(dir, 'many-customers.json');
  // The seed's shared incidents and default services stay: they belong to its customers.
  writeFileSync(path, JSON.stringify({ ...base, customers: [...base.customers, ...generated] }));
  return {
    path,
    customers: [...base.customers, ...generated].map((c) => ({ tenantId: c.tenantId.toLowerCase(), companyName: c.companyName, domain: c.domain })),
  };
}
