/**
 * The bot of one built checkout as a process of its own, the way the turn-latency bench runs
 * it (sandbox services, WORKERS=off, LOG_LEVEL=info, logs to a file), for benches that must
 * run a build under another program (valgrind) or compare an older build with this one:
 *
 *   node dist/bench/support/desk-process.js <checkout dir> <DATABASE_URL> <log file>
 *
 * It loads that checkout's own `dist/src`, prints `listening on <port>` once it listens on
 * 127.0.0.1, and closes on SIGTERM.
 */
import { join } from 'node:path';
import pino from 'pino';

/** The parts of a build this process uses: the same names in every build since the reshape and before it. */
interface BuildModules {
  readonly config: { readonly loadConfig: (options: { env: Record<string, string>; dotenvPath: null }) => { readonly logLevel: string } };
  readonly log: { readonly createLogger: (options: { level: string; destination: pino.DestinationStream }) => unknown };
  readonly app: {
    readonly createApp: (config: unknown, logger: unknown) => Promise<{ server: { listen(port: number, host: string): Promise<{ port: number }> }; close(graceMs: number): Promise<void> }>;
  };
}

/** A module of the build, as typed by `BuildModules` (the build is another checkout: its types are not this one's). */
function load<K extends keyof BuildModules>(dir: string, path: string): BuildModules[K] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the checkout to run is known only at run time
  return require(join(dir, 'dist', 'src', path)) as BuildModules[K];
}

/** A running bot of a build, listening on 127.0.0.1. */
export interface RunningDesk {
  readonly port: number;
  close(graceMs: number): Promise<void>;
}

/**
 * Starts the bot of the built checkout in `dir` as the benches run it: sandbox services,
 * WORKERS=off, LOG_LEVEL=info, logs to `logFile`, on `databaseUrl`.
 */
export async function startDesk(dir: string, databaseUrl: string, logFile: string): Promise<RunningDesk> {
  const { loadConfig } = load<'config'>(dir, 'config');
  const { createLogger } = load<'log'>(dir, 'log');
  const { createApp } = load<'app'>(dir, 'app');
  const config = loadConfig({ env: { DATABASE_URL: databaseUrl, WORKERS: 'off', LOG_LEVEL: 'info' }, dotenvPath: null });
  const logger = createLogger({ level: config.logLevel, destination: pino.destination(logFile) });
  const app = await createApp(config, logger);
  const { port } = await app.server.listen(0, '127.0.0.1');
  return { port, close: (graceMs) => app.close(graceMs) };
}

async function main(): Promise<void> {
  const [dir, databaseUrl, logFile] = process.argv.slice(2);
  if (!dir || !databaseUrl || !logFile) throw new Error('usage: desk-process.js <checkout dir> <DATABASE_URL> <log file>');
  const desk = await startDesk(dir, databaseUrl, logFile);
  process.once('SIGTERM', () => {
    desk.close(1000).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdout.write(`listening on ${desk.port}\n`);
}

// Run as a program (valgrind starts it); imported, it only lends `startDesk`.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
