/**
 * Per-turn latency of Escalation Desk against the floor of its own stack: an echo bot on the
 * same botbuilder CloudAdapter + restify server (src/server.ts), local mode, no auth.
 *
 *   node dist/bench/turn-latency.js                 (after npm run build)
 *   BENCH_PROFILE=1 node dist/bench/turn-latency.js  (also CPU-profiles each server during the
 *                                                     measured slices at 50 conversations)
 *   BENCH_BUILD=<dir> node dist/bench/turn-latency.js  (the desk of another built checkout, e.g.
 *                                                     a worktree of an older commit, driven by
 *                                                     this bench: A/B of two builds)
 *
 * Each server runs in a child process of its own (as in production; the load generator in
 * this process does not share its event loop); the servers take turns slice by slice within
 * each level, so drift in what else the machine does falls on all of them alike. All are
 * driven with the same full triage conversations: escalate, describe, knownDiffers, troubleshootSkip, triage, handoffLink, six
 * Action.Execute invokes over HTTP with keep-alive, a unique conversation and user each, with
 * 1, 10 and 50 conversations at once, after 300 conversations (BENCH_SETTLE) that let the JIT
 * settle. Latency is client-side, per turn. The desk runs with
 * sandbox Microsoft services, WORKERS=off, LOG_LEVEL=info (logs to a temp file), on SQLite
 * (temp file) and on PostgreSQL (a fresh schema, dropped afterwards).
 *
 * Targets at 50 conversations: median ≤ 1.5× and p99 ≤ 2× the echo floor.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type TurnContext,
} from 'botbuilder';
import pino from 'pino';
import { buildServer } from '../src/server';
import { ConnectorDouble } from '../test/helpers/connector-double';
import { message } from '../test/helpers/activities';
import {
  BotClient,
  createSchema,
  fmt,
  participant,
  percentile,
  readAnswer,
  requestNumbers,
  sorted,
  startCommand,
  stepActivity,
  TRIAGE_STEPS,
  type BenchSchema,
  type FlowIds,
  type TriageStep,
} from './support/common';
import { startDesk } from './support/desk-process';
import { summarizeProfile } from './support/profile';

const LEVELS: ReadonlyArray<{ readonly concurrency: number; readonly rounds: number }> = [
  { concurrency: 1, rounds: 48 },
  { concurrency: 10, rounds: 12 },
  { concurrency: 50, rounds: 6 },
];
/**
 * Each level's rounds are split into this many slices, and the servers take turns slice by
 * slice (echo, SQLite desk, PostgreSQL desk, echo, …): whatever else the machine does during
 * the run falls on all of them alike instead of on whichever server ran last.
 */
const SLICES = 3;
/**
 * Warm-up rounds run at each level's own concurrency right before it is measured: JIT,
 * caches, and every keep-alive connection the level uses (the server closes idle keep-alive
 * connections after 5 s, and a fresh connection's first turn on a saturated server waits long).
 */
const WARMUP_ROUNDS = 2;
/**
 * Conversations each server runs before any level, 10 at once: V8 goes on optimizing the bot's
 * code for hundreds of conversations (at 300, optimizations have mostly stopped), and the bench
 * compares servers in their steady state, not in how fast they warm up.
 */
const SETTLE_CONVERSATIONS = Number(process.env.BENCH_SETTLE ?? 300);
const TARGET_MEDIAN = 1.5;
const TARGET_P99 = 2;
/** Gives up on a server that does not say it listens within this. */
const START_TIMEOUT_MS = 60_000;

type Kind = 'echo' | 'desk';

// ---------------------------------------------------------------------------------------------
// Child process: one server.

/** The echo floor: replies with the text to a message, answers an invoke with a one-line card. */
class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(context.activity.text ?? '');
      await next();
    });
  }

  protected override onAdaptiveCardInvoke(_context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `echo: ${value.action?.verb ?? ''}` }] };
    return Promise.resolve({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
  }
}

/**
 * The server's CPU profiler, started and stopped by the parent around the slices it measures,
 * so start-up, module loading and warm-up stay out of the profile.
 */
function profiler(): { start(): Promise<void>; stop(file: string): Promise<void> } {
  // Connected on the first start only: a run that does not profile keeps no inspector session.
  let session: Session | undefined;
  return {
    start: async () => {
      if (!session) {
        session = new Session();
        session.connect();
      }
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    stop: async (file) => {
      if (!session) throw new Error('the profiler was not started');
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/** A request from the parent to a server process. */
type ServerRequest = 'cpu' | 'stop' | 'profile-start' | { readonly profileStop: string };

async function serve(kind: Kind, databaseUrl: string, logFile: string): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'echo') {
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
    const bot = new EchoBot();
    const server = buildServer({
      messages: (req, res) => adapter.process(req, res, (context) => bot.run(context)),
      ready: () => Promise.resolve(),
      logger: pino({ level: 'warn' }, pino.destination(logFile)),
    });
    port = (await server.listen(0, '127.0.0.1')).port;
    close = () => server.close(1000);
  } else {
    // This checkout's bot, or (BENCH_BUILD) another built checkout's, driven the same way.
    const desk = await startDesk(process.env.BENCH_BUILD ?? join(__dirname, '..', '..'), databaseUrl, logFile);
    port = desk.port;
    close = () => desk.close(1000);
  }
  const profile = profiler();
  process.on('message', (m: ServerRequest) => {
    if (m === 'profile-start' || (typeof m === 'object' && 'profileStop' in m)) {
      const done = m === 'profile-start' ? profile.start() : profile.stop(m.profileStop);
      done.then(
        () => process.send?.({ profiled: true }),
        (error: unknown) => process.send?.({ profiled: false, error: String(error) }),
      );
      return;
    }
    if (m === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ cpuMicros: used.user + used.system });
      return;
    }
    if (m !== 'stop') return;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ port });
}

// ---------------------------------------------------------------------------------------------
// Parent: the load generator.

interface Server {
  readonly child: ChildProcess;
  readonly client: BotClient;
  /** CPU time the server process has used so far (user + system), µs. */
  cpuMicros(): Promise<number>;
  /** Starts the server's CPU profiler (when the run profiles). */
  profileStart(): Promise<void>;
  /** Stops it and writes the profile. */
  profileStop(): Promise<void>;
  stop(): Promise<void>;
}

/** Sends a request to a server process and waits for the answer that `pick` recognizes. */
function ask<T>(child: ChildProcess, request: ServerRequest, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> {
  return new Promise<T>((resolve) => {
    const answer = (m: Record<string, unknown>): void => {
      const value = pick(m);
      if (value === undefined) return;
      child.off('message', answer);
      resolve(value);
    };
    child.on('message', answer);
    child.send(request);
  });
}

async function startServer(kind: Kind, databaseUrl: string, workDir: string, label: string, profileDir?: string): Promise<Server> {
  const log = openSync(join(workDir, `${label}.log`), 'a');
  // Both servers run with the node flags `npm start` gives the bot, so the floor and the desk share them.
  const child = fork(__filename, ['serve', kind, databaseUrl, join(workDir, `${label}.log`)], {
    execArgv: [...startCommand().flags],
    stdio: ['ignore', log, log, 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start`)), START_TIMEOUT_MS);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code} (see ${workDir}/${label}.log)`)));
  });
  const client = new BotClient(`http://127.0.0.1:${port}`);
  return {
    child,
    client,
    cpuMicros: () => ask(child, 'cpu', (m) => (typeof m.cpuMicros === 'number' ? m.cpuMicros : undefined)),
    profileStart: async () => {
      if (profileDir) await profiled(ask(child, 'profile-start', profiledAnswer));
    },
    profileStop: async () => {
      if (profileDir) await profiled(ask(child, { profileStop: join(profileDir, `${label}.cpuprofile`) }, profiledAnswer));
    },
    stop: async () => {
      client.close();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A server's answer to a profiler request. */
function profiledAnswer(m: Record<string, unknown>): { ok: boolean; error?: unknown } | undefined {
  return typeof m.profiled === 'boolean' ? { ok: m.profiled, error: m.error } : undefined;
}

async function profiled(answer: Promise<{ ok: boolean; error?: unknown }>): Promise<void> {
  const { ok, error } = await answer;
  if (!ok) throw new Error(`profiler: ${String(error)}`);
}

/** Latencies of one level, per step. */
type Samples = Map<TriageStep, number[]>;

/** The slowest turns of the run (step, when it started relative to the level's start, ms). */
const slowest: Array<{ label: string; step: TriageStep; atMs: number; ms: number }> = [];

/** Runs `concurrency` conversation slots, each `rounds` full triage conversations in a row. */
async function drive(server: Server, serviceUrl: string, concurrency: number, rounds: number, strict: boolean, label: string): Promise<{ samples: Samples; wallMs: number }> {
  const samples: Samples = new Map(TRIAGE_STEPS.map((s) => [s, []]));
  const nextNumber = requestNumbers();
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      for (let round = 0; round < rounds; round++) {
        const who = participant(serviceUrl, `${label}-${slot}-${round}`);
        const ids: FlowIds = {};
        const requestNumber = nextNumber();
        for (const step of TRIAGE_STEPS) {
          const answer = await server.client.post('/api/messages', stepActivity(who, step, ids, requestNumber));
          readAnswer(step, answer, ids, strict);
          samples.get(step)?.push(answer.ms);
          if (answer.ms > 1000) slowest.push({ label, step, atMs: Date.now() - started - answer.ms, ms: answer.ms });
        }
      }
    }),
  );
  return { samples, wallMs: Date.now() - started };
}

/** The echo bot's message turns (its reply goes through the connector double). */
async function driveMessages(server: Server, serviceUrl: string, concurrency: number, turns: number): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      const who = participant(serviceUrl, `msg-${slot}`);
      for (let i = 0; i < turns; i++) {
        const answer = await server.client.post('/api/messages', message(`hello ${i}`, { serviceUrl, conversationId: who.conversationId, from: who.from }));
        if (answer.status !== 200) throw new Error(`echo message: HTTP ${answer.status}`);
        out.push(answer.ms);
      }
    }),
  );
  return out;
}

interface LevelResult {
  readonly concurrency: number;
  readonly all: number[];
  readonly byStep: Samples;
  readonly turnsPerSecond: number;
  /** Server CPU (user + system) per measured turn, ms. */
  readonly cpuMsPerTurn: number;
}

/** One server's samples and CPU of one level, added up over its slices. */
interface LevelTally {
  readonly samples: Samples;
  wallMs: number;
  cpuMicros: number;
}

/**
 * Measures every level on all servers, interleaved slice by slice (see SLICES), each level
 * after a warm-up at its own concurrency.
 */
async function measureAll(servers: ReadonlyArray<{ server: Server; strict: boolean; label: string }>, serviceUrl: string): Promise<LevelResult[][]> {
  const results: LevelResult[][] = servers.map(() => []);
  for (const { server, strict, label } of servers) await drive(server, serviceUrl, 10, Math.ceil(SETTLE_CONVERSATIONS / 10), strict, `${label}-settle`);
  for (const level of LEVELS) {
    for (const { server, strict, label } of servers) await drive(server, serviceUrl, level.concurrency, WARMUP_ROUNDS, strict, `${label}-warm-c${level.concurrency}`);
    const tallies: LevelTally[] = servers.map(() => ({ samples: new Map(TRIAGE_STEPS.map((s) => [s, []])), wallMs: 0, cpuMicros: 0 }));
    // The profile (BENCH_PROFILE=1) covers the measured slices of the busiest level only.
    const profiling = level.concurrency === LEVELS.at(-1)?.concurrency;
    if (profiling) for (const { server } of servers) await server.profileStart();
    for (let slice = 0; slice < SLICES; slice++) {
      for (const [i, { server, strict, label }] of servers.entries()) {
        const tally = tallies[i];
        if (!tally) continue;
        const cpuBefore = await server.cpuMicros();
        const { samples, wallMs } = await drive(server, serviceUrl, level.concurrency, level.rounds / SLICES, strict, `${label}-c${level.concurrency}`);
        tally.cpuMicros += (await server.cpuMicros()) - cpuBefore;
        tally.wallMs += wallMs;
        for (const [step, values] of samples) tally.samples.get(step)?.push(...values);
      }
    }
    if (profiling) for (const { server } of servers) await server.profileStop();
    tallies.forEach((tally, i) => {
      const all = sorted([...tally.samples.values()].flat());
      results[i]?.push({
        concurrency: level.concurrency,
        all,
        byStep: tally.samples,
        turnsPerSecond: all.length / (tally.wallMs / 1000),
        cpuMsPerTurn: tally.cpuMicros / 1000 / all.length,
      });
    });
  }
  return results;
}

function printTable(title: string, echo: readonly LevelResult[], desk: readonly LevelResult[]): boolean {
  console.log(`\n${title}`);
  console.log('  conv   turns | echo med    p99 |  desk med    p99 | ratio med    p99 | echo turns/s desk turns/s | cpu ms/turn echo desk ratio');
  let met = true;
  desk.forEach((d, i) => {
    const e = echo[i];
    if (!e) return;
    const [em, ep, dm, dp] = [percentile(e.all, 50), percentile(e.all, 99), percentile(d.all, 50), percentile(d.all, 99)];
    console.log(
      `  ${String(d.concurrency).padStart(4)} ${String(d.all.length).padStart(7)} |${fmt(em, 2)}${fmt(ep, 2, 7)} |${fmt(dm, 2, 10)}${fmt(dp, 2, 7)} |${fmt(dm / em, 2, 10)}${fmt(dp / ep, 2, 7)} |${fmt(e.turnsPerSecond, 0, 13)}${fmt(d.turnsPerSecond, 0, 13)} |${fmt(e.cpuMsPerTurn, 3, 17)}${fmt(d.cpuMsPerTurn, 3, 6)}${fmt(d.cpuMsPerTurn / e.cpuMsPerTurn, 2, 6)}`,
    );
    if (d.concurrency === 50) {
      const medianOk = dm / em <= TARGET_MEDIAN;
      const p99Ok = dp / ep <= TARGET_P99;
      met = medianOk && p99Ok;
      console.log(`  target at 50 conversations: median ≤ ${TARGET_MEDIAN}× echo: ${medianOk ? 'MET' : 'NOT MET'} (${(dm / em).toFixed(2)}×); p99 ≤ ${TARGET_P99}× echo: ${p99Ok ? 'MET' : 'NOT MET'} (${(dp / ep).toFixed(2)}×)`);
    }
  });
  console.log('  desk per step (ms, median / p99):');
  for (const d of desk) {
    const parts = TRIAGE_STEPS.map((s) => {
      const v = sorted(d.byStep.get(s) ?? []);
      return `${s} ${percentile(v, 50).toFixed(1)}/${percentile(v, 99).toFixed(1)}`;
    });
    console.log(`    ${String(d.concurrency).padStart(2)} conv: ${parts.join('  ')}`);
  }
  return met;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'ed-bench-latency-'));
  const profileDir = process.env.BENCH_PROFILE === '1' ? join(workDir, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir);
  const connector = await new ConnectorDouble().start();
  let schema: BenchSchema | undefined;
  try {
    console.log(`Turn latency: full triage conversations (6 invokes each), client-side per turn, ms. Logs: ${workDir}`);
    console.log(`Both servers run with the node flags of npm start: ${startCommand().flags.join(' ') || '(none)'}`);
    const sqliteDir = join(workDir, 'sqlite');
    mkdirSync(sqliteDir);
    schema = await createSchema();
    // All three run at once (an idle server costs nothing) and take turns slice by slice.
    const started: Server[] = [];
    let echo: LevelResult[] = [];
    let deskSqlite: LevelResult[] = [];
    let deskPg: LevelResult[] = [];
    let echoMessages: number[];
    try {
      const echoServer = await startServer('echo', '', workDir, 'echo', profileDir);
      started.push(echoServer);
      const sqliteServer = await startServer('desk', `sqlite:${join(sqliteDir, 'bench.db')}`, workDir, 'desk-sqlite', profileDir);
      started.push(sqliteServer);
      const pgServer = await startServer('desk', schema.url, workDir, 'desk-postgres', profileDir);
      started.push(pgServer);
      [echo = [], deskSqlite = [], deskPg = []] = await measureAll(
        [
          { server: echoServer, strict: false, label: 'echo' },
          { server: sqliteServer, strict: true, label: 'sqlite' },
          { server: pgServer, strict: true, label: 'pg' },
        ],
        connector.url,
      );
      await driveMessages(echoServer, connector.url, 10, 10);
      echoMessages = sorted(await driveMessages(echoServer, connector.url, 50, 24));
    } finally {
      for (const server of started) await server.stop();
    }
    console.log(
      `Echo message turns (reply POSTed to the connector double), 50 conversations: median ${percentile(echoMessages, 50).toFixed(2)} ms, p99 ${percentile(echoMessages, 99).toFixed(2)} ms (${echoMessages.length} turns; for reference, the invoke echo above is the floor compared with)`,
    );
    const sqliteMet = printTable('Escalation Desk on SQLite (temp file) vs echo', echo, deskSqlite);
    const pgMet = printTable(`Escalation Desk on PostgreSQL (schema ${schema.schema}) vs echo`, echo, deskPg);

    console.log(`\nActivities the bots sent to the connector double: ${connector.calls.length} (echo message replies; the desk answers invokes in the HTTP response)`);
    if (slowest.length > 0) {
      const groups = new Map<string, { n: number; max: number; firstAt: number }>();
      for (const s of slowest) {
        const key = `${s.label.replace(/-\d+-\d+$/, '')} ${s.step}`;
        const g = groups.get(key) ?? { n: 0, max: 0, firstAt: s.atMs };
        groups.set(key, { n: g.n + 1, max: Math.max(g.max, s.ms), firstAt: Math.min(g.firstAt, s.atMs) });
      }
      console.log(`Turns over 1 s: ${slowest.length} (warm-up included)`);
      for (const [key, g] of groups) console.log(`  ${key}: ${g.n}, slowest ${g.max.toFixed(0)} ms, first started +${g.firstAt.toFixed(0)} ms into its level`);
    }
    console.log(`Targets at 50 conversations: SQLite ${sqliteMet ? 'MET' : 'NOT MET'}, PostgreSQL ${pgMet ? 'MET' : 'NOT MET'}`);
    if (profileDir) {
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
        console.log(`\nCPU profile ${join(profileDir, file)}`);
        summarizeProfile(join(profileDir, file), 25);
      }
    }
  } finally {
    await connector.stop();
    await schema?.drop();
    if (!profileDir && process.env.BENCH_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] as Kind, process.argv[4] ?? '', process.argv[5] ?? '/dev/null').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
