/**
 * The rules between settings: what a mode requires, which settings exclude each other, and the
 * defaults one setting takes from another (the apps default to the bot's own). Each rule refuses
 * start-up with a one-line `ConfigError` naming the variable; they run in a fixed order, so the
 * same environment always gets the same message. Each mode's section comes out typed.
 */
import { existsSync } from 'node:fs';
import type { ClientCredential } from '../http/client-credential';
import { parseDatabaseUrl } from '../store/url';
import { MANAGED_IDENTITY_AUDIENCES } from './clouds';
import type { Env } from './env-schema';
import { ConfigError, type BotSettings, type ConfiguredApp, type DirectorySource, type HealthSource, type SupportSettings } from './types';

/** What the rules derive from the environment, each mode's part typed. */
export interface Resolved {
  readonly databaseKind: 'sqlite' | 'postgres';
  readonly bot: BotSettings;
  readonly graph: ConfiguredApp;
  readonly partnerCenter: ConfiguredApp;
  readonly partnerTenantId?: string;
  readonly tabSsoClientId?: string;
  readonly health: HealthSource;
  readonly directory: DirectorySource;
  readonly support: SupportSettings;
}

const credentialNames = (prefix: string): string =>
  `${prefix}_CLIENT_SECRET, ${prefix}_CLIENT_CERTIFICATE_PATH or ${prefix}_CLIENT_MANAGED_IDENTITY_ID`;

/** Applies every rule between settings, in order; throws `ConfigError` at the first one broken. */
export function resolveSettings(e: Env): Resolved {
  const databaseKind = databaseKindOf(e);
  const bot = botSettings(e);
  const managedIdentityBot = e.MicrosoftAppType === 'UserAssignedMSI';

  // A managed identity lives in one tenant: it cannot read customers' tenants itself, nor
  // sign the tab's users in. Those stay Entra apps, which may trust it (federated credential).
  const botCredential: ClientCredential | undefined =
    !managedIdentityBot && e.MicrosoftAppPassword ? { kind: 'secret', secret: e.MicrosoftAppPassword } : undefined;
  const audience = MANAGED_IDENTITY_AUDIENCES[e.CLOUD].tokenExchange;
  const graph: ConfiguredApp = {
    clientId: e.GRAPH_CLIENT_ID ?? (managedIdentityBot ? undefined : e.MicrosoftAppId),
    credential:
      clientCredential('GRAPH', e.GRAPH_CLIENT_SECRET, e.GRAPH_CLIENT_CERTIFICATE_PATH, e.GRAPH_CLIENT_MANAGED_IDENTITY_ID, audience) ?? botCredential,
  };
  const health = healthSource(e, graph, managedIdentityBot);
  const partnerCenter: ConfiguredApp = {
    clientId: e.PARTNER_CENTER_CLIENT_ID ?? graph.clientId,
    credential:
      clientCredential(
        'PARTNER_CENTER',
        e.PARTNER_CENTER_CLIENT_SECRET,
        e.PARTNER_CENTER_CLIENT_CERTIFICATE_PATH,
        e.PARTNER_CENTER_CLIENT_MANAGED_IDENTITY_ID,
        audience,
      ) ?? graph.credential,
  };
  const partnerTenantId = e.PARTNER_TENANT_ID ?? e.MicrosoftAppTenantId;
  const directory = directorySource(e, partnerCenter, partnerTenantId);
  const support = supportSource(e, partnerCenter, partnerTenantId);
  if (e.ACCESS_SOURCE === 'graph' && (!graph.clientId || !graph.credential || !partnerTenantId)) {
    throw new ConfigError(
      `Invalid setting ACCESS_SOURCE: ACCESS_SOURCE=graph needs PARTNER_TENANT_ID, GRAPH_CLIENT_ID and one of ${credentialNames('GRAPH')} (GDAP is read in your partner tenant)`,
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
  if (e.DATABASE_MANAGED_IDENTITY_ID && hasDatabasePassword(e)) {
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

  return {
    databaseKind,
    bot,
    graph,
    partnerCenter,
    partnerTenantId,
    tabSsoClientId: e.TAB_SSO_CLIENT_ID ?? (managedIdentityBot ? undefined : e.MicrosoftAppId),
    health,
    directory,
    support,
  };
}

function databaseKindOf(e: Env): 'sqlite' | 'postgres' {
  try {
    return parseDatabaseUrl(e.DATABASE_URL).kind;
  } catch (error) {
    throw new ConfigError(`Invalid setting DATABASE_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Whether DATABASE_URL carries a PostgreSQL password (its form was checked by `databaseKindOf`). */
function hasDatabasePassword(e: Env): boolean {
  const target = parseDatabaseUrl(e.DATABASE_URL);
  return target.kind === 'postgres' && target.url.password !== '';
}

/** The bot's identity: local mode without an app id, else the app and what its type requires. */
function botSettings(e: Env): BotSettings {
  if (!e.MicrosoftAppId) return { localMode: true, appType: e.MicrosoftAppType };
  const managedIdentityBot = e.MicrosoftAppType === 'UserAssignedMSI';
  if (managedIdentityBot && e.MicrosoftAppPassword) {
    throw new ConfigError('Invalid setting MicrosoftAppPassword: must be empty with MicrosoftAppType=UserAssignedMSI (a managed identity has no secret)');
  }
  if (!managedIdentityBot && !e.MicrosoftAppPassword) {
    throw new ConfigError('Invalid setting MicrosoftAppPassword: required when MicrosoftAppId is set (or MicrosoftAppType=UserAssignedMSI)');
  }
  if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) {
    throw new ConfigError(
      `Invalid setting MicrosoftAppTenantId: required when MicrosoftAppType is ${e.MicrosoftAppType}` +
        (e.MicrosoftAppType === 'SingleTenant' ? ' (the default; an existing multi-tenant registration sets MicrosoftAppType=MultiTenant)' : ''),
    );
  }
  return {
    localMode: false,
    appId: e.MicrosoftAppId,
    appType: e.MicrosoftAppType,
    appPassword: e.MicrosoftAppPassword,
    appTenantId: e.MicrosoftAppTenantId,
  };
}

function healthSource(e: Env, graph: ConfiguredApp, managedIdentityBot: boolean): HealthSource {
  if (e.HEALTH_SOURCE === 'sandbox') return { source: 'sandbox' };
  if (!graph.clientId || !graph.credential) {
    throw new ConfigError(
      `Invalid setting GRAPH_CLIENT_ID: HEALTH_SOURCE=graph needs GRAPH_CLIENT_ID and one of ${credentialNames('GRAPH')}` +
        (managedIdentityBot ? ' (a managed identity bot cannot read customer tenants itself)' : ' (default: the bot app\'s id and password)'),
    );
  }
  return { source: 'graph', app: { clientId: graph.clientId, credential: graph.credential } };
}

function directorySource(e: Env, app: ConfiguredApp, partnerTenantId: string | undefined): DirectorySource {
  if (e.DIRECTORY_SOURCE === 'sandbox') return { source: 'sandbox' };
  if (!app.clientId || !app.credential || !partnerTenantId) {
    throw new ConfigError(
      `Invalid setting PARTNER_TENANT_ID: DIRECTORY_SOURCE=partnercenter needs PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and one of ${credentialNames('PARTNER_CENTER')}`,
    );
  }
  return { source: 'partnercenter', app: { clientId: app.clientId, credential: app.credential }, partnerTenantId };
}

function supportSource(e: Env, app: ConfiguredApp, partnerTenantId: string | undefined): SupportSettings {
  switch (e.SUPPORT_SOURCE) {
    case 'sandbox':
      return {
        source: 'sandbox',
        schedule: { attentionAfterMs: e.SANDBOX_ATTENTION_AFTER_SECONDS * 1000, closeAfterMs: e.SANDBOX_CLOSE_AFTER_SECONDS * 1000 },
      };
    case 'manual':
      return { source: 'manual' };
    case 'partnercenter':
      if (!app.clientId || !app.credential || !partnerTenantId || !e.PARTNER_CENTER_REFRESH_TOKEN) {
        throw new ConfigError(
          `Invalid setting PARTNER_CENTER_REFRESH_TOKEN: SUPPORT_SOURCE=partnercenter needs PARTNER_CENTER_REFRESH_TOKEN, PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and one of ${credentialNames('PARTNER_CENTER')}`,
        );
      }
      return { source: 'partnercenter', partnerTenantId, clientId: app.clientId, credential: app.credential, refreshToken: e.PARTNER_CENTER_REFRESH_TOKEN };
  }
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
