/**
 * The one place that reads the environment: `.env` (if present) and then the process
 * environment become one validated, typed, frozen `Config`. A bad setting stops start-up
 * with a one-line message that names the variable and what it expects. The parts: the clouds
 * table (`clouds.ts`), the variables (`env-schema.ts`), the rules between them (`rules.ts`) and
 * the typed result (`types.ts`).
 */
import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { MANAGED_IDENTITY_AUDIENCES, cloudEndpoints, type CloudEndpoints } from './clouds';
import { EnvSchema } from './env-schema';
import { readResponseTargets } from './response-targets';
import { resolveSettings } from './rules';
import { ConfigError, type Config } from './types';

export { CLOUDS, cloudEndpoints, type BotFrameworkCloudSettings, type CloudEndpoints, type CloudName } from './clouds';
export {
  APP_TYPES,
  DEFAULT_DATABASE_URL,
  DIRECTORY_SOURCES,
  HEALTH_SOURCES,
  LOG_LEVELS,
  SETTING_NAMES,
  SQLITE_SYNCHRONOUS_MODES,
  SUPPORT_SOURCES,
} from './env-schema';
export * from './types';

/**
 * Where the bot listens when HOST is empty: this machine only in local mode (authentication is
 * off there), every interface with an app id (App Service and containers route to it).
 */
export function defaultHost(localMode: boolean): string {
  return localMode ? '127.0.0.1' : '0.0.0.0';
}

/** Whether a listen address is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Reads `.env` from a path into a plain object, never into `process.env`. */
function readDotenv(path: string): Record<string, string> {
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

/** Options of `loadConfig`: tests pass their own environment; the process passes nothing. */
export interface LoadConfigOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a `.env` file whose values apply where the environment has none; null disables it. */
  readonly dotenvPath?: string | null;
}

/** Builds the configuration, or throws `ConfigError` with a one-line message. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const fileValues = options.dotenvPath === null ? {} : readDotenv(options.dotenvPath ?? '.env');
  const env = { ...fileValues, ...(options.env ?? process.env) };
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(`Invalid setting ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const e = result.data;
  const resolved = resolveSettings(e);

  const base = cloudEndpoints(e.CLOUD);
  const endpoints: CloudEndpoints = {
    ...base,
    login: e.LOGIN_ENDPOINT ?? base.login,
    graph: e.GRAPH_ENDPOINT ?? base.graph,
    partnerCenter: e.PARTNER_CENTER_ENDPOINT ?? base.partnerCenter,
  };

  return Object.freeze({
    port: e.PORT,
    host: e.HOST ?? defaultHost(resolved.bot.localMode),
    bot: resolved.bot,
    cloud: e.CLOUD,
    endpoints,
    database: {
      url: e.DATABASE_URL,
      kind: resolved.databaseKind,
      poolSize: e.DATABASE_POOL_SIZE,
      sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
      managedIdentity: e.DATABASE_MANAGED_IDENTITY_ID
        ? { clientId: e.DATABASE_MANAGED_IDENTITY_ID, resource: MANAGED_IDENTITY_AUDIENCES[e.CLOUD].postgres }
        : undefined,
    },
    healthSource: e.HEALTH_SOURCE,
    supportSource: e.SUPPORT_SOURCE,
    directorySource: e.DIRECTORY_SOURCE,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    allowedTenants: e.ALLOWED_TENANTS === '*' ? [] : e.ALLOWED_TENANTS,
    allowAnyTenant: e.ALLOWED_TENANTS === '*',
    customerTypeahead: e.CUSTOMER_TYPEAHEAD === undefined ? !resolved.bot.localMode : e.CUSTOMER_TYPEAHEAD === 'on',
    partnerTenantId: resolved.partnerTenantId,
    publicHostname: e.PUBLIC_HOSTNAME,
    graph: resolved.graph,
    partnerCenter: resolved.partnerCenter,
    tabSsoClientId: resolved.tabSsoClientId,
    health: {
      ...resolved.health,
      cacheMs: e.HEALTH_CACHE_SECONDS === undefined ? undefined : e.HEALTH_CACHE_SECONDS * 1000,
      cacheMaxTenants: e.HEALTH_CACHE_MAX_TENANTS,
      budgetPerMinute: e.HEALTH_BUDGET_PER_MINUTE,
      budgetPerHour: e.HEALTH_BUDGET_PER_HOUR,
      sandboxFile: e.SANDBOX_HEALTH_FILE,
      adminCenterUrl: e.ADMIN_CENTER_URL ?? base.adminCenter,
    },
    directory: { ...resolved.directory, cacheMs: e.DIRECTORY_CACHE_SECONDS * 1000 },
    access: { source: e.ACCESS_SOURCE, cacheMs: e.ACCESS_CACHE_SECONDS * 1000, consentAdminGroupId: e.CONSENT_ADMIN_GROUP_ID?.toLowerCase() },
    responseClocks: {
      supportPlan: e.SUPPORT_PLAN_RESPONSE_HOURS,
      partnerTargetHours: e.PARTNER_RESPONSE_TARGET_HOURS,
      partnerTargetOverrides: readResponseTargets(e.PARTNER_RESPONSE_TARGETS_FILE),
    },
    support: resolved.support,
    tracking: {
      enabled: e.WORKERS === 'on',
      minIntervalMs: e.TRACKING_MIN_INTERVAL_SECONDS * 1000,
      maxIntervalMs: e.TRACKING_MAX_INTERVAL_SECONDS * 1000,
      requestPollsPerMinute: e.TRACKING_POLLS_PER_MINUTE,
      ambiguousResend: e.OUTBOX_AMBIGUOUS_RESEND === 'on',
      limitMarginMs: e.OUTBOX_LIMIT_MARGIN_MS,
    },
    reminders: {
      resolvedMs: e.RESOLVED_REMINDER_HOURS * 3_600_000,
      quietRequestMs: e.QUIET_REQUEST_DAYS * 86_400_000,
      handoffMs: e.HANDOFF_REMINDER_HOURS * 3_600_000,
    },
    incidents: {
      sweepIntervalMs: e.INCIDENT_SWEEP_MINUTES * 60_000,
      classifications: e.INCIDENT_CLASSIFICATIONS,
      services: e.INCIDENT_SERVICES,
      cardUpdateWindowMs: e.INCIDENT_CARD_UPDATE_SECONDS * 1000,
    },
    connector: { timeoutMs: e.CONNECTOR_TIMEOUT_MS },
    upstream: {
      maxAttempts: e.UPSTREAM_MAX_ATTEMPTS,
      attemptTimeoutMs: e.UPSTREAM_ATTEMPT_TIMEOUT_MS,
      totalTimeoutMs: e.UPSTREAM_TOTAL_TIMEOUT_MS,
      turnBudgetMs: e.TURN_UPSTREAM_BUDGET_MS,
    },
  });
}
