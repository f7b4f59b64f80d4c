/**
 * Builds the AccessProvider the bot uses (the sandbox by default, or Microsoft Graph in the
 * partner tenant), always behind the cache, and reads the facts the domain decides readiness from.
 */
import type { Logger } from 'pino';
import type { AccessFacts, HealthAccessFact } from '../domain/access';
import type { Clock } from '../domain/clock';
import type { SandboxPartnerGroup } from '../health/sandbox-gdap';
import { TenantRequestBudget, type BudgetLimits } from '../health/budget';
import { graphTokenSource, type AppTokenSource } from '../http/app-token';
import type { ClientCredential } from '../http/client-credential';
import { UpstreamClient, type RetryPolicy } from '../http/upstream';
import { CachedAccessProvider, DEFAULT_ACCESS_FRESHNESS_MS } from './cached';
import { GraphAccessProvider } from './graph';
import type { SandboxHealthProvider } from '../health/sandbox';
import { RefreshTokenSource } from '../support/partner-center';
import { PartnerCenterHealthConsent, SandboxHealthConsent, type HealthConsentGranter } from './consent';
import { SandboxAccessProvider, type SandboxAccessCustomer } from './sandbox';
import type { AccessProvider } from './types';

export * from './types';
export { CachedAccessProvider, DEFAULT_ACCESS_FRESHNESS_MS } from './cached';
export { GraphAccessProvider, CHECK_MEMBER_GROUPS_MAX } from './graph';
export { SandboxAccessProvider } from './sandbox';
export * from './consent';

/** Everything `createAccessProvider` needs, explicitly. */
export interface AccessProviderOptions {
  readonly source: 'sandbox' | 'graph';
  readonly logger: Logger;
  readonly clock: Clock;
  /** Entra authority host of the cloud. */
  readonly loginEndpoint: string;
  /** Graph host of the cloud. */
  readonly graphEndpoint: string;
  /** The partner's own tenant (source 'graph'). */
  readonly partnerTenantId?: string;
  /** The app that reads GDAP in the partner tenant (source 'graph'): the Graph app. */
  readonly credentials?: { readonly clientId: string; readonly clientSecret?: string; readonly credential?: ClientCredential };
  /** How long an answer is reused (default 10 minutes). */
  readonly freshnessMs?: number;
  /** Requests to the partner tenant this process may send (TenantRequestBudget's defaults when absent). */
  readonly budget?: Partial<BudgetLimits>;
  readonly retry?: Partial<RetryPolicy>;
  /** The sandbox's customers with their `gdap` sections (source 'sandbox'). */
  readonly sandboxCustomers?: readonly SandboxAccessCustomer[];
  /** The sandbox's partner groups besides the customers' (source 'sandbox'). */
  readonly sandboxGroups?: readonly SandboxPartnerGroup[];
  /** Replaces MSAL (tests). */
  readonly tokens?: AppTokenSource;
}

/** Builds the configured access provider. */
export function createAccessProvider(options: AccessProviderOptions): AccessProvider {
  const cached = (inner: AccessProvider): AccessProvider =>
    new CachedAccessProvider({ inner, clock: options.clock, logger: options.logger, freshnessMs: options.freshnessMs ?? DEFAULT_ACCESS_FRESHNESS_MS });
  if (options.source === 'sandbox') return cached(new SandboxAccessProvider(options.sandboxCustomers ?? [], options.clock, options.sandboxGroups));

  if (!options.partnerTenantId || !options.credentials) {
    throw new Error('ACCESS_SOURCE=graph needs PARTNER_TENANT_ID and the Graph app credentials (client id and a secret, certificate or managed identity).');
  }
  const tokens =
    options.tokens ??
    graphTokenSource({ loginEndpoint: options.loginEndpoint, graphEndpoint: options.graphEndpoint, app: options.credentials, logger: options.logger });
  return cached(
    new GraphAccessProvider({
      graphEndpoint: options.graphEndpoint,
      partnerTenantId: options.partnerTenantId,
      tokens,
      http: new UpstreamClient({ upstream: 'Microsoft Graph', logger: options.logger, policy: options.retry, clock: options.clock }),
      clock: options.clock,
      logger: options.logger,
      budget: new TenantRequestBudget({ clock: options.clock, limits: options.budget, maxTenants: 1 }),
    }),
  );
}

/** What the health-consent grant can be made with in this deployment. */
export interface HealthConsentOptions {
  /** The sandbox's health, when it plays Microsoft: a grant makes the tenant readable there. */
  readonly sandbox?: SandboxHealthProvider;
  /** Partner Center as a partner admin (Secure Application Model), when health is read from Graph. */
  readonly partnerCenter?: {
    readonly partnerCenterEndpoint: string;
    readonly loginEndpoint: string;
    readonly partnerTenantId: string;
    readonly clientId: string;
    readonly credential: ClientCredential;
    readonly refreshToken: string;
  };
  /** The health app whose consent is granted (GRAPH_CLIENT_ID). */
  readonly applicationId?: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * The consent grant this deployment can make: the sandbox's (health played by the sandbox), or
 * Partner Center's (health from Graph, with a Partner Center user's refresh token and the health
 * app's id); none otherwise, and the desk says who can consent instead.
 */
export function createHealthConsent(options: HealthConsentOptions): HealthConsentGranter | undefined {
  const { sandbox, partnerCenter, applicationId, logger, clock } = options;
  if (sandbox) return new SandboxHealthConsent({ consented: sandbox.readableTenants(), onGranted: (tenant) => sandbox.grantHealthAccess(tenant) });
  if (!partnerCenter || !applicationId) return undefined;
  return new PartnerCenterHealthConsent({
    partnerCenterEndpoint: partnerCenter.partnerCenterEndpoint,
    tokens: new RefreshTokenSource({ ...partnerCenter, clock, logger }),
    http: new UpstreamClient({ upstream: 'Partner Center', logger, clock, policy: options.retry }),
    applicationId,
    logger,
  });
}

/** Group membership past the cache of a provider `createAccessProvider` built (the provider itself otherwise). */
export function uncachedMembership(provider: AccessProvider): Pick<AccessProvider, 'memberGroups'> {
  return provider instanceof CachedAccessProvider ? provider.uncached : provider;
}

/** The facts readiness needs, and how old the oldest of them is. */
export interface AccessFactsRead {
  readonly facts: AccessFacts;
  /** ISO time of the oldest answer used. */
  readonly fetchedAt: string;
  /** Some answer came from the cache past its freshness (upstream could not be asked). */
  readonly stale: boolean;
}

/**
 * Reads a customer's GDAP picture and the engineer's membership in the groups it names (two
 * provider calls; both cached), with the health access the caller already knows.
 */
export async function readAccessFacts(
  provider: AccessProvider,
  customerTenantId: string,
  engineerObjectId: string,
  health: HealthAccessFact,
): Promise<AccessFactsRead> {
  const access = await provider.getCustomerAccess(customerTenantId);
  const groupIds = [...new Set(access.value.assignments.map((a) => a.groupId))];
  const member = groupIds.length === 0 ? undefined : await provider.memberGroups(engineerObjectId, groupIds);
  const times = [access.fetchedAt, ...(member ? [member.fetchedAt] : [])].sort();
  return {
    facts: { relationships: access.value.relationships, assignments: access.value.assignments, engineerGroupIds: member?.value ?? [], health },
    fetchedAt: times[0],
    stale: access.stale || (member?.stale ?? false),
  };
}
