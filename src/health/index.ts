/**
 * Builds the HealthProvider the bot uses: the sandbox (default) or Microsoft Graph, always
 * behind the caching, coalescing, budget-keeping decorator.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock';
import { graphTokenSource, type AppTokenSource } from '../http/app-token';
import type { ClientCredential } from '../http/client-credential';
import { UpstreamClient, type RetryPolicy } from '../http/upstream';
import { TenantRequestBudget, type BudgetLimits } from './budget';
import { CachedHealthProvider, DEFAULT_FRESHNESS_MS } from './cached';
import { GraphHealthProvider } from './graph';
import { SandboxHealthProvider } from './sandbox';
import { loadSandboxData, type SandboxData } from './sandbox-data';
import type { HealthProvider } from './types';

export * from './types';
export { CachedHealthProvider } from './cached';
export { GraphHealthProvider } from './graph';
export { SandboxHealthProvider } from './sandbox';
export { registerSandboxHealthRoutes } from './sandbox-routes';
export { TenantRequestBudget } from './budget';
export { loadSandboxData, SandboxDataError } from './sandbox-data';

/** Sandbox answers are cached only briefly (a demo resolves issues and expects to see it). */
const SANDBOX_FRESHNESS_MS = 5_000;

/** Everything `createHealthProvider` needs, explicitly. */
export interface HealthProviderOptions {
  readonly source: 'sandbox' | 'graph';
  readonly logger: Logger;
  readonly clock: Clock;
  /** Entra authority host of the cloud, e.g. https://login.microsoftonline.com. */
  readonly loginEndpoint: string;
  /** Graph host of the cloud, e.g. https://graph.microsoft.com. */
  readonly graphEndpoint: string;
  /** The multi-tenant app that reads customers' service health (source 'graph'). */
  readonly credentials?: { readonly clientId: string; readonly clientSecret?: string; readonly credential?: ClientCredential };
  /** Microsoft 365 admin center of the cloud, for post-incident review links. */
  readonly adminCenterUrl?: string;
  readonly cache?: {
    readonly freshnessMs?: number;
    readonly maxTenants?: number;
  };
  /** Requests per tenant this process may send (below Graph's 240/60 s and 800/h). */
  readonly budget?: Partial<BudgetLimits>;
  readonly retry?: Partial<RetryPolicy>;
  /** Sandbox seed: parsed data, or a file path (default sandbox/health.json). */
  readonly sandbox?: SandboxData | string;
  /** Replaces MSAL (tests). */
  readonly tokens?: AppTokenSource;
}

/** The built provider, and the sandbox itself when that is the source (for its routes). */
export interface HealthProviderBundle {
  readonly provider: HealthProvider;
  readonly sandbox?: SandboxHealthProvider;
  /** How long the provider serves a cached answer (the tracker polls watched incidents at this pace). */
  readonly freshnessMs: number;
}

/** Builds the configured health provider. */
export function createHealthProvider(options: HealthProviderOptions): HealthProviderBundle {
  const budget = new TenantRequestBudget({ clock: options.clock, limits: options.budget, maxTenants: 5_000 });
  const wrap = (inner: HealthProvider, defaultFreshnessMs?: number): HealthProvider =>
    new CachedHealthProvider({
      inner,
      budget,
      clock: options.clock,
      logger: options.logger,
      freshnessMs: options.cache?.freshnessMs ?? defaultFreshnessMs,
      maxTenants: options.cache?.maxTenants,
      adminCenterUrl: options.adminCenterUrl,
    });

  if (options.source === 'sandbox') {
    const data = typeof options.sandbox === 'object' ? options.sandbox : loadSandboxData(options.sandbox);
    const sandbox = new SandboxHealthProvider(data, options.clock, options.adminCenterUrl);
    // Reading the sandbox costs nothing, and an issue resolved through its routes should show at once.
    return { provider: wrap(sandbox, SANDBOX_FRESHNESS_MS), sandbox, freshnessMs: options.cache?.freshnessMs ?? SANDBOX_FRESHNESS_MS };
  }

  const tokens = options.tokens ?? graphTokens(options);
  const graph = new GraphHealthProvider({
    graphEndpoint: options.graphEndpoint,
    tokens,
    http: new UpstreamClient({ upstream: 'Microsoft Graph', logger: options.logger, policy: options.retry, clock: options.clock }),
    clock: options.clock,
    logger: options.logger,
    budget,
    adminCenterUrl: options.adminCenterUrl,
  });
  return { provider: wrap(graph), freshnessMs: options.cache?.freshnessMs ?? DEFAULT_FRESHNESS_MS };
}

function graphTokens(options: HealthProviderOptions): AppTokenSource {
  if (!options.credentials) {
    throw new Error('HEALTH_SOURCE=graph needs the app credentials (client id and a secret, certificate or managed identity) of the multi-tenant app.');
  }
  return graphTokenSource({ loginEndpoint: options.loginEndpoint, graphEndpoint: options.graphEndpoint, app: options.credentials, logger: options.logger });
}
