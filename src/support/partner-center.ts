/**
 * Microsoft service requests through Partner Center (PRODUCT.md): read one, list a customer's,
 * add a note, close. Service-request calls accept App+User tokens only, so the token comes from
 * the Secure Application Model: a partner Admin Agent's refresh token exchanged with MSAL for
 * the `user_impersonation` scope. Every call goes through the shared UpstreamClient (429
 * Retry-After, 5xx backoff with jitter) with an MS-RequestId that its retries reuse.
 */
import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../domain/clock';
import { isEntraBusy, msalConfiguration } from '../http/app-token';
import { credentialOf, msalClientAuth, type ClientCredential } from '../http/client-credential';
import { UpstreamError, UpstreamStatusError } from '../http/errors';
import { newRequestId } from '../http/ids';
import { collectPages, type NextPage } from '../http/paging';
import type { UpstreamClient } from '../http/upstream';
import {
  SupportAccessError,
  UnknownServiceRequestError,
  UnsupportedSupportOperationError,
  isValidServiceRequestId,
  normalizeServiceRequest,
  type ServiceRequest,
  type SettableStatus,
  type SupportProvider,
} from './types';

/** The scope of App+User Partner Center tokens. */
export const PARTNER_CENTER_USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';

/** Gives an App+User bearer token for Partner Center. */
export interface UserTokenSource {
  /** A valid access token; throws `SupportAccessError` when the refresh token is refused. */
  getToken(): Promise<string>;
}

/** Settings of the Secure Application Model token source. */
export interface RefreshTokenSourceOptions {
  /** Entra authority host, e.g. https://login.microsoftonline.com (a loopback http double in tests). */
  readonly loginEndpoint: string;
  readonly partnerTenantId: string;
  readonly clientId: string;
  /** Shorthand for a secret credential. */
  readonly clientSecret?: string;
  /** A secret, a certificate or a managed identity's federated credential (wins over clientSecret). */
  readonly credential?: ClientCredential;
  /** The partner Admin Agent's refresh token (PARTNER_CENTER_REFRESH_TOKEN). */
  readonly refreshToken: string;
  /** Default: the Partner Center user_impersonation scope. */
  readonly scope?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Renew this long before the access token expires (default 5 minutes). */
  readonly renewBeforeMs?: number;
}

/** App+User tokens from a refresh token, kept until shortly before they expire. */
export class RefreshTokenSource implements UserTokenSource {
  private readonly client: ConfidentialClientApplication;
  private cached: { readonly token: string; readonly expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(private readonly options: RefreshTokenSourceOptions) {
    const auth = { clientId: options.clientId, ...msalClientAuth(credentialOf(options)) };
    this.client = new ConfidentialClientApplication(msalConfiguration(options.loginEndpoint, auth, options.partnerTenantId.toLowerCase()));
  }

  /** The cached token while fresh, otherwise one exchange shared by concurrent callers. */
  getToken(): Promise<string> {
    const now = this.options.clock.now().getTime();
    if (this.cached && now < this.cached.expiresAt - (this.options.renewBeforeMs ?? 5 * 60_000)) {
      return Promise.resolve(this.cached.token);
    }
    this.inFlight ??= this.exchange().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async exchange(): Promise<string> {
    const { logger } = this.options;
    try {
      const result = await this.client.acquireTokenByRefreshToken({
        scopes: [this.options.scope ?? PARTNER_CENTER_USER_SCOPE],
        refreshToken: this.options.refreshToken,
      });
      if (!result?.accessToken) throw new UpstreamError('Microsoft Entra sign-in', 'malformed', 1);
      // MSAL dates the expiry with the wall clock; the lifetime is carried over to ours.
      const lifetimeMs = result.expiresOn ? result.expiresOn.getTime() - Date.now() : 30 * 60_000;
      const expiresAt = this.options.clock.now().getTime() + lifetimeMs;
      this.cached = { token: result.accessToken, expiresAt };
      return result.accessToken;
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      // Entra being busy says nothing about the refresh token: it must not be reported as refused.
      if (error instanceof ServerError && !isEntraBusy(error)) {
        const aadsts = /AADSTS\d+/.exec(error.errorMessage ?? '')?.[0];
        const code = [error.errorCode, aadsts].filter(Boolean).join(' ') || undefined;
        logger.error({ code }, 'Partner Center refresh token refused; renew PARTNER_CENTER_REFRESH_TOKEN');
        throw new SupportAccessError('refresh_token', code, { cause: error });
      }
      logger.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'Partner Center token request failed');
      throw new UpstreamError('Microsoft Entra sign-in', 'unavailable', 1, undefined, undefined, { cause: error });
    }
  }
}

/** Dependencies of the Partner Center support provider. */
export interface PartnerCenterSupportOptions {
  /** e.g. https://api.partnercenter.microsoft.com */
  readonly partnerCenterEndpoint: string;
  readonly tokens: UserTokenSource;
  readonly http: UpstreamClient;
  readonly logger: Logger;
  /** Stop listing beyond this many pages (default 20). */
  readonly maxPages?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const listPage = z.object({
  items: z.array(z.unknown()).nullish(),
  links: z
    .object({
      next: z
        .object({ uri: z.string(), headers: z.array(z.object({ key: z.string(), value: z.string() })).nullish() })
        .nullish(),
    })
    .nullish(),
});

/** Service requests through the Partner Center REST API. */
export class PartnerCenterSupportProvider implements SupportProvider {
  readonly source = 'partnercenter' as const;
  private readonly base: string;

  constructor(private readonly options: PartnerCenterSupportOptions) {
    this.base = options.partnerCenterEndpoint.replace(/\/+$/, '');
  }

  /** `GET /v1/servicerequests/{id}`. */
  async getRequest(id: string): Promise<ServiceRequest> {
    assertId(id);
    const body = await this.call(id, { url: `${this.base}/v1/servicerequests/${id}` });
    return this.read(body);
  }

  /** `GET /v1/customers/{tenant}/servicerequests`, every page. */
  async listCustomerRequests(customerTenantId: string): Promise<readonly ServiceRequest[]> {
    // The tenant goes into the path: only a GUID may.
    if (!GUID.test(customerTenantId)) throw new RangeError('A customer tenant id must be a GUID.');
    const correlationId = newRequestId();
    try {
      const raw = await collectPages(
        this.options.http,
        {
          url: `${this.base}/v1/customers/${customerTenantId.toLowerCase()}/servicerequests`,
          headers: { 'MS-CorrelationId': correlationId, Accept: 'application/json' },
          bearerToken: () => this.options.tokens.getToken(),
        },
        (body) => this.readPage(body),
        { maxPages: this.options.maxPages ?? 20, perPageHeaders: () => ({ 'MS-RequestId': newRequestId() }) },
      );
      return raw.map((item) => this.read(item));
    } catch (error) {
      throw mapError(error, undefined);
    }
  }

  /** `PATCH /v1/servicerequests/{id}` with `{"NewNote":{"Text":…}}`; 200 gives the request, 204 nothing. */
  async addNote(id: string, text: string, _author?: string, requestId?: string): Promise<ServiceRequest | undefined> {
    assertId(id);
    if (text.trim() === '') throw new RangeError('A note needs text.');
    // Partner Center records the refresh token's user as the author: the caller names the engineer in the text.
    const body = await this.call(id, { url: `${this.base}/v1/servicerequests/${id}`, method: 'PATCH', body: { NewNote: { Text: text } } }, requestId);
    return body === undefined ? undefined : this.read(body);
  }

  /** `PATCH /v1/servicerequests/{id}` with `{"Status":"closed"}`: the only status Partner Center lets a partner set. */
  async setStatus(id: string, status: SettableStatus): Promise<ServiceRequest | undefined> {
    assertId(id);
    if (status !== 'closed') {
      throw new UnsupportedSupportOperationError('Partner Center only lets a partner close a service request.');
    }
    const body = await this.call(id, { url: `${this.base}/v1/servicerequests/${id}`, method: 'PATCH', body: { Status: 'closed' } });
    return body === undefined ? undefined : this.read(body);
  }

  /** One call: an MS-RequestId (the caller's, or a fresh one; reused by the client's retries) and MS-CorrelationId. */
  private async call(id: string, request: { url: string; method?: 'GET' | 'PATCH'; body?: unknown }, requestId = newRequestId()): Promise<unknown> {
    try {
      return await this.options.http.json({
        ...request,
        headers: { 'MS-RequestId': requestId, 'MS-CorrelationId': newRequestId(), Accept: 'application/json' },
        bearerToken: () => this.options.tokens.getToken(),
      });
    } catch (error) {
      throw mapError(error, id);
    }
  }

  private read(body: unknown): ServiceRequest {
    const request = normalizeServiceRequest(body);
    if (!request) throw new UpstreamError(this.options.http.upstreamName, 'malformed', 1);
    return request;
  }

  private readPage(body: unknown): { items: unknown[]; next?: NextPage } {
    const page = listPage.safeParse(body);
    if (!page.success) throw new UpstreamError(this.options.http.upstreamName, 'malformed', 1);
    const items = page.data.items ?? [];
    const next = page.data.links?.next;
    if (!next) return { items };
    const uri = /^https?:\/\//i.test(next.uri) ? next.uri : `${this.base}${next.uri.toLowerCase().startsWith('/v1/') ? '' : '/v1'}${next.uri.startsWith('/') ? '' : '/'}${next.uri}`;
    return { items, next: { url: uri, headers: Object.fromEntries((next.headers ?? []).map((h) => [h.key, h.value])) } };
  }
}

function assertId(id: string): void {
  if (!isValidServiceRequestId(id)) throw new RangeError('A service request number is 1 to 16 digits.');
}

function mapError(error: unknown, id: string | undefined): unknown {
  if (error instanceof UpstreamStatusError) {
    if (error.status === 404 && id !== undefined) return new UnknownServiceRequestError(id);
    if (error.status === 401 || error.status === 403) return new SupportAccessError(error.status, error.code);
    return new UpstreamError(error.upstream, 'unavailable', 1, error.status, undefined, { cause: error });
  }
  return error;
}
