/**
 * Finding a customer among thousands as the engineer types: by company name, domain or tenant
 * id, in any letter case and any Unicode form (a Korean name typed as decomposed jamo, a
 * full-width "Ｃｏｎｔｏｓｏ"), best matches first, a page at a time. Built once per customer list
 * (each name normalized once), so a keystroke costs one pass over prepared strings.
 */
import { byCompanyName, searchLimit, DEFAULT_SEARCH_LIMIT, type Customer, type CustomerPage, type PageRequest } from './types';

/** Longest query read; nothing a person types to find a customer is longer. */
export const MAX_QUERY_LENGTH = 100;

/** The form strings are compared in: compatibility-composed (NFKC), lower case, single spaces. */
export function searchForm(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

interface Entry {
  readonly customer: Customer;
  readonly name: string;
  readonly domain: string;
  readonly tenantId: string;
  /** All three, for the one `includes` that rules most customers out. */
  readonly all: string;
}

/** Where a word of a name starts: after a space or punctuation. */
const WORD_START = /[\s\p{P}]/u;

/** How well a customer matches; lower is better. */
function rank(e: Entry, q: string): number {
  if (e.name === q || e.domain === q || e.tenantId === q) return 0;
  if (e.name.startsWith(q) || e.domain.startsWith(q) || e.tenantId.startsWith(q)) return 1;
  const at = e.name.indexOf(q);
  if (at > 0) {
    // A later word of the name starting with the query ("Big Contoso" for "cont") beats a fragment inside a word.
    for (let i = at; i !== -1; i = e.name.indexOf(q, i + 1)) if (WORD_START.test(e.name[i - 1] ?? '')) return 2;
    return 3;
  }
  if (e.domain.includes(q) || e.tenantId.includes(q)) return 3;
  return -1;
}

/** A customer list prepared for searching. */
export class CustomerIndex {
  private readonly entries: readonly Entry[];

  /** `customers` in the order an empty query lists them (and ties are broken in). */
  constructor(customers: readonly Customer[]) {
    this.entries = customers.map((customer) => {
      const name = searchForm(customer.companyName);
      const domain = searchForm(customer.domain);
      const tenantId = customer.tenantId.toLowerCase();
      return { customer, name, domain, tenantId, all: `${name}\n${domain}\n${tenantId}` };
    });
  }

  /** How many customers the index holds. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The `page` of customers matching `query`: exact name, domain or tenant id first, then
   * those starting with it, then a later word of the name starting with it, then any other
   * fragment; in list order within each. An empty query lists every customer.
   */
  find(query: string, page: PageRequest): CustomerPage {
    const skip = Math.max(0, Math.floor(page.skip));
    const top = Math.max(0, Math.floor(page.top));
    const q = searchForm(query.slice(0, MAX_QUERY_LENGTH));
    if (q === '') return { customers: this.entries.slice(skip, skip + top).map((e) => e.customer), total: this.entries.length };
    // Each rank keeps only as many as the page could reach, and counts the rest.
    const keep = skip + top;
    const buckets: Customer[][] = [[], [], [], []];
    let total = 0;
    for (const e of this.entries) {
      if (!e.all.includes(q)) continue;
      const bucket = buckets[rank(e, q)];
      if (bucket === undefined) continue;
      total += 1;
      if (bucket.length < keep) bucket.push(e.customer);
    }
    return { customers: buckets.flat().slice(skip, keep), total };
  }
}

/**
 * Searches a customer list as `CustomerIndex.find` ranks it, sorted by company name first; at
 * most `limit` (1 to MAX_SEARCH_LIMIT). Directories keep a prepared index instead of calling
 * this per query.
 */
export function searchCustomers(customers: readonly Customer[], query: string, limit = DEFAULT_SEARCH_LIMIT): Customer[] {
  return [...new CustomerIndex([...customers].sort(byCompanyName)).find(query, { skip: 0, top: searchLimit(limit) }).customers];
}
