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
  /** The customer's language (e.g. `ko`, `en-GB`) when the directory knows it: notices to them are drafted in it. */
  readonly language?: string;
  /**
   * The partner's own response target for this customer in hours, when the directory sets one
   * (the sandbox seed's `responseTargetHours`; Partner Center has none: PARTNER_RESPONSE_TARGETS_FILE).
   */
  readonly responseTargetHours?: number;
}

/** One page of matching customers and how many match in all. */
export interface CustomerPage {
  readonly customers: readonly Customer[];
  /** Every match, not just this page's. */
  readonly total: number;
}

/** Which part of a long result list to return. */
export interface PageRequest {
  readonly skip: number;
  readonly top: number;
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

/** Sorts customers by company name, case-insensitively. */
export function byCompanyName(a: Customer, b: Customer): number {
  return COMPANY_NAME_ORDER.compare(a.companyName, b.companyName);
}

/** One collator for every sort: `localeCompare` with options builds one per call. */
const COMPANY_NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });
