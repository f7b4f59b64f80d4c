/**
 * A service that a test restarts on one SQLite file, with sinon's Date (only the date: timers
 * stay real) and a connector double that outlive each process: what "across restarts" needs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { startApp, type RunningApp } from '../../helpers/app';
import { ConnectorDouble } from '../../helpers/connector-double';

/** The restartable service of one test. */
export interface Restarts {
  readonly clock: sinon.SinonFakeTimers;
  readonly connector: ConnectorDouble;
  /** Starts the service, stopping the one running first: a restart on the same database file. */
  start(): Promise<RunningApp>;
}

/** Registers hooks that give each test a restartable service with `env`, its Date starting at `now`. */
export function useRestarts(env: Record<string, string>, now: string): Restarts {
  const state: { dir?: string; clock?: sinon.SinonFakeTimers; connector?: ConnectorDouble; app?: RunningApp } = {};
  beforeEach(async () => {
    state.dir = await mkdtemp(join(tmpdir(), 'escalation-desk-restarts-'));
    state.clock = sinon.useFakeTimers({ now: Date.parse(now), toFake: ['Date'] });
    state.connector = await new ConnectorDouble().start();
  });
  afterEach(async () => {
    await state.app?.stop();
    state.app = undefined;
    await state.connector?.stop();
    state.clock?.restore();
    if (state.dir) await rm(state.dir, { recursive: true, force: true });
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('only inside a test');
    return value;
  };
  return {
    get clock() {
      return need(state.clock);
    },
    get connector() {
      return need(state.connector);
    },
    start: async () => {
      await state.app?.stop();
      state.app = await startApp({ DATABASE_URL: `sqlite:${join(need(state.dir), 'desk.db')}`, ...env });
      return state.app;
    },
  };
}
