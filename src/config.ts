/**
 * The one place that reads the environment: `.env` (if present) and then the process
 * environment become one validated, typed, frozen `Config`. A bad setting stops start-up
 * with a one-line message that names the variable and what it expects.
 */
import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseSupportPlan, type SupportPlan } from './domain/response-clocks';
import type { ClientCredential } from './http/client-credential';
import { parseDatabaseUrl } from './store/url';

/** The Microsoft clouds the bot can run in (Germany closed on 2021-10-29). */
export const CLOUDS = ['public', 'gcchigh', 'dod', 'china'] as const;
export type CloudName = (typeof CLOUDS)[number];

/** Settings of the Bot Framework channel for one cloud, in botbuilder's own key names. */
export type BotFrameworkCloudSettings = Readonly<Record<string, string>>;

/** The endpoints of one national cloud (PRODUCT.md, "National clouds"). */
export interface CloudEndpoints {
  readonly login: string;
  readonly graph: string;
  readonly partnerCenter: string;
  /** Whether Partner Center service requests exist in this cloud (not in 21Vianet). */
  readonly serviceRequestsAvailable: boolean;
  /** Microsoft 365 admin center, for links to service health and post-incident reviews. */
  readonly adminCenter: string;
  readonly botFramework: BotFrameworkCloudSettings;
}

const CLOUD_TABLE: { readonly [C in CloudName]: CloudEndpoints } = {
  public: {
    login: 'https://login.microsoftonline.com',
    graph: 'https://graph.microsoft.com',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://admin.microsoft.com',
    botFramework: {},
  },
  gcchigh: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://graph.microsoft.us',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://portal.office365.us',
    botFramework: { ChannelService: 'https://botframework.azure.us' },
  },
  dod: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://dod-graph.microsoft.us',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://portal.apps.mil',
    botFramework: { ChannelService: 'https://botframework.azure.us' },
  },
  china: {
    login: 'https://login.chinacloudapi.cn',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    partnerCenter: 'https://partner.partnercenterapi.microsoftonline.cn',
    serviceRequestsAvailable: false,
    adminCenter: 'https://portal.partner.microsoftonline.cn',
    // 21Vianet has no ChannelService shortcut in botbuilder: every endpoint is explicit.
    botFramework: {
      OAuthUrl: 'https://token.botframework.azure.cn/',
      ToChannelFromBotLoginUrl: 'https://login.partner.microsoftonline.cn/microsoftservices.partner.onmschina.cn',
      ToChannelFromBotOAuthScope: 'https://api.botframework.azure.cn',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.azure.cn',
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.cn/v1/.well-known/openidconfiguration',
      ToBotFromEmulatorOpenIdMetadataUrl:
        'https://login.partner.microsoftonline.cn/a55a4d5b-9241-49b1-b4ff-befa8db00269/v2.0/.well-known/openid-configuration',
      ValidateAuthority: 'true',
    },
  },
};

/**
 * What a user-assigned managed identity's tokens are for, per cloud: the assertion of an app's
 * federated credential (its `aud`), and Azure Database for PostgreSQL's Entra sign-in.
 */
const MANAGED_IDENTITY_AUDIENCES: { readonly [C in CloudName]: { readonly tokenExchange: string; readonly postgres: string } } = {
  public: { tokenExchange: 'api://AzureADTokenExchange', postgres: 'https://ossrdbms-aad.database.windows.net' },
  gcchigh: { tokenExchange: 'api://AzureADTokenExchangeUSGov', postgres: 'https://ossrdbms-aad.database.usgovcloudapi.net' },
  dod: { tokenExchange: 'api://AzureADTokenExchangeUSGov', postgres: 'https://ossrdbms-aad.database.usgovcloudapi.net' },
  china: { tokenExchange: 'api://AzureADTokenExchangeChina', postgres: 'https://ossrdbms-aad.database.chinacloudapi.cn' },
};

/** The endpoints of a cloud, before any per-endpoint override. */
export function cloudEndpoints(cloud: CloudName): CloudEndpoints {
  return CLOUD_TABLE[cloud];
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const HEALTH_SOURCES = ['sandbox', 'graph'] as const;
/** SQLite's `synchronous` setting in WAL mode: see SqliteOptions.synchronous. */
export const SQLITE_SYNCHRONOUS_MODES = ['normal', 'full'] as const;
export const SUPPORT_SOURCES = ['sandbox', 'manual', 'partnercenter'] as const;
export const DIRECTORY_SOURCES = ['sandbox', 'partnercenter'] as const;
export const ACCESS_SOURCES = ['sandbox', 'graph'] as const;
export const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** The default database: an SQLite file under ./data, created on first start. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/escalation-desk.db';

/** Start-up refused: a setting is missing or wrong. The message is one line, meant for the admin. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());
const enumOf = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.preprocess(
    (v) => (emptyToUndefined(v) === undefined ? fallback : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(values.map((s) => s.toLowerCase()) as unknown as T, {
      error: () => `expected one of ${values.join(' | ')}`,
    }),
  );
const httpsUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), { error: 'expected an http(s) URL' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
);
const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => emptyToUndefined(v) ?? String(fallback),
    z
      .string()
      .trim()
      .regex(/^\d+$/, { error: `expected a whole number from ${min} to ${max}` })
      .transform(Number)
      .refine((n) => n >= min && n <= max, { error: `expected a whole number from ${min} to ${max}` }),
  );
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const optionalGuid = z.preprocess(
  emptyToUndefined,
  z.string().trim().regex(guid, { error: 'expected a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' }).optional(),
);
/** A tenant id setting: a GUID, lower-cased (Entra compares tenant ids case-insensitively). */
const optionalTenantGuid = optionalGuid.transform((v) => v?.toLowerCase());
/** ALLOWED_TENANTS: comma-separated tenant GUIDs (lower-cased), or `*` alone for any tenant. */
const tenantList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []),
  z.union([
    z.tuple([z.literal('*')]).transform(() => '*' as const),
    z
      .array(z.string().regex(guid, { error: 'expected comma-separated tenant GUIDs, or * alone for any tenant' }))
      .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
  ], { error: 'expected comma-separated tenant GUIDs, or * alone for any tenant' }),
);

/** The shape of the environment, variable by variable. */
const EnvSchema = z.object({
  PORT: intIn(1, 65535, 3978),
  // Empty: derived from the mode (see `defaultHost`).
  HOST: optionalText,
  MicrosoftAppId: optionalGuid,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z.preprocess(
    (v) => emptyToUndefined(v) ?? 'SingleTenant',
    z.enum(APP_TYPES, { error: () => `expected one of ${APP_TYPES.join(' | ')}` }),
  ),
  MicrosoftAppTenantId: optionalTenantGuid,
  CLOUD: z.preprocess(
    (v) => (emptyToUndefined(v) === undefined ? 'public' : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z
      .string()
      .refine((v) => v !== 'germany', {
        error:
          'Microsoft Cloud Germany closed on 2021-10-29 and its tenants moved to the global cloud: use CLOUD=public',
      })
      .pipe(z.enum(CLOUDS, { error: () => `expected one of ${CLOUDS.join(' | ')}` })),
  ),
  LOGIN_ENDPOINT: httpsUrl,
  GRAPH_ENDPOINT: httpsUrl,
  PARTNER_CENTER_ENDPOINT: httpsUrl,
  DATABASE_URL: z.preprocess((v) => emptyToUndefined(v) ?? DEFAULT_DATABASE_URL, z.string().trim()),
  DATABASE_POOL_SIZE: intIn(1, 100, 10),
  DATABASE_MANAGED_IDENTITY_ID: optionalGuid,
  SQLITE_SYNCHRONOUS: enumOf(SQLITE_SYNCHRONOUS_MODES, 'normal'),
  HEALTH_SOURCE: enumOf(HEALTH_SOURCES, 'sandbox'),
  SUPPORT_SOURCE: enumOf(SUPPORT_SOURCES, 'sandbox'),
  DIRECTORY_SOURCE: enumOf(DIRECTORY_SOURCES, 'sandbox'),
  ACCESS_SOURCE: enumOf(ACCESS_SOURCES, 'sandbox'),
  LOG_LEVEL: enumOf(LOG_LEVELS, 'info'),
  SHUTDOWN_GRACE_SECONDS: intIn(0, 300, 10),
  ALLOWED_TENANTS: tenantList,
  GRAPH_CLIENT_ID: optionalGuid,
  GRAPH_CLIENT_SECRET: optionalText,
  GRAPH_CLIENT_CERTIFICATE_PATH: optionalText,
  GRAPH_CLIENT_MANAGED_IDENTITY_ID: optionalGuid,
  PARTNER_CENTER_CLIENT_ID: optionalGuid,
  PARTNER_CENTER_CLIENT_SECRET: optionalText,
  PARTNER_CENTER_CLIENT_CERTIFICATE_PATH: optionalText,
  PARTNER_CENTER_CLIENT_MANAGED_IDENTITY_ID: optionalGuid,
  PARTNER_TENANT_ID: optionalTenantGuid,
  PARTNER_CENTER_REFRESH_TOKEN: optionalText,
  CONSENT_ADMIN_GROUP_ID: optionalGuid,
  SANDBOX_ATTENTION_AFTER_SECONDS: intIn(1, 86_400, 60),
  SANDBOX_CLOSE_AFTER_SECONDS: intIn(1, 86_400, 120),
  TRACKING_MIN_INTERVAL_SECONDS: intIn(1, 3600, 30),
  TRACKING_MAX_INTERVAL_SECONDS: intIn(1, 86_400, 1800),
  TRACKING_POLLS_PER_MINUTE: intIn(1, 6000, 600),
  OUTBOX_AMBIGUOUS_RESEND: enumOf(['on', 'off'] as const, 'on'),
  // At most Teams' 15 s turn limit (and a quarter of the outbox's 60 s lease).
  CONNECTOR_TIMEOUT_MS: intIn(100, 15_000, 5000),
  RESOLVED_REMINDER_HOURS: intIn(1, 720, 4),
  QUIET_REQUEST_DAYS: intIn(1, 90, 3),
  HANDOFF_REMINDER_HOURS: intIn(1, 720, 24),
  SUPPORT_PLAN_RESPONSE_HOURS: z.preprocess(
    (v) => emptyToUndefined(v) ?? 'critical=2,moderate=4,minimal=8',
    z.string().transform((text, ctx) => {
      try {
        return parseSupportPlan(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
  ),
  PARTNER_RESPONSE_TARGET_HOURS: intIn(1, 720, 48),
  WORKERS: z.preprocess(
    (v) => (emptyToUndefined(v) === undefined ? 'on' : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['on', 'off'], { error: () => 'expected on | off' }),
  ),
  HEALTH_CACHE_SECONDS: z.preprocess(emptyToUndefined, intIn(0, 3600, 120).optional()),
  HEALTH_CACHE_MAX_TENANTS: intIn(1, 100_000, 1000),
  HEALTH_BUDGET_PER_MINUTE: intIn(1, 239, 200),
  HEALTH_BUDGET_PER_HOUR: intIn(1, 799, 700),
  DIRECTORY_CACHE_SECONDS: intIn(0, 86_400, 900),
  ACCESS_CACHE_SECONDS: intIn(10, 86_400, 600),
  UPSTREAM_MAX_ATTEMPTS: intIn(1, 10, 4),
  UPSTREAM_ATTEMPT_TIMEOUT_MS: intIn(100, 60_000, 5000),
  UPSTREAM_TOTAL_TIMEOUT_MS: intIn(100, 120_000, 12_000),
  TURN_UPSTREAM_BUDGET_MS: intIn(200, 8000, 4000),
  PUBLIC_HOSTNAME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, { error: 'expected a host name such as desk.contoso.com (no scheme, no path)' })
      .optional(),
  ),
  SANDBOX_HEALTH_FILE: z.preprocess((v) => emptyToUndefined(v) ?? 'sandbox/health.json', z.string().trim()),
  TAB_SSO_CLIENT_ID: optionalGuid,
  ADMIN_CENTER_URL: httpsUrl,
});

/** The names of every setting config.ts reads (infra/ and the tests check against them). */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

/** The whole, validated configuration of one bot process. */
export interface Config {
  readonly port: number;
  /** The listen address: HOST, or 127.0.0.1 in local mode and 0.0.0.0 with an app id. */
  readonly host: string;
  readonly bot: {
    /** Empty app id: local mode, Bot Framework authentication is off. */
    readonly appId?: string;
    readonly appPassword?: string;
    readonly appType: (typeof APP_TYPES)[number];
    readonly appTenantId?: string;
    readonly localMode: boolean;
  };
  readonly cloud: CloudName;
  readonly endpoints: CloudEndpoints;
  readonly database: {
    readonly url: string;
    readonly kind: 'sqlite' | 'postgres';
    readonly poolSize: number;
    /** SQLite only: `full` also survives a power cut or OS crash, at a disk flush per write. */
    readonly sqliteSynchronous: (typeof SQLITE_SYNCHRONOUS_MODES)[number];
    /** PostgreSQL only: sign in with this managed identity's Entra token instead of a password. */
    readonly managedIdentity?: { readonly clientId: string; readonly resource: string };
  };
  readonly healthSource: (typeof HEALTH_SOURCES)[number];
  readonly supportSource: (typeof SUPPORT_SOURCES)[number];
  readonly directorySource: (typeof DIRECTORY_SOURCES)[number];
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly shutdownGraceMs: number;
  /**
   * Tenants served besides the partner's own (lower-case). With an app id, only the partner
   * tenant and these are served; in local mode an empty list means any tenant.
   */
  readonly allowedTenants: readonly string[];
  /** `ALLOWED_TENANTS=*`: every tenant is served (the app logs a warning at start). */
  readonly allowAnyTenant: boolean;
  /** The public host Teams reaches the bot and its tab at (manifest, SSO audience). */
  readonly publicHostname?: string;
  /** The partner's own Entra tenant, lower-case (Partner Center calls are made in it; the bot and tab serve it). */
  readonly partnerTenantId?: string;
  /** The multi-tenant app that reads customers' service health (HEALTH_SOURCE=graph). */
  readonly graph: { readonly clientId?: string; readonly credential?: ClientCredential };
  /** The app that calls Partner Center (DIRECTORY_SOURCE / SUPPORT_SOURCE = partnercenter). */
  readonly partnerCenter: { readonly clientId?: string; readonly credential?: ClientCredential };
  /** The Entra app whose single sign-on tokens the tab accepts (the bot's app unless it is a managed identity). */
  readonly tabSsoClientId?: string;
  readonly health: {
    /** Undefined: the provider's default (2 minutes for Graph, seconds for the sandbox). */
    readonly cacheMs?: number;
    readonly cacheMaxTenants: number;
    readonly budgetPerMinute: number;
    readonly budgetPerHour: number;
    readonly sandboxFile: string;
    readonly adminCenterUrl: string;
  };
  readonly directory: { readonly cacheMs: number };
  /** GDAP readiness (issue 16): where it is read, how long answers are reused, who may grant health consent. */
  readonly access: {
    readonly source: (typeof ACCESS_SOURCES)[number];
    readonly cacheMs: number;
    /** Partner-tenant security group whose members may grant the health app's consent from the desk; none: nobody may. */
    readonly consentAdminGroupId?: string;
  };
  /** Response clocks: Microsoft's first-response targets and the partner's own target. */
  readonly responseClocks: {
    readonly supportPlan: SupportPlan;
    /** From the customer's report to the customer being told, unless the directory overrides it per customer. */
    readonly partnerTargetHours: number;
  };
  readonly support: {
    /** Partner Center App+User refresh token (Secure Application Model), SUPPORT_SOURCE=partnercenter. */
    readonly refreshToken?: string;
    /** How long the sandbox takes to ask for information and to close a linked request. */
    readonly sandboxAttentionAfterMs: number;
    readonly sandboxCloseAfterMs: number;
  };
  readonly tracking: {
    /** Background workers (tracker, outbox, reminders) run in this process. */
    readonly enabled: boolean;
    /** The short interval: Sev A, attention_needed and recently touched requests (polling policy). */
    readonly minIntervalMs: number;
    /** Where the backoff of quiet Sev C requests stops. */
    readonly maxIntervalMs: number;
    /** Partner Center service-request reads per minute per instance. */
    readonly requestPollsPerMinute: number;
    /**
     * A notification whose sender died between the send and recording it: send it again
     * (at-least-once: a possible duplicate) or give it up (at-most-once: a possible loss).
     * Teams cannot say whether the first send arrived.
     */
    readonly ambiguousResend: boolean;
  };
  readonly reminders: {
    /** Resolved but the customer not yet told. */
    readonly resolvedMs: number;
    /** Escalated with no update from Microsoft. */
    readonly quietRequestMs: number;
    /** Request prepared but not filed (awaiting_handoff). */
    readonly handoffMs: number;
  };
  /** Calls to the Bot Framework connector (replies and proactive sends). */
  readonly connector: {
    /** Deadline of one call; a call without an answer by then may still have arrived. */
    readonly timeoutMs: number;
  };
  /** Retry policy of calls to Graph and Partner Center. */
  readonly upstream: {
    readonly maxAttempts: number;
    readonly attemptTimeoutMs: number;
    readonly totalTimeoutMs: number;
    /** Longest a turn waits for an upstream answer before acknowledging and finishing later. */
    readonly turnBudgetMs: number;
  };
}

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

  let databaseKind: 'sqlite' | 'postgres';
  let databasePassword = false;
  try {
    const target = parseDatabaseUrl(e.DATABASE_URL);
    databaseKind = target.kind;
    databasePassword = target.kind === 'postgres' && target.url.password !== '';
  } catch (error) {
    throw new ConfigError(`Invalid setting DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`);
  }

  const managedIdentityBot = e.MicrosoftAppType === 'UserAssignedMSI';
  if (e.MicrosoftAppId && managedIdentityBot && e.MicrosoftAppPassword) {
    throw new ConfigError('Invalid setting MicrosoftAppPassword: must be empty with MicrosoftAppType=UserAssignedMSI (a managed identity has no secret)');
  }
  if (e.MicrosoftAppId && !managedIdentityBot && !e.MicrosoftAppPassword) {
    throw new ConfigError('Invalid setting MicrosoftAppPassword: required when MicrosoftAppId is set (or MicrosoftAppType=UserAssignedMSI)');
  }
  if (e.MicrosoftAppId && e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) {
    throw new ConfigError(
      `Invalid setting MicrosoftAppTenantId: required when MicrosoftAppType is ${e.MicrosoftAppType}` +
        (e.MicrosoftAppType === 'SingleTenant' ? ' (the default; an existing multi-tenant registration sets MicrosoftAppType=MultiTenant)' : ''),
    );
  }

  // A managed identity lives in one tenant: it cannot read customers' tenants itself, nor
  // sign the tab's users in. Those stay Entra apps, which may trust it (federated credential).
  const botCredential: ClientCredential | undefined =
    !managedIdentityBot && e.MicrosoftAppPassword ? { kind: 'secret', secret: e.MicrosoftAppPassword } : undefined;
  const audiences = MANAGED_IDENTITY_AUDIENCES[e.CLOUD];
  const graphClientId = e.GRAPH_CLIENT_ID ?? (managedIdentityBot ? undefined : e.MicrosoftAppId);
  const graphCredential =
    clientCredential('GRAPH', e.GRAPH_CLIENT_SECRET, e.GRAPH_CLIENT_CERTIFICATE_PATH, e.GRAPH_CLIENT_MANAGED_IDENTITY_ID, audiences.tokenExchange) ??
    botCredential;
  const credentialNames = (prefix: string) => `${prefix}_CLIENT_SECRET, ${prefix}_CLIENT_CERTIFICATE_PATH or ${prefix}_CLIENT_MANAGED_IDENTITY_ID`;
  if (e.HEALTH_SOURCE === 'graph' && (!graphClientId || !graphCredential)) {
    throw new ConfigError(
      `Invalid setting GRAPH_CLIENT_ID: HEALTH_SOURCE=graph needs GRAPH_CLIENT_ID and one of ${credentialNames('GRAPH')}` +
        (managedIdentityBot ? ' (a managed identity bot cannot read customer tenants itself)' : ' (default: the bot app\'s id and password)'),
    );
  }
  const pcClientId = e.PARTNER_CENTER_CLIENT_ID ?? graphClientId;
  const pcCredential =
    clientCredential(
      'PARTNER_CENTER',
      e.PARTNER_CENTER_CLIENT_SECRET,
      e.PARTNER_CENTER_CLIENT_CERTIFICATE_PATH,
      e.PARTNER_CENTER_CLIENT_MANAGED_IDENTITY_ID,
      audiences.tokenExchange,
    ) ?? graphCredential;
  const partnerTenantId = e.PARTNER_TENANT_ID ?? e.MicrosoftAppTenantId;
  if (e.DIRECTORY_SOURCE === 'partnercenter' && (!pcClientId || !pcCredential || !partnerTenantId)) {
    throw new ConfigError(
      `Invalid setting PARTNER_TENANT_ID: DIRECTORY_SOURCE=partnercenter needs PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and one of ${credentialNames('PARTNER_CENTER')}`,
    );
  }

  if (e.ACCESS_SOURCE === 'graph' && (!graphClientId || !graphCredential || !partnerTenantId)) {
    throw new ConfigError(
      `Invalid setting ACCESS_SOURCE: ACCESS_SOURCE=graph needs PARTNER_TENANT_ID, GRAPH_CLIENT_ID and one of ${credentialNames('GRAPH')} (GDAP is read in your partner tenant)`,
    );
  }

  if (e.SUPPORT_SOURCE === 'partnercenter' && (!pcClientId || !pcCredential || !partnerTenantId || !e.PARTNER_CENTER_REFRESH_TOKEN)) {
    throw new ConfigError(
      `Invalid setting PARTNER_CENTER_REFRESH_TOKEN: SUPPORT_SOURCE=partnercenter needs PARTNER_CENTER_REFRESH_TOKEN, PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and one of ${credentialNames('PARTNER_CENTER')}`,
    );
  }
  if (e.MicrosoftAppId && managedIdentityBot && !e.TAB_SSO_CLIENT_ID) {
    throw new ConfigError(
      'Invalid setting TAB_SSO_CLIENT_ID: required with MicrosoftAppType=UserAssignedMSI (a managed identity cannot sign the tab\'s users in: name the Entra app that exposes api://<PUBLIC_HOSTNAME>/<its id>)',
    );
  }
  if (e.DATABASE_MANAGED_IDENTITY_ID && databaseKind !== 'postgres') {
    throw new ConfigError('Invalid setting DATABASE_MANAGED_IDENTITY_ID: only for a PostgreSQL DATABASE_URL (Entra sign-in)');
  }
  if (e.DATABASE_MANAGED_IDENTITY_ID && databasePassword) {
    throw new ConfigError('Invalid setting DATABASE_MANAGED_IDENTITY_ID: DATABASE_URL must carry no password when the managed identity signs in');
  }
  if (e.TRACKING_MIN_INTERVAL_SECONDS > e.TRACKING_MAX_INTERVAL_SECONDS) {
    throw new ConfigError('Invalid setting TRACKING_MIN_INTERVAL_SECONDS: must not exceed TRACKING_MAX_INTERVAL_SECONDS');
  }
  if (e.MicrosoftAppId && !e.PUBLIC_HOSTNAME) {
    throw new ConfigError('Invalid setting PUBLIC_HOSTNAME: required when MicrosoftAppId is set (the tab\'s single sign-on audience)');
  }
  if (e.MicrosoftAppId && !partnerTenantId) {
    throw new ConfigError('Invalid setting PARTNER_TENANT_ID: required when MicrosoftAppId is set (the tab admits only your own tenant)');
  }

  const base = cloudEndpoints(e.CLOUD);
  const endpoints: CloudEndpoints = {
    ...base,
    login: e.LOGIN_ENDPOINT ?? base.login,
    graph: e.GRAPH_ENDPOINT ?? base.graph,
    partnerCenter: e.PARTNER_CENTER_ENDPOINT ?? base.partnerCenter,
  };

  return Object.freeze({
    port: e.PORT,
    host: e.HOST ?? defaultHost(!e.MicrosoftAppId),
    bot: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      appTenantId: e.MicrosoftAppTenantId,
      localMode: !e.MicrosoftAppId,
    },
    cloud: e.CLOUD,
    endpoints,
    database: {
      url: e.DATABASE_URL,
      kind: databaseKind,
      poolSize: e.DATABASE_POOL_SIZE,
      sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
      managedIdentity: e.DATABASE_MANAGED_IDENTITY_ID ? { clientId: e.DATABASE_MANAGED_IDENTITY_ID, resource: audiences.postgres } : undefined,
    },
    healthSource: e.HEALTH_SOURCE,
    supportSource: e.SUPPORT_SOURCE,
    directorySource: e.DIRECTORY_SOURCE,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    allowedTenants: e.ALLOWED_TENANTS === '*' ? [] : e.ALLOWED_TENANTS,
    allowAnyTenant: e.ALLOWED_TENANTS === '*',
    partnerTenantId,
    publicHostname: e.PUBLIC_HOSTNAME,
    graph: { clientId: graphClientId, credential: graphCredential },
    partnerCenter: { clientId: pcClientId, credential: pcCredential },
    tabSsoClientId: e.TAB_SSO_CLIENT_ID ?? (managedIdentityBot ? undefined : e.MicrosoftAppId),
    health: {
      cacheMs: e.HEALTH_CACHE_SECONDS === undefined ? undefined : e.HEALTH_CACHE_SECONDS * 1000,
      cacheMaxTenants: e.HEALTH_CACHE_MAX_TENANTS,
      budgetPerMinute: e.HEALTH_BUDGET_PER_MINUTE,
      budgetPerHour: e.HEALTH_BUDGET_PER_HOUR,
      sandboxFile: e.SANDBOX_HEALTH_FILE,
      adminCenterUrl: e.ADMIN_CENTER_URL ?? base.adminCenter,
    },
    directory: { cacheMs: e.DIRECTORY_CACHE_SECONDS * 1000 },
    access: { source: e.ACCESS_SOURCE, cacheMs: e.ACCESS_CACHE_SECONDS * 1000, consentAdminGroupId: e.CONSENT_ADMIN_GROUP_ID?.toLowerCase() },
    responseClocks: { supportPlan: e.SUPPORT_PLAN_RESPONSE_HOURS, partnerTargetHours: e.PARTNER_RESPONSE_TARGET_HOURS },
    support: {
      refreshToken: e.PARTNER_CENTER_REFRESH_TOKEN,
      sandboxAttentionAfterMs: e.SANDBOX_ATTENTION_AFTER_SECONDS * 1000,
      sandboxCloseAfterMs: e.SANDBOX_CLOSE_AFTER_SECONDS * 1000,
    },
    tracking: {
      enabled: e.WORKERS === 'on',
      minIntervalMs: e.TRACKING_MIN_INTERVAL_SECONDS * 1000,
      maxIntervalMs: e.TRACKING_MAX_INTERVAL_SECONDS * 1000,
      requestPollsPerMinute: e.TRACKING_POLLS_PER_MINUTE,
      ambiguousResend: e.OUTBOX_AMBIGUOUS_RESEND === 'on',
    },
    reminders: {
      resolvedMs: e.RESOLVED_REMINDER_HOURS * 3_600_000,
      quietRequestMs: e.QUIET_REQUEST_DAYS * 86_400_000,
      handoffMs: e.HANDOFF_REMINDER_HOURS * 3_600_000,
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


/**
 * An app's credential from its three settings (`<prefix>_CLIENT_SECRET`, `_CERTIFICATE_PATH`,
 * `_MANAGED_IDENTITY_ID`), at most one of which may be set; undefined when none is.
 */
function clientCredential(
  prefix: 'GRAPH' | 'PARTNER_CENTER',
  secret: string | undefined,
  certificatePath: string | undefined,
  managedIdentityId: string | undefined,
  tokenExchangeAudience: string,
): ClientCredential | undefined {
  const given = [secret && 'SECRET', certificatePath && 'CERTIFICATE_PATH', managedIdentityId && 'MANAGED_IDENTITY_ID'].filter(Boolean);
  if (given.length > 1) {
    throw new ConfigError(
      `Invalid setting ${prefix}_CLIENT_${String(given[1])}: set only one of ${prefix}_CLIENT_SECRET, ${prefix}_CLIENT_CERTIFICATE_PATH and ${prefix}_CLIENT_MANAGED_IDENTITY_ID`,
    );
  }
  if (secret) return { kind: 'secret', secret };
  if (certificatePath) {
    if (!existsSync(certificatePath)) throw new ConfigError(`Invalid setting ${prefix}_CLIENT_CERTIFICATE_PATH: no such file`);
    return { kind: 'certificate', path: certificatePath, setting: `${prefix}_CLIENT_CERTIFICATE_PATH` };
  }
  if (managedIdentityId) return { kind: 'managed-identity', managedIdentityClientId: managedIdentityId, audience: tokenExchangeAudience };
  return undefined;
}
