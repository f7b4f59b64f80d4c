/**
 * The typed configuration of one bot process. Each mode's required settings are part of its
 * type: a `graph` health source carries the app that reads customers' tenants, a
 * `partnercenter` support source its Secure Application Model credentials, and so on, so the
 * code that builds the service needs no fallbacks for settings the configuration guarantees.
 */
import type { ClientCredential } from '../http/client-credential';
import type { CloudEndpoints, CloudName } from './clouds';
import type { SupportPlan } from '../domain/response-clocks';
import type { ACCESS_SOURCES, APP_TYPES, DIRECTORY_SOURCES, HEALTH_SOURCES, LOG_LEVELS, SQLITE_SYNCHRONOUS_MODES, SUPPORT_SOURCES } from './env-schema';

/** Start-up refused: a setting is missing or wrong. The message is one line, meant for the admin. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An Entra app and how it signs in: what a source that calls Microsoft needs. */
export interface AppSignIn {
  readonly clientId: string;
  readonly credential: ClientCredential;
}

/** An Entra app as configured, before a source requires it. */
export interface ConfiguredApp {
  readonly clientId?: string;
  readonly credential?: ClientCredential;
}

/** The bot's own identity: none in local mode (Bot Framework authentication off). */
export type BotSettings =
  | {
      readonly localMode: true;
      readonly appId?: undefined;
      readonly appType: (typeof APP_TYPES)[number];
      readonly appPassword?: undefined;
      readonly appTenantId?: undefined;
    }
  | {
      readonly localMode: false;
      readonly appId: string;
      readonly appType: (typeof APP_TYPES)[number];
      /** None for a managed identity (UserAssignedMSI). */
      readonly appPassword?: string;
      readonly appTenantId?: string;
    };

/** Where service health comes from. */
export type HealthSource =
  | { readonly source: 'sandbox'; readonly app?: undefined }
  /** The multi-tenant app that reads customers' service health. */
  | { readonly source: 'graph'; readonly app: AppSignIn };

/** Where service health comes from, and how it is cached and budgeted. */
export type HealthSettings = HealthSource & {
  /** Undefined: the provider's default (2 minutes for Graph, seconds for the sandbox). */
  readonly cacheMs?: number;
  readonly cacheMaxTenants: number;
  readonly budgetPerMinute: number;
  readonly budgetPerHour: number;
  readonly sandboxFile: string;
  readonly adminCenterUrl: string;
};

/** Where the partner's customers come from. */
export type DirectorySource =
  | { readonly source: 'sandbox'; readonly app?: undefined; readonly partnerTenantId?: undefined }
  | { readonly source: 'partnercenter'; readonly app: AppSignIn; readonly partnerTenantId: string };

/** Where the partner's customers come from, and how long the list is kept. */
export type DirectorySettings = DirectorySource & { readonly cacheMs: number };

/** Microsoft's support side: played by the sandbox, reported by the engineer, or Partner Center's API. */
export type SupportSettings =
  | {
      readonly source: 'sandbox';
      /** How long the sandbox takes to ask for information and to close a linked request. */
      readonly schedule: { readonly attentionAfterMs: number; readonly closeAfterMs: number };
      readonly refreshToken?: undefined;
    }
  | { readonly source: 'manual'; readonly refreshToken?: undefined }
  | {
      /** The Secure Application Model credentials of the partner tenant. */
      readonly source: 'partnercenter';
      readonly partnerTenantId: string;
      readonly clientId: string;
      readonly credential: ClientCredential;
      /** Partner Center App+User refresh token. */
      readonly refreshToken: string;
    };

/** The whole, validated configuration of one bot process. */
export interface Config {
  readonly port: number;
  /** The listen address: HOST, or 127.0.0.1 in local mode and 0.0.0.0 with an app id. */
  readonly host: string;
  readonly bot: BotSettings;
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
  /** The sources, as `health.source`, `support.source` and `directory.source` carry them with their settings. */
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
  /**
   * The describe card searches customers beyond its first page as the engineer types (Teams'
   * typeahead). Off in local mode unless CUSTOMER_TYPEAHEAD says otherwise: the Agents Playground
   * and the Emulator cannot search, and show a customer chosen in such a field as its tenant id.
   */
  readonly customerTypeahead: boolean;
  /** The public host Teams reaches the bot and its tab at (manifest, SSO audience). */
  readonly publicHostname?: string;
  /** The partner's own Entra tenant, lower-case (Partner Center calls are made in it; the bot and tab serve it). */
  readonly partnerTenantId?: string;
  /** The multi-tenant app that reads customers' service health, as configured (HEALTH_SOURCE=graph requires it). */
  readonly graph: ConfiguredApp;
  /** The app that calls Partner Center, as configured (the partnercenter sources require it). */
  readonly partnerCenter: ConfiguredApp;
  /** The Entra app whose single sign-on tokens the tab accepts (the bot's app unless it is a managed identity). */
  readonly tabSsoClientId?: string;
  readonly health: HealthSettings;
  readonly directory: DirectorySettings;
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
    /** Per-customer targets from PARTNER_RESPONSE_TARGETS_FILE: customer tenant id (lower case) → hours. */
    readonly partnerTargetOverrides: Readonly<Record<string, number>>;
  };
  readonly support: SupportSettings;
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
    /**
     * How much wider than Teams' windows the outbox holds its own (on the times sends actually
     * left), for the network's jitter between leaving and arriving (default 100); a 429 raises it for a while.
     */
    readonly limitMarginMs: number;
  };
  readonly reminders: {
    /** Resolved but the customer not yet told. */
    readonly resolvedMs: number;
    /** Escalated with no update from Microsoft. */
    readonly quietRequestMs: number;
    /** Request prepared but not filed (awaiting_handoff). */
    readonly handoffMs: number;
  };
  /** The incident sweep: every customer tenant's service health, one incident card per Microsoft incident. */
  readonly incidents: {
    /** Every customer tenant once per this; 0: the sweep is off. */
    readonly sweepIntervalMs: number;
    /** Classifications followed (lower case): `incident` by default, `advisory` opt-in. */
    readonly classifications: readonly string[];
    /** Services followed (e.g. "Exchange Online"); empty: every service. */
    readonly services: readonly string[];
    /** At most one update of an incident card per this. */
    readonly cardUpdateWindowMs: number;
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
