/**
 * The partner's customers: who the bot can open an escalation for, found by name or domain.
 */
import { UpstreamError } from '../http/errors';
import { CustomerIndex, type CustomerPage, type PageRequest } from './search';

export { UpstreamError };
export type { CustomerPage, PageRequest };

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
  /** Customers whose name, domain or tenant id contains `query` (case-insensitive), best first, at most `limit`. */
  search(query: string, limit?: number): Promise<readonly Customer[]>;
  /** A page of the customers matching `query` as `search` ranks them, and how many match: for a typeahead over thousands. */
  find(query: string, page: PageRequest): Promise<CustomerPage>;
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

/** `limit` as `search` reads it: 1 to MAX_SEARCH_LIMIT. */
export function searchLimit(limit = DEFAULT_SEARCH_LIMIT): number {
  return Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(limit)));
}

/**
 * Searches a customer list (see `CustomerIndex.find`): exact matches, then names and domains
 * that start with the query, then fragments; alphabetical within each. An empty query lists the
 * first ones. Directories keep a prepared index instead of calling this per query.
 */
export function searchCustomers(customers: readonly Customer[], query: string, limit = DEFAULT_SEARCH_LIMIT): Customer[] {
  return [...new CustomerIndex([...customers].sort(byCompanyName)).find(query, { skip: 0, top: searchLimit(limit) }).customers];
}

/** Sorts customers by company name, case-insensitively. */
export function byCompanyName(a: Customer, b: Customer): number {
  return COMPANY_NAME_ORDER.compare(a.companyName, b.companyName);
}

/** One collator for every sort: `localeCompare` with options builds one per call. */
const COMPANY_NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });
