/**
 * The "My escalations" tab, served by the bot's own server: its static page and the JSON API
 * it reads (escalations of the caller's partner tenant with their response clocks, one
 * escalation with its audit trail, its card, the audit export; the incidents across customers;
 * the response-time report; GDAP relationships to renew). Every API call is authenticated
 * (Teams SSO, or the development identity). The parts: `http.ts` (helpers and the
 * authenticating wrapper), `routes.ts`, `clock-view.ts`, `incident-routes.ts`,
 * `report-routes.ts`, `renewal-routes.ts`, `export.ts`, `static-files.ts`.
 */
import type restify from 'restify';
import type { Config } from '../config';
import type { Localizer } from '../i18n';
import type { Clock } from '../domain/clock';
import type { ClockSettings } from '../domain/escalation-clocks';
import type { Logger } from '../log';
import type { EscalationStore, IncidentStore } from '../store/types';
import { createTabAuthenticator, type TabAuthOptions } from './auth';
import { registerExportRoute } from './export';
import { apiRoutes } from './http';
import { registerIncidentRoutes } from './incident-routes';
import { registerRenewalRoutes, type RenewalRouteOptions } from './renewal-routes';
import { registerReportRoutes } from './report-routes';
import { registerEscalationRoutes, type TabCardFor } from './routes';
import type { ChatLinkOptions } from './chat-link';
import { registerStaticRoutes, type TabStrings } from './static-files';

export { DEVELOPMENT_USER_NAME, TAB_SCOPE, TabAuthError, createTabAuthenticator, entraIssuers, type TabAuthOptions, type TabIdentity } from './auth';
export { summarize, type EscalationSummary, type TabCardFor } from './routes';

/** Dependencies of the tab's routes. */
export interface TabRouteOptions {
  readonly store: EscalationStore;
  readonly logger: Logger;
  readonly auth: TabAuthOptions;
  readonly cardFor: TabCardFor;
  /** The folder of the page's HTML, CSS and JS (`src/tab/static`). */
  readonly staticDir: string;
  /** The locale files: the page's strings are their `tab` section, with the chat's state names and clock texts. */
  readonly localizer: Localizer;
  /** The bot's app id and cloud, for the tab's "Open in chat" link; none in local mode. */
  readonly chatLink?: ChatLinkOptions | undefined;
  /** What the response clocks are read against (the chat's own settings, so the tab and the card agree). */
  readonly clockSettings: ClockSettings;
  readonly clock: Clock;
  /** The incidents the sweep records (the Incidents view). */
  readonly incidents: Pick<IncidentStore, 'get' | 'counts' | 'listForCustomer'>;
  /** The Microsoft 365 admin center, where a post-incident review is read. */
  readonly adminCenterUrl?: string;
  /** GDAP in the partner tenant, for the renewals (none: the list is empty). */
  readonly access?: RenewalRouteOptions['access'];
  /** Names customers the access provider knows only by tenant id. */
  readonly directory?: RenewalRouteOptions['directory'];
}

/** The page's strings for a locale, from the same locale files as the chat (its state, clock and Microsoft status names too). */
export function tabStrings(localizer: Localizer): TabStrings {
  return (locale) => {
    const tr = localizer.forLocale(locale);
    return {
      language: tr.language,
      tab: tr.section('tab'),
      states: tr.section('flow.states'),
      clocks: tr.section('clocks'),
      healthStatus: tr.section('healthStatus'),
    };
  };
}

/** Registers the tab's page, its vendor scripts and its data API on a server. */
export function registerTabRoutes(server: restify.Server, options: TabRouteOptions): void {
  const { store, logger, cardFor, clock, clockSettings } = options;
  const api = apiRoutes(createTabAuthenticator(options.auth), logger);
  registerExportRoute(server, api, store, options.incidents, logger);
  registerIncidentRoutes(server, api, { incidents: options.incidents, store, adminCenterUrl: options.adminCenterUrl });
  registerReportRoutes(server, api, { store, clockSettings, clock, logger });
  registerRenewalRoutes(server, api, { access: options.access, directory: options.directory, clock, logger });
  registerEscalationRoutes(server, api, { store, cardFor, tenantScoped: options.auth.mode === 'entra', clockSettings, clock, ...(options.chatLink ? { chatLink: options.chatLink } : {}) });
  registerStaticRoutes(server, options.staticDir, logger, tabStrings(options.localizer));
}

/** The "Open in chat" link's settings: the bot's app id and cloud, none in local mode. */
export function chatLinkFromConfig(config: Config): ChatLinkOptions | undefined {
  return config.bot.localMode || !config.bot.appId ? undefined : { botAppId: config.bot.appId, cloud: config.cloud };
}

/**
 * The tab's authentication for a configuration: the development identity in local mode
 * (no MicrosoftAppId); otherwise Teams SSO, which needs the public host name and the
 * partner tenant id.
 */
export function tabAuthFromConfig(config: Config, publicHostname: string | undefined): TabAuthOptions {
  // The sign-in app is the bot's own unless the bot is a managed identity (TAB_SSO_CLIENT_ID).
  const appId = config.tabSsoClientId ?? config.bot.appId;
  if (config.bot.localMode || !appId) return { mode: 'development' };
  if (!publicHostname) throw new Error('Invalid setting PUBLIC_HOSTNAME: required for the tab\'s single sign-on when MicrosoftAppId is set');
  if (!config.partnerTenantId) throw new Error('Invalid setting PARTNER_TENANT_ID: required for the tab\'s single sign-on when MicrosoftAppId is set');
  return {
    mode: 'entra',
    appId,
    audience: [`api://${publicHostname}/${appId}`, appId],
    partnerTenantId: config.partnerTenantId,
    loginEndpoint: config.endpoints.login,
  };
}
