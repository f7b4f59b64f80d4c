/**
 * Granting the health app's Microsoft Graph permission in a customer tenant from the desk:
 * Partner Center's application consent API (`POST /v1/customers/{id}/applicationconsents`,
 * App+User token of the Secure Application Model). Idempotent: an existing consent answers 409,
 * which is success here, and the MS-RequestId is kept across retries. Who may ask for it is a
 * member of the configured admin group, checked like GDAP membership (`isConsentAdmin`).
 */
import type { Logger } from 'pino';
import { UpstreamError, UpstreamStatusError } from '../http/errors';
import { newRequestId } from '../http/ids';
import type { UpstreamClient } from '../http/upstream';
import type { UserTokenSource } from '../support/partner-center';
import { SupportAccessError } from '../support/types';
import { checkGuid, type AccessProvider } from './types';

/** Microsoft Graph's application id: the resource the consent is granted on. */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The one permission the health app needs (PRODUCT.md, service health). */
export const SERVICE_HEALTH_SCOPE = 'ServiceHealth.Read.All';

/** What asking for the consent came to. */
export type ConsentOutcome =
  | { readonly kind: 'granted' }
  /** It was there already (409): nothing changed. */
  | { readonly kind: 'already_granted' }
  /**
   * Partner Center (401/403) or Entra (the refresh token) refused; 404: Partner Center does not
   * know this customer. The message to show names who can fix it.
   */
  | { readonly kind: 'refused'; readonly reason: 401 | 403 | 404 | 'refresh_token'; readonly code?: string };

/** Grants the health app's Graph permission in a customer tenant. */
export interface HealthConsentGranter {
  /**
   * Asks for the consent. `requestId` (MS-RequestId) makes a repeated ask the same ask; a new
   * one is made when absent. Rejects with UpstreamError when Partner Center cannot be reached.
   */
  grantHealthConsent(customerTenantId: string, requestId?: string): Promise<ConsentOutcome>;
}

/** Settings of the Partner Center consent client. */
export interface PartnerCenterConsentOptions {
  /** e.g. https://api.partnercenter.microsoft.com */
  readonly partnerCenterEndpoint: string;
  /** App+User tokens (the support provider's RefreshTokenSource). */
  readonly tokens: UserTokenSource;
  readonly http: UpstreamClient;
  /** The health app whose consent is granted (GRAPH_CLIENT_ID). */
  readonly applicationId: string;
  readonly logger: Logger;
}

/** The consent through Partner Center. */
export class PartnerCenterHealthConsent implements HealthConsentGranter {
  private readonly base: string;
  private readonly applicationId: string;

  constructor(private readonly options: PartnerCenterConsentOptions) {
    this.base = options.partnerCenterEndpoint.replace(/\/+$/, '');
    this.applicationId = checkGuid(options.applicationId, 'The health app id');
  }

  /** `POST /v1/customers/{id}/applicationconsents`: 200/201 granted, 409 already there, 401/403/404 refused. */
  async grantHealthConsent(customerTenantId: string, requestId: string = newRequestId()): Promise<ConsentOutcome> {
    const tenant = checkGuid(customerTenantId, 'A customer tenant id');
    let status: number;
    let text: string;
    try {
      const response = await this.options.http.send({
        method: 'POST',
        url: `${this.base}/v1/customers/${tenant}/applicationconsents`,
        headers: { 'MS-RequestId': requestId, 'MS-CorrelationId': newRequestId(), Accept: 'application/json' },
        body: {
          applicationId: this.applicationId,
          applicationGrants: [{ enterpriseApplicationId: MICROSOFT_GRAPH_APP_ID, scope: SERVICE_HEALTH_SCOPE }],
        },
        bearerToken: () => this.options.tokens.getToken(),
      });
      status = response.status;
      text = response.text;
    } catch (error) {
      if (error instanceof SupportAccessError && error.reason === 'refresh_token') return { kind: 'refused', reason: 'refresh_token', ...(error.code ? { code: error.code } : {}) };
      throw error;
    }
    if (status === 200 || status === 201 || status === 204) {
      this.options.logger.info({ customerTenantId: tenant }, 'health consent granted');
      return { kind: 'granted' };
    }
    if (status === 409) return { kind: 'already_granted' };
    const code = errorCode(text);
    if (status === 401 || status === 403 || status === 404) {
      this.options.logger.warn({ customerTenantId: tenant, status, code }, 'health consent refused');
      return { kind: 'refused', reason: status, ...(code ? { code } : {}) };
    }
    this.options.logger.warn({ status, code }, 'unexpected Partner Center answer to a consent');
    throw new UpstreamError(this.options.http.upstreamName, 'unavailable', 1, status, undefined, { cause: new UpstreamStatusError(this.options.http.upstreamName, status, code) });
  }
}

/** Partner Center's error code (`code`, or Graph-style `error.code`), for logs. */
function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { code?: unknown; error?: { code?: unknown } } | null;
    const code = body?.code ?? body?.error?.code;
    return typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/** Settings of the sandbox consent. */
export interface SandboxConsentOptions {
  /** Tenants where the health app is consented already (the sandbox's `healthAccess: granted`). */
  readonly consented: Iterable<string>;
  /** Tenants where Partner Center refuses (403), to show that answer. */
  readonly refused?: Iterable<string>;
  /** Told of each new grant, so the sandbox's health can start answering for the tenant. */
  readonly onGranted?: (customerTenantId: string) => void;
}

/** The sandbox's consent: grants once, then answers "already granted". */
export class SandboxHealthConsent implements HealthConsentGranter {
  private readonly consented: Set<string>;
  private readonly refused: Set<string>;

  constructor(private readonly options: SandboxConsentOptions) {
    this.consented = new Set([...options.consented].map((t) => t.toLowerCase()));
    this.refused = new Set([...(options.refused ?? [])].map((t) => t.toLowerCase()));
  }

  /** Grants unless refused or already there. */
  grantHealthConsent(customerTenantId: string): Promise<ConsentOutcome> {
    return Promise.resolve().then((): ConsentOutcome => {
      const tenant = checkGuid(customerTenantId, 'A customer tenant id');
      if (this.refused.has(tenant)) return { kind: 'refused', reason: 403 };
      if (this.consented.has(tenant)) return { kind: 'already_granted' };
      this.consented.add(tenant);
      this.options.onGranted?.(tenant);
      return { kind: 'granted' };
    });
  }
}

/**
 * Whether a partner user may grant consents from the desk: a member of the configured admin
 * group (checked in the partner tenant like GDAP groups). No group configured: nobody may.
 */
export async function isConsentAdmin(access: Pick<AccessProvider, 'memberGroups'>, userObjectId: string, adminGroupId: string | undefined): Promise<boolean> {
  if (!adminGroupId) return false;
  const groups = await access.memberGroups(userObjectId, [adminGroupId]);
  return groups.value.includes(adminGroupId.toLowerCase());
}
