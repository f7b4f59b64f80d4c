/** Builds the CustomerDirectory the bot uses: the sandbox (default) or Partner Center. */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { loadSandboxData, type SandboxData } from '../health/sandbox-data';
import { MsalAppTokenSource, type AppTokenSource } from '../http/app-token';
import type { ClientCredential } from '../http/client-credential';
import { UpstreamClient, type RetryPolicy } from '../http/upstream';
import { PartnerCenterDirectory } from './partner-center';
import { SandboxCustomerDirectory } from './sandbox';
import type { CustomerDirectory } from './types';

export * from './types';
export { PartnerCenterDirectory } from './partner-center';
export { searchCustomers } from './search';
export { SandboxCustomerDirectory } from './sandbox';

/** The Partner Center API scope (app-only; PRODUCT.md). */
export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

/** Everything `createCustomerDirectory` needs, explicitly. */
export interface CustomerDirectoryOptions {
  readonly source: 'sandbox' | 'partnercenter';
  readonly logger: Logger;
  readonly clock: Clock;
  readonly loginEndpoint: string;
  readonly partnerCenterEndpoint: string;
  /** The partner's own Entra tenant (source 'partnercenter'). */
  readonly partnerTenantId?: string;
  readonly credentials?: { readonly clientId: string; readonly clientSecret?: string; readonly credential?: ClientCredential };
  readonly cache?: { readonly ttlMs?: number };
  readonly pageSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Sandbox seed: parsed data, or a file path (default sandbox/health.json). */
  readonly sandbox?: SandboxData | string;
  /** Replaces MSAL (tests). */
  readonly tokens?: AppTokenSource;
}

/** Builds the configured customer directory. */
export function createCustomerDirectory(options: CustomerDirectoryOptions): CustomerDirectory {
  if (options.source === 'sandbox') {
    return new SandboxCustomerDirectory(typeof options.sandbox === 'object' ? options.sandbox : loadSandboxData(options.sandbox));
  }
  if (!options.partnerTenantId) throw new Error('DIRECTORY_SOURCE=partnercenter needs the partner tenant id.');
  let tokens = options.tokens;
  if (!tokens) {
    if (!options.credentials) throw new Error('DIRECTORY_SOURCE=partnercenter needs the app credentials (client id and a secret, certificate or managed identity).');
    tokens = new MsalAppTokenSource({
      loginEndpoint: options.loginEndpoint,
      clientId: options.credentials.clientId,
      clientSecret: options.credentials.clientSecret,
      credential: options.credentials.credential,
      scope: PARTNER_CENTER_SCOPE,
      logger: options.logger,
    });
  }
  return new PartnerCenterDirectory({
    partnerCenterEndpoint: options.partnerCenterEndpoint,
    partnerTenantId: options.partnerTenantId,
    tokens,
    http: new UpstreamClient({ upstream: 'Partner Center', logger: options.logger, policy: options.retry, clock: options.clock }),
    clock: options.clock,
    logger: options.logger,
    ttlMs: options.cache?.ttlMs,
    pageSize: options.pageSize,
  });
}
