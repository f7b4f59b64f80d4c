/**
 * The composition root as a function: configuration in, a built (not yet listening) service
 * out. `index.ts` calls it for the process; tests call it to run the real stack in-process.
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
import { createCustomerDirectory } from './directory';
import { systemClock, type Clock } from './domain/clock';
import { createHealthProvider, loadSandboxData, registerSandboxHealthRoutes } from './health';
import { registerTabRoutes, tabAuthFromConfig } from './tab/api';

/** Where the project's data folders are (cards, locales, sandbox), relative to the compiled file. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** A built service. */
export interface App {
  readonly server: BotServer;
  readonly edge: TeamsEdge;
  readonly database: Database;
  /** Drains HTTP work within the grace period, then closes the database. */
  close(graceMs?: number): Promise<void>;
}

/** Parts a test may supply instead of the ones built from the configuration. */
export interface AppOverrides {
  readonly database?: Database;
  readonly clock?: Clock;
}

/** Builds every part of the service from the configuration. */
export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const database =
    overrides.database ?? (await openDatabase({ url: config.database.url, logger, poolSize: config.database.poolSize }));
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
    config.healthSource === 'sandbox' || config.directorySource === 'sandbox'
      ? loadSandboxData(resolve(PROJECT_ROOT, config.health.sandboxFile))
      : undefined;
  const health = createHealthProvider({
    source: config.healthSource,
    logger,
    clock,
    loginEndpoint: config.endpoints.login,
    graphEndpoint: config.endpoints.graph,
    credentials: config.graph.clientId && config.graph.clientSecret ? { clientId: config.graph.clientId, clientSecret: config.graph.clientSecret } : undefined,
    adminCenterUrl: config.health.adminCenterUrl,
    cache: { freshnessMs: config.health.cacheMs, maxTenants: config.health.cacheMaxTenants },
    budget: { perMinute: config.health.budgetPerMinute, perHour: config.health.budgetPerHour },
    retry,
    sandbox: sandboxData,
  });
  const directory = createCustomerDirectory({
    source: config.directorySource,
    logger,
    clock,
    loginEndpoint: config.endpoints.login,
    partnerCenterEndpoint: config.endpoints.partnerCenter,
    partnerTenantId: config.partnerTenantId,
    credentials:
      config.partnerCenter.clientId && config.partnerCenter.clientSecret
        ? { clientId: config.partnerCenter.clientId, clientSecret: config.partnerCenter.clientSecret }
        : undefined,
    cache: { ttlMs: config.directory.cacheMs },
    retry,
    sandbox: sandboxData,
  });

  const sandbox = health.sandbox;
  const flow = new EscalationFlow({ store: database.escalations, directory, health: health.provider, cards, clock });
  const healthCommand = createHealthCommand({ directory, health: health.provider, cards });
  const edge = createTeamsEdge({
    config,
    documents: database.documents,
    cards,
    localizer,
    logger,
    commands: { ...flow.commands(), health: healthCommand },
    verbs: { ...flow.verbs(), health: healthCommand },
  });
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
          cardFor: (escalation, locale) => flow.cardFor(localizer.forLocale(locale), escalation),
          staticDir: join(PROJECT_ROOT, 'src', 'tab', 'static'),
        }),
      // The sandbox's own API (resolve an incident) exists only when the sandbox plays Microsoft.
      ...(sandbox ? [(server: Parameters<typeof registerSandboxHealthRoutes>[0]) => registerSandboxHealthRoutes(server, sandbox)] : []),
    ],
  });

  return {
    server,
    edge,
    database,
    close: async (graceMs = config.shutdownGraceMs) => {
      await server.close(graceMs);
      await database.close();
    },
  };
}
