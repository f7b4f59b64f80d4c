/**
 * The partner's customers from Partner Center (`GET /v1/customers`, app-only token for the
 * partner tenant), cached for minutes: the list changes rarely and every triage starts with
 * a customer lookup.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { AppTokenError, type AppTokenSource } from '../http/app-token';
import { UpstreamError, UpstreamStatusError } from '../http/errors';
import { newRequestId } from '../http/ids';
import { collectPages, type NextPage } from '../http/paging';
import { LoadingCache } from '../http/loading-cache';
import type { UpstreamClient } from '../http/upstream';
import { CustomerIndex } from './search';
import {
  DirectoryAccessError,
  byCompanyName,
  searchLimit,
  type Customer,
  type CustomerDirectory,
  type CustomerPage,
  type PageRequest,
} from './types';

/** Dependencies and settings of the Partner Center directory. */
export interface PartnerCenterDirectoryOptions {
  /** e.g. https://api.partnercenter.microsoft.com */
  readonly partnerCenterEndpoint: string;
  readonly partnerTenantId: string;
  /** App-only tokens for the Partner Center scope. */
  readonly tokens: AppTokenSource;
  readonly http: UpstreamClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long the list is served without asking again (default 15 minutes). */
  readonly ttlMs?: number;
  /** Customers per page requested (default 100). */
  readonly pageSize?: number;
  /** Stop beyond this many pages (default 200). */
  readonly maxPages?: number;
}

/** Default time a fetched customer list is served. */
export const DEFAULT_DIRECTORY_TTL_MS = 15 * 60_000;

const customersPage = z.object({
  items: z
    .array(
      z.object({
        companyProfile: z.object({
          tenantId: z.string().nullish(),
          domain: z.string().nullish(),
          companyName: z.string().nullish(),
        }),
        // The Customer resource's billing profile carries the customer's language where Partner Center sends it.
        billingProfile: z.object({ language: z.string().nullish(), culture: z.string().nullish() }).nullish().catch(undefined),
      }),
    )
    .default([]),
  links: z
    .object({
      next: z
        .object({
          uri: z.string(),
          headers: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

/** The fetched list, and the same list prepared for searching (built once per fetch). */
interface CustomerList {
  readonly customers: readonly Customer[];
  readonly index: CustomerIndex;
}

/** The one key of the cache: the partner's whole customer list. */
const LIST = 'customers';

/** Customers from Partner Center, cached and coalesced. */
export class PartnerCenterDirectory implements CustomerDirectory {
  private readonly cache: LoadingCache<typeof LIST, CustomerList>;
  private readonly base: string;

  constructor(private readonly options: PartnerCenterDirectoryOptions) {
    this.base = options.partnerCenterEndpoint.replace(/\/+$/, '');
    this.cache = new LoadingCache({ max: 1, freshnessMs: options.ttlMs ?? DEFAULT_DIRECTORY_TTL_MS, clock: options.clock });
  }

  /** Every customer, from cache while fresh. */
  async list(): Promise<readonly Customer[]> {
    return (await this.current()).customers;
  }

  /** Customers matching a name, domain or tenant id fragment. */
  async search(query: string, limit?: number): Promise<readonly Customer[]> {
    return (await this.current()).index.find(query, { skip: 0, top: searchLimit(limit) }).customers;
  }

  /** A page of the customers matching `query`, from the cached list. */
  async find(query: string, page: PageRequest): Promise<CustomerPage> {
    return (await this.current()).index.find(query, page);
  }

  /** One customer by tenant id. */
  async get(tenantId: string): Promise<Customer | undefined> {
    const wanted = tenantId.toLowerCase();
    return (await this.list()).find((c) => c.tenantId === wanted);
  }

  /**
   * The cached list while fresh, else a new one: concurrent lookups share one listing (the
   * partner may have thousands of customers). An old list beats no list when Partner Center is
   * unavailable: customers are rarely added or removed within the hour.
   */
  private async current(): Promise<CustomerList> {
    const answer = await this.cache.get(LIST, { load: () => this.fetchList(), serveStaleOn: (error) => error instanceof UpstreamError });
    return answer.value;
  }

  private async fetchList(): Promise<CustomerList> {
    const { http, tokens, partnerTenantId, logger } = this.options;
    const correlationId = newRequestId();
    try {
      const customers = await collectPages(
        http,
        {
          url: `${this.base}/v1/customers?size=${this.options.pageSize ?? 100}`,
          headers: { 'MS-CorrelationId': correlationId, Accept: 'application/json' },
          bearerToken: () => tokens.getToken(partnerTenantId),
        },
        (body) => this.readPage(body),
        // Each page is its own request: a new MS-RequestId, kept across that page's retries.
        { maxPages: this.options.maxPages ?? 200, perPageHeaders: () => ({ 'MS-RequestId': newRequestId() }) },
      );
      const unique = new Map(customers.map((c) => [c.tenantId, c]));
      const sorted = [...unique.values()].sort(byCompanyName);
      logger.debug({ count: sorted.length, correlationId }, 'customer list refreshed');
      return { customers: sorted, index: new CustomerIndex(sorted) };
    } catch (error) {
      const mapped = mapError(error);
      if (mapped instanceof UpstreamError) {
        logger.warn({ correlationId, err: mapped.failure }, 'Partner Center unavailable; serving the previous customer list if there is one');
      }
      throw mapped;
    }
  }

  private readPage(body: unknown): { items: Customer[]; next?: NextPage } {
    const page = customersPage.safeParse(body);
    if (!page.success) throw new UpstreamError(this.options.http.upstreamName, 'malformed', 1);
    const items: Customer[] = [];
    for (const item of page.data.items) {
      const { tenantId, domain, companyName } = item.companyProfile;
      if (!tenantId) continue;
      const language = item.billingProfile?.culture ?? item.billingProfile?.language;
      items.push({
        tenantId: tenantId.toLowerCase(),
        companyName: companyName ?? domain ?? tenantId,
        domain: domain ?? '',
        ...(language ? { language: language.slice(0, 35) } : {}),
      });
    }
    const next = page.data.links?.next;
    if (!next) return { items };
    return {
      items,
      next: {
        url: this.resolve(next.uri),
        headers: Object.fromEntries((next.headers ?? []).map((h) => [h.key, h.value])),
      },
    };
  }

  /** Partner Center's `links.next.uri` is relative to `/v1` (e.g. "/customers?size=100&seekOperation=Next"). */
  private resolve(uri: string): string {
    if (/^https?:\/\//i.test(uri)) return uri;
    const path = uri.startsWith('/') ? uri : `/${uri}`;
    return path.toLowerCase().startsWith('/v1/') ? `${this.base}${path}` : `${this.base}/v1${path}`;
  }
}

function mapError(error: unknown): unknown {
  if (error instanceof AppTokenError) {
    return error.kind === 'denied'
      ? new DirectoryAccessError('token')
      : new UpstreamError('Microsoft Entra sign-in', 'unavailable', 1, undefined, undefined, { cause: error });
  }
  if (error instanceof UpstreamStatusError) {
    if (error.status === 401 || error.status === 403) return new DirectoryAccessError(error.status);
    return new UpstreamError(error.upstream, 'unavailable', 1, error.status, undefined, { cause: error });
  }
  return error;
}
