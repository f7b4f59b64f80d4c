/**
 * Reads "<customer> [more words]" typed by an engineer: the longest leading run of words
 * that names exactly one customer wins, and the rest is returned (e.g. a service name).
 */
import type { Customer, CustomerDirectory } from './types';

/** What a typed customer reference resolved to. */
export type CustomerResolution =
  | { readonly kind: 'found'; readonly customer: Customer; readonly rest: string }
  | { readonly kind: 'ambiguous'; readonly query: string; readonly candidates: readonly Customer[] }
  | { readonly kind: 'none'; readonly query: string };

const MAX_WORDS = 8;

/** Resolves the customer at the start of `text`. */
export async function resolveCustomer(directory: CustomerDirectory, text: string): Promise<CustomerResolution> {
  const words = text.trim().split(/\s+/).filter(Boolean).slice(0, MAX_WORDS + 8);
  let firstAmbiguous: CustomerResolution | undefined;
  for (let k = Math.min(words.length, MAX_WORDS); k >= 1; k -= 1) {
    const query = words.slice(0, k).join(' ');
    const hits = await directory.search(query, 10);
    const q = query.toLowerCase();
    const exact = hits.filter((c) => c.companyName.toLowerCase() === q || c.domain.toLowerCase() === q || c.tenantId === q);
    const pick = exact.length === 1 ? exact[0] : hits.length === 1 ? hits[0] : undefined;
    if (pick) return { kind: 'found', customer: pick, rest: words.slice(k).join(' ') };
    if (hits.length > 1 && !firstAmbiguous) firstAmbiguous = { kind: 'ambiguous', query, candidates: hits };
  }
  return firstAmbiguous ?? { kind: 'none', query: words.join(' ') };
}
