/**
 * Builds the configured support provider: `sandbox` (default, plays Microsoft), `manual`
 * (the engineer reports Microsoft's answers) or `partnercenter` (the real API, Secure
 * Application Model credentials).
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { UpstreamClient, type RetryPolicy } from '../http/upstream';
import type { ClientCredential } from '../http/client-credential';
import type { DocumentStore } from '../store/types';
import { ManualSupportProvider } from './manual';
import { PartnerCenterSupportProvider, RefreshTokenSource } from './partner-center';
import { SandboxSupportProvider, type SandboxSchedule } from './sandbox';
import type { SupportProvider } from './types';

export * from './types';
export { ManualSupportProvider } from './manual';
export { PartnerCenterSupportProvider, RefreshTokenSource, PARTNER_CENTER_USER_SCOPE } from './partner-center';
export { SandboxSupportProvider, DEFAULT_SANDBOX_SCHEDULE, type SandboxSchedule } from './sandbox';

/** The Secure Application Model credentials of the partner tenant. */
export interface PartnerCenterCredentials {
  readonly partnerTenantId: string;
  readonly clientId: string;
  /** Shorthand for a secret credential. */
  readonly clientSecret?: string;
  /** A secret, a certificate or a managed identity's federated credential (wins over clientSecret). */
  readonly credential?: ClientCredential;
  readonly refreshToken: string;
}

/** Everything `createSupportProvider` may need; each source reads only its part. */
export type SupportProviderOptions =
  | {
      readonly source: 'sandbox';
      readonly documents: DocumentStore;
      readonly clock: Clock;
      readonly schedule?: Partial<SandboxSchedule>;
    }
  | { readonly source: 'manual'; readonly documents: DocumentStore; readonly clock: Clock }
  | {
      readonly source: 'partnercenter';
      readonly endpoints: {
        /** e.g. https://api.partnercenter.microsoft.com */
        readonly partnerCenter: string;
        /** e.g. https://login.microsoftonline.com */
        readonly login: string;
      };
      readonly credentials: PartnerCenterCredentials;
      readonly logger: Logger;
      readonly clock: Clock;
      /** Default: sized for a card action (see TURN_RETRY_POLICY). */
      readonly retryPolicy?: Partial<RetryPolicy>;
    };

/**
 * Defaults sized for a card action, which Teams gives 5 s: the same provider checks a request
 * number at hand-off and adds notes inside a turn. The tracker gets TRACKING_RETRY_POLICY.
 */
const TURN_RETRY_POLICY: Partial<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  maxTotalMs: 2_000,
  maxRetryAfterMs: 2_000,
  attemptTimeoutMs: 2_000,
});

/** For the tracker, which answers no one: it may wait out throttling (5 attempts, 60 s in all). */
export const TRACKING_RETRY_POLICY: Partial<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  maxTotalMs: 60_000,
  maxRetryAfterMs: 30_000,
  attemptTimeoutMs: 10_000,
});

/** Creates the support provider the options select. */
export function createSupportProvider(options: SupportProviderOptions): SupportProvider {
  switch (options.source) {
    case 'sandbox':
      return new SandboxSupportProvider({ documents: options.documents, clock: options.clock, schedule: options.schedule });
    case 'manual':
      return new ManualSupportProvider({ documents: options.documents, clock: options.clock });
    case 'partnercenter': {
      const { credentials, endpoints, logger, clock } = options;
      const tokens = new RefreshTokenSource({ loginEndpoint: endpoints.login, ...credentials, clock, logger });
      const http = new UpstreamClient({
        upstream: 'Partner Center',
        logger,
        clock,
        policy: { ...TURN_RETRY_POLICY, ...options.retryPolicy },
      });
      return new PartnerCenterSupportProvider({ partnerCenterEndpoint: endpoints.partnerCenter, tokens, http, logger });
    }
  }
}
