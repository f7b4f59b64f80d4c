/**
 * Process entry point: read the configuration, build the service, listen, and shut down
 * gracefully on SIGTERM/SIGINT. Nothing else happens here.
 *
 * Start it with `npm start`: it adds `--max-semi-space-size=4`, which caps V8's young
 * generation at 2 × 4 MB instead of Node 20's 2 × 16 MB. Once grown, the larger space stays
 * resident (mostly garbage between scavenges); the cap takes ~20–30 MB off the bot's resident
 * memory, with no turn-latency cost measurable above the benches' noise (bench/memory.ts,
 * bench/turn-latency.ts).
 */
import { ConfigError, isLoopbackHost, loadConfig } from './config';
import { createLogger } from './log';
import { describeDatabaseUrl } from './store/url';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  if (config.bot.localMode) {
    logger.warn('MicrosoftAppId is empty: local mode, Bot Framework authentication is OFF. Never expose this instance.');
    if (!isLoopbackHost(config.host)) {
      logger.warn({ host: config.host }, 'local mode listens beyond this machine (HOST): anyone who reaches it talks to the bot unauthenticated');
    }
  }
  if (!config.bot.localMode && config.bot.appType === 'MultiTenant') {
    logger.warn(
      'MicrosoftAppType=MultiTenant: kept for an existing bot registration. Azure creates no new multi-tenant bots since 2025-07-31: register a new one as SingleTenant or UserAssignedMSI.',
    );
  }
  logger.info(
    { cloud: config.cloud, database: describeDatabaseUrl(config.database.url), health: config.healthSource, support: config.supportSource },
    'starting',
  );
  // Loaded only once the configuration is valid: a bad setting stops start-up before the
  // HTTP stack and database drivers load (restify prints a deprecation warning as it loads).
  const { createApp } = await import('./app');
  const app = await createApp(config, logger);
  const address = await app.server.listen(config.port, config.host);
  app.start();
  logger.info({ port: address.port, host: address.address }, 'listening: POST /api/messages, GET /healthz, GET /readyz');

  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down: draining in-flight turns');
    stopping = app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Start-up errors are for the admin: one line, no stack for the ones we expect.
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`escalation-desk: cannot start: ${message}\n`);
  process.exit(1);
});
