/**
 * The composition root as a function: configuration in, a built (not yet listening) service
 * out. `index.ts` calls it for the process; tests call it to run the real stack in-process.
 * (Over 300 lines: every part is built here once, in the order they depend on each other, and
 * that list reads best whole.)
 */
import { join, resolve } from 'node:path';
import { CardRenderer } from './cards';
import type { Config } from './config';
import { Localizer } from './i18n';
import type { Logger } from './log';
import { buildServer, type BotServer } from './server';
import { openDatabase } from './store';
import type { Database } from './store/types';
import { createTeamsEdge, type TeamsEdge } from './bot';
import { createHealthCommand } from './bot/commands/health';
import { EscalationFlow } from './bot/flow/escalation-flow';
import { createCustomerSearch } from './bot/flow/customer-choices';
import { SandboxCustomerDirectory, createCustomerDirectory } from './directory';
import { systemClock, type Clock } from './domain/clock';
import { createHealthProvider, loadSandboxData, registerSandboxHealthRoutes } from './health';
import { watchSandboxFile } from './health/sandbox-watch';
import { chatLinkFromConfig, registerTabRoutes, tabAuthFromConfig } from './tab/api';
import { BotProactiveSender } from './bot/proactive-sender';
import { notificationRenderer, reminderRenderer, statusRenderer } from './cards/notification-cards';
import { detailsOf } from './domain/details';
import { PARTNER_CENTER_PORTAL, partnerCenterRequestsLink } from './domain/triage';
import { TRACKING_RETRY_POLICY, createSupportProvider, type SupportProvider, type SupportProviderOptions } from './support';
import { BackgroundWork } from './background-work';
import { managedIdentityToken } from './http/client-credential';
import { OutboxWorker, Tracker } from './tracking';
import { Reminders } from './tracking/reminders';
import { IncidentSweep } from './incidents';
import { createIncidentCard, tabLinkOptions } from './incidents/parts';
import { createIncidentsCommand } from './bot/commands/incidents';
import { createAccessProvider, createHealthConsent, uncachedMembership, type AccessProvider } from './access';
import { ConsentLedger } from './access/consent-ledger';
import type { AccessDesk } from './access/desk';
import { renewalRenderer } from './cards/access-cards';
import { clockReminderRenderer } from './cards/clock-lines';
import type { ClockSettings } from './domain/escalation-clocks';
import { partnerTargetsOf } from './domain/response-clocks';
import { GdapRenewals } from './tracking/gdap-renewals';

/** Where the project's data folders are (cards, locales, sandbox), relative to the compiled file. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** A built service. */
export interface App {
  readonly server: BotServer;
  readonly edge: TeamsEdge;
  readonly database: Database;
  /** The background workers, for tests that drive them round by round. */
  readonly workers: {
    readonly tracker: Tracker;
    readonly outboxWorker: OutboxWorker;
    readonly reminders: Reminders;
    readonly incidentSweep: IncidentSweep;
    readonly gdapRenewals: GdapRenewals;
  };
  /** GDAP readiness (cached): the one instance the chat and the tab read. */
  readonly access: AccessProvider;
  /** Work finishing after its turn answered (late health checks). */
  readonly background: BackgroundWork;
  /** Starts the background workers (unless WORKERS=off). */
  start(): void;
  /** Drains HTTP work within the grace period, stops the workers, then closes the database. */
  close(graceMs?: number): Promise<void>;
}

/** Parts a test may supply instead of the ones built from the configuration. */
export interface AppOverrides {
  readonly database?: Database;
  readonly clock?: Clock;
  /** Microsoft's support side (tests play Partner Center with it). */
  readonly support?: SupportProvider;
}

/** Builds every part of the service from the configuration. */
export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  if (config.allowAnyTenant) {
    logger.warn('ALLOWED_TENANTS=*: users of every Entra tenant are served, not only your partner tenant; they see your customers and can open escalations.');
  }
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.database.url,
      logger,
      poolSize: config.database.poolSize,
      sqliteSynchronous: config.database.sqliteSynchronous,
      password: config.database.managedIdentity && managedIdentityToken(config.database.managedIdentity.clientId, config.database.managedIdentity.resource),
    }));
  const cards = new CardRenderer(join(PROJECT_ROOT, 'cards'));
  const localizer = new Localizer(join(PROJECT_ROOT, 'locales'));
  const clock = overrides.clock ?? systemClock;
  const retry = {
    maxAttempts: config.upstream.maxAttempts,
    attemptTimeoutMs: config.upstream.attemptTimeoutMs,
    maxTotalMs: config.upstream.totalTimeoutMs,
  };
  // One parse of the sandbox seed serves both the health provider and the directory.
  const sandboxData =
    config.health.source === 'sandbox' || config.directory.source === 'sandbox' || config.access.source === 'sandbox'
      ? loadSandboxData(resolve(PROJECT_ROOT, config.health.sandboxFile))
      : undefined;
  const health = createHealthProvider({
    source: config.health.source,
    logger,
    clock,
    loginEndpoint: config.endpoints.login,
    graphEndpoint: config.endpoints.graph,
    credentials: config.health.app,
    adminCenterUrl: config.health.adminCenterUrl,
    cache: { freshnessMs: config.health.cacheMs, maxTenants: config.health.cacheMaxTenants },
    budget: { perMinute: config.health.budgetPerMinute, perHour: config.health.budgetPerHour },
    retry,
    sandbox: sandboxData,
  });
  const directory = createCustomerDirectory({
    source: config.directory.source,
    logger,
    clock,
    loginEndpoint: config.endpoints.login,
    partnerCenterEndpoint: config.endpoints.partnerCenter,
    partnerTenantId: config.directory.partnerTenantId,
    credentials: config.directory.app,
    cache: { ttlMs: config.directory.cacheMs },
    retry,
    sandbox: sandboxData,
  });

  const sandbox = health.sandbox;
  // The seed edited while the bot runs: health and customers read it again (GDAP roles need a restart).
  const sandboxWatch = sandboxData
    ? watchSandboxFile({
        path: resolve(PROJECT_ROOT, config.health.sandboxFile),
        logger,
        onReload: (data) => {
          sandbox?.reload(data);
          if (directory instanceof SandboxCustomerDirectory) directory.reload(data);
        },
      })
    : undefined;
  // GDAP readiness, built once: the flow, the health command, the renewal reminders and the tab share it.
  const access = createAccessProvider({
    source: config.access.source,
    logger,
    clock,
    loginEndpoint: config.endpoints.login,
    graphEndpoint: config.endpoints.graph,
    partnerTenantId: config.partnerTenantId,
    credentials: config.graph.clientId && config.graph.credential ? { clientId: config.graph.clientId, credential: config.graph.credential } : undefined,
    freshnessMs: config.access.cacheMs,
    retry,
    sandboxCustomers: sandboxData?.customers,
    sandboxGroups: sandboxData?.partnerGroups,
  });
  const accessDesk: AccessDesk = {
    provider: access,
    freshMembership: uncachedMembership(access),
    consentAdminGroupId: config.access.consentAdminGroupId,
    consent: createHealthConsent({
      sandbox,
      partnerCenter:
        config.support.source === 'partnercenter'
          ? { ...config.support, partnerCenterEndpoint: config.endpoints.partnerCenter, loginEndpoint: config.endpoints.login }
          : undefined,
      applicationId: config.health.app?.clientId,
      logger,
      clock,
      retry,
    }),
    ledger: new ConsentLedger(database.documents),
  };
  // The partner's own target per customer: the sandbox directory's customers carry theirs, the file overrides any.
  const clockSettings: ClockSettings = {
    plan: config.responseClocks.supportPlan,
    partnerTargets: partnerTargetsOf(
      config.responseClocks.partnerTargetHours,
      config.directory.source === 'sandbox' ? (sandboxData?.customers ?? []) : [],
      config.responseClocks.partnerTargetOverrides,
    ),
  };
  const supportOptions: SupportProviderOptions =
    config.support.source === 'partnercenter'
      ? {
          source: 'partnercenter',
          endpoints: { partnerCenter: config.endpoints.partnerCenter, login: config.endpoints.login },
          credentials: config.support,
          logger,
          clock,
        }
      : { ...config.support, documents: database.documents, clock };
  const support = overrides.support ?? createSupportProvider(supportOptions);
  // The tracker answers no one: it may wait out Partner Center's throttling, which a card action cannot.
  const trackingSupport =
    overrides.support ??
    (supportOptions.source === 'partnercenter' ? createSupportProvider({ ...supportOptions, retryPolicy: TRACKING_RETRY_POLICY }) : support);
  const renderNotification = notificationRenderer(cards, localizer, (e) =>
    partnerCenterRequestsLink(PARTNER_CENTER_PORTAL, e.customer.tenantId),
  );
  const tracker = new Tracker({
    escalations: database.escalations,
    tracking: database.tracking,
    support: trackingSupport,
    health: health.provider,
    // A watched incident the sweep follows is read from its record: one resolution, one ping.
    incidents: config.incidents.sweepIntervalMs > 0 ? database.incidents : undefined,
    clock,
    logger,
    render: (kind, e) => renderNotification(kind, e),
    renderStatus: statusRenderer(cards, localizer),
    sentFor: (id) => database.outbox.listForEscalation(id),
    minIntervalMs: config.tracking.minIntervalMs,
    maxIntervalMs: config.tracking.maxIntervalMs,
    incidentIntervalMs: health.freshnessMs,
    requestPollsPerMinute: config.tracking.requestPollsPerMinute,
  });
  const cardTiming = { windowMs: config.incidents.cardUpdateWindowMs, postCheckMs: 5_000 };
  const incidentCard = createIncidentCard({
    database,
    cards,
    localizer,
    directory,
    clock,
    logger,
    cardTiming,
    tab: tabLinkOptions({ localMode: config.bot.localMode, appId: config.bot.appId, cloud: config.cloud, host: config.host, port: config.port }),
    adminCenterUrl: config.health.adminCenterUrl,
    reminderPeriodMs: config.reminders.resolvedMs,
  });
  const reminders = new Reminders({
    escalations: database.escalations,
    outbox: database.outbox,
    clock,
    logger,
    periods: config.reminders,
    render: reminderRenderer(cards, localizer),
    clocks: { settings: clockSettings, render: clockReminderRenderer(cards, localizer) },
    // A clock's 80 % and breach reminders are at most a minute late.
    intervalMs: 60_000,
    scans: [incidentCard.reminders],
  });
  const background = new BackgroundWork(logger);
  const flow = new EscalationFlow({
    store: database.escalations,
    directory,
    health: health.provider,
    cards,
    clock,
    support,
    outbox: database.outbox,
    conversations: database.conversations,
    pollNow: (id) => tracker.pollNow(id),
    snoozeMs: config.reminders.resolvedMs,
    background,
    turnBudgetMs: config.upstream.turnBudgetMs,
    lateWorkMs: config.upstream.totalTimeoutMs,
    access: accessDesk,
    clocks: clockSettings,
    incidents: incidentCard.desk,
    customerTypeahead: config.customerTypeahead,
  });
  const healthCommand = createHealthCommand({
    directory,
    health: health.provider,
    cards,
    turnBudgetMs: config.upstream.turnBudgetMs,
    lateMs: config.upstream.totalTimeoutMs,
    late: { background, outbox: database.outbox, clock },
    readiness: { provider: access, clock, canGrant: accessDesk.consent !== undefined },
  });
  const edge = createTeamsEdge({
    config,
    documents: database.documents,
    conversations: database.conversations,
    clock,
    cards,
    localizer,
    logger,
    commands: { ...flow.commands(), health: healthCommand, incidents: createIncidentsCommand({ desk: incidentCard.desk, cards, clock }) },
    verbs: { ...flow.verbs(), health: healthCommand },
    searches: { customers: createCustomerSearch({ directory, timeoutMs: config.upstream.turnBudgetMs }) },
  });
  const outboxWorker = new OutboxWorker({
    outbox: database.outbox,
    conversations: database.conversations,
    sender: new BotProactiveSender({ adapter: edge.adapter, botAppId: config.bot.appId, logger }),
    clock,
    logger,
    ambiguousResend: config.tracking.ambiguousResend,
    limitMarginMs: config.tracking.limitMarginMs,
    // Instances on one database split Teams' limits between the live ones.
    roster: database.outbox,
  });
  // Every customer tenant's health through the `health` command's provider (one cache, one budget).
  const incidentSweep = new IncidentSweep({
    directory,
    health: health.provider,
    incidents: database.incidents,
    sweeps: database.incidentSweeps,
    outbox: database.outbox,
    conversations: database.conversations,
    clock,
    logger,
    pollNow: (id) => tracker.pollNow(id),
    intervalMs: config.incidents.sweepIntervalMs || undefined,
    filter: { classifications: config.incidents.classifications, services: config.incidents.services },
    cardTiming,
    render: incidentCard.render,
  });
  // GDAP relationships ending soon: one reminder each to the incident channel (none set: a log line).
  const gdapRenewals = new GdapRenewals({
    access,
    directory,
    incidents: database.incidents,
    outbox: database.outbox,
    clock,
    logger,
    render: renewalRenderer(localizer),
  });
  const workers = { tracker, outboxWorker, reminders, incidentSweep, gdapRenewals };
  const server = buildServer({
    messages: (req, res) => edge.process(req, res),
    ready: () => database.ping(),
    logger,
    routes: [
      (server) =>
        registerTabRoutes(server, {
          store: database.escalations,
          logger,
          auth: tabAuthFromConfig(config, config.publicHostname),
          cardFor: (escalation, locale) => flow.cardFor(localizer.forLocale(locale, detailsOf(escalation).timeZone), escalation),
          staticDir: join(PROJECT_ROOT, 'src', 'tab', 'static'),
          localizer,
          chatLink: chatLinkFromConfig(config),
          clockSettings,
          clock,
          incidents: database.incidents,
          adminCenterUrl: config.health.adminCenterUrl,
          access,
          directory,
        }),
      // The sandbox's own API (resolve an incident) is unauthenticated: it exists only when the
      // sandbox plays Microsoft in local mode, never on an instance with an app id.
      ...(sandbox && config.bot.localMode
        ? [(server: Parameters<typeof registerSandboxHealthRoutes>[0]) => registerSandboxHealthRoutes(server, sandbox, (tenantIds) => incidentSweep.sweepSoon(tenantIds, health.freshnessMs))]
        : []),
    ],
  });

  return {
    server,
    edge,
    database,
    workers,
    access,
    background,
    start: () => {
      if (!config.tracking.enabled) return;
      tracker.start();
      outboxWorker.start();
      reminders.start();
      gdapRenewals.start();
      if (config.incidents.sweepIntervalMs > 0) incidentSweep.start();
    },
    close: async (graceMs = config.shutdownGraceMs) => {
      sandboxWatch?.close();
      await server.close(graceMs);
      // Workers and late lookups finish before the database goes away.
      await Promise.all([tracker.stop(), outboxWorker.stop(), reminders.stop(), incidentSweep.stop(), gdapRenewals.stop(), background.drain()]);
      await database.close();
    },
  };
}
