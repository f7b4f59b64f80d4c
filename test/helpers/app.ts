/** Runs the real service in-process on an ephemeral port, for tests that speak HTTP to it. */
import { createApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { ConnectorDouble } from './connector-double';
import { logSink } from './run-log';

/** A started service and what it logged. */
export interface RunningApp {
  readonly app: App;
  readonly url: string;
  /** Every log line written so far, parsed. */
  readonly logs: Record<string, unknown>[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/** Starts the service with a test environment (SQLite in memory unless the env says otherwise). */
export async function startApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<RunningApp> {
  const config = loadConfig({ env: { DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'debug', ...env }, dotenvPath: null });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: config.logLevel, destination: logSink(env, { parsed: logs }) });
  const app = await createApp(config, logger, overrides);
  const address = await app.server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    logs,
    post: async (path, body, headers = {}) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
    stop: () => app.close(1000),
  };
}

/** A service and a connector double started before each test of a suite and stopped after it. */
export interface AppFixture {
  readonly app: RunningApp;
  readonly connector: ConnectorDouble;
}

/** Registers beforeEach/afterEach hooks that run a fresh service and connector double per test. */
export function useAppPerTest(
  env: Record<string, string> | (() => Record<string, string>) = {},
  overrides: AppOverrides = {},
): AppFixture {
  const fixture: { app?: RunningApp; connector?: ConnectorDouble } = {};
  beforeEach(async () => {
    fixture.connector = await new ConnectorDouble().start();
    // A function is read per test: its values (a double's URL) may exist only after `before`.
    fixture.app = await startApp(typeof env === 'function' ? env() : env, overrides);
  });
  afterEach(async () => {
    await fixture.app?.stop();
    await fixture.connector?.stop();
  });
  return {
    get app(): RunningApp {
      if (!fixture.app) throw new Error('the app runs only inside a test');
      return fixture.app;
    },
    get connector(): ConnectorDouble {
      if (!fixture.connector) throw new Error('the connector runs only inside a test');
      return fixture.connector;
    },
  };
}
