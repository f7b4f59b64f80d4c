/**
 * A local stand-in for Partner Center's service-request, customer and application-consent APIs and the Entra token
 * endpoint (refresh-token and client-credential grants), on 127.0.0.1: keeps requests in
 * memory, applies PATCHes, answers faults on demand, and records every call for header
 * assertions.
 */
import { HttpDouble, isTokenRequest, type RecordedRequest, type Reply } from '../http/helpers/http-double';
import { rememberSecret } from './run-log';
import { PARTNER_TENANT } from './activities';

/** A service request as the double serves it (enums as Partner Center may send them: names or numbers). */
export interface DoubleServiceRequest {
  id: string;
  title: string;
  description: string;
  severity: string | number;
  status: string | number;
  supportTopicName: string;
  productName: string;
  createdDate: string;
  lastModifiedDate: string;
  lastClosedDate?: string;
  notes: Array<{ createdByName: string; createdDate: string; text: string }>;
  /** Not part of the resource: which customer it belongs to. */
  customerTenantId: string;
}

/** A customer as `GET /v1/customers` lists it. */
export interface DoubleCustomer {
  readonly tenantId: string;
  readonly companyName: string;
  readonly domain: string;
}

/** An outage: until cleared, calls to the token endpoint or to API paths matching `where` get `reply`. */
export interface DoubleOutage {
  readonly reply: Reply;
  readonly where: 'token' | RegExp;
}

/**
 * The settings of a desk whose Partner Center (and its Entra sign-in) is the double at `url`:
 * the partner tenant, the App+User app and the refresh token it accepts.
 */
export function partnerCenterSettings(url: string, partnerTenantId = PARTNER_TENANT): Record<string, string> {
  return {
    SUPPORT_SOURCE: 'partnercenter',
    PARTNER_CENTER_ENDPOINT: url,
    LOGIN_ENDPOINT: url,
    PARTNER_TENANT_ID: partnerTenantId,
    PARTNER_CENTER_CLIENT_ID: 'c0ffee00-0000-4000-8000-000000000002',
    PARTNER_CENTER_CLIENT_SECRET: 'partner-center-secret-for-tests',
    PARTNER_CENTER_REFRESH_TOKEN: 'refresh-token-from-sam',
  };
}

/** The running double. */
export class PartnerCenterDouble {
  private readonly store = new Map<string, DoubleServiceRequest>();
  private readonly faults: Reply[] = [];
  /** Answer PATCH with 204 No Content instead of 200 and the resource. */
  patchNoContent = false;
  /** Apply a PATCH at once but answer it this much later (a slow Partner Center). */
  patchDelayMs = 0;
  /** Refuse the refresh token (invalid_grant, AADSTS700082 expired). */
  refuseRefreshToken = false;
  /** The partner's customers (`GET /v1/customers`, app-only token). */
  readonly customers: DoubleCustomer[] = [];
  /** While set, matching calls get its reply (retries included), ahead of `failNext`. */
  outage: DoubleOutage | undefined;
  /** Application consents per customer tenant (`POST …/applicationconsents`): the application ids granted. */
  readonly consents = new Map<string, Set<string>>();
  /** Customers where a consent is refused with 403 (the user lacks a GDAP role that may consent). */
  readonly refuseConsent = new Set<string>();
  /** Answers already given per MS-RequestId: Partner Center repeats a request's answer instead of acting twice. */
  private readonly consentAnswers = new Map<string, Reply>();
  private tokensIssued = 0;
  private appTokensIssued = 0;

  private constructor(
    readonly http: HttpDouble,
    /** Microsoft's clock: stamps lastModifiedDate and notes (a test's simulated clock, or the wall clock). */
    private readonly now: () => Date,
  ) {}

  /** Starts a double on an ephemeral port. */
  static async start(options: { readonly now?: () => Date } = {}): Promise<PartnerCenterDouble> {
    const holder: { double?: PartnerCenterDouble } = {};
    const http = await HttpDouble.start((req) => {
      if (!holder.double) return { status: 503 };
      return holder.double.answer(req);
    });
    holder.double = new PartnerCenterDouble(http, options.now ?? (() => new Date()));
    return holder.double;
  }

  /** Base URL for both Partner Center and the login endpoint. */
  get url(): string {
    return this.http.url;
  }

  /** Adds or replaces a request. */
  put(request: Partial<DoubleServiceRequest> & { id: string }): DoubleServiceRequest {
    const full: DoubleServiceRequest = {
      title: 'Mail flow stopped',
      description: 'Users cannot receive external mail.',
      severity: 'moderate',
      status: 'open',
      supportTopicName: 'Exchange Online',
      productName: 'Microsoft 365',
      createdDate: '2025-03-10T09:00:00Z',
      lastModifiedDate: '2025-03-10T09:00:00Z',
      notes: [],
      customerTenantId: '11111111-1111-1111-1111-111111111111',
      ...request,
    };
    this.store.set(full.id, full);
    return full;
  }

  /** Changes a request's status as Microsoft would (optionally with a note from Microsoft). */
  setStatus(id: string, status: string | number, note?: string): void {
    const request = this.store.get(id);
    if (!request) throw new Error(`no request ${id}`);
    request.status = status;
    request.lastModifiedDate = this.now().toISOString();
    if (note) request.notes.push({ createdByName: 'Microsoft Support', createdDate: request.lastModifiedDate, text: note });
  }

  /** One request as stored. */
  get(id: string): DoubleServiceRequest | undefined {
    return this.store.get(id);
  }

  /** Answers the next API calls (not token calls) with these replies first. */
  failNext(...replies: Reply[]): void {
    this.faults.push(...replies);
  }

  /** Calls to the Partner Center API. */
  apiRequests(): RecordedRequest[] {
    return this.http.requests.filter((r) => !isTokenRequest(r));
  }

  /** Calls to the token endpoint. */
  tokenRequests(): RecordedRequest[] {
    return this.http.requests.filter(isTokenRequest);
  }

  /** Stops the double. */
  close(): Promise<void> {
    return this.http.close();
  }

  private answer(req: RecordedRequest): Reply {
    const outage = this.outage;
    if (outage && (outage.where === 'token' ? isTokenRequest(req) : !isTokenRequest(req) && outage.where.test(req.url))) return outage.reply;
    if (isTokenRequest(req)) return this.token(req);
    const fault = this.faults.shift();
    if (fault) return fault;
    const authorization = String(req.headers.authorization ?? '');
    if (/^\/v1\/customers\?/.test(req.url) && req.method === 'GET') {
      if (!/^Bearer pc-(app|user)-token-\d+$/.test(authorization)) return { status: 401, json: { code: 401 } };
      const items = this.customers.map((c) => ({ companyProfile: { ...c } }));
      return { json: { totalCount: items.length, items, attributes: { objectType: 'Collection' } } };
    }
    if (!/^Bearer pc-user-token-\d+$/.test(authorization)) return { status: 401, json: { code: 401 } };
    const one = /^\/v1\/servicerequests\/(\d+)$/.exec(req.url);
    if (one) {
      const request = this.store.get(one[1]);
      if (!request) return { status: 404, json: { code: 404, description: 'Service request not found' } };
      if (req.method === 'GET') return { json: resource(request) };
      if (req.method === 'PATCH') return this.patch(request, req.body);
      return { status: 405 };
    }
    const consent = /^\/v1\/customers\/([0-9a-f-]+)\/applicationconsents$/.exec(req.url);
    if (consent && req.method === 'POST') return this.consent(consent[1], req);
    const list = /^\/v1\/customers\/([0-9a-f-]+)\/servicerequests$/.exec(req.url);
    if (list && req.method === 'GET') {
      const items = [...this.store.values()].filter((r) => r.customerTenantId === list[1]).map(resource);
      return { json: { totalCount: items.length, items, attributes: { objectType: 'Collection' } } };
    }
    return { status: 404, json: { code: 404 } };
  }

  /** `POST /v1/customers/{id}/applicationconsents`: 201 with the consent, 409 when it exists, 403 when refused. */
  private consent(tenant: string, req: RecordedRequest): Reply {
    const requestId = String(req.headers['ms-requestid'] ?? '');
    const earlier = requestId ? this.consentAnswers.get(requestId) : undefined;
    if (earlier) return earlier;
    const body = JSON.parse(req.body || '{}') as { applicationId?: unknown; applicationGrants?: Array<{ enterpriseApplicationId?: unknown; scope?: unknown }> };
    const grants = Array.isArray(body.applicationGrants) ? body.applicationGrants : [];
    if (typeof body.applicationId !== 'string' || grants.length === 0 || grants.some((g) => typeof g.enterpriseApplicationId !== 'string' || typeof g.scope !== 'string')) {
      return { status: 400, json: { code: 400, description: 'applicationId and applicationGrants are required', source: 'PartnerFD' } };
    }
    let reply: Reply;
    if (this.refuseConsent.has(tenant)) {
      reply = { status: 403, json: { code: 403, description: 'The user does not have the permission to consent in this customer tenant', source: 'PartnerFD' } };
    } else if (this.consents.get(tenant)?.has(body.applicationId)) {
      reply = { status: 409, json: { code: 409, description: 'Application consent already exists', source: 'PartnerFD' } };
    } else {
      this.consents.set(tenant, new Set([...(this.consents.get(tenant) ?? []), body.applicationId]));
      reply = { status: 201, json: { applicationId: body.applicationId, applicationGrants: grants, attributes: { objectType: 'ApplicationConsent' } } };
    }
    if (requestId) this.consentAnswers.set(requestId, reply);
    return reply;
  }

  private patch(request: DoubleServiceRequest, body: string): Reply {
    const change = JSON.parse(body) as { NewNote?: { Text?: string }; Status?: string };
    const at = this.now().toISOString();
    if (change.NewNote?.Text) request.notes.push({ createdByName: 'Partner Admin', createdDate: at, text: change.NewNote.Text });
    if (change.Status) {
      request.status = change.Status;
      if (change.Status === 'closed') request.lastClosedDate = at;
    }
    request.lastModifiedDate = at;
    const delay = this.patchDelayMs > 0 ? { delayMs: this.patchDelayMs } : {};
    return this.patchNoContent ? { status: 204, raw: '', ...delay } : { json: resource(request), ...delay };
  }

  private token(req: RecordedRequest): Reply {
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') === 'client_credentials') {
      this.appTokensIssued++;
      rememberSecret(`pc-app-token-${this.appTokensIssued}`);
      return { json: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `pc-app-token-${this.appTokensIssued}` } };
    }
    if (form.get('grant_type') !== 'refresh_token') return { status: 400, json: { error: 'unsupported_grant_type' } };
    if (this.refuseRefreshToken) {
      return {
        status: 400,
        json: {
          error: 'invalid_grant',
          error_description: 'AADSTS700082: The refresh token has expired due to inactivity.',
          error_codes: [700082],
        },
      };
    }
    this.tokensIssued++;
    rememberSecret(`pc-user-token-${this.tokensIssued}`);
    rememberSecret(`rotated-refresh-${this.tokensIssued}`);
    return {
      json: {
        token_type: 'Bearer',
        scope: form.get('scope') ?? '',
        expires_in: 3600,
        ext_expires_in: 3600,
        access_token: `pc-user-token-${this.tokensIssued}`,
        refresh_token: `rotated-refresh-${this.tokensIssued}`,
      },
    };
  }
}

function resource(request: DoubleServiceRequest): Omit<DoubleServiceRequest, 'customerTenantId'> {
  const { customerTenantId: _customer, ...rest } = request;
  return { ...rest, notes: rest.notes.map((n) => ({ ...n })) };
}
