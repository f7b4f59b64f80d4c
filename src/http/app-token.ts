/**
 * App-only (client credentials) tokens with MSAL for Node: one ConfidentialClientApplication
 * per tenant authority, kept for the life of this object so MSAL's in-memory token cache is
 * reused until shortly before expiry.
 */
import { ConfidentialClientApplication, ServerError, type Configuration } from '@azure/msal-node';
import type { Logger } from 'pino';
import { credentialOf, msalClientAuth, type ClientCredential, type MsalClientAuth } from './client-credential';

/** Gives a bearer token for a resource in a tenant. */
export interface AppTokenSource {
  /** A valid access token for `tenantId`; throws `AppTokenError` when none can be had. */
  getToken(tenantId: string): Promise<string>;
}

/** Why a token could not be had: refused by Entra (consent, app missing, bad secret) or Entra unreachable. */
export class AppTokenError extends Error {
  override readonly name = 'AppTokenError';

  constructor(
    readonly kind: 'denied' | 'unavailable',
    /** Entra's error code, e.g. `invalid_client`, and its AADSTS number when known. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      kind === 'denied'
        ? `Microsoft Entra refused to issue a token${code ? ` (${code})` : ''}.`
        : 'Microsoft Entra sign-in is not available right now.',
      options,
    );
  }
}

/** Settings of the MSAL token source. */
export interface MsalAppTokenOptions {
  /** Entra authority host, e.g. https://login.microsoftonline.com (see PRODUCT.md, national clouds). */
  readonly loginEndpoint: string;
  readonly clientId: string;
  /** Shorthand for a secret credential. */
  readonly clientSecret?: string;
  /** A secret, a certificate or a managed identity's federated credential (wins over clientSecret). */
  readonly credential?: ClientCredential;
  /** The resource's `.default` scope, e.g. https://graph.microsoft.com/.default. */
  readonly scope: string;
  readonly logger: Logger;
  /** How many tenants keep a client (and its token cache); the oldest is dropped beyond. */
  readonly maxTenants?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Client-credential tokens per tenant from MSAL. */
export class MsalAppTokenSource implements AppTokenSource {
  private readonly clients = new Map<string, ConfidentialClientApplication>();
  /** One credential for every tenant: a certificate read once, one managed identity's token cache. */
  private readonly auth: MsalClientAuth;

  constructor(private readonly options: MsalAppTokenOptions) {
    checkLoginEndpoint(options.loginEndpoint);
    this.auth = msalClientAuth(credentialOf(options));
  }

  /** A token for the configured scope in `tenantId`, from MSAL's cache when still valid. */
  async getToken(tenantId: string): Promise<string> {
    // The tenant goes into the authority URL: only a GUID may, never free text.
    if (!GUID.test(tenantId)) throw new AppTokenError('denied', 'invalid_tenant');
    try {
      const result = await this.clientFor(tenantId).acquireTokenByClientCredential({ scopes: [this.options.scope] });
      if (!result?.accessToken) throw new AppTokenError('unavailable', undefined);
      return result.accessToken;
    } catch (error) {
      if (error instanceof AppTokenError) throw error;
      if (error instanceof ServerError) {
        const aadsts = /AADSTS\d+/.exec(error.errorMessage ?? '')?.[0];
        const code = [error.errorCode, aadsts].filter(Boolean).join(' ');
        if (!isEntraBusy(error)) {
          this.options.logger.warn({ tenantId, code }, 'token request refused by Entra');
          throw new AppTokenError('denied', code || undefined, { cause: error });
        }
      }
      this.options.logger.warn({ tenantId, err: errorName(error) }, 'token request failed');
      throw new AppTokenError('unavailable', undefined, { cause: error });
    }
  }

  private clientFor(tenantId: string): ConfidentialClientApplication {
    const key = tenantId.toLowerCase();
    const existing = this.clients.get(key);
    if (existing) {
      // Re-insert so Map order tracks recency for the eviction below.
      this.clients.delete(key);
      this.clients.set(key, existing);
      return existing;
    }
    const client = new ConfidentialClientApplication(msalConfiguration(this.options.loginEndpoint, { clientId: this.options.clientId, ...this.auth }, key));
    this.clients.set(key, client);
    const max = this.options.maxTenants ?? 1000;
    while (this.clients.size > max) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return client;
  }

}

/**
 * MSAL's configuration for one tenant's authority on a login endpoint. MSAL refuses a
 * non-https authority, so a loopback test double is named with an https authority that MSAL
 * never contacts: the endpoints come from metadata instead of OIDC discovery, and point at
 * the plain-http double.
 */
export function msalConfiguration(loginEndpoint: string, credentials: { readonly clientId: string } & MsalClientAuth, tenantId: string): Configuration {
  const login = checkLoginEndpoint(loginEndpoint);
  const auth = { ...credentials };
  const base = `${login.origin}${trimSlash(login.pathname)}/${tenantId}`;
  if (login.protocol === 'https:') return { auth: { ...auth, authority: base } };
  return {
    auth: {
      ...auth,
      authority: `https://${login.host}/${tenantId}`,
      knownAuthorities: [login.host],
      authorityMetadata: JSON.stringify({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      }),
    },
  };
}

/** The login endpoint as a URL; https only (plain http only on a loopback test double). */
function checkLoginEndpoint(loginEndpoint: string): URL {
  const login = new URL(loginEndpoint);
  if (login.protocol !== 'https:' && !(login.protocol === 'http:' && LOOPBACK.has(login.hostname))) {
    throw new Error('The login endpoint must be an https URL (plain http only on a loopback test double).');
  }
  return login;
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${'errorCode' in error ? String(error.errorCode) : ''}` : 'unknown';
}

/**
 * Whether an MSAL error is Entra being busy (429, 5xx, or MSAL replaying a recent one from its
 * throttling cache instead of asking again) rather than a refusal of the credentials.
 */
export function isEntraBusy(error: ServerError): boolean {
  const status = typeof error.status === 'number' ? error.status : undefined;
  if (status !== undefined) return status === 429 || status >= 500;
  // A refusal names an OAuth error (invalid_grant, invalid_client…); the throttling cache replays only AADSTS numbers.
  return !/[a-z]/i.test(error.errorCode ?? '');
}

/** The app credentials a Graph token source is built from. */
export interface GraphApp {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly credential?: ClientCredential;
}

/** Client-credential tokens for Microsoft Graph (its `.default` scope) in any tenant, for one app. */
export function graphTokenSource(options: { readonly loginEndpoint: string; readonly graphEndpoint: string; readonly app: GraphApp; readonly logger: Logger }): MsalAppTokenSource {
  return new MsalAppTokenSource({
    loginEndpoint: options.loginEndpoint,
    clientId: options.app.clientId,
    clientSecret: options.app.clientSecret,
    credential: options.app.credential,
    scope: `${options.graphEndpoint.replace(/\/+$/, '')}/.default`,
    logger: options.logger,
  });
}
