/**
 * The environment's shape, variable by variable: every setting the bot reads, its default and
 * what it accepts. `.env.example` documents each one with its default (a test holds them equal).
 */
import { z } from 'zod';
import { parseSupportPlan } from '../domain/response-clocks';
import { CLOUDS } from './clouds';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const HEALTH_SOURCES = ['sandbox', 'graph'] as const;
/** SQLite's `synchronous` setting in WAL mode: see SqliteOptions.synchronous. */
export const SQLITE_SYNCHRONOUS_MODES = ['normal', 'full'] as const;
export const SUPPORT_SOURCES = ['sandbox', 'manual', 'partnercenter'] as const;
export const DIRECTORY_SOURCES = ['sandbox', 'partnercenter'] as const;
export const ACCESS_SOURCES = ['sandbox', 'graph'] as const;
/** Which Microsoft issue classifications the incident sweep follows (INCIDENT_CLASSIFICATIONS). */
export const INCIDENT_CLASSIFICATIONS = ['incident', 'advisory'] as const;
export const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** The default database: an SQLite file under ./data, created on first start. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/escalation-desk.db';

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
export const EnvSchema = z.object({
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
  // Empty: on with an app id (Teams), off in local mode (the Playground and the Emulator have no typeahead).
  CUSTOMER_TYPEAHEAD: z.preprocess(
    (v) => (emptyToUndefined(v) === undefined ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['on', 'off'], { error: () => 'expected one of on | off' }).optional(),
  ),
  OUTBOX_LIMIT_MARGIN_MS: intIn(0, 1000, 0),
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
  PARTNER_RESPONSE_TARGETS_FILE: optionalText,
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
  INCIDENT_SWEEP_MINUTES: intIn(0, 1440, 5),
  INCIDENT_CLASSIFICATIONS: z.preprocess(
    (v) => emptyToUndefined(v) ?? 'incident',
    z
      .string()
      .transform((v) => [...new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))])
      .refine((list) => list.length > 0 && list.every((c) => (INCIDENT_CLASSIFICATIONS as readonly string[]).includes(c)), {
        error: `expected a comma-separated list of ${INCIDENT_CLASSIFICATIONS.join(' | ')}`,
      }),
  ),
  INCIDENT_SERVICES: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []),
    z.array(z.string().max(100)),
  ),
  INCIDENT_CARD_UPDATE_SECONDS: intIn(10, 3600, 60),
  SANDBOX_HEALTH_FILE: z.preprocess((v) => emptyToUndefined(v) ?? 'sandbox/health.json', z.string().trim()),
  TAB_SSO_CLIENT_ID: optionalGuid,
  ADMIN_CENTER_URL: httpsUrl,
});

/** The names of every setting the configuration reads (infra/ and the tests check against them). */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

/** The environment as the schema reads it. */
export type Env = z.output<typeof EnvSchema>;
