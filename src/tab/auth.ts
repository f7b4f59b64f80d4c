/**
 * Who is calling the tab's data API: a Teams single sign-on token validated as an Entra ID
 * token (signature from the tenant's keys, issuer, audience, expiry), limited to the
 * partner's own tenant and to delegated tokens granting the tab's scope (`access_as_user`);
 * or, without SSO configured (local mode), a development identity.
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
      /** The delegated scope a token must grant (in `scp`); defaults to `TAB_SCOPE`. */
      readonly scope?: string;
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

/**
 * The delegated scope the Entra app exposes for the tab ("Expose an API" in the README): Teams
 * SSO tokens carry it in `scp`; app-only tokens and tokens for other scopes of the app do not.
 */
export const TAB_SCOPE = 'access_as_user';

/** Refusal reasons that mean "an authentic token, but it does not grant the tab's scope". */
const SCOPE_REASONS: ReadonlySet<string> = new Set(['app_only_token', 'missing_scope']);

/**
 * Refused: no usable token (401), a valid token of another tenant (403), or a valid token that
 * does not grant the tab's delegated scope, such as an app-only token (403 insufficient_scope,
 * RFC 6750 section 3.1: signing in again as the same caller would not help).
 */
export class TabAuthError extends Error {
  override readonly name = 'TabAuthError';
  constructor(
    readonly status: 401 | 403,
    /** A short machine-readable reason, safe to log (never the token). */
    readonly reason: string,
    private readonly scope = TAB_SCOPE,
  ) {
    super(
      status === 401
        ? 'Sign-in required: a valid Teams single sign-on token is needed.'
        : SCOPE_REASONS.has(reason)
          ? `This API needs a user's delegated token with the ${scope} scope (Teams single sign-on).`
          : 'This tab is limited to the partner organisation.',
    );
  }

  /** The error code of the JSON answer. */
  get code(): 'Unauthorized' | 'Forbidden' | 'InsufficientScope' {
    if (this.status === 401) return 'Unauthorized';
    return SCOPE_REASONS.has(this.reason) ? 'InsufficientScope' : 'Forbidden';
  }

  /** The `WWW-Authenticate` challenge of the answer, if it has one. */
  get challenge(): string | undefined {
    if (this.status === 401) return 'Bearer';
    return SCOPE_REASONS.has(this.reason) ? `Bearer error="insufficient_scope", scope="${this.scope}"` : undefined;
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
  const partnerTenantId = options.partnerTenantId.toLowerCase();
  const scope = options.scope ?? TAB_SCOPE;
  const login = options.loginEndpoint.replace(/\/+$/, '');
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(
    new URL(options.jwksUrl ?? `${login}/${partnerTenantId}/discovery/v2.0/keys`),
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
    if (tid.toLowerCase() !== partnerTenantId) throw new TabAuthError(403, 'foreign_tenant');
    // Only a user's delegated token for the tab's own scope: an app-only token (idtyp=app, or
    // roles without scp) is a daemon of the tenant, and another scope of the app is not consent to this one.
    if (payload.idtyp === 'app') throw new TabAuthError(403, 'app_only_token', scope);
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(scope)) throw new TabAuthError(403, payload.scp === undefined ? 'app_only_token' : 'missing_scope', scope);
    const oid = typeof payload.oid === 'string' ? payload.oid : (payload.sub ?? '');
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    return { development: false, tenantId: partnerTenantId, userId: oid, ...(name ? { name } : {}) };
  };
}
