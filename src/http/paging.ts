/**
 * Following server-driven paging (Graph `@odata.nextLink`, Partner Center `links.next`)
 * safely: only links on the same origin as the first request (a bearer token must never
 * leave for another host), at most a bounded number of pages, no loops.
 */
import type { UpstreamClient, UpstreamRequest } from './upstream';
import { UpstreamError } from './errors';

/** Where the next page is, as read from one page's body. */
export interface NextPage {
  /** Absolute URL of the next page. */
  readonly url: string;
  /** Extra headers the next page needs (Partner Center's continuation token). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How to read one page: its items, and where the next one is. */
export type PageReader<T> = (body: unknown) => { readonly items: readonly T[]; readonly next?: NextPage };

/** Default cap of pages read for one list. */
export const DEFAULT_MAX_PAGES = 50;

/** Options of `collectPages`. */
export interface CollectOptions {
  /** Stop with an error beyond this many pages (default 50). */
  readonly maxPages?: number;
  /** Headers that must differ per page (e.g. a fresh MS-RequestId); reused on that page's retries. */
  readonly perPageHeaders?: () => Readonly<Record<string, string>>;
}

/** Reads every page of a list and returns all items in order. */
export async function collectPages<T>(
  client: UpstreamClient,
  first: UpstreamRequest,
  read: PageReader<T>,
  options: CollectOptions = {},
): Promise<T[]> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const origin = new URL(first.url).origin;
  // Keyed by URL and headers: Partner Center may repeat a URL with a new continuation token.
  const seen = new Set<string>();
  const items: T[] = [];
  let request: UpstreamRequest | undefined = first;
  let pages = 0;
  while (request) {
    if (pages >= maxPages) throw new UpstreamError(client.upstreamName, 'malformed', pages);
    seen.add(pageKey(request));
    const page = read(await client.json({ ...request, headers: { ...request.headers, ...options.perPageHeaders?.() } }));
    pages++;
    items.push(...page.items);
    const next = page.next;
    if (!next) break;
    const nextRequest: UpstreamRequest = { ...first, url: next.url, headers: { ...first.headers, ...next.headers } };
    if (new URL(next.url).origin !== origin || seen.has(pageKey(nextRequest))) {
      // A link to another host, or one that loops, is not followed: the list would be wrong.
      throw new UpstreamError(client.upstreamName, 'malformed', pages);
    }
    request = nextRequest;
  }
  return items;
}

function pageKey(request: UpstreamRequest): string {
  return `${request.url}\n${JSON.stringify(request.headers ?? {})}`;
}
