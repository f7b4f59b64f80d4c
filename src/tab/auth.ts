/**
 * Who is calling the tab's data API: a Teams single sign-on token validated as an Entra ID
 * token (signature from the tenant's keys, issuer, audience, expiry), limited to the
 * partner's own tenant; or, without SSO configured (local mode), a development identity.
 */
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** How the tab's API authenticates callers. */
export type TabAuthOptions =
  | {
      readonly mode: 'entra';
      /** The Entra app (= bot) id the SSO token is issued for. */
      readonly appId: string;
      /** Accepted `aud` values: `api://{host}/{appId}` and the app id itself. */
      readonly audience: readonly string[];
      /** Only users of this tenant may read escalations. */
      readonly partnerTenantId: string;
      /** The cloud's Entra authority, e.g. `https://login.microsoftonline.com`. */
      readonly loginEndpoint: string;
      /** Where the signing keys are; defaults to `{login}/{partnerTenantId}/discovery/v2.0/keys`. */
      readonly jwksUrl?: string;
    }
  | { readonly mode: 'development' };

/** The caller of one request. */
export type TabIdentity =
  | {
      readonly development: false;
      readonly tenantId: string;
      /** Entra object id of the user. */
      readonly userId: string;
      readonly name?: string;
    }
  | { readonly development: true; readonly name: string };

/** The owner label of the development identity (shown by the page). */
export const DEVELOPMENT_USER_NAME = 'Development user';

/** Refused: no usable token (401) or a valid token of another tenant (403). */
export class TabAuthError extends Error {
  override readonly name = 'TabAuthError';
  constructor(
    readonly status: 401 | 403,
    /** A short machine-readable reason, safe to log (never the token). */
    readonly reason: string,
  ) {
    super(status === 401 ? 'Sign-in required: a valid Teams single sign-on token is needed.' : 'This tab is limited to the partner organisation.');
  }
}

/** Authenticates one request from its `Authorization` header. */
export type TabAuthenticator = (authorization: string | undefined) => Promise<TabIdentity>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tolerated clock difference between Entra ID and this server. */
const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * The issuers Entra ID uses for a tenant in a cloud: v2 `{login}/{tid}/v2.0`, and v1, which
 * is `https://sts.windows.net/{tid}/` in the public and US Government clouds and
 * `https://sts.chinacloudapi.cn/{tid}/` in 21Vianet.
 */
export function entraIssuers(loginEndpoint: string, tenantId: string): string[] {
  const login = loginEndpoint.replace(/\/+$/, '');
  const china = /chinacloudapi\.cn|microsoftonline\.cn/i.test(login);
  const issuers = [`${login}/${tenantId}/v2.0`, china ? `https://sts.chinacloudapi.cn/${tenantId}/` : `https://sts.windows.net/${tenantId}/`];
  if (china) issuers.push(`https://login.partner.microsoftonline.cn/${tenantId}/v2.0`);
  return issuers;
}

/** Reads the bearer token of an `Authorization` header, or undefined. */
function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** A short reason for a refused token, from jose's error codes. */
function refusalReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token_expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim_${error.claim}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return 'bad_signature';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'invalid_token';
}

/** Builds the authenticator for the options: keys are fetched lazily and cached per authenticator. */
export function createTabAuthenticator(options: TabAuthOptions): TabAuthenticator {
  if (options.mode === 'development') {
    return () => Promise.resolve({ development: true, name: DEVELOPMENT_USER_NAME });
  }
  if (!GUID.test(options.partnerTenantId)) throw new Error('Tab SSO needs the partner tenant id (a GUID).');
  if (options.audience.length === 0) throw new Error('Tab SSO needs at least one accepted audience.');
  const login = options.loginEndpoint.replace(/\/+$/, '');
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(
    new URL(options.jwksUrl ?? `${login}/${options.partnerTenantId}/discovery/v2.0/keys`),
    { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 6 * 60 * 60 * 1000 },
  );

  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) throw new TabAuthError(401, 'missing_token');
    try {
      decodeJwt(token);
    } catch {
      throw new TabAuthError(401, 'malformed_token');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        audience: [...options.audience],
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss', 'tid'],
      }));
    } catch (error) {
      throw new TabAuthError(401, refusalReason(error));
    }
    // Verified claims from here on: the issuer must be Entra ID's for the token's own tenant.
    const tid = typeof payload.tid === 'string' ? payload.tid : '';
    if (!GUID.test(tid) || !entraIssuers(login, tid).includes(payload.iss ?? '')) {
      throw new TabAuthError(401, 'claim_iss');
    }
    if (tid.toLowerCase() !== options.partnerTenantId.toLowerCase()) throw new TabAuthError(403, 'foreign_tenant');
    const oid = typeof payload.oid === 'string' ? payload.oid : (payload.sub ?? '');
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    return { development: false, tenantId: options.partnerTenantId, userId: oid, ...(name ? { name } : {}) };
  };
}
