/**
 * The partner's customers: who the bot can open an escalation for, found by name or domain.
 */
import { UpstreamError } from '../http/errors';

export { UpstreamError };

/** One customer of the partner. */
export interface Customer {
  /** The customer's Entra tenant id (GUID, lowercase). */
  readonly tenantId: string;
  readonly companyName: string;
  /** Primary domain, e.g. contoso.onmicrosoft.com. */
  readonly domain: string;
}

/** Default and maximum number of search results. */
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 50;

/** Lists and searches the partner's customers. */
export interface CustomerDirectory {
  /** Every customer, sorted by company name. */
  list(): Promise<readonly Customer[]>;
  /** Customers whose name or domain contains `query` (case-insensitive), at most `limit`. */
  search(query: string, limit?: number): Promise<readonly Customer[]>;
  /** One customer by tenant id, or undefined. */
  get(tenantId: string): Promise<Customer | undefined>;
}

/** Partner Center refused the partner's app (401/403): the message says what to fix. */
export class DirectoryAccessError extends Error {
  override readonly name = 'DirectoryAccessError';

  constructor(readonly reason: 401 | 403 | 'token') {
    super(
      "Partner Center did not let Escalation Desk list your customers. The app needs Partner Center API access " +
        '(registered under Account settings → App management) and a token for the partner tenant.',
    );
  }
}

/**
 * Searches a customer list: case-insensitive substring of name or domain; names that start
 * with the query rank first, then alphabetical. An empty query lists the first ones.
 */
export function searchCustomers(customers: readonly Customer[], query: string, limit = DEFAULT_SEARCH_LIMIT): Customer[] {
  const cap = Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(limit)));
  const q = query.trim().toLowerCase();
  const hits = customers.filter(
    (c) => q === '' || c.companyName.toLowerCase().includes(q) || c.domain.toLowerCase().includes(q),
  );
  const rank = (c: Customer): number =>
    q !== '' && (c.companyName.toLowerCase().startsWith(q) || c.domain.toLowerCase().startsWith(q)) ? 0 : 1;
  return hits
    .sort((a, b) => rank(a) - rank(b) || a.companyName.localeCompare(b.companyName, 'en', { sensitivity: 'base' }))
    .slice(0, cap);
}

/** Sorts customers by company name, case-insensitively. */
export function byCompanyName(a: Customer, b: Customer): number {
  return COMPANY_NAME_ORDER.compare(a.companyName, b.companyName);
}

/** One collator for every sort: `localeCompare` with options builds one per call. */
const COMPANY_NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });
